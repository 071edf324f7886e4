"""Enterprise responses name the rebuilt version (version name and code); their evidence files are
``stored_files`` rows with ``owner_kind = 'case_response'``.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("case_responses") as batch:
        batch.add_column(sa.Column("version_name", sa.String(length=100), server_default="", nullable=False))
        batch.add_column(sa.Column("version_code", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_responses") as batch:
        batch.drop_column("version_code")
        batch.drop_column("version_name")
