"""Campaigns (专项行动): a table, and the scan runs and submissions that belong to one (optional: clients that
send no campaign still work).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_campaigns_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
        sa.UniqueConstraint("name", name=op.f("uq_campaigns_name")),
    )
    with op.batch_alter_table("campaigns") as batch:
        batch.create_index(batch.f("ix_campaigns_year"), ["year"], unique=False)
    for table in ("scan_runs", "submissions"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("campaign_id", sa.Integer(), nullable=True))
            batch.create_foreign_key(
                op.f(f"fk_{table}_campaign_id_campaigns"), "campaigns", ["campaign_id"], ["id"]
            )
            batch.create_index(batch.f(f"ix_{table}_campaign_id"), ["campaign_id"], unique=False)


def downgrade() -> None:
    for table in ("submissions", "scan_runs"):
        with op.batch_alter_table(table) as batch:
            batch.drop_index(batch.f(f"ix_{table}_campaign_id"))
            batch.drop_constraint(op.f(f"fk_{table}_campaign_id_campaigns"), type_="foreignkey")
            batch.drop_column("campaign_id")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_index(batch.f("ix_campaigns_year"))
    op.drop_table("campaigns")
