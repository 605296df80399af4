"""stated knock-out: a knock-out the visitor said in a message of their own, kept for the score

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 22:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('knockout', sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_column('knockout')
