"""chat opens: an anonymous row per chat session started, for the funnel's first step; indexes for the dashboard's periods

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 21:20:00.000000
"""
from alembic import op
import sqlalchemy as sa
import bot.leads.models


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('chat_opens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opened_at', bot.leads.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('utm_source', sa.String(length=200), nullable=True),
    sa.Column('utm_campaign', sa.String(length=200), nullable=True),
    sa.Column('landing_path', sa.String(length=300), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_opens'))
    )
    with op.batch_alter_table('chat_opens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chat_opens_opened_at'), ['opened_at'], unique=False)
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversations_started_at'), ['started_at'], unique=False)
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leads_scored_at'), ['scored_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leads_scored_at'))
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversations_started_at'))
    with op.batch_alter_table('chat_opens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chat_opens_opened_at'))
    op.drop_table('chat_opens')
