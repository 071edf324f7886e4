"""Workflow integrity: late responses, published-notice snapshots, login throttling, app ownership proof, and
the audit log's guard against TRUNCATE on PostgreSQL.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# PostgreSQL row triggers do not fire on TRUNCATE: a statement trigger refuses it. The snapshots of published
# notices are append-only like the audit log.
_PG_APPEND_ONLY = """
CREATE OR REPLACE FUNCTION apprights_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    with op.batch_alter_table("case_responses") as batch:
        batch.add_column(sa.Column("late", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))
    with op.batch_alter_table("apps") as batch:
        batch.add_column(sa.Column("ownership", sa.String(length=16), server_default="", nullable=False))
    # apps bound before this revision were bound by a registration or a regulator; keep them bound
    op.execute("UPDATE apps SET ownership = 'registered' WHERE enterprise_id IS NOT NULL")
    op.create_table(
        "notice_snapshots",
        sa.Column("notice_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("taken_at", sa.DateTime(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("html_sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name=op.f("fk_notice_snapshots_notice_id_notices")
        ),
        sa.PrimaryKeyConstraint("notice_id", name=op.f("pk_notice_snapshots")),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(_PG_APPEND_ONLY)
        op.execute(
            "CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records "
            "FOR EACH STATEMENT EXECUTE FUNCTION apprights_append_only()"
        )
        op.execute(
            "CREATE TRIGGER notice_snapshots_append_only BEFORE UPDATE OR DELETE ON notice_snapshots "
            "FOR EACH ROW EXECUTE FUNCTION apprights_append_only()"
        )
        op.execute(
            "CREATE TRIGGER notice_snapshots_no_truncate BEFORE TRUNCATE ON notice_snapshots "
            "FOR EACH STATEMENT EXECUTE FUNCTION apprights_append_only()"
        )
    elif dialect == "sqlite":  # SQLite has no TRUNCATE (DELETE without WHERE fires the row trigger)
        for what in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER notice_snapshots_no_{what.lower()} BEFORE {what} ON notice_snapshots "
                f"BEGIN SELECT RAISE(ABORT, 'notice_snapshots is append-only ({what} refused)'); END"
            )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS notice_snapshots_no_truncate ON notice_snapshots")
        op.execute("DROP TRIGGER IF EXISTS notice_snapshots_append_only ON notice_snapshots")
        op.execute("DROP TRIGGER IF EXISTS audit_records_no_truncate ON audit_records")
        op.execute("DROP FUNCTION IF EXISTS apprights_append_only()")
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS notice_snapshots_no_update")
        op.execute("DROP TRIGGER IF EXISTS notice_snapshots_no_delete")
    op.drop_table("notice_snapshots")
    with op.batch_alter_table("apps") as batch:
        batch.drop_column("ownership")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("locked_until")
        batch.drop_column("failed_logins")
    with op.batch_alter_table("case_responses") as batch:
        batch.drop_column("late")
