"""lead store: leads, conversations, answers

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 09:16:14.027694
"""
from alembic import op
import sqlalchemy as sa
import bot.leads.models


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('leads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email_normalised', sa.String(length=320), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('email_kind', sa.String(length=16), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=True),
    sa.Column('company', sa.String(length=200), nullable=True),
    sa.Column('role_title', sa.String(length=200), nullable=True),
    sa.Column('seniority', sa.String(length=32), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('created_at', bot.leads.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bot.leads.models.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leads')),
    sa.UniqueConstraint('email_normalised', name=op.f('uq_leads_email_normalised'))
    )
    op.create_table('conversations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.String(length=255), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=True),
    sa.Column('started_at', bot.leads.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('last_activity_at', bot.leads.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', bot.leads.models.UtcDateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('page_url', sa.String(length=2048), nullable=True),
    sa.Column('utm', sa.JSON(), nullable=False),
    sa.Column('browser_timezone', sa.String(length=64), nullable=True),
    sa.Column('consent_given_at', bot.leads.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('consent_withdrawn_at', bot.leads.models.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], name=op.f('fk_conversations_lead_id_leads'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversations')),
    sa.UniqueConstraint('sender_id', name=op.f('uq_conversations_sender_id'))
    )
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversations_lead_id'), ['lead_id'], unique=False)

    op.create_table('answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.String(length=60), nullable=False),
    sa.Column('parser', sa.String(length=32), nullable=True),
    sa.Column('raw_text', sa.Text(), nullable=True),
    sa.Column('value', sa.JSON(), nullable=True),
    sa.Column('parsed', sa.Boolean(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('asked_at', bot.leads.models.UtcDateTime(timezone=True), nullable=True),
    sa.Column('answered_at', bot.leads.models.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_answers_conversation_id_conversations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answers')),
    sa.UniqueConstraint('conversation_id', 'question', name='uq_answers_conversation_question')
    )


def downgrade() -> None:
    op.drop_table('answers')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversations_lead_id'))

    op.drop_table('conversations')
    op.drop_table('leads')
