"""deleted accounts

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 05:15:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.store.tables

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A deleted account keeps its emptied row so that its id is never reused (SQLite hands
    # out the highest rowid plus one again once the highest row is gone).
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', server.store.tables.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')
