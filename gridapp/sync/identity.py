"""Site identity and trust: keys made at init, identity files exchanged once, fingerprints read aloud.

A peer is a row of ``site`` with ``is_self`` = 0 holding the other site's public keys. Only sites
adjacent in the org tree (a community and its street, a street and its district) trust each other.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from gridapp.core import audit
from gridapp.core.codes import ORG_LEVEL
from gridapp.core.errors import ConflictError, NotFoundError, ValidationError
from gridapp.core.models import Site
from gridapp.core.models.base import utcnow
from gridapp.core.services.site import fingerprint_of, new_keys
from gridapp.core.store import Store
from gridapp.core.validation import level_of_code, parse_org_code

IDENTITY_KIND = "gridapp-site-identity"
IDENTITY_VERSION = 1


def _norm_fp(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


@dataclass(frozen=True)
class Peer:
    code: str
    name: str
    level: str
    fingerprint: str
    trusted_at: dt.datetime | None
    sign_public: bytes
    enc_public: bytes

    @property
    def label(self) -> str:
        return f"{self.name}（{ORG_LEVEL.name(self.level)} {self.code}）"


def _peer(row: Site) -> Peer:
    return Peer(row.code, row.name, row.level, fingerprint_of(row.sign_public, row.enc_public), row.trusted_at,
                row.sign_public, row.enc_public)


def self_row(s, *, make_keys: bool = True) -> Site:
    row = s.execute(select(Site).where(Site.is_self.is_(True))).scalar_one_or_none()
    if row is None:
        raise ValidationError("数据库尚未建立站点，请先初始化（gridapp init）")
    if make_keys and (row.sign_public is None or row.enc_public is None):  # a site made before keys existed
        for key, value in new_keys().items():
            setattr(row, key, value)
    return row


def identity(store: Store) -> dict:
    """This site's identity: what a peer needs to trust it (no private key)."""
    with store.read() as s:  # a viewer may read it; only a site made before keys existed writes them
        keyless = self_row(s, make_keys=False).sign_public is None
    with store.session(commit=True) if keyless else store.read() as s:
        me = self_row(s)
        return {"kind": IDENTITY_KIND, "version": IDENTITY_VERSION, "code": me.code, "name": me.name,
                "level": me.level, "sign_public": base64.b64encode(me.sign_public).decode(),
                "enc_public": base64.b64encode(me.enc_public).decode(),
                "fingerprint": fingerprint_of(me.sign_public, me.enc_public)}


def my_fingerprint(store: Store) -> str:
    return identity(store)["fingerprint"]


def write_identity(store: Store, path: Path | str) -> Path:
    from gridapp.core.files import write_bytes

    return write_bytes(path, json.dumps(identity(store), ensure_ascii=False, indent=2).encode("utf-8"))


def read_identity(path: Path | str) -> dict:
    """An identity file, checked: right kind, valid org code and level, 32-byte keys."""
    path = Path(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotFoundError(f"找不到身份文件 {path}") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValidationError(f"{path.name} 不是 gridapp 站点身份文件（无法读取）") from None
    if not isinstance(data, dict) or data.get("kind") != IDENTITY_KIND:
        raise ValidationError(f"{path.name} 不是 gridapp 站点身份文件")
    if data.get("version") != IDENTITY_VERSION:
        raise ValidationError(f"{path.name} 的格式版本 {data.get('version')} 不受支持，请升级本程序")
    code = parse_org_code(str(data.get("code", "")))
    if data.get("level") != level_of_code(code) or data.get("level") not in ("district", "street", "community"):
        raise ValidationError(f"{path.name} 中的站点层级与编码 {code} 不符")
    try:
        sign, enc = base64.b64decode(data["sign_public"], validate=True), base64.b64decode(data["enc_public"],
                                                                                           validate=True)
    except (KeyError, ValueError):
        raise ValidationError(f"{path.name} 中的公钥已损坏") from None
    if len(sign) != 32 or len(enc) != 32:
        raise ValidationError(f"{path.name} 中的公钥长度不对，文件可能已损坏")
    return {"code": code, "name": str(data.get("name") or code).strip(), "level": data["level"],
            "sign_public": sign, "enc_public": enc, "fingerprint": fingerprint_of(sign, enc)}


@audit.guard(lambda _s, path, *, replace=False, **_k: ("trust", "trust",
                                                       f"{'替换' if replace else '信任'}站点身份文件 {Path(path).name}"),
             lambda p: f"：{p.label}，指纹 {p.fingerprint}")
def trust(store: Store, path: Path | str, *, fingerprint: str, replace: bool = False) -> Peer:
    """Trust the site in an identity file once its fingerprint, read out by the other side, matches."""
    data = read_identity(path)
    if _norm_fp(fingerprint) != _norm_fp(data["fingerprint"]):
        raise ValidationError(f"指纹不一致：文件中为 {data['fingerprint']}，您输入的是 {fingerprint}。"
                              "请与对方核对；不一致时不要信任该文件（可能被替换）", field="fingerprint")
    with store.session() as s:
        me = self_row(s)
        code = data["code"]
        if code == me.code:
            raise ValidationError("这是本站点自己的身份文件")
        if not (code.startswith(me.code) or me.code.startswith(code)) or abs(len(code) - len(me.code)) != 3:
            raise ValidationError(f"{data['name']}（{code}）不是本站点（{me.name} {me.code}）的直接上级或下级，"
                                  "数据交换只在社区—街道—区之间逐级进行")
        row = s.execute(select(Site).where(Site.code == code)).scalar_one_or_none()
        if (row is not None and (row.sign_public, row.enc_public) != (data["sign_public"], data["enc_public"])
                and not replace):
            raise ConflictError(f"已信任过 {row.name}（{code}），但这份文件的密钥不同（指纹 {data['fingerprint']}）。"
                                    "如对方换了电脑或重装，请确认后选择“替换”")
        if row is None:
            row = Site(code=code, name=data["name"], level=data["level"], is_self=False)
            s.add(row)
        row.name, row.level = data["name"], data["level"]
        row.sign_public, row.enc_public, row.trusted_at = data["sign_public"], data["enc_public"], utcnow()
        s.flush()
        return _peer(row)


def peers(store: Store) -> list[Peer]:
    with store.read() as s:
        return [_peer(r) for r in s.execute(select(Site).where(Site.is_self.is_(False), Site.trusted_at.is_not(None))
                                             .order_by(Site.code)).scalars()]


def peer(store: Store, code: str) -> Peer:
    for p in peers(store):
        if p.code == code:
            return p
    raise NotFoundError(f"站点 {code} 尚未信任：请先导入对方的身份文件并核对指纹")
