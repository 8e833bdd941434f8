"""The package file: a zip of a signed manifest and an encrypted, compressed stream of records.

    manifest.json   format, package id, sender, recipient, number, schema revision, counts, coverage,
                    the sender's receipts, the ephemeral X25519 key, the payload's size and SHA-256
    payload.bin     JSON lines, zlib-compressed, cut into chunks sealed with AES-256-GCM
    (zip comment)   the sender's Ed25519 signature of the SHA-256 of every byte before it

The signature covers the whole file, zip headers included, so any flipped or missing byte is refused.

The payload key comes from X25519 (a fresh key pair per package, the recipient's public key) through
HKDF-SHA256 bound to the package id, sender and recipient. Each chunk's nonce carries its index and a
“last” flag, so a reordered, cut or extended stream fails to open. Rows are written and read one at a
time: a district-wide export never sits in memory.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import re
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gridapp.core.errors import DomainError
from gridapp.core.files import atomic_output

FORMAT = 1
KIND = "gridapp-sync-package"
SUFFIX = ".gridsync"
CHUNK = 1 << 20  # compressed bytes per sealed chunk
NAMES = ("manifest.json", "payload.bin")
SIG = 64  # an Ed25519 signature, the last bytes of the file (the zip comment)
SIG_CONTEXT = b"gridapp-sync-file-v1"
MAX_MANIFEST = 1 << 20  # a district's manifest is a few KB
MAX_DEPTH = 12  # the manifest nests 3 deep (coverage → origin → [start, end]); room to grow, none to recurse
MAX_INT = 1 << 53  # counts, numbers and sequence numbers: anything larger is not one
_TAG = 16


class PackageError(DomainError):
    """A package that cannot be used: damaged, tampered, forged, misaddressed, or from a newer program."""


def _hkdf(shared: bytes, package_id: str, sender: str, recipient: str) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    info = f"gridapp-sync-v{FORMAT}|{sender}|{recipient}".encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=package_id.encode(), info=info).derive(shared)


def _nonce(index: int, last: bool) -> bytes:
    return struct.pack(">QI", index, 1 if last else 0)


@dataclass
class Sealed:
    """What a finished payload left for the manifest."""

    size: int
    sha256: str
    ephemeral_public: str


_LINE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # one encoder for every line, not one each


class PayloadWriter:
    """Compress and seal JSON lines into a temporary file, chunk by chunk."""

    def __init__(self, package_id: str, sender: str, recipient: str, recipient_enc_public: bytes):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import x25519
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        eph = x25519.X25519PrivateKey.generate()
        shared = eph.exchange(x25519.X25519PublicKey.from_public_bytes(recipient_enc_public))
        self._aead = AESGCM(_hkdf(shared, package_id, sender, recipient))
        self._aad = package_id.encode()
        self.ephemeral_public = base64.b64encode(eph.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)).decode()
        fd, name = tempfile.mkstemp(prefix="gridsync-", suffix=".part")
        self.path = Path(name)
        self._file = os.fdopen(fd, "wb")
        self._zip = zlib.compressobj(6)
        self._buf = bytearray()
        self._index = 0
        self._hash = hashlib.sha256()
        self._size = 0

    def write(self, record: dict[str, Any]) -> None:
        self._buf += self._zip.compress(_LINE.encode(record).encode() + b"\n")
        while len(self._buf) >= CHUNK:
            self._seal(bytes(self._buf[:CHUNK]), last=False)
            del self._buf[:CHUNK]

    def _seal(self, plain: bytes, *, last: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._index, last), plain, self._aad)
        frame = struct.pack(">I", len(sealed)) + sealed
        self._file.write(frame)
        self._hash.update(frame)
        self._size += len(frame)
        self._index += 1

    def finish(self) -> Sealed:
        self._buf += self._zip.flush()
        self._seal(bytes(self._buf), last=True)
        self._file.close()
        return Sealed(self._size, self._hash.hexdigest(), self.ephemeral_public)

    def discard(self) -> None:
        if not self._file.closed:
            self._file.close()
        self.path.unlink(missing_ok=True)


def write_package(path: Path, manifest: dict[str, Any], payload: PayloadWriter, sealed: Sealed,
                  sign_private: bytes) -> Path:
    """Zip the manifest and payload next to ``path``, sign the whole file, then move it into place."""
    from cryptography.hazmat.primitives.asymmetric import ed25519

    manifest = dict(manifest, ephemeral_public=sealed.ephemeral_public,
                    files={"payload.bin": {"size": sealed.size, "sha256": sealed.sha256}})
    body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
    try:
        with atomic_output(path) as tmp:
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as z:
                z.comment = bytes(SIG)  # room for the signature, filled in below
                z.writestr("manifest.json", body)
                with payload.path.open("rb") as src, z.open("payload.bin", "w", force_zip64=True) as dst:
                    while chunk := src.read(1 << 20):
                        dst.write(chunk)
            digest = _content_hash(tmp, tmp.stat().st_size - SIG)
            signature = ed25519.Ed25519PrivateKey.from_private_bytes(sign_private).sign(SIG_CONTEXT + digest)
            with tmp.open("r+b") as f:
                f.seek(-SIG, os.SEEK_END)
                f.write(signature)
    finally:
        payload.discard()
    return Path(path).expanduser().resolve()


def _content_hash(path: Path, length: int) -> bytes:
    h = hashlib.sha256()
    with path.open("rb") as f:
        left = length
        while left > 0 and (chunk := f.read(min(1 << 20, left))):
            h.update(chunk)
            left -= len(chunk)
    return h.digest()


# -- reading -----------------------------------------------------------------------------------------------------

@dataclass
class Opened:
    """A package whose zip, manifest and signature are checked; ``records()`` decrypts as it reads."""

    path: Path
    manifest: dict[str, Any]
    signature: bytes
    content_hash: bytes  # SHA-256 of everything but the signature
    sha256: str  # of the whole file

    @property
    def package_id(self) -> str:
        return self.manifest["package_id"]

    @property
    def sender(self) -> str:
        return self.manifest["sender"]["code"]


def open_package(path: Path | str) -> Opened:
    """The zip and the manifest, with no trust yet: sizes, names and JSON checked, nothing decrypted."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise PackageError(f"找不到数据包 {path}") from None
    except OSError as exc:
        raise PackageError(f"无法读取数据包 {path}（{exc.strerror}）") from None
    if not path.is_file():
        raise PackageError(f"{path} 不是文件，请选择数据包文件（{SUFFIX}）")
    if size < SIG + 22:
        raise PackageError(f"{path.name} 不是 gridapp 数据包（文件太小，可能不完整）")
    try:
        with path.open("rb") as f:
            f.seek(size - SIG)
            signature = f.read()
    except OSError as exc:
        raise PackageError(f"无法读取数据包 {path}（{exc.strerror}）") from None
    # The structure first, from the zip's directory at the end: a huge file that is no package is refused
    # without being read whole.
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            names = [i.filename for i in infos]
            if sorted(names) != sorted(NAMES):
                odd = [n for n in names if n not in NAMES]
                raise PackageError(f"{path.name} 不是 gridapp 数据包（内容不符{'：' + odd[0] if odd else ''}）")
            info = {i.filename: i for i in infos}
            if info["manifest.json"].file_size > MAX_MANIFEST or z.comment != signature:
                raise PackageError(f"{path.name} 的结构异常，数据包已损坏或被改动")
            if max(info["payload.bin"].file_size, info["payload.bin"].compress_size) > size:
                raise PackageError(f"{path.name} 的数据大小与文件不符，数据包已损坏或不完整")
            with z.open("manifest.json") as f:
                body = f.read(MAX_MANIFEST + 1)
    except PackageError:
        raise
    except zipfile.BadZipFile:
        raise PackageError(f"{path.name} 已损坏或不完整（无法作为数据包打开），请让对方重新导出") from None
    except Exception as exc:  # a damaged header can make zipfile fail in many ways: all mean the same here
        raise PackageError(f"{path.name} 已损坏，无法读取（{type(exc).__name__}）") from None
    whole = hashlib.sha256()
    content = hashlib.sha256()
    with path.open("rb") as f:
        left = size - SIG
        while left > 0 and (chunk := f.read(min(1 << 20, left))):
            whole.update(chunk)
            content.update(chunk)
            left -= len(chunk)
        whole.update(f.read())
    manifest = parse_manifest(body, path.name)
    return Opened(path, manifest, signature, content.digest(), whole.hexdigest())


