"""Packages between real database files: trust, export, preview, apply, re-import, relay, scope, conflicts."""

import datetime as dt
import re
import sqlite3
import zipfile

import pytest
from sqlalchemy import select

from gridapp.core.errors import DomainError
from gridapp.core.models import Compound, Person, SyncConflict
from gridapp.core.services import compounds, orgs
from gridapp.core.services.people import upsert_person
from gridapp.core.validation import id_check_digit
from gridapp.sync import apply, export, history, identity
from gridapp.sync.package import PackageError


def _id(body: str) -> str:
    return body + id_check_digit(body)


def add_person(store, name, number, scope):
    with store.session() as s:
        person, _c, _ch = upsert_person(s, {"name": name, "id_number": number, "phone": "13800000000"},
                                        scope_code=scope)
        s.flush()
        return person.id


def person(store, pid):
    with store.read() as s:
        p = s.get(Person, pid)
        return None if p is None else (p.name, p.phone, p.address, p.deleted_at is not None)


def set_fields(store, pid, **values):
    with store.session() as s:
        p = s.get(Person, pid)
        for k, v in values.items():
            setattr(p, k, v)


def test_identity_and_trust_rules(chain, tmp_path):
    street_file = identity.write_identity(chain.street, tmp_path / "street.json")
    fp = identity.my_fingerprint(chain.street)
    assert re.fullmatch(r"[0-9A-F]{4}(-[0-9A-F]{4}){4}", fp)
    with pytest.raises(DomainError, match="指纹不一致"):
        identity.trust(chain.community, street_file, fingerprint="0000-0000-0000-0000-0000")
    # The district and a community are not adjacent: they exchange through the street.
    with pytest.raises(DomainError, match="直接上级或下级"):
        identity.trust(chain.community, identity.write_identity(chain.district, tmp_path / "d.json"),
                       fingerprint=identity.my_fingerprint(chain.district))
    broken = tmp_path / "broken.json"
    broken.write_text(street_file.read_text(encoding="utf-8").replace('"sign_public": "', '"sign_public": "AA'),
                      encoding="utf-8")
    with pytest.raises(DomainError, match="公钥"):
        identity.read_identity(broken)
    assert [p.code for p in identity.peers(chain.street)] == ["370203", "370203012001"]
    assert "PRIVATE" not in street_file.read_text(encoding="utf-8").upper()


def test_a_change_travels_up_and_a_second_import_changes_nothing(chain):
    pid = add_person(chain.community, "张三", _id("37020319800101001"), "370203012001")
    path = chain.send(chain.community, chain.street)
    assert path.name == "云溪社区→海泉路街道_" + dt.date.today().strftime("%Y-%m") + "_第1号.gridsync"
    preview = apply.import_package(chain.street, path, commit=False)
    assert not preview.committed and person(chain.street, pid) is None  # the preview wrote nothing
    report = chain.deliver(path, chain.street)
    assert report.totals() == preview.totals() and report.tables["person"]["new"] == 1
    assert person(chain.street, pid) == ("张三", "13800000000", None, False)
    again = chain.deliver(path, chain.street)
    assert again.already and "此前已导入" in again.summary()
    # Relayed to the district with origin and stamps intact.
    chain.exchange(chain.street, chain.district)
    assert person(chain.district, pid) == ("张三", "13800000000", None, False)
    with chain.district.read() as s, chain.community.read() as c:
        from gridapp.core.models import ChangeJournal

        q = select(ChangeJournal.origin_site, ChangeJournal.seq, ChangeJournal.hlc).where(ChangeJournal.record_id == pid)
        assert sorted(s.execute(q).all()) == sorted(c.execute(q).all())


def test_receipts_ride_back_and_a_lost_package_heals(chain):
    pid = add_person(chain.community, "李四", _id("37020319800101002"), "370203012001")
    lost = chain.send(chain.community, chain.street)  # this stick is lost
    set_fields(chain.community, pid, phone="13900000000")
    second = chain.send(chain.community, chain.street)
    chain.deliver(second, chain.street)  # carries everything not yet confirmed
    assert person(chain.street, pid)[1] == "13900000000"
    assert chain.deliver(lost, chain.street).totals()["new"] == 0  # the old one, late: nothing new
    assert person(chain.street, pid)[1] == "13900000000"
    chain.exchange(chain.street, chain.community)  # the street confirms what it holds
    third = export.export_package(chain.community, "370203012", chain.folder)
    assert third.changes == 0  # nothing left to resend


