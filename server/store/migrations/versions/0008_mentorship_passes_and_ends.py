"""ending a mentorship, passing on a request

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 17:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.store.tables

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('mentorship_passes',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', server.store.tables.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_mentorship_passes_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['mentorship_requests.id'], name=op.f('fk_mentorship_passes_request_id_mentorship_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('request_id', 'person_id', name=op.f('pk_mentorship_passes'))
    )
    with op.batch_alter_table('mentorship_passes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentorship_passes_person_id'), ['person_id'], unique=False)

    with op.batch_alter_table('mentor_pairs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ended_at', server.store.tables.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('ended_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_mentor_pairs_ended_by_people'), 'people', ['ended_by'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('mentor_pairs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_mentor_pairs_ended_by_people'), type_='foreignkey')
        batch_op.drop_column('ended_by')
        batch_op.drop_column('ended_at')

    with op.batch_alter_table('mentorship_passes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentorship_passes_person_id'))

    op.drop_table('mentorship_passes')
