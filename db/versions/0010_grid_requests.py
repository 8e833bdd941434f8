"""民情诉求: the people's requests handled to the end (grid_request) and every step on them (request_step),
with the code tables they use.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# As this revision ships them: later edits to these code tables need a revision of their own.
CODES = {
    "request_source": (("visit", "走访发现"), ("walk_in", "群众来访"), ("phone", "电话"), ("hotline", "12345转办"),
                       ("member", "在职党员反映"), ("property", "物业反映"), ("other", "其他")),
    "request_category": (("dispute", "矛盾纠纷"), ("hazard", "安全隐患"), ("sanitation", "环境卫生"),
                         ("property", "物业服务"), ("livelihood", "民生服务"), ("other", "其他")),
    "urgency": (("normal", "一般"), ("urgent", "紧急"), ("critical", "特急")),
    "request_state": (("reported", "上报"), ("accepted", "受理"), ("assigned", "分派"), ("in_progress", "处置中"),
                      ("resolved", "已处置"), ("verified", "验证"), ("evaluated", "回访评价"), ("closed", "办结"),
                      ("returned", "退回"), ("escalated", "上报上级")),
    "request_action": (("report", "上报"), ("accept", "受理"), ("assign", "分派"), ("start", "开始处置"),
                       ("resolve", "处置完成"), ("verify", "验证通过"), ("reject", "验证未通过"),
                       ("evaluate", "回访评价"), ("close", "办结"), ("return", "退回"), ("resubmit", "重新上报"),
                       ("escalate", "上报上级"), ("extend", "延期申请"), ("grant", "同意延期"),
                       ("refuse", "不同意延期"), ("supervise", "督办")),
    "assignee_kind": (("worker", "网格员"), ("community", "社区"), ("department", "街道部门"), ("unit", "报到单位"),
                      ("member", "在职党员"), ("firm", "物业企业")),
    "supervision": (("normal", "普通"), ("yellow", "黄牌"), ("red", "红牌")),
    "extension_state": (("pending", "审核中"), ("granted", "同意"), ("refused", "不同意")),
    "satisfaction": (("satisfied", "满意"), ("basic", "基本满意"), ("unsatisfied", "不满意")),
}

code_item = sa.table("code_item", sa.column("table_key", sa.String), sa.column("code", sa.String),
                     sa.column("name", sa.String), sa.column("sort_order", sa.Integer))


def upgrade() -> None:
    op.create_table('grid_request',
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('hotline_number', sa.String(length=40), nullable=True),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('category', sa.String(length=12), nullable=False),
    sa.Column('urgency', sa.String(length=12), nullable=False),
    sa.Column('community_id', sa.String(length=36), nullable=False),
    sa.Column('grid_id', sa.String(length=36), nullable=True),
    sa.Column('place', sa.String(length=200), nullable=True),
    sa.Column('raiser_name', sa.String(length=50), nullable=True),
    sa.Column('raiser_phone', sa.String(length=20), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('raised_at', sa.DateTime(), nullable=False),
    sa.Column('raised_by_worker_id', sa.String(length=36), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('handled_by_org_id', sa.String(length=36), nullable=True),
    sa.Column('assignee_kind', sa.String(length=12), nullable=True),
    sa.Column('assignee_id', sa.String(length=36), nullable=True),
    sa.Column('assignee_name', sa.String(length=100), nullable=True),
    sa.Column('supervision', sa.String(length=8), nullable=True),
    sa.Column('supervision_count', sa.Integer(), nullable=False),
    sa.Column('extension_state', sa.String(length=8), nullable=True),
    sa.Column('extension_deadline', sa.Date(), nullable=True),
    sa.Column('return_count', sa.Integer(), nullable=False),
    sa.Column('rejection_count', sa.Integer(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('satisfaction', sa.String(length=12), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('changed_by_site', sa.String(length=18), nullable=True),
    sa.Column('scope_code', sa.String(length=18), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['org_unit.id'], name=op.f('fk_grid_request_community_id_org_unit')),
    sa.ForeignKeyConstraint(['grid_id'], ['org_unit.id'], name=op.f('fk_grid_request_grid_id_org_unit')),
    sa.ForeignKeyConstraint(['handled_by_org_id'], ['org_unit.id'], name=op.f('fk_grid_request_handled_by_org_id_org_unit')),
    sa.ForeignKeyConstraint(['raised_by_worker_id'], ['grid_worker.id'], name=op.f('fk_grid_request_raised_by_worker_id_grid_worker')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grid_request')),
    sa.UniqueConstraint('hotline_number', name=op.f('uq_grid_request_hotline_number')),
    sa.UniqueConstraint('number', name=op.f('uq_grid_request_number'))
    )
    with op.batch_alter_table('grid_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grid_request_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grid_request_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_grid_request_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grid_request_grid_id'), ['grid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grid_request_raised_at'), ['raised_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_grid_request_raised_by_worker_id'), ['raised_by_worker_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grid_request_scope_code'), ['scope_code'], unique=False)
        batch_op.create_index('ix_grid_request_state_deadline', ['state', 'deadline', 'deleted_at'], unique=False)

    op.create_table('request_step',
    sa.Column('request_id', sa.String(length=36), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('action', sa.String(length=12), nullable=False),
    sa.Column('from_state', sa.String(length=12), nullable=True),
    sa.Column('to_state', sa.String(length=12), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=True),
    sa.Column('site_code', sa.String(length=18), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('changed_by_site', sa.String(length=18), nullable=True),
    sa.Column('scope_code', sa.String(length=18), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['grid_request.id'], name=op.f('fk_request_step_request_id_grid_request')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_step'))
    )
    with op.batch_alter_table('request_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_step_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_request_step_scope_code'), ['scope_code'], unique=False)

    # A database made by this program's 0002 already has them (0002 copies the code tables as they are now).
    op.execute(code_item.delete().where(code_item.c.table_key.in_(list(CODES))))
    op.bulk_insert(code_item, [{"table_key": key, "code": c, "name": n, "sort_order": i}
                               for key, items in CODES.items() for i, (c, n) in enumerate(items)])


def downgrade() -> None:
    op.execute(code_item.delete().where(code_item.c.table_key.in_(list(CODES))))
    with op.batch_alter_table('request_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_step_scope_code'))
        batch_op.drop_index(batch_op.f('ix_request_step_request_id'))

    op.drop_table('request_step')
    with op.batch_alter_table('grid_request', schema=None) as batch_op:
        batch_op.drop_index('ix_grid_request_state_deadline')
        batch_op.drop_index(batch_op.f('ix_grid_request_scope_code'))
        batch_op.drop_index(batch_op.f('ix_grid_request_raised_by_worker_id'))
        batch_op.drop_index(batch_op.f('ix_grid_request_raised_at'))
        batch_op.drop_index(batch_op.f('ix_grid_request_grid_id'))
        batch_op.drop_index(batch_op.f('ix_grid_request_community_id'))
        batch_op.drop_index(batch_op.f('ix_grid_request_category'))
        batch_op.drop_index(batch_op.f('ix_grid_request_assignee_id'))

    op.drop_table('grid_request')
