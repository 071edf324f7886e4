"""Store listings (apprights-listing/1): uploads kept by sha256 and one snapshot row per listing item.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "listing_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_by", sa.Integer(), nullable=True),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.String(length=1000), nullable=False),
        sa.Column("listings", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"], ["stored_files.id"], name=op.f("fk_listing_uploads_file_id_stored_files")
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by"], ["users.id"], name=op.f("fk_listing_uploads_submitted_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_uploads")),
        sa.UniqueConstraint("sha256", name=op.f("uq_listing_uploads_sha256")),
    )
    op.create_table(
        "listing_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=True),
        sa.Column("package", sa.String(length=255), nullable=False),
        sa.Column("app_name", sa.String(length=200), nullable=False),
        sa.Column("developer_name", sa.String(length=200), nullable=False),
        sa.Column("version_name", sa.String(length=100), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("listed", sa.Boolean(), nullable=False),
        sa.Column("captured_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["app_id"], ["apps.id"], name=op.f("fk_listing_snapshots_app_id_apps")),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_listing_snapshots_store_id_stores")
        ),
        sa.ForeignKeyConstraint(
            ["upload_id"],
            ["listing_uploads.id"],
            name=op.f("fk_listing_snapshots_upload_id_listing_uploads"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_snapshots")),
    )
    with op.batch_alter_table("listing_snapshots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_listing_snapshots_app_id"), ["app_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_listing_snapshots_upload_id"), ["upload_id"], unique=False)
        batch_op.create_index(
            "ix_listing_snapshots_store_captured", ["store_id", "captured_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("listing_snapshots", schema=None) as batch_op:
        batch_op.drop_index("ix_listing_snapshots_store_captured")
        batch_op.drop_index(batch_op.f("ix_listing_snapshots_upload_id"))
        batch_op.drop_index(batch_op.f("ix_listing_snapshots_app_id"))
    op.drop_table("listing_snapshots")
    op.drop_table("listing_uploads")
