"""an index to count an account's recent failed logins

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 09:55:00
"""
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_audit_entry_action_at', 'audit_entry', ['action', 'at'])


def downgrade() -> None:
    op.drop_index('ix_audit_entry_action_at', table_name='audit_entry')
