"""Submissions: every intake kept raw by sha256 with who/when/outcome; scan runs point at their report's bytes.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("submitted_by", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("province_code", sa.String(length=2), nullable=True),
        sa.Column("store_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("items_received", sa.Integer(), nullable=False),
        sa.Column("items_accepted", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["test_agencies.id"], name=op.f("fk_submissions_agency_id_test_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprises.id"], name=op.f("fk_submissions_enterprise_id_enterprises")
        ),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name=op.f("fk_submissions_store_id_stores")),
        sa.ForeignKeyConstraint(
            ["submitted_by"], ["users.id"], name=op.f("fk_submissions_submitted_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
    )
    op.create_index(op.f("ix_submissions_sha256"), "submissions", ["sha256"])
    op.create_index("ix_submissions_kind_received", "submissions", ["kind", "received_at"])
    with op.batch_alter_table("scan_runs") as batch:
        batch.add_column(sa.Column("submission_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("submission_line", sa.Integer(), server_default="0", nullable=False))
        batch.create_foreign_key(
            op.f("fk_scan_runs_submission_id_submissions"), "submissions", ["submission_id"], ["id"]
        )
        batch.create_index(op.f("ix_scan_runs_submission_id"), ["submission_id"])


def downgrade() -> None:
    with op.batch_alter_table("scan_runs") as batch:
        batch.drop_index(op.f("ix_scan_runs_submission_id"))
        batch.drop_constraint(op.f("fk_scan_runs_submission_id_submissions"), type_="foreignkey")
        batch.drop_column("submission_line")
        batch.drop_column("submission_id")
    op.drop_index("ix_submissions_kind_received", table_name="submissions")
    op.drop_index(op.f("ix_submissions_sha256"), table_name="submissions")
    op.drop_table("submissions")