def test_edits_of_different_fields_both_win_and_the_same_field_is_a_conflict(chain):
    pid = add_person(chain.community, "王五", _id("37020319800101003"), "370203012001")
    chain.exchange(chain.community, chain.street)
    chain.exchange(chain.street, chain.community)
    set_fields(chain.community, pid, phone="13911111111")
    set_fields(chain.street, pid, address="海泉路1号")
    chain.exchange(chain.community, chain.street)
    chain.exchange(chain.street, chain.community)
    assert person(chain.street, pid) == person(chain.community, pid) == ("王五", "13911111111", "海泉路1号", False)
    set_fields(chain.community, pid, name="王武")
    set_fields(chain.street, pid, name="王伍")
    chain.exchange(chain.community, chain.street)
    chain.exchange(chain.street, chain.community)
    # The record belongs to the community: its owner's value wins on both sides, the other is listed.
    assert person(chain.street, pid)[0] == person(chain.community, pid)[0] == "王武"
    for store in (chain.street, chain.community):
        listed = history.conflicts(store)
        assert [(c.field, c.kept, c.lost, c.kept_from, c.lost_from) for c in listed] == [
            ("name", "王武", "王伍", "云溪社区", "海泉路街道")]
    # Reviewed at the street: the street's value is put back as a new change, which settles it everywhere.
    history.resolve(chain.street, history.conflicts(chain.street)[0].id, take_lost=True)
    chain.exchange(chain.street, chain.community)
    assert person(chain.street, pid)[0] == person(chain.community, pid)[0] == "王伍"
    assert not history.conflicts(chain.street)


def test_delete_against_edit_is_a_conflict_and_stays_deleted(chain):
    pid = add_person(chain.community, "赵六", _id("37020319800101004"), "370203012001")
    chain.exchange(chain.community, chain.street)
    chain.exchange(chain.street, chain.community)
    set_fields(chain.community, pid, deleted_at=dt.datetime(2026, 11, 1))
    set_fields(chain.street, pid, phone="13722222222")
    chain.exchange(chain.community, chain.street)
    chain.exchange(chain.street, chain.community)
    assert person(chain.street, pid) == person(chain.community, pid)
    assert person(chain.street, pid)[3]  # still deleted everywhere
    for store in (chain.street, chain.community):
        assert any(c.field == "phone" for c in history.conflicts(store))


def test_a_record_outside_the_senders_scope_is_rejected_and_the_rest_applies(chain):
    ok = add_person(chain.community, "孙七", _id("37020319800101005"), "370203012001")
    bad = add_person(chain.community, "周八", _id("37020319800101006"), "370203012002")  # another community's
    report = chain.exchange(chain.community, chain.street)
    assert person(chain.street, ok) is not None and person(chain.street, bad) is None
    assert report.tables["person"]["rejected"] == 1
    assert any(rid == bad and "无权修改" in reason for _t, rid, reason in report.rejected)


def test_misaddressed_untrusted_and_tampered_packages_are_refused(chain, tmp_path):
    add_person(chain.community, "吴九", _id("37020319800101007"), "370203012001")
    path = chain.send(chain.community, chain.street)
    with pytest.raises(PackageError, match="是发给"):
        apply.import_package(chain.district, path, commit=True)  # copied onto the wrong PC
    from tests.sync.conftest import make_chain

    other = make_chain(tmp_path / "other")
    forged = other.send(other.community, other.street)
    with pytest.raises(PackageError, match="签名无效"):
        apply.import_package(chain.street, forged, commit=True)  # same codes, another PC's keys
    for s in (other.district, other.street, other.community):
        s.close()
    # A manifest edited after signing.
    tampered = tmp_path / "tampered.gridsync"
    with zipfile.ZipFile(path) as z, zipfile.ZipFile(tampered, "w") as out:
        out.comment = z.comment  # the old signature kept: it no longer matches
        for name in z.namelist():
            data = z.read(name)
            if name == "manifest.json":
                data = data.replace(b'"number": 1', b'"number": 2')
            out.writestr(name, data)
    with pytest.raises(PackageError, match="签名无效"):
        apply.import_package(chain.street, tampered, commit=True)


def test_no_id_number_in_the_package_bytes(chain):
    number = _id("37020319800101008")
    add_person(chain.community, "郑十", number, "370203012001")
    data = chain.send(chain.community, chain.street).read_bytes()
    assert number.encode() not in data and "郑十".encode() not in data
    assert not re.search(rb"\d{17}[\dX]", data)


def test_a_full_export_brings_rows_the_journal_never_saw(chain, tmp_path):
    """Demo and bulk-loaded rows have no journal entries: a full export carries them as they are."""
    grid = orgs.create_unit(chain.community, code="370203012001001", name="第一网格")
    cid = compounds.save_compound(chain.community, {"name": "海泉花园", "grid_id": grid.id})
    with sqlite3.connect(chain.community.path) as raw:
        raw.execute("DELETE FROM change_journal")  # as if bulk-loaded
    report = chain.deliver(chain.send(chain.community, chain.street, full=True), chain.street)
    assert report.full and report.tables["compound"]["new"] == 1
    with chain.street.read() as s:
        assert s.get(Compound, cid).name == "海泉花园"


def test_conflicts_are_listed_with_both_values(chain):
    with chain.street.read() as s:
        assert s.execute(select(SyncConflict)).first() is None


