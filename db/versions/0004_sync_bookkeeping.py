"""数据交换 bookkeeping: receipts from peers, this site's coverage, packages, conflicts; and for each
journal row the newest stamp its record had at the origin before the change (``record_hlc``), so a
delete and an edit made without seeing each other are told apart from sequential ones.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sync_conflict',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('table_name', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('kept_value', sa.Text(), nullable=True),
    sa.Column('kept_origin', sa.String(length=18), nullable=False),
    sa.Column('kept_hlc', sa.String(length=40), nullable=False),
    sa.Column('lost_value', sa.Text(), nullable=True),
    sa.Column('lost_origin', sa.String(length=18), nullable=False),
    sa.Column('lost_hlc', sa.String(length=40), nullable=False),
    sa.Column('package_id', sa.String(length=36), nullable=True),
    sa.Column('detected_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolution', sa.String(length=12), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_conflict'))
    )
    with op.batch_alter_table('sync_conflict', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_conflict_record_id'), ['record_id'], unique=False)

    op.create_table('sync_coverage',
    sa.Column('origin_site', sa.String(length=18), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('origin_site', name=op.f('pk_sync_coverage'))
    )
    op.create_table('sync_package',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('direction', sa.String(length=4), nullable=False),
    sa.Column('peer_code', sa.String(length=18), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('full', sa.Boolean(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_package'))
    )
    with op.batch_alter_table('sync_package', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_package_peer_code'), ['peer_code'], unique=False)

    with op.batch_alter_table("change_journal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("record_hlc", sa.String(length=40), nullable=True))
    op.create_table('sync_receipt',
    sa.Column('peer_code', sa.String(length=18), nullable=False),
    sa.Column('origin_site', sa.String(length=18), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('peer_code', 'origin_site', name=op.f('pk_sync_receipt'))
    )


def downgrade() -> None:
    with op.batch_alter_table("change_journal", schema=None) as batch_op:
        batch_op.drop_column("record_hlc")
    op.drop_table('sync_receipt')
    with op.batch_alter_table('sync_package', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_package_peer_code'))

    op.drop_table('sync_package')
    op.drop_table('sync_coverage')
    with op.batch_alter_table('sync_conflict', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_conflict_record_id'))

    op.drop_table('sync_conflict')