_STRUCTURE = re.compile(r'[\[\]{}"]')
_STRING_REST = re.compile(r'(?:[^"\\]|\\.)*"')


def _depth(text: str, limit: int) -> int:
    """How deep the JSON ``text`` nests, up to ``limit + 1``, found without recursion and in one pass: each
    string is skipped from its opening quote (an unclosed one ends the scan), brackets are counted."""
    depth = deepest = pos = 0
    while deepest <= limit and (m := _STRUCTURE.search(text, pos)):
        ch = m.group()
        if ch == '"':
            rest = _STRING_REST.match(text, m.end())
            if rest is None:
                break  # unterminated: json.loads will say so
            pos = rest.end()
            continue
        depth += 1 if ch in "[{" else -1
        deepest = max(deepest, depth)
        pos = m.end()
    return deepest


def parse_manifest(body: bytes, name: str) -> dict[str, Any]:
    """The manifest's JSON, bounded in size and depth before it is parsed, every field's type checked after."""
    if len(body) > MAX_MANIFEST:
        raise PackageError(f"{name} 的清单超过 {MAX_MANIFEST >> 20} MB，数据包已损坏或被改动")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise PackageError(f"{name} 的清单已损坏（不是 UTF-8 文本）") from None
    if _depth(text, MAX_DEPTH) > MAX_DEPTH:
        raise PackageError(f"{name} 的清单嵌套超过 {MAX_DEPTH} 层，数据包已损坏或被改动")
    try:
        manifest = json.loads(text)
    except (ValueError, RecursionError):  # ValueError: broken JSON, or an integer of thousands of digits
        raise PackageError(f"{name} 的清单已损坏") from None
    if not isinstance(manifest, dict) or manifest.get("kind") != KIND:
        raise PackageError(f"{name} 不是 gridapp 数据包")
    if manifest.get("format") == FORMAT:  # another format is refused by its number, with the version to install
        problem = _manifest_problem(manifest)
        if problem:
            raise PackageError(f"{name} 的清单不完整或已损坏（{problem}），请让对方重新导出")
    return manifest


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_INT


