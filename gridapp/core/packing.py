"""A new record's journal row kept small: its packed JSON deflated against a dictionary of the table's own rows.

A bulk import journals one row per record whose value is the record's fields as JSON (``journal.PACKED``),
about 160 bytes, most of them the same keys, codes, dates and prefixes as in the row before. Such a row keeps
its value in ``change_journal.packed`` instead of ``new_value``: the same UTF-8 text, raw-deflated against a
dictionary of its table (``journal_dictionary``), typically 35–60 bytes. A table's dictionary is made from the
first ``SAMPLES`` packed rows of the first write that brings that many, in the same transaction, and is never
changed afterwards, so a row reads back as exactly the text it was. Writes before there is a dictionary (a
form's save, a small import) keep plain text; once there is one, every new packed row of the table uses it.

Everything that reads a journal value calls ``Unpacker.text(new_value, packed)``. Sync packages carry the plain
JSON: dictionaries are this database's own, and a package's packed rows are deflated again where they arrive.

A stored value is ``FORMAT`` (one byte), the dictionary's id (two bytes, big-endian), then the deflate stream.
"""

from __future__ import annotations

import zlib
from typing import Any

from sqlalchemy import insert, select

from gridapp.core.errors import StoreError
from gridapp.core.models import JournalDictionary

PACKED = "*"  # the field of a journal row holding a new record's fields together (journal.PACKED)
FORMAT = 1
SAMPLES = 64  # packed rows of one table in one write that make its dictionary
WBITS = 14  # a 16 KB window: the dictionary and the value fit in it
LEVEL = 3
MEM_LEVEL = 2
DICTIONARY_BYTES = (1 << WBITS) - 262  # what deflate can reach back to from the start of a value
_HEADER = 3


def _compressor(data: bytes) -> Any:
    return zlib.compressobj(LEVEL, zlib.DEFLATED, -WBITS, MEM_LEVEL, zlib.Z_DEFAULT_STRATEGY, data)


class Packer:
    """Deflates the packed rows of journal rows about to be written (one per write, on its connection)."""

    def __init__(self, conn: Any):
        self.conn = conn

    def compact(self, rows: list[dict[str, Any]]) -> None:
        """Give every row a ``packed`` key: a packed row's value deflated (``new_value`` then None) where its
        table has a dictionary or this write makes one, None otherwise."""
        by_table: dict[str, list[dict[str, Any]]] = {}
        for r in rows:
            r.setdefault("packed", None)
            if r["field"] == PACKED and r["new_value"] is not None and r["packed"] is None:
                by_table.setdefault(r["table_name"], []).append(r)
        if not by_table:
            return
        known = dict(self.conn.execute(
            select(JournalDictionary.table_name, JournalDictionary.id)
            .where(JournalDictionary.table_name.in_(sorted(by_table))).order_by(JournalDictionary.id)).all())
        for table, group in by_table.items():
            if table in known:
                did = known[table]
                data = self.conn.execute(select(JournalDictionary.data).where(JournalDictionary.id == did)).scalar()
            elif len(group) >= SAMPLES:
                data = b"".join(r["new_value"].encode() for r in group[:SAMPLES])[-DICTIONARY_BYTES:]
                did = self.conn.execute(insert(JournalDictionary).values(table_name=table, data=data)
                                        .returning(JournalDictionary.id)).scalar()
            else:
                continue
            if did >= 1 << 16:
                continue  # not reached in practice (one dictionary per table); the rows stay plain
            base = _compressor(data)
            head = bytes((FORMAT,)) + did.to_bytes(2, "big")
            for r in group:
                c = base.copy()
                r["packed"] = head + c.compress(r["new_value"].encode()) + c.flush()
                r["new_value"] = None


class Unpacker:
    """Reads journal values back as their JSON text (one per read, on its connection; dictionaries loaded once)."""

    def __init__(self, conn: Any):
        self.conn = conn
        self._dictionaries: dict[int, bytes] = {}

    def text(self, new_value: str | None, packed: bytes | None) -> str | None:
        if packed is None:
            return new_value
        if len(packed) < _HEADER or packed[0] != FORMAT:
            raise StoreError("变更记录中有无法识别的压缩数据，数据库文件可能已损坏")
        did = int.from_bytes(packed[1:_HEADER], "big")
        data = self._dictionaries.get(did)
        if data is None:
            data = self.conn.execute(select(JournalDictionary.data).where(JournalDictionary.id == did)).scalar()
            if data is None:
                raise StoreError(f"变更记录引用的压缩字典（编号 {did}）不存在，数据库文件可能已损坏")
            self._dictionaries[did] = data
        try:
            d = zlib.decompressobj(-WBITS, zdict=data)
            raw = d.decompress(packed[_HEADER:]) + d.flush()
            if not d.eof:
                raise zlib.error("truncated")
            return raw.decode()
        except (zlib.error, UnicodeDecodeError):
            raise StoreError("变更记录中的压缩数据已损坏，数据库文件可能已损坏") from None
