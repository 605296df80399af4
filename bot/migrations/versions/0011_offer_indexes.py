"""offers and decisions by time: indexes for the open offers the router counts and the times held for other visitors

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 07:20:00.000000
"""
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_routing_decisions_decided_at', 'routing_decisions', ['decided_at'], unique=False)
    op.create_index('ix_booking_offers_offered_at', 'booking_offers', ['offered_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_booking_offers_offered_at', table_name='booking_offers')
    op.drop_index('ix_routing_decisions_decided_at', table_name='routing_decisions')
