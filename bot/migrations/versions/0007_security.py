"""security: the times offered to each conversation, each routing decision's candidates, ops sessions kept server-side

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 20:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import bot.leads.models


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('booking_offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.String(length=255), nullable=False),
    sa.Column('ae_key', sa.String(length=64), nullable=False),
    sa.Column('start', bot.leads.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('end', bot.leads.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('offered_at', bot.leads.models.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_offers')),
    sa.UniqueConstraint('sender_id', 'ae_key', 'start', name='uq_booking_offers_sender_ae_start')
    )
    with op.batch_alter_table('routing_decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('candidates', sa.JSON(), nullable=True))
    op.create_table('ops_sessions',
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('csrf', sa.String(length=64), nullable=False),
    sa.Column('credential', sa.String(length=64), nullable=False),
    sa.Column('created_at', bot.leads.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', bot.leads.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', bot.leads.models.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id_hash', name=op.f('pk_ops_sessions'))
    )
    with op.batch_alter_table('ops_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ops_sessions_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ops_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ops_sessions_expires_at'))
    op.drop_table('ops_sessions')
    with op.batch_alter_table('routing_decisions', schema=None) as batch_op:
        batch_op.drop_column('candidates')
    op.drop_table('booking_offers')
