"""Local accounts (name, role, Argon2id hash, lockout) and the security audit (安全审计).

Both belong to this site alone: neither is journalled nor sent in a sync package. A database with no
account keeps working as before (no login); the first account added is an administrator.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-09
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# As this revision ships them: later edits to codes.ACCOUNT_ROLE need a revision of their own.
ROLES = (("admin", "管理员"), ("clerk", "经办人"), ("viewer", "查看"))

code_item = sa.table("code_item", sa.column("table_key", sa.String), sa.column("code", sa.String),
                     sa.column("name", sa.String), sa.column("sort_order", sa.Integer))


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("name_key", sa.String(length=40), nullable=False),
        sa.Column("display_name", sa.String(length=50), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("failed_count", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("last_login_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("name_key", name=op.f("uq_account_name_key")),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("account", sa.String(length=40), nullable=True),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    op.create_index(op.f("ix_audit_event_at"), "audit_event", ["at"], unique=False)
    op.create_index(op.f("ix_audit_event_action"), "audit_event", ["action"], unique=False)
    # A database made by this program's 0002 already has them (0002 copies the code tables as they are now).
    op.execute(code_item.delete().where(code_item.c.table_key == "account_role"))
    op.bulk_insert(code_item, [{"table_key": "account_role", "code": c, "name": n, "sort_order": i}
                               for i, (c, n) in enumerate(ROLES)])


def downgrade() -> None:
    op.execute(code_item.delete().where(code_item.c.table_key == "account_role"))
    op.drop_index(op.f("ix_audit_event_action"), table_name="audit_event")
    op.drop_index(op.f("ix_audit_event_at"), table_name="audit_event")
    op.drop_table("audit_event")
    op.drop_table("account")
