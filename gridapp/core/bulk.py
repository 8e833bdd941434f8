"""Many rows of one shape written with the driver's ``executemany``: the bulk import's records and journal
rows, and a sync package's chunks.

SQLAlchemy's own executemany spends more time on each row's parameters than the database spends storing
the row; here a statement is compiled once per table and set of columns, each value is bound by its
column's own type (so it is stored exactly as the ORM stores it), and columns a row leaves out get their
defaults as a Core insert would give them. The statement is compiled for the connection's dialect, so
nothing here is one engine's SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.engine import Connection, Dialect

KEY = "_rid"  # in an update's rows: the id of the row to change
CHUNK = 5000  # rows bound and sent per executemany
_NOTHING = object()  # in place of a value no row has held yet


@lru_cache(maxsize=512)
def _prepared(table: Table, keys: tuple[str, ...], is_update: bool, dialect: Dialect):
    """For rows with ``keys``: the SQL, its parameter names and the row keys they take, in the order the
    driver takes them, the defaults to add to each row, and (position, converter) for values to convert."""
    names = {k: f"p_{k}" for k in keys}
    added: list[tuple[str, Callable[[], Any]]] = []
    for col in table.columns:
        default = col.onupdate if is_update else col.default
        if col.name in names or default is None or (not is_update and col.server_default is not None):
            continue
        if default.is_scalar:
            added.append((col.name, lambda v=default.arg: v))
        elif default.is_callable:
            added.append((col.name, lambda f=default.arg: f(None)))
        else:  # a SQL expression: leave the column to a Core statement
            raise ValueError(f"{table.name}.{col.name}: a computed default cannot be bound")
        names[col.name] = f"p_{col.name}"
    values = {k: bindparam(n) for k, n in names.items()}
    if is_update:
        stmt = update(table).where(table.c.id == bindparam("p_id_")).values(values)
        names[KEY] = "p_id_"
    else:
        stmt = insert(table).values(values)
    compiled = stmt.compile(dialect=dialect)
    order = list(compiled.positiontup) if dialect.positional else list(compiled.binds)
    key_of = {n: k for k, n in names.items()}
    keys_in_order = [key_of[n] for n in order]
    convert = []
    for i, k in enumerate(keys_in_order):
        if k == KEY:
            continue
        proc = dialect.type_descriptor(table.c[k].type).bind_processor(dialect)
        if proc is not None:
            convert.append((i, proc))
    return str(compiled), tuple(order), keys_in_order, tuple(added), tuple(convert)


def write_many(conn: Connection, table: Table, rows: Sequence[dict[str, Any]], *, is_update: bool = False) -> None:
    """Insert ``rows`` into ``table`` (or, with ``is_update``, set their columns on the rows whose id each
    row's ``KEY`` names). Every row has the keys of the first."""
    if not rows:
        return
    keys = tuple(k for k in rows[0] if k != KEY)
    sql, order, keys_in_order, added, convert = _prepared(table, keys, is_update, conn.dialect)
    positional = conn.dialect.positional
    # Each converted column's last value and what it became: rows of a batch share their stamps (one
    # datetime object for every created_at), which are then converted once.
    given: list[object] = [_NOTHING] * len(convert)
    bound: list[object] = [None] * len(convert)
    for start in range(0, len(rows), CHUNK):
        params = []
        for row in rows[start:start + CHUNK]:
            if added:
                row = {**row, **{k: make() for k, make in added}}
            values = [row[k] for k in keys_in_order]
            for j, (i, proc) in enumerate(convert):
                value = values[i]
                if value is given[j]:
                    values[i] = bound[j]
                else:
                    given[j], values[i] = value, proc(value)
                    bound[j] = values[i]
            params.append(tuple(values) if positional else dict(zip(order, values, strict=True)))
        conn.exec_driver_sql(sql, params)
