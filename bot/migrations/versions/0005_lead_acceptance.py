"""lead acceptance and override notes: who took the lead, and why a tier was changed by hand

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 20:50:00.000000
"""
from alembic import op
import sqlalchemy as sa
import bot.leads.models


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accepted_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('accepted_at', bot.leads.models.UtcDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('lead_status_changes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('lead_status_changes', schema=None) as batch_op:
        batch_op.drop_column('note')
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.drop_column('accepted_at')
        batch_op.drop_column('accepted_by')
