"""This installation: initialise it as a district, street or community site."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import select

from gridapp.core.codes import ORG_LEVEL
from gridapp.core.errors import ConflictError, ValidationError
from gridapp.core.models import OrgUnit, Site
from gridapp.core.store import SiteInfo, Store
from gridapp.core.validation import parse_org_code

SITE_LEVELS = ("district", "street", "community")


def new_keys() -> dict[str, bytes]:
    """Ed25519 signing and X25519 encryption key pairs (raw bytes), from the ``cryptography`` package."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519, x25519

    raw = serialization.Encoding.Raw
    sign = ed25519.Ed25519PrivateKey.generate()
    enc = x25519.X25519PrivateKey.generate()
    return {
        "sign_private": sign.private_bytes(raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()),
        "sign_public": sign.public_key().public_bytes(raw, serialization.PublicFormat.Raw),
        "enc_private": enc.private_bytes(raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()),
        "enc_public": enc.public_key().public_bytes(raw, serialization.PublicFormat.Raw),
    }


def fingerprint_of(sign_public: bytes, enc_public: bytes) -> str:
    """Five groups of four characters (80 bits), the same on both screens and on paper."""
    digest = hashlib.sha256(b"gridapp-site-v1" + sign_public + enc_public).hexdigest().upper()[:20]
    return "-".join(digest[i : i + 4] for i in range(0, 20, 4))


def check_new_site_code(code: object, level: str) -> str:
    """A new site's org code: well formed for its level, beginning with a county code in use now (GB/T 2260)."""
    from gridapp.core.regions import check_site_region

    text = parse_org_code(code, level)
    check_site_region(text)
    return text


def init_site(store: Store, *, level: str, code: str, name: str, today: dt.date | None = None,
              unit_id: str | None = None, stamp: dt.datetime | None = None) -> SiteInfo:
    """Make this database the site that owns org unit ``code`` (created here) and its subtree.

    ``unit_id`` and ``stamp`` give the org unit a known identity, for a PC that takes over an
    existing site and for reproducible demo data.
    """
    if level not in SITE_LEVELS:
        raise ValidationError(f"站点层级应为 区/街道/社区 之一，而不是“{level}”", field="level")
    code = check_new_site_code(code, level)
    name = (name or "").strip()
    if not name:
        raise ValidationError("站点名称不能为空", field="name")
    if store.site is not None:
        raise ConflictError(
            f"该数据库已初始化为“{store.site.name}”（{store.site.code}），不能再次初始化；如需新站点请使用新的数据库文件"
        )
    with store.session() as s:
        s.info["journal"].site_code = code
        site = Site(code=code, name=name, level=level, is_self=True, journal_seq=0, **new_keys())
        s.add(site)
        s.flush()  # the site row first: the journal keeps its sequence there
        if s.execute(select(OrgUnit.id).where(OrgUnit.code == code)).first():
            raise ConflictError(f"编码为 {code} 的{ORG_LEVEL.name(level)}已存在")
        unit = OrgUnit(code=code, name=name, level=level, scope_code=code, active_from=today or dt.date.today())
        if unit_id:
            unit.id = unit_id
        if stamp:
            unit.created_at = unit.updated_at = stamp
        s.add(unit)
        s.flush()
        site.org_unit_id = unit.id
    info = store.reload_site()
    assert info is not None
    return info


def fingerprint(store: Store) -> str:
    """Short fingerprint of this site's public keys, read aloud when two sites trust each other."""
    with store.read() as s:
        row = s.execute(select(Site.sign_public, Site.enc_public).where(Site.is_self.is_(True))).first()
    if row is None or row.sign_public is None:
        return ""
    return fingerprint_of(row.sign_public, row.enc_public)