def _digest(path):
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_flipped_byte_and_every_cut_is_refused_and_the_database_is_untouched(chain, tmp_path):
    add_person(chain.community, "钱十一", _id("37020319800101009"), "370203012001")
    good = chain.send(chain.community, chain.street).read_bytes()
    chain.street.close()  # compare the file itself before and after
    before = _digest(chain.street.path)
    from gridapp.core.store import Store

    store = Store(chain.street.path)
    try:
        bad = tmp_path / "bad.gridsync"
        # Every byte: zip headers, manifest, payload, central directory and the signature.
        for pos in range(len(good)):
            data = bytearray(good)
            data[pos] ^= 0x01
            bad.write_bytes(bytes(data))
            with pytest.raises(PackageError):
                apply.import_package(store, bad, commit=True, backup=False)
        for cut in sorted({1, 10, 100, len(good) // 2, len(good) - 65, len(good) - 64, len(good) - 1}):
            bad.write_bytes(good[:cut])
            with pytest.raises(PackageError):
                apply.import_package(store, bad, commit=True, backup=False)
        bad.write_bytes(good + b"\0")
        with pytest.raises(PackageError):
            apply.import_package(store, bad, commit=True, backup=False)
    finally:
        store.close()
    assert _digest(chain.street.path) == before
    chain.street = Store(chain.street.path)


def test_a_new_community_pc_takes_the_streets_record_of_its_own_unit(chain):
    """The street made the community and its grids first; the community PC, set up with `init`, made its
    own provisional record of itself. The street's full package replaces it, and whatever pointed at it."""
    with chain.street.session() as s:
        from gridapp.core.services.orgs import add_unit

        add_unit(s, code="370203012001", name="云溪社区", site_code="370203012")
        add_unit(s, code="370203012001001", name="第一网格", site_code="370203012")
    own = chain.community.site.org_unit_id
    report = chain.deliver(chain.send(chain.street, chain.community, full=True), chain.community)
    assert not report.rejected
    street_unit = orgs.get(chain.street, "370203012001")
    assert orgs.get(chain.community, "370203012001").id == street_unit.id != own
    assert chain.community.reload_site().org_unit_id == street_unit.id
    grid = orgs.get(chain.community, "370203012001001")
    assert grid.parent_id == street_unit.id
    # Going up again, nothing clashes: the street sees its own records.
    pid = add_person(chain.community, "新居民", _id("37020319800101010"), "370203012001001")
    report = chain.exchange(chain.community, chain.street)
    assert not report.rejected and person(chain.street, pid) is not None


def test_an_upper_site_refuses_a_second_record_of_a_unit_it_has(chain):
    with chain.street.session() as s:
        from gridapp.core.services.orgs import add_unit

        add_unit(s, code="370203012001", name="云溪社区", site_code="370203012")
    report = chain.exchange(chain.community, chain.street)  # the community's init-made record of itself
    assert report.tables["org_unit"]["rejected"] == 1
    assert "全量包" in report.rejected[0][2]


def test_a_package_from_a_newer_program_is_refused_with_the_version_to_install(chain, monkeypatch):
    import gridapp
    from gridapp.core import schema

    monkeypatch.setattr(schema, "SCHEMA_HEAD", "0099")
    monkeypatch.setattr("gridapp.sync.export.__version__", "9.1.0")
    path = chain.send(chain.community, chain.street)
    monkeypatch.undo()
    with pytest.raises(PackageError, match=r"9\.1\.0"):
        apply.import_package(chain.street, path, commit=True)
    assert gridapp.__version__ != "9.1.0"


def test_a_package_carrying_what_the_rules_refuse_is_rejected_record_by_record(chain):
    """A signed package of a trusted site may still carry what an older or altered program let in: the
    receiving site applies its own field rules, names the field, and writes nothing of that record."""
    good = add_person(chain.community, "李四", _id("37020319800101002"), "370203012001")
    bad = add_person(chain.community, "王五", _id("37020319800101003"), "370203012001")
    with chain.community.engine.begin() as conn:  # past the program's rules, as another program might
        conn.exec_driver_sql("UPDATE person SET name = ? WHERE id = ?", ("\u202e" + "王" * 200, bad))
    report = chain.deliver(chain.send(chain.community, chain.street, full=True), chain.street)
    reasons = [reason for table, rid, reason in report.rejected if rid == bad]
    assert reasons and "姓名" in reasons[0], report.rejected
    arrived = person(chain.street, bad)  # at most what the journal recorded when the rules let it in
    assert arrived is None or arrived[0] == "王五"
    assert person(chain.street, good)[0] == "李四"


def test_two_imports_in_one_second_keep_both_backups(chain):
    """The automatic backup before an import is named by the second; a second import within it gets its own."""
    add_person(chain.community, "赵六", _id("37020319800101004"), "370203012001")
    first = apply.import_package(chain.street, chain.send(chain.community, chain.street), commit=True)
    add_person(chain.community, "钱七", _id("37020319800101005"), "370203012001")
    second = apply.import_package(chain.street, chain.send(chain.community, chain.street), commit=True)
    assert first.backup_path and second.backup_path and first.backup_path != second.backup_path
