"""mentorship

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.store.tables

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A request's `open_tag` is its tag while open, NULL after: one open request per person
    # and interest in a community, as a plain unique key on both databases.
    op.create_table('mentorship_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(length=40), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('open_tag', sa.String(length=40), nullable=True),
    sa.Column('created_at', server.store.tables.UTCDateTime(), nullable=False),
    sa.Column('closed_at', server.store.tables.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_mentorship_requests_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_mentorship_requests_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentorship_requests')),
    sa.UniqueConstraint('community_id', 'person_id', 'open_tag', name=op.f('uq_mentorship_requests_community_id_person_id_open_tag'))
    )
    with op.batch_alter_table('mentorship_requests', schema=None) as batch_op:
        batch_op.create_index('ix_mentorship_requests_community_status', ['community_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentorship_requests_person_id'), ['person_id'], unique=False)

    op.create_table('mentor_pairs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(length=40), nullable=False),
    sa.Column('created_at', server.store.tables.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_mentor_pairs_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['learner_id'], ['people.id'], name=op.f('fk_mentor_pairs_learner_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mentor_id'], ['people.id'], name=op.f('fk_mentor_pairs_mentor_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['mentorship_requests.id'], name=op.f('fk_mentor_pairs_request_id_mentorship_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_pairs')),
    sa.UniqueConstraint('request_id', name=op.f('uq_mentor_pairs_request_id'))
    )
    with op.batch_alter_table('mentor_pairs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentor_pairs_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentor_pairs_learner_id'), ['learner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentor_pairs_mentor_id'), ['mentor_id'], unique=False)

    op.create_table('pair_sessions',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('pair_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_pair_sessions_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pair_id'], ['mentor_pairs.id'], name=op.f('fk_pair_sessions_pair_id_mentor_pairs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_pair_sessions'))
    )
    with op.batch_alter_table('pair_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pair_sessions_pair_id'), ['pair_id'], unique=False)

    op.create_table('session_feedback',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('went_well', sa.Boolean(), nullable=False),
    sa.Column('created_at', server.store.tables.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['pair_sessions.event_id'], name=op.f('fk_session_feedback_event_id_pair_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_session_feedback_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'person_id', name=op.f('pk_session_feedback'))
    )
    # A pair's sessions are private events: unlisted, entered only by the two registered.
    # sa.false() renders FALSE on PostgreSQL and 0 on SQLite; a literal 0 fails on PostgreSQL.
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('private', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('private')

    op.drop_table('session_feedback')
    with op.batch_alter_table('pair_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pair_sessions_pair_id'))

    op.drop_table('pair_sessions')
    with op.batch_alter_table('mentor_pairs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentor_pairs_mentor_id'))
        batch_op.drop_index(batch_op.f('ix_mentor_pairs_learner_id'))
        batch_op.drop_index(batch_op.f('ix_mentor_pairs_community_id'))

    op.drop_table('mentor_pairs')
    with op.batch_alter_table('mentorship_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentorship_requests_person_id'))
        batch_op.drop_index('ix_mentorship_requests_community_status')

    op.drop_table('mentorship_requests')
