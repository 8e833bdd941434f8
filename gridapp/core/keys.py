"""The key file beside an encrypted database: its random key, wrapped once per account and once for recovery.

``<db>.keys`` is JSON: a format version, the database's id and one slot per account login name (an Argon2id
key derived from the password wraps the 32-byte database key with AES-GCM; the associated data binds the
slot to the database id and the account name) plus a ``recovery`` slot wrapped by a random recovery key that
is shown once. Changing a password rewraps that slot alone; nothing is re-encrypted. A wrong password cannot
be counted inside the encrypted database, so each slot keeps its failures and lock time here.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from gridapp.core.errors import PermissionDenied, StoreError

FORMAT = 1
KEY_BYTES = 32
RECOVERY = "recovery"
SUFFIX = ".keys"


@dataclass(frozen=True)
class Kdf:
    """Argon2id's cost for a key-encryption key (tests/conftest.py sets a lighter one)."""

    t: int = 3
    m: int = 65536  # KiB
    p: int = 4


KDF = Kdf()


def key_path(db: Path | str) -> Path:
    db = Path(db)
    return db.with_name(db.name + SUFFIX)


def is_encrypted(db: Path | str) -> bool:
    """Whether ``db`` is an encrypted gridapp database (its key file lies beside it)."""
    return key_path(db).is_file()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


def _kek(secret: str, salt: bytes, kdf: Kdf) -> bytes:
    return hash_secret_raw(secret.encode("utf-8"), salt, time_cost=kdf.t, memory_cost=kdf.m,
                           parallelism=kdf.p, hash_len=KEY_BYTES, type=Type.ID)


def _wrap(key: bytes, secret: str, db_id: str, label: str) -> dict:
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    wrapped = AESGCM(_kek(secret, salt, KDF)).encrypt(nonce, key, f"{db_id}\n{label}".encode())
    return {"salt": _b64(salt), "t": KDF.t, "m": KDF.m, "p": KDF.p, "nonce": _b64(nonce), "wrapped": _b64(wrapped)}


def _unwrap(slot: dict, secret: str, db_id: str, label: str) -> bytes | None:
    kek = _kek(secret, _unb64(slot["salt"]), Kdf(slot["t"], slot["m"], slot["p"]))
    try:
        return AESGCM(kek).decrypt(_unb64(slot["nonce"]), _unb64(slot["wrapped"]), f"{db_id}\n{label}".encode())
    except InvalidTag:
        return None


def new_recovery_code() -> str:
    """A random recovery key: 160 bits in base32, in eight groups of four letters and digits."""
    text = base64.b32encode(secrets.token_bytes(20)).decode("ascii")
    return "-".join(text[i:i + 4] for i in range(0, len(text), 4))


def _normal_code(code: str) -> str:
    plain = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(plain[i:i + 4] for i in range(0, len(plain), 4))


def account_label(name: str) -> str:
    return "account:" + name.strip().casefold()


