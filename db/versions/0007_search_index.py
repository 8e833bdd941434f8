"""The people search index (``person_search``), kept by triggers on ``person``, filled for existing rows.

Keys per person (see gridapp/core/search_index.py for how searches read them): ``n`` + each one- and
two-character piece of the ASCII-lower-cased name, ``p`` + each four-digit piece of phone and phone2,
``t`` + the upper-cased ID number backwards. The triggers are SQLite's; they are written out here as
this revision ships them, so a later change to the keys needs a revision of its own.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Character positions 1–50 (name is String(50), phones String(20)) as an integer key: ``j.n <= length(x)``
# reads only as many positions as the text has (json_each would walk all fifty for every insert).
POSITIONS = 50


def _parts(row: str) -> list[tuple[str, str, bool]]:
    """(key expression, condition, over positions ``j``) for the person ``row`` (NEW, OLD or ``p``)."""
    backwards = " || ".join(f"substr(upper({row}.id_number), {i}, 1)" for i in range(18, 0, -1))
    parts = [(f"'n' || substr(lower({row}.name), j.n, 1)", f"j.n <= length({row}.name)", True),
             (f"'n' || substr(lower({row}.name), j.n, 2)", f"j.n < length({row}.name)", True)]
    for col in (f"{row}.phone", f"{row}.phone2"):
        parts.append((f"'p' || substr({col}, j.n, 4)", f"j.n <= length({col}) - 3", True))
    parts.append((f"'t' || {backwards}", f"coalesce({row}.id_number, '') <> ''", False))
    return parts


def _keys(row: str) -> str:
    """A SELECT of the keys (column ``t``) of the trigger's row ``row``."""
    return " UNION ALL ".join(f"SELECT {key} AS t" + (" FROM search_position j" if over else "")
                          + f" WHERE {cond}" for key, cond, over in _parts(row))


TRIGGERS = {
    "person_search_insert": f"""CREATE TRIGGER person_search_insert AFTER INSERT ON person BEGIN
        INSERT OR IGNORE INTO person_search (term, person) SELECT t, NEW.rowid FROM ({_keys('NEW')});
    END""",
    "person_search_update": f"""CREATE TRIGGER person_search_update
        AFTER UPDATE OF name, phone, phone2, id_number ON person BEGIN
        DELETE FROM person_search WHERE person = OLD.rowid AND term IN ({_keys('OLD')});
        INSERT OR IGNORE INTO person_search (term, person) SELECT t, NEW.rowid FROM ({_keys('NEW')});
    END""",
    "person_search_delete": f"""CREATE TRIGGER person_search_delete AFTER DELETE ON person BEGIN
        DELETE FROM person_search WHERE person = OLD.rowid AND term IN ({_keys('OLD')});
    END""",
}

# Every person's keys at once, in key order (the triggers take over from here on).
FILL = ("INSERT OR IGNORE INTO person_search (term, person) SELECT t, person FROM ("
        + " UNION ALL ".join(f"SELECT {key} AS t, p.rowid AS person FROM person p"
                             + (", search_position j" if over else "") + f" WHERE {cond}"
                             for key, cond, over in _parts("p"))
        + ") ORDER BY t, person")


def upgrade() -> None:
    op.create_table(
        "person_search",
        sa.Column("term", sa.String(), nullable=False),
        sa.Column("person", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("term", "person", name=op.f("pk_person_search")),
        sqlite_with_rowid=False,
    )
    positions = op.create_table("search_position", sa.Column("n", sa.Integer(), primary_key=True))
    op.bulk_insert(positions, [{"n": i} for i in range(1, POSITIONS + 1)])
    for ddl in TRIGGERS.values():
        op.execute(ddl)
    op.execute(FILL)
    op.execute("ANALYZE person_search")


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("person_search")
    op.drop_table("search_position")
