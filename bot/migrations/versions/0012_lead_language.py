"""lead language: the language each conversation was held in and each lead speaks, and the one each chat opened in

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 23:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

#: Every row from before the bot spoke other languages was held in English.
TABLES = ('leads', 'conversations', 'chat_opens')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=False, server_default='en'))


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('language')
