"""Enterprise self-checks: uploaded APKs scanned by the service; scan runs marked as self-checks.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("scan_runs") as batch:
        batch.add_column(sa.Column("self_check", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "self_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("submitted_by", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("apk_sha256", sa.String(length=64), nullable=False),
        sa.Column("apk_size", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.String(length=1000), nullable=False),
        sa.Column("scan_run_id", sa.Integer(), nullable=True),
        sa.Column("report_file_id", sa.Integer(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["app_id"], ["apps.id"], name=op.f("fk_self_checks_app_id_apps")),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprises.id"], name=op.f("fk_self_checks_enterprise_id_enterprises")
        ),
        sa.ForeignKeyConstraint(
            ["file_id"], ["stored_files.id"], name=op.f("fk_self_checks_file_id_stored_files")
        ),
        sa.ForeignKeyConstraint(
            ["report_file_id"], ["stored_files.id"], name=op.f("fk_self_checks_report_file_id_stored_files")
        ),
        sa.ForeignKeyConstraint(
            ["scan_run_id"], ["scan_runs.id"], name=op.f("fk_self_checks_scan_run_id_scan_runs")
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by"], ["users.id"], name=op.f("fk_self_checks_submitted_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_checks")),
    )
    op.create_index(op.f("ix_self_checks_enterprise_id"), "self_checks", ["enterprise_id"])
    op.create_index(op.f("ix_self_checks_app_id"), "self_checks", ["app_id"])
    op.create_index(op.f("ix_self_checks_apk_sha256"), "self_checks", ["apk_sha256"])


def downgrade() -> None:
    op.drop_index(op.f("ix_self_checks_apk_sha256"), table_name="self_checks")
    op.drop_index(op.f("ix_self_checks_app_id"), table_name="self_checks")
    op.drop_index(op.f("ix_self_checks_enterprise_id"), table_name="self_checks")
    op.drop_table("self_checks")
    with op.batch_alter_table("scan_runs") as batch:
        batch.drop_column("self_check")
