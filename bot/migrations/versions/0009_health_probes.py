"""health probes: a row each probing process rewrites, so /healthz knows the store takes writes

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 06:30:00.000000
"""
from alembic import op
import sqlalchemy as sa
import bot.leads.models


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'health_probes',
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('written_at', bot.leads.models.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )


def downgrade() -> None:
    op.drop_table('health_probes')
