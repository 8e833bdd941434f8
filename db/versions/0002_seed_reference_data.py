"""Seed the code tables (GB/T 2261.1, 3304, 4762, 4658 and the product's own) and default settings.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from gridapp.core.codes import ALL

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

code_item = sa.table(
    "code_item",
    sa.column("table_key", sa.String),
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("sort_order", sa.Integer),
)
setting = sa.table("setting", sa.column("key", sa.String), sa.column("value", sa.Text))

DEFAULT_SETTINGS = {
    # A full-time grid worker should serve at most this many households (warning above it).
    "grid.households_per_fulltime_limit": 500,
    "print.issuing_unit": None,
}


def upgrade() -> None:
    op.bulk_insert(
        code_item,
        [
            {"table_key": t.key, "code": code, "name": name, "sort_order": i}
            for t in ALL.values()
            for i, (code, name) in enumerate(t.items)
        ],
    )
    op.bulk_insert(setting, [{"key": k, "value": json.dumps(v)} for k, v in DEFAULT_SETTINGS.items()])


def downgrade() -> None:
    op.execute(code_item.delete())
    op.execute(setting.delete().where(setting.c.key.in_(list(DEFAULT_SETTINGS))))