def _is_text(v: object, limit: int = 200) -> bool:
    return isinstance(v, str) and len(v) <= limit


def _manifest_problem(m: dict[str, Any]) -> str | None:
    """The first field of a format-1 manifest that is missing or of the wrong type, in Chinese."""
    for key in ("package_id", "created_at", "schema_revision", "ephemeral_public"):
        if not _is_text(m.get(key)) or not m[key]:
            return f"字段 {key} 应为非空文本"
    for key in ("app_version", "period"):
        if key in m and not _is_text(m[key]):
            return f"字段 {key} 应为文本"
    try:
        dt.datetime.fromisoformat(m["created_at"])
    except ValueError:
        return "字段 created_at 不是日期时间"
    for key in ("sender", "recipient"):
        party = m.get(key)
        if not isinstance(party, dict) or not _is_text(party.get("code"), 20) or not _is_text(party.get("name", "")):
            return f"字段 {key} 应含文本的 code 和 name"
    for key in ("number", "records", "changes"):
        if key in m and not _is_int(m[key]):
            return f"字段 {key} 应为不超过 {MAX_INT} 的非负整数"
    if "full" in m and not isinstance(m["full"], bool):
        return "字段 full 应为 true 或 false"
    for key in ("counts", "have"):
        value = m.get(key, {})
        if not isinstance(value, dict) or not all(_is_text(k) and _is_int(v) for k, v in value.items()):
            return f"字段 {key} 应为“名称: 非负整数”的对照表"
    coverage = m.get("coverage", {})
    if not isinstance(coverage, dict) or not all(
            _is_text(k) and isinstance(v, list) and len(v) == 2 and all(_is_int(x) for x in v)
            for k, v in coverage.items()):
        return "字段 coverage 应为“站点: [起, 止]”的对照表"
    files = m.get("files")
    payload = files.get("payload.bin") if isinstance(files, dict) else None
    if not isinstance(payload, dict) or not _is_int(payload.get("size")) or not _is_text(payload.get("sha256"), 64):
        return "字段 files 应含 payload.bin 的 size 和 sha256"
    return None


