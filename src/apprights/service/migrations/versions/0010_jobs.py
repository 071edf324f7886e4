"""Background jobs in the database (``jobs``): any service process can run a job and answer its status.

Job submissions that an earlier version left unfinished are marked rejected here (that version did so on
start-up; with several processes, start-up is no longer a safe place for it).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INTERRUPTED = (
    '[{"where": "job", "message": "处理中断（服务升级），请重新提交 / interrupted by a service upgrade; '
    'submit the batch again"}]'
)


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("submission_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("items_received", sa.Integer(), nullable=False),
        sa.Column("items_accepted", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Text(), nullable=False),
        sa.Column("scan_run_ids", sa.Text(), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submissions.id"], name=op.f("fk_jobs_submission_id_submissions")
        ),
        sa.PrimaryKeyConstraint("submission_id", name=op.f("pk_jobs")),
    )
    op.create_index("ix_jobs_status_submission", "jobs", ["status", "submission_id"], unique=False)
    op.execute(
        sa.text(
            "UPDATE submissions SET outcome = 'rejected', errors = :errors "
            "WHERE channel = 'job' AND outcome = 'received'"
        ).bindparams(errors=_INTERRUPTED)
    )


def downgrade() -> None:
    op.drop_index("ix_jobs_status_submission", table_name="jobs")
    op.drop_table("jobs")
