"""Packed journal rows deflated against a dictionary of their table: the same text back, a fraction of the
bytes, plain text where there is no dictionary, a sentence when a stored value is damaged, and a downgrade
that puts every value back as text."""

import datetime as dt
import json
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from gridapp.core import journal, oplog, packing, schema
from gridapp.core.errors import StoreError
from gridapp.core.models import ChangeJournal, JournalDictionary, Person
from gridapp.core.services.people import upsert_person
from gridapp.core.store import Store
from gridapp.core.validation import id_check_digit


def _id(n: int) -> str:
    body = f"37020319800101{n:03d}"
    return body + id_check_digit(body)


def add_people(store: Store, numbers: range, scope: str = "370203012") -> list[str]:
    """People added in one write, as a bulk import adds them (the journal buffered, then written at once)."""
    with store.session() as s:
        journal.buffer(s)
        ids = []
        for n in numbers:
            person, _c, _ch = upsert_person(s, {"name": f"居民{n}", "id_number": _id(n), "phone": f"1380000{n:04d}",
                                                "address": f"海泉路{n}号楼“一单元”\\{n}室"}, scope_code=scope)
            s.flush()
            ids.append(person.id)
        journal.write_buffer(s, stop=True)
    return ids


def journal_rows(store: Store, ids: list[str]) -> dict[str, tuple[str | None, bytes | None]]:
    with store.engine.connect() as conn:
        return {rid: (value, packed) for rid, value, packed in conn.execute(
            select(ChangeJournal.record_id, ChangeJournal.new_value, ChangeJournal.packed)
            .where(ChangeJournal.record_id.in_(ids), ChangeJournal.field == journal.PACKED))}


def expected_text(store: Store, pid: str) -> str:
    """The packed value the journal writes for this person, made again from the stored record."""
    with store.read() as s:
        p = s.get(Person, pid)
        return journal.pack({k: v for k in journal._column_keys(p) if (v := getattr(p, k)) is not None})


def test_a_large_write_makes_a_dictionary_and_every_value_reads_back_exactly(street_store):
    ids = add_people(street_store, range(100))
    rows = journal_rows(street_store, ids)
    assert len(rows) == 100 and all(value is None and packed for value, packed in rows.values())
    with street_store.engine.connect() as conn:
        assert conn.execute(select(JournalDictionary.table_name)).scalars().all() == ["person"]
        unpacker = packing.Unpacker(conn)
        plain = {rid: unpacker.text(*row) for rid, row in rows.items()}
    for rid in ids:
        assert plain[rid] == expected_text(street_store, rid)
    stored = sum(len(p) for _v, p in rows.values())
    assert stored < 0.5 * sum(len(t.encode()) for t in plain.values())


def test_small_writes_stay_plain_until_the_table_has_a_dictionary(street_store):
    few = add_people(street_store, range(5))
    assert all(value and packed is None for value, packed in journal_rows(street_store, few).values())
    add_people(street_store, range(5, 5 + packing.SAMPLES))
    one = add_people(street_store, range(200, 201))  # a form's save, once there is a dictionary
    (value, packed), = journal_rows(street_store, one).values()
    assert value is None and packed
    with street_store.engine.connect() as conn:
        unpacker = packing.Unpacker(conn)
        for rid, row in {**journal_rows(street_store, few), **journal_rows(street_store, one)}.items():
            assert unpacker.text(*row) == expected_text(street_store, rid)


@pytest.mark.parametrize("value", [
    '{"name":"张三"}', '{"x":"\\"quoted\\" \\\\ back"}', '{"e":"😀𠀀"}', '{"long":"' + "长" * 20_000 + '"}', "{}"])
def test_any_text_reads_back_as_it_was(street_store, value):
    rows = [{"field": journal.PACKED, "table_name": "unit", "new_value": f'{{"n":{i}}}'} for i in range(packing.SAMPLES)]
    rows.append({"field": journal.PACKED, "table_name": "unit", "new_value": value})
    rows.append({"field": "name", "table_name": "unit", "new_value": '"not packed"'})
    with street_store.engine.begin() as conn:
        packing.Packer(conn).compact(rows)
        assert rows[-1]["packed"] is None and rows[-1]["new_value"] == '"not packed"'
        assert packing.Unpacker(conn).text(rows[-2]["new_value"], rows[-2]["packed"]) == value
        conn.rollback()


def test_a_damaged_value_or_a_missing_dictionary_is_refused_with_a_sentence(street_store):
    ids = add_people(street_store, range(100))
    _value, packed = journal_rows(street_store, ids)[ids[0]]
    damaged = {
        "format": b"\x09" + packed[1:],
        "dictionary": packed[:1] + (999).to_bytes(2, "big") + packed[3:],
        "cut": packed[:-3],
        "flipped": packed[:5] + bytes([packed[5] ^ 0xFF]) + packed[6:],
        "short": packed[:2],
    }
    with street_store.engine.connect() as conn:
        for what, blob in damaged.items():
            unpacker = packing.Unpacker(conn)
            try:
                unpacker.text(None, blob)
            except StoreError as exc:
                assert "损坏" in exc.message or "不存在" in exc.message, what
            else:  # a flipped bit may still inflate: then it is not the value that was written
                assert unpacker.text(None, blob) != unpacker.text(None, packed), what


def test_the_operation_log_shows_the_fields_of_a_deflated_row(street_store):
    ids = add_people(street_store, range(100))
    assert journal_rows(street_store, ids[:1])[ids[0]][0] is None
    entries = [e for e in oplog.entries(street_store) if e.record_id == ids[0]]
    assert len(entries) == 1 and entries[0].op == "insert"
    assert "居民0" in entries[0].summary and "海泉路0号楼" in entries[0].summary


def test_going_back_to_0007_puts_every_value_back_as_text(street_store, tmp_path):
    from alembic import command

    ids = add_people(street_store, range(100))
    wanted = {rid: expected_text(street_store, rid) for rid in ids}
    path = street_store.path
    cfg = schema.alembic_config(street_store.engine)
    with street_store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0007")
    street_store.close()
    with sqlite3.connect(path) as conn:
        columns = {r[1] for r in conn.execute("PRAGMA table_info(change_journal)")}
        assert "packed" not in columns
        assert conn.execute("SELECT name FROM sqlite_master WHERE name LIKE 'journal_dictionary%'").fetchall() == []
        got = dict(conn.execute(f"SELECT record_id, new_value FROM change_journal WHERE field = '*' AND record_id IN "
                                f"({', '.join('?' * len(ids))})", ids).fetchall())
    conn.close()
    assert got == wanted
    with Store(path) as again:  # and forward again, with the rows now plain
        assert again.upgraded_from == "0007"
        with again.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM change_journal WHERE packed IS NOT NULL")).scalar() == 0


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=12), st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(), st.dates(), st.datetimes()),
    max_size=8))
def test_pack_writes_what_json_dumps_writes(values):
    """``journal.pack`` (the C encoder made once, dates by its hook) gives the text ``json.dumps`` gives for the
    values with dates written as ISO text."""
    plain = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}
    assert journal.pack(values) == json.dumps(plain, ensure_ascii=False, separators=(",", ":"))
