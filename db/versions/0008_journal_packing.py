"""Packed journal rows deflated against a dictionary of their table (``change_journal.packed``,
``journal_dictionary``): a bulk import's journal no longer holds its data again at full size.

Rows already written keep their plain text: only rows written from now on are deflated (see
gridapp/core/packing.py). Going back puts every deflated value back as plain text first.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import zlib

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# As this revision ships it: format 1 is one byte 1, the dictionary's id in two bytes, a raw deflate stream
# with a 16 KB window.
_WBITS = 14


def upgrade() -> None:
    op.create_table(
        "journal_dictionary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_dictionary")),
    )
    op.create_index(op.f("ix_journal_dictionary_table_name"), "journal_dictionary", ["table_name"], unique=False)
    op.add_column("change_journal", sa.Column("packed", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    conn = op.get_bind()
    dictionaries = dict(conn.execute(sa.text("SELECT id, data FROM journal_dictionary")).all())
    rows = conn.execute(sa.text("SELECT id, packed FROM change_journal WHERE packed IS NOT NULL")).all()
    plain = []
    for jid, packed in rows:
        d = zlib.decompressobj(-_WBITS, zdict=dictionaries[int.from_bytes(packed[1:3], "big")])
        plain.append({"i": jid, "v": (d.decompress(packed[3:]) + d.flush()).decode()})
    if plain:
        conn.execute(sa.text("UPDATE change_journal SET new_value = :v, packed = NULL WHERE id = :i"), plain)
    with op.batch_alter_table("change_journal", schema=None) as batch_op:
        batch_op.drop_column("packed")
    op.drop_index(op.f("ix_journal_dictionary_table_name"), table_name="journal_dictionary")
    op.drop_table("journal_dictionary")
