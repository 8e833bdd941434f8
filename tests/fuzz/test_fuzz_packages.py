"""Hostile sync packages against a real pair of sites: each is refused with a sentence (a DomainError), nothing
else is raised, and the receiving database stays as it was (a dump before and after).

Byte flips and cuts of a whole package are walked exhaustively in tests/sync/test_exchange.py; here the
generators rebuild packages: zips with extra, missing, duplicate or renamed members, declared sizes that
lie, manifests broken, nested or of the wrong types — re-signed with the sender's real key, so they reach
every check behind the signature — misaddressed and replayed packages.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import sqlite3
import struct
import warnings
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridapp.core.errors import DomainError
from gridapp.core.services.people import upsert_person
from gridapp.core.validation import id_check_digit
from gridapp.sync import apply, identity, package
from tests.sync.conftest import make_chain

SETTINGS = settings(derandomize=True, deadline=None, database=None, max_examples=60,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


class Sites:
    """The community sends to the street; the district is a trusted third party the packages are not for."""

    def __init__(self, folder: Path):
        self.chain = make_chain(folder / "sites")
        self.folder = folder
        c = self.chain
        self._person(c.community, "钱十一", "37020319800101009")
        self.replayed = c.send(c.community, c.street)
        c.deliver(self.replayed, c.street)  # imported once already
        self._person(c.community, "孙十二", "37020319800101010")
        self.good = c.send(c.community, c.street)  # never imported: the base every hostile package starts from
        self.misaddressed = c.send(c.street, c.district)
        with zipfile.ZipFile(self.good) as z:
            self.manifest = json.loads(z.read("manifest.json"))
            self.payload = z.read("payload.bin")
        with c.community.read() as s:
            self.sign_private = identity.self_row(s).sign_private
        self.bad = folder / "hostile.gridsync"
        self.n = 0

    @staticmethod
    def _person(store, name: str, body: str) -> None:
        with store.session() as s:
            upsert_person(s, {"name": name, "id_number": body + id_check_digit(body)}, scope_code="370203012001")

    def dump(self) -> str:
        conn = sqlite3.connect(self.chain.street.path)
        try:
            return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
        finally:
            conn.close()

    def build(self, members: list[tuple[str, bytes]], *, sign: bool = True, patch=None) -> Path:
        """A package made as write_package makes one, from these members, signed with the sender's key."""
        self.n += 1
        path = self.folder / f"hostile-{self.n % 4}.gridsync"  # a few names: the folder stays small
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zipfile warns about the duplicate members asked for
            with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
                z.comment = bytes(package.SIG)
                for name, data in members:
                    z.writestr(name, data)
        if patch is not None:
            data = bytearray(path.read_bytes())
            patch(data)
            path.write_bytes(bytes(data))
        if sign:
            from cryptography.hazmat.primitives.asymmetric import ed25519

            digest = package._content_hash(path, path.stat().st_size - package.SIG)
            signature = ed25519.Ed25519PrivateKey.from_private_bytes(self.sign_private).sign(
                package.SIG_CONTEXT + digest)
            with path.open("r+b") as f:
                f.seek(-package.SIG, 2)
                f.write(signature)
        return path

    def with_manifest(self, body: bytes, **kw) -> Path:
        return self.build([("manifest.json", body), ("payload.bin", self.payload)], **kw)


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    s = Sites(tmp_path_factory.mktemp("fuzz"))
    yield s
    for store in (s.chain.district, s.chain.street, s.chain.community):
        store.close()


def refused(sites: Sites, path: Path, *, commit: bool = True, may_pass: bool = False) -> None:
    """The one assertion of every example: a sentence or (a harmless change, previewed) a report; never
    another exception; the street's database unchanged either way."""
    before = sites.dump()
    try:
        report = apply.import_package(sites.chain.street, path, commit=commit, backup=False)
    except DomainError as exc:
        assert exc.message and any("\u4e00" <= ch <= "\u9fff" for ch in exc.message), exc.message
    else:
        assert may_pass, f"{path.name} was accepted: {report.summary()}"
    assert sites.dump() == before


# -- values a hostile manifest may hold ---------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2 ** 70), 2 ** 70) | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
FIELDS = ["kind", "format", "package_id", "created_at", "app_version", "schema_revision", "sender", "recipient",
          "number", "period", "full", "counts", "records", "changes", "coverage", "have", "ephemeral_public",
          "files"]
PATHS = [(f,) for f in FIELDS] + [("sender", "code"), ("sender", "name"), ("recipient", "code"),
                                   ("recipient", "name"), ("files", "payload.bin"), ("files", "payload.bin", "size"),
                                   ("files", "payload.bin", "sha256")]


def nested(depth: int, kind: str) -> str:
    return "[" * depth + "]" * depth if kind == "list" else '{"a":' * depth + "1" + "}" * depth


def _set(manifest: dict, path: tuple[str, ...], value, *, delete: bool = False) -> dict:
    m = json.loads(json.dumps(manifest))
    target = m
    for key in path[:-1]:
        if not isinstance(target.get(key), dict):
            target[key] = {}
        target = target[key]
    if delete:
        target.pop(path[-1], None)
    else:
        target[path[-1]] = value
    return m


# -- the families -------------------------------------------------------------------------------------------------

@SETTINGS
@given(path=st.sampled_from(PATHS), value=json_values, delete=st.booleans(), sign=st.booleans())
def test_a_manifest_of_wrong_types_is_refused(sites, path, value, delete, sign):
    m = _set(sites.manifest, path, value, delete=delete)
    body = json.dumps(m, ensure_ascii=False).encode()
    # Re-signed, a change that happens to be harmless (another period text, say) is a valid package:
    # it is previewed, so the database must stay as it was all the same.
    refused(sites, sites.with_manifest(body, sign=sign), commit=not sign, may_pass=sign)


