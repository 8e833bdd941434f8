"""专属网格类别: the kind of a 专属网格 (党政机关、学校、医院…, or one the street added) and the unit it serves.

The standard kinds are a code table (copied into ``code_item`` so lists can show their names); kinds a
site adds are records of ``special_kind``, synced like grids, whose ids grids store as their kind.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# As this revision ships them: later edits to codes.SPECIAL_KIND need a revision of their own.
KINDS = (("gov", "党政机关"), ("school", "学校"), ("hospital", "医院"), ("enterprise", "企业"), ("park", "园区"),
         ("business", "商圈"), ("market", "市场"), ("scenic", "景区"), ("other", "其他"))

code_item = sa.table("code_item", sa.column("table_key", sa.String), sa.column("code", sa.String),
                     sa.column("name", sa.String), sa.column("sort_order", sa.Integer))


def upgrade() -> None:
    op.create_table('special_kind',
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('retired_on', sa.Date(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('changed_by_site', sa.String(length=18), nullable=True),
    sa.Column('scope_code', sa.String(length=18), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_special_kind'))
    )
    with op.batch_alter_table('special_kind', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_special_kind_scope_code'), ['scope_code'], unique=False)
    with op.batch_alter_table('org_unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('special_kind', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('special_unit', sa.String(length=100), nullable=True))
        batch_op.create_index(batch_op.f('ix_org_unit_special_kind'), ['special_kind'], unique=False)
    # A database made by this program's 0002 already has them (0002 copies the code tables as they are now).
    op.execute(code_item.delete().where(code_item.c.table_key == "special_kind"))
    op.bulk_insert(code_item, [{"table_key": "special_kind", "code": c, "name": n, "sort_order": i}
                               for i, (c, n) in enumerate(KINDS)])


def downgrade() -> None:
    op.execute(code_item.delete().where(code_item.c.table_key == "special_kind"))
    with op.batch_alter_table('org_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_unit_special_kind'))
        batch_op.drop_column('special_unit')
        batch_op.drop_column('special_kind')
    with op.batch_alter_table('special_kind', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_special_kind_scope_code'))
    op.drop_table('special_kind')