class KeyFile:
    """A key file read into memory; ``save`` writes it back atomically."""

    def __init__(self, path: Path, data: dict):
        self.path, self.data = path, data

    @property
    def db_id(self) -> str:
        return self.data["db_id"]

    @property
    def slots(self) -> dict[str, dict]:
        return self.data["slots"]

    @classmethod
    def read(cls, db: Path | str) -> KeyFile:
        path = key_path(db)
        try:
            data = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            raise StoreError(f"数据库 {Path(db).name} 的密钥文件 {path} 不存在，无法打开加密的数据库"
                             "（密钥文件须与数据库放在同一文件夹）") from None
        except (OSError, ValueError) as exc:
            raise StoreError(f"无法读取密钥文件 {path}（{exc}），数据库没有打开") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT or "slots" not in data:
            raise StoreError(f"密钥文件 {path} 的格式无法识别，数据库没有打开")
        return cls(path, data)

    @classmethod
    def create(cls, db: Path | str, name: str, password: str) -> tuple[KeyFile, bytes, str]:
        """A new key file for ``db``: (the file, the new database key, the recovery code to show once)."""
        key, code, db_id = secrets.token_bytes(KEY_BYTES), new_recovery_code(), secrets.token_hex(16)
        kf = cls(key_path(db), {"format": FORMAT, "db_id": db_id, "slots": {}})
        kf.slots[account_label(name)] = {"account": name, **_wrap(key, password, db_id, account_label(name))}
        kf.slots[RECOVERY] = _wrap(key, _normal_code(code), db_id, RECOVERY)
        kf.save()
        return kf, key, code

    def unlock(self, name: str, password: str) -> bytes | None:
        """The database key when ``password`` opens the account's slot; None otherwise (or no slot)."""
        slot = self.slots.get(account_label(name))
        return None if slot is None else _unwrap(slot, password, self.db_id, account_label(name))

    def unlock_recovery(self, code: str) -> bytes:
        key = _unwrap(self.slots[RECOVERY], _normal_code(code), self.db_id, RECOVERY)
        if key is None:
            raise PermissionDenied("恢复密钥不正确，请核对保管的恢复密钥（字母和数字，分组的横线可省略）")
        return key

    def set_account(self, key: bytes, name: str, password: str) -> None:
        """Wrap ``key`` for an account (new or with a new password): that slot alone changes."""
        label = account_label(name)
        self.slots[label] = {"account": name, **_wrap(key, password, self.db_id, label)}
        self.save()

    def remove_account(self, name: str) -> None:
        if self.slots.pop(account_label(name), None) is not None:
            self.save()

    def account_names(self) -> list[str]:
        return [s["account"] for k, s in self.slots.items() if k != RECOVERY]

    # -- failed logins, kept here because the database cannot be written before it is open -------------------

    def failed(self, name: str, now: dt.datetime, *, max_failures: int, lock_time: dt.timedelta) -> tuple[int, dt.datetime | None]:
        """Count a wrong password for ``name``: (failures so far, lock end once there are ``max_failures``)."""
        slot = self.slots.get(account_label(name))
        if slot is None:
            return 0, None
        count = int(slot.get("failed", 0)) + 1
        until = None
        if count >= max_failures:
            until, count = now + lock_time, 0
            slot["locked_until"] = until.isoformat()
        slot["failed"] = count
        self.data.setdefault("pending", []).append({"account": slot["account"], "at": now.isoformat(),
                                                    "locked": until is not None})
        self.save()
        return count, until

    def refused(self, name: str, now: dt.datetime) -> None:
        """A login refused while the slot is locked, kept for the audit trail."""
        self.data.setdefault("pending", []).append({"account": name, "at": now.isoformat(), "locked": False})
        self.save()

    def locked_until(self, name: str) -> dt.datetime | None:
        slot = self.slots.get(account_label(name)) or {}
        return dt.datetime.fromisoformat(slot["locked_until"]) if slot.get("locked_until") else None

    def take_pending(self, name: str) -> list[dict]:
        """The failed logins not yet in the audit trail (the caller records them), the account's count cleared."""
        pending = self.data.pop("pending", [])
        slot = self.slots.get(account_label(name))
        if slot is not None:
            slot.pop("failed", None)
            slot.pop("locked_until", None)
        self.save()
        return pending

    def save(self) -> None:
        """Write atomically: a temporary file beside it, flushed to disk, then moved over the old one."""
        tmp = self.path.with_name(self.path.name + ".part")
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(self.data, f, ensure_ascii=False, indent=1)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise StoreError(f"无法写入密钥文件 {self.path}（{exc.strerror or exc}），没有修改") from None


def pragma_key(key: bytes) -> str:
    """The statement giving SQLCipher the raw key (no key derivation on each open)."""
    return f"PRAGMA key = \"x'{key.hex()}'\""