@SETTINGS
@given(depth=st.integers(13, 200_000), kind=st.sampled_from(["list", "dict"]),
       where=st.sampled_from([None, *FIELDS]), sign=st.booleans())
def test_a_deeply_nested_manifest_is_refused_without_recursing(sites, depth, kind, where, sign):
    deep = nested(depth, kind)
    if where is None:
        body = deep
    else:
        body = json.dumps(_set(sites.manifest, (where,), 0))
        body = body.replace(f'"{where}": 0', f'"{where}": {deep}', 1)
    refused(sites, sites.with_manifest(body.encode(), sign=sign))


@SETTINGS
@given(body=st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200).map(str.encode),
    st.integers(4301, 20_000).map(lambda n: b'{"kind": "gridapp-sync-package", "format": 1, "number": ' + b"9" * n
                                  + b"}"),
    st.sampled_from([b"", b"null", b"[]", b'"x"', b"\xff\xfe{}", b'{"kind": "gridapp-sync-package"}',
                     b'{"kind": "gridapp-sync-package", "format": "1"}', b"NaN", b'{"a": 1e999}']),
), sign=st.booleans())
def test_a_broken_manifest_is_refused(sites, body, sign):
    refused(sites, sites.with_manifest(body, sign=sign))


def _members(sites: Sites, layout: str) -> list[tuple[str, bytes]]:
    manifest = json.dumps(sites.manifest).encode()
    return {
        "extra": [("manifest.json", manifest), ("payload.bin", sites.payload), ("readme.txt", b"hi")],
        "no manifest": [("payload.bin", sites.payload)],
        "no payload": [("manifest.json", manifest)],
        "two manifests": [("manifest.json", manifest), ("manifest.json", b"{}"), ("payload.bin", sites.payload)],
        "two payloads": [("manifest.json", manifest), ("payload.bin", sites.payload), ("payload.bin", b"x")],
        "renamed": [("manifest.json", manifest), ("payload.dat", sites.payload)],
        "traversal": [("manifest.json", manifest), (posixpath.join(posixpath.pardir, "payload.bin"), sites.payload)],
        "absolute": [("/manifest.json", manifest), ("payload.bin", sites.payload)],
        "empty payload": [("manifest.json", manifest), ("payload.bin", b"")],
        "cut payload": [("manifest.json", manifest), ("payload.bin", sites.payload[: len(sites.payload) // 2])],
        "payload twice": [("manifest.json", manifest), ("payload.bin", sites.payload * 2)],
    }[layout]


LAYOUTS = ["extra", "no manifest", "no payload", "two manifests", "two payloads", "renamed", "traversal",
           "absolute", "empty payload", "cut payload", "payload twice"]


@SETTINGS
@given(layout=st.sampled_from(LAYOUTS), sign=st.booleans())
def test_a_zip_with_the_wrong_members_is_refused(sites, layout, sign):
    refused(sites, sites.build(_members(sites, layout), sign=sign))


def _patch_sizes(member: int, field: str, value: int):
    """Overwrite a size in the central directory (and the local header) of the ``member``-th entry."""
    offsets = {"compressed": (20, 18), "uncompressed": (24, 22)}[field]

    def patch(data: bytearray) -> None:
        for sig, offset in ((b"PK\x01\x02", offsets[0]), (b"PK\x03\x04", offsets[1])):
            pos = -1
            for _ in range(member + 1):
                pos = data.find(sig, pos + 1)
            if pos >= 0:
                struct.pack_into("<I", data, pos + offset, value)
    return patch


@SETTINGS
@given(member=st.integers(0, 1), field=st.sampled_from(["compressed", "uncompressed"]),
       value=st.one_of(st.integers(0, 2 ** 32 - 1), st.sampled_from([0, 1, 2 ** 32 - 1, 2 ** 31, package.MAX_MANIFEST + 1])),
       sign=st.booleans())
def test_declared_sizes_that_lie_are_refused(sites, member, field, value, sign):
    members = [("manifest.json", json.dumps(sites.manifest).encode()), ("payload.bin", sites.payload)]
    path = sites.build(members, sign=sign, patch=_patch_sizes(member, field, value))
    # Signed by the sender, a size zipfile does not rely on (a stored member's compressed size past its end,
    # or the size already there) leaves a package whose every byte the sender vouched for: previewed.
    refused(sites, path, commit=not sign, may_pass=sign)


@SETTINGS
@given(size=st.one_of(st.integers(-5, 2 ** 64), st.just(2 ** 53 + 1)),
       records=st.one_of(st.integers(-5, 2 ** 64), st.just(10 ** 30)))
def test_huge_declared_counts_in_a_signed_manifest_are_refused(sites, size, records):
    m = _set(_set(sites.manifest, ("files", "payload.bin", "size"), size), ("records", ), records)
    same = size == sites.manifest["files"]["payload.bin"]["size"] and 0 <= records <= 2 ** 53
    refused(sites, sites.with_manifest(json.dumps(m).encode()), commit=not same, may_pass=same)


def test_misaddressed_replayed_and_huge_files(sites):
    refused(sites, sites.misaddressed)  # for the district, not the street
    before = sites.dump()
    report = apply.import_package(sites.chain.street, sites.replayed, commit=True, backup=False)
    assert report.already and "此前已导入" in report.summary()
    assert sites.dump() == before
    big = sites.folder / "big.gridsync"
    with big.open("wb") as f:  # a sparse file the size of a DVD: refused from its header, not read whole
        f.seek(5 << 30)
        f.write(b"\0")
    refused(sites, big)
    big.unlink()
    refused(sites, sites.folder / "missing.gridsync")
    refused(sites, sites.folder)  # a folder given as the package