def verify_signature(opened: Opened, sign_public: bytes) -> None:
    """The sender's signature over every byte of the file but the signature itself."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric import ed25519

    try:
        ed25519.Ed25519PublicKey.from_public_bytes(sign_public).verify(opened.signature,
                                                                       SIG_CONTEXT + opened.content_hash)
    except InvalidSignature:
        sender = opened.manifest.get("sender", {}) if isinstance(opened.manifest.get("sender"), dict) else {}
        raise PackageError(f"{opened.path.name} 的签名无效：数据包被改动过或不完整，或不是由“{sender.get('name', '?')}”"
                           "的电脑制作。请勿导入，并与对方核实") from None


def verify_payload(opened: Opened) -> None:
    """The payload's size and SHA-256 equal what the signed manifest says."""
    want = opened.manifest.get("files", {}).get("payload.bin", {})
    h = hashlib.sha256()
    size = 0
    try:
        with zipfile.ZipFile(opened.path) as z, z.open("payload.bin") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
                size += len(chunk)
    except Exception:
        raise PackageError(f"{opened.path.name} 的数据部分已损坏或不完整") from None
    if size != want.get("size") or h.hexdigest() != want.get("sha256"):
        raise PackageError(f"{opened.path.name} 的数据与清单不符（大小或校验值不同），数据包已损坏或被改动")


def records(opened: Opened, enc_private: bytes, recipient: str) -> Iterator[dict[str, Any]]:
    """Decrypt and decompress the payload, one record at a time."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.asymmetric import x25519
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    m = opened.manifest
    try:
        eph = x25519.X25519PublicKey.from_public_bytes(base64.b64decode(m["ephemeral_public"]))
    except (KeyError, ValueError):
        raise PackageError(f"{opened.path.name} 的密钥信息已损坏") from None
    shared = x25519.X25519PrivateKey.from_private_bytes(enc_private).exchange(eph)
    aead = AESGCM(_hkdf(shared, m["package_id"], m["sender"]["code"], recipient))
    aad = m["package_id"].encode()
    unzip = zlib.decompressobj()
    pending = b""
    index, last_seen = 0, False
    with zipfile.ZipFile(opened.path) as z, z.open("payload.bin") as f:
        while True:
            head = f.read(4)
            if not head:
                break
            if last_seen or len(head) != 4:
                raise PackageError(f"{opened.path.name} 的数据部分有多余或不完整的内容")
            (length,) = struct.unpack(">I", head)
            sealed = f.read(length)
            if len(sealed) != length or length < _TAG:
                raise PackageError(f"{opened.path.name} 的数据部分不完整")
            plain = None
            for last in (False, True):
                try:
                    plain = aead.decrypt(_nonce(index, last), sealed, aad)
                    last_seen = last
                    break
                except InvalidTag:
                    continue
            if plain is None:
                raise PackageError(f"{opened.path.name} 无法解密：数据被改动，或不是发给本站点的")
            index += 1
            pending += unzip.decompress(plain)
            *lines, pending = pending.split(b"\n")
            for line in lines:
                yield _record(line, opened.path.name)
    if not last_seen:
        raise PackageError(f"{opened.path.name} 的数据部分被截断")
    pending += unzip.flush()
    if pending.strip():
        raise PackageError(f"{opened.path.name} 的数据部分结尾不完整")


def _record(line: bytes, name: str) -> dict[str, Any]:
    # A line cannot nest deeper than it has brackets: most lines are counted, not scanned.
    if (line.count(b"[") + line.count(b"{") > MAX_DEPTH
            and _depth(line.decode("utf-8", "replace"), MAX_DEPTH) > MAX_DEPTH):
        raise PackageError(f"{name} 的数据部分有嵌套过深的记录，数据包已拒绝")
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):
        raise PackageError(f"{name} 的数据部分有无法读取的记录，数据包已拒绝") from None
    if not isinstance(record, dict):
        raise PackageError(f"{name} 的数据部分有格式不对的记录，数据包已拒绝")
    return record


def file_name(sender: str, recipient: str, period: str, number: int, full: bool) -> str:
    """云溪社区→海泉路街道_2026-11_第3号.gridsync (全量 for a full export)."""
    safe = "".join(ch for ch in f"{sender}→{recipient}" if ch not in '\\/:*?"<>|')
    return f"{safe}_{period}_第{number}号{'_全量' if full else ''}{SUFFIX}"
