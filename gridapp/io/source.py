"""What a path given as a sheet really is, told by its first bytes rather than trusted from its name.

An .xlsx is a zip; one with an opening password is an OLE compound document holding EncryptionInfo
and EncryptedPackage; .xls and WPS's .et are compound documents too; a .csv is text. Anything else (a
folder, a missing file, an empty file, a .pdf or .doc renamed) gets a sentence naming it.
"""

from __future__ import annotations

import struct
from pathlib import Path

from gridapp.core.errors import ValidationError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP = b"PK\x05\x06"
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
_ENCRYPTED = ("EncryptionInfo", "EncryptedPackage")


def source_kind(path: Path) -> str:
    """``"xlsx"`` or ``"csv"``; a path that is neither is refused with what it is and what to do."""
    if not path.exists():
        raise ValidationError(f"文件不存在：{path}")
    if path.is_dir():
        raise ValidationError(f"{path} 是文件夹，不是表格文件，请选择其中的 .xlsx 或 .csv 文件")
    if not path.is_file():
        raise ValidationError(f"{path} 不是普通文件，无法作为表格导入")
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise ValidationError(f"无法读取文件 {path}：{exc.strerror or exc}") from None
    suffix = path.suffix.lower()
    if not head:
        raise ValidationError(f"文件 {path.name} 是空文件（0 字节），没有可导入的内容")
    if head.startswith(OLE_MAGIC):
        if _is_encrypted(path):
            raise ValidationError(f"文件 {path.name} 设有打开密码，请在 Excel 中取消密码后再导入")
        if suffix == ".xls":
            raise ValidationError(f"{path.name} 是旧版 .xls 格式，请在 Excel 中“另存为” .xlsx 后再导入")
        if suffix == ".et":
            raise ValidationError(f"{path.name} 是 WPS 表格（.et）格式，请在 WPS 中“另存为” .xlsx 后再导入")
        raise ValidationError(f"{path.name} 不是 .xlsx 文件（是旧版 Office 格式，如 .xls 或 .doc），"
                              "请在 Excel 中打开并“另存为” .xlsx 后再导入")
    if head.startswith((ZIP_MAGIC, EMPTY_ZIP)):
        if suffix == ".ods":
            raise ValidationError(f"{path.name} 是 OpenDocument（.ods）格式，请“另存为” .xlsx 后再导入")
        if suffix in (".docx", ".pptx", ".zip"):
            raise ValidationError(f"{path.name} 不是表格文件（{suffix} 格式），请选择 .xlsx 或 .csv 文件")
        return "xlsx"
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix == ".xls":
        raise ValidationError(f"{path.name} 是旧版 .xls 格式，请在 Excel 中“另存为” .xlsx 后再导入")
    if suffix in (".et", ".ods"):
        raise ValidationError(f"{path.name} 不是有效的 {suffix} 文件；请另存为 .xlsx 后再导入")
    if head.startswith(b"%PDF"):
        raise ValidationError(f"{path.name} 是 PDF 文件，不是表格，无法导入；请选择 .xlsx 或 .csv 文件")
    if suffix in XLSX_SUFFIXES:
        raise ValidationError(f"{path.name} 不是有效的 Excel（.xlsx）文件，或文件已损坏（文件开头不是 .xlsx 格式）")
    raise ValidationError(f"不支持的文件类型：{path.name}（请选择 .xlsx 或 .csv 文件）")


def _is_encrypted(path: Path) -> bool:
    """Whether a compound document holds the streams of an encrypted Office file (read from its directory,
    with a plain search for the names as a fallback when the directory cannot be followed)."""
    try:
        names = _directory_names(path)
    except (OSError, ValueError, struct.error):
        names = None
    if names is not None:
        return any(n in names for n in _ENCRYPTED)
    with path.open("rb") as f:
        head = f.read(1 << 20)
    return any(n.encode("utf-16-le") in head for n in _ENCRYPTED)


def _directory_names(path: Path) -> set[str]:
    """The stream names in a compound document's directory (MS-CFB), following at most a few hundred
    sectors of its chain: enough for any directory a spreadsheet or its encryption needs."""
    with path.open("rb") as f:
        header = f.read(512)
        if len(header) < 512:
            raise ValueError("short header")
        shift = struct.unpack_from("<H", header, 30)[0]
        if shift not in (9, 12):
            raise ValueError("sector size")
        size = 1 << shift
        first_dir = struct.unpack_from("<I", header, 48)[0]
        fat_sectors = [s for s in struct.unpack_from("<109I", header, 76) if s < 0xFFFFFFFA][:64]

        def read_sector(n: int) -> bytes:
            f.seek((n + 1) * size)
            data = f.read(size)
            if len(data) < size:
                raise ValueError("truncated")
            return data

        fat: list[int] = []
        for s in fat_sectors:
            fat.extend(struct.unpack(f"<{size // 4}I", read_sector(s)))
        names: set[str] = set()
        sector, seen = first_dir, 0
        while sector < 0xFFFFFFFA and seen < 256:
            data = read_sector(sector)
            for off in range(0, size, 128):
                length = struct.unpack_from("<H", data, off + 64)[0]
                if 2 <= length <= 64:
                    names.add(data[off:off + length - 2].decode("utf-16-le", "replace"))
            seen += 1
            sector = fat[sector] if sector < len(fat) else 0xFFFFFFFE
        return names
