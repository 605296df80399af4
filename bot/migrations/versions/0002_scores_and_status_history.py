"""scores and status history: each lead's score, reasons and policy version,
the answers that score reads, every tier change, and the erasure tombstone

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 14:04:39.882230
"""
from alembic import op
import sqlalchemy as sa
import bot.leads.models


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lead_status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('at', bot.leads.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('from_status', sa.String(length=32), nullable=True),
    sa.Column('to_status', sa.String(length=32), nullable=False),
    sa.Column('cause', sa.String(length=32), nullable=False),
    sa.Column('points', sa.Integer(), nullable=True),
    sa.Column('policy_version', sa.String(length=40), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], name=op.f('fk_lead_status_changes_lead_id_leads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lead_status_changes'))
    )
    with op.batch_alter_table('lead_status_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lead_status_changes_lead_id'), ['lead_id'], unique=False)

    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('company_size', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('timeline_months', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('budget', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('country', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('country_code', sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column('score', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reasons', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('knockout', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('policy_version', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('scored_at', bot.leads.models.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('erased_at', bot.leads.models.UtcDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_leads_created_at'), ['created_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leads_created_at'))
        batch_op.drop_column('erased_at')
        batch_op.drop_column('scored_at')
        batch_op.drop_column('policy_version')
        batch_op.drop_column('knockout')
        batch_op.drop_column('reasons')
        batch_op.drop_column('score')
        batch_op.drop_column('country_code')
        batch_op.drop_column('country')
        batch_op.drop_column('budget')
        batch_op.drop_column('timeline_months')
        batch_op.drop_column('company_size')

    with op.batch_alter_table('lead_status_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lead_status_changes_lead_id'))

    op.drop_table('lead_status_changes')
