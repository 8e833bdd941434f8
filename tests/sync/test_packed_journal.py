"""Deflated journal rows travel as plain JSON and are deflated again where they arrive, with this site's own
dictionary; merges that read them (the fields' stamps, a concurrent edit) behave as with plain rows."""

import json

from sqlalchemy import select

from gridapp.core.models import ChangeJournal, JournalDictionary, Person, SyncConflict
from gridapp.core.packing import Unpacker
from gridapp.sync import identity, package
from tests.core.test_packing import add_people, journal_rows


def _journal(store, ids):
    """(origin, seq, hlc, plain value) of each record's packed row."""
    with store.engine.connect() as conn:
        unpacker = Unpacker(conn)
        return {rid: (o, s, h, unpacker.text(v, p)) for rid, o, s, h, v, p in conn.execute(
            select(ChangeJournal.record_id, ChangeJournal.origin_site, ChangeJournal.seq, ChangeJournal.hlc,
                   ChangeJournal.new_value, ChangeJournal.packed)
            .where(ChangeJournal.record_id.in_(ids), ChangeJournal.field == "*"))}


def test_deflated_rows_travel_as_json_and_merge_as_before(chain):
    ids = add_people(chain.community, range(100), scope="370203012001")
    assert all(packed for _v, packed in journal_rows(chain.community, ids).values())
    path = chain.send(chain.community, chain.street)
    with chain.street.read() as s:
        key = identity.self_row(s).enc_private
    lines = [line for line in package.records(package.open_package(path), key, chain.street.site.code)
             if line.get("k") == "r" and line["t"] == "person"]
    assert len(lines) == 100
    for line in lines:  # the package holds the packed fields as JSON text, not this site's bytes
        (change,) = line["c"]
        assert change[6] == "*" and json.loads(change[7])["name"].startswith("居民")
    report = chain.deliver(path, chain.street)
    assert report.tables["person"]["new"] == 100 and not report.rejected
    assert _journal(chain.street, ids) == _journal(chain.community, ids)
    assert all(packed for _v, packed in journal_rows(chain.street, ids).values())  # deflated here too
    with chain.street.read() as s:
        assert s.execute(select(JournalDictionary.table_name)).scalars().all() == ["person"]
    chain.exchange(chain.street, chain.district)
    assert _journal(chain.district, ids) == _journal(chain.community, ids)

    # A concurrent edit of one field on both sides is a conflict: the stamps came out of deflated rows.
    pid = ids[7]
    for store, phone in ((chain.community, "13911110000"), (chain.street, "13922220000")):
        with store.session() as s:
            s.get(Person, pid).phone = phone
    report = chain.exchange(chain.community, chain.street)
    with chain.street.read() as s:
        conflicts = s.execute(select(SyncConflict.field).where(SyncConflict.record_id == pid)).scalars().all()
    assert conflicts == ["phone"], report.summary()
