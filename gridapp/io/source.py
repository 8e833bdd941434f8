"""What a path given as a sheet really is, told by its first bytes rather than trusted from its name.

An .xlsx is a zip; one with an opening password is an OLE compound document holding EncryptionInfo
and EncryptedPackage; .xls and WPS's .et are compound documents too; a .csv is text. Anything else (a
folder, a missing file, an empty file, a .pdf or .doc renamed) gets a sentence naming it.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

from gridapp.core.errors import ValidationError
from gridapp.io import limits

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP = b"PK\x05\x06"
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
# What import reads, as a sentence lists it.
READABLE = ".xlsx、.xls、.et、.ods、.xlsb 或 .csv"  # (and .fods, which few people meet)
_ENCRYPTED = ("EncryptionInfo", "EncryptedPackage")
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
_SNIFF_BYTES = 64 * 1024


def source_kind(path: Path) -> str:
    """``"xlsx"``, ``"xls"`` (also WPS .et), ``"ods"``, ``"xlsb"``, ``"csv"``, ``"html"`` (a web page named .xls) or
    ``"xml2003"`` (an Excel 2003 XML file named .xls) or ``"fods"`` (a flat OpenDocument spreadsheet),
    told by content, not by name;
    a path that is none is refused with what it is and what to do."""
    if not path.exists():
        raise ValidationError(f"文件不存在：{path}")
    if path.is_dir():
        raise ValidationError(f"{path} 是文件夹，不是表格文件，请选择其中的 {READABLE} 文件")
    if not path.is_file():
        raise ValidationError(f"{path} 不是普通文件，无法作为表格导入")
    try:
        with path.open("rb") as f:
            head = f.read(_SNIFF_BYTES)
    except OSError as exc:
        raise ValidationError(f"无法读取文件 {path}：{exc.strerror or exc}") from None
    suffix = path.suffix.lower()
    if not head:
        raise ValidationError(f"文件 {path.name} 是空文件（0 字节），没有可导入的内容")
    if head.startswith(OLE_MAGIC):
        return _ole_kind(path)
    if head.startswith((ZIP_MAGIC, EMPTY_ZIP)):
        return _zip_kind(path, head)
    text = _text_kind(path, head)
    if text:
        return text
    if head.startswith(b"%PDF"):
        raise ValidationError(f"{path.name} 是 PDF 文件，不是表格，无法导入；请选择 {READABLE} 文件")
    if suffix in XLSX_SUFFIXES:
        raise ValidationError(f"{path.name} 不是有效的 Excel（.xlsx）文件，或文件已损坏（文件开头不是 .xlsx 格式）")
    if suffix in (".xls", ".et", ".ods", ".xlsb", ".fods"):
        raise ValidationError(f"{path.name} 不是有效的 {suffix} 文件，或文件已损坏（文件开头不是表格格式）")
    raise ValidationError(f"不支持的文件类型：{path.name}（请选择 {READABLE} 文件）")


def _ole_kind(path: Path) -> str:
    """A compound document: a workbook (.xls, .et) if it holds a Workbook or Book stream."""
    limits.check_size(path)
    try:
        names = _directory_names(path)
    except (OSError, ValueError, struct.error):
        names = None
    if _is_encrypted(path, names):
        raise ValidationError(f"文件 {path.name} 设有打开密码，请在 Excel 中取消密码后再导入")
    if names is None:
        raise ValidationError(f"文件 {path.name} 已损坏或不是有效的 {path.suffix or '.xls'} 文件："
                              "复合文档的目录已损坏或文件不完整")
    if names & {"Workbook", "Book"}:
        return "xls"
    what = " Word 文档（.doc）" if "WordDocument" in names else " PowerPoint 演示文稿" if "PowerPoint Document" in names \
        else "其他 Office 文件"
    raise ValidationError(f"{path.name} 不是表格文件，而是{what}，请选择 {READABLE} 文件")


def _zip_kind(path: Path, head: bytes) -> str:
    """A zip: .ods by its mimetype, .xlsb by its xl/workbook.bin, otherwise read as an .xlsx."""
    mimetype = _first_member(head)
    if mimetype is not None and mimetype[0] == "mimetype":
        if mimetype[1].strip() == _ODS_MIME:
            return "ods"
        if mimetype[1].startswith(b"application/vnd.oasis.opendocument"):
            raise ValidationError(f"{path.name} 是 OpenDocument 文档，不是表格（{mimetype[1][35:].decode('ascii', 'replace')}），"
                                  f"请选择 {READABLE} 文件")
    names = _zip_names(path)
    if names is None:
        return "xlsx"  # the .xlsx reader says what is wrong with the container
    if "xl/workbook.bin" in names:
        return "xlsb"
    suffix = path.suffix.lower()
    if "xl/workbook.xml" not in names and ("mimetype" in names or suffix == ".ods"):
        return "ods"  # the .ods reader says what is missing
    if "xl/workbook.xml" not in names and suffix == ".xlsb":
        return "xlsb"
    if "word/document.xml" in names:
        raise ValidationError(f"{path.name} 不是表格文件，而是 Word 文档（.docx），请选择 {READABLE} 文件")
    if "ppt/presentation.xml" in names:
        raise ValidationError(f"{path.name} 不是表格文件，而是 PowerPoint 演示文稿，请选择 {READABLE} 文件")
    if suffix in (".docx", ".pptx", ".zip") and "xl/workbook.xml" not in names:
        raise ValidationError(f"{path.name} 不是表格文件（{suffix} 格式），请选择 {READABLE} 文件")
    return "xlsx"


def _first_member(head: bytes) -> tuple[str, bytes] | None:
    """The name and (stored) content of a zip's first member, from its local header."""
    if len(head) < 30 or not head.startswith(ZIP_MAGIC):
        return None
    method, packed, name_len, extra_len = struct.unpack_from("<H8xIxxxxHH", head, 8)
    start = 30 + name_len + extra_len
    name = head[30:30 + name_len].decode("cp437", "replace")
    return name, head[start:start + packed] if method == 0 and packed <= 200 else b""


def _zip_names(path: Path) -> set[str] | None:
    """The member names of a zip (as compared: forward slashes, lower case), if its directory is small."""
    try:
        with path.open("rb") as f:
            end = zipfile._EndRecData(f)
            if end is None or end[zipfile._ECD_ENTRIES_TOTAL] > 10_000 or end[zipfile._ECD_SIZE] > 8 << 20:
                return None
        with zipfile.ZipFile(path) as z:
            return {n.replace("\\", "/").lstrip("/").lower() for n in z.namelist()}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError, struct.error, NotImplementedError):
        return None


def _text_kind(path: Path, head: bytes) -> str | None:
    """A text file: a CSV (also a tab-separated “Excel” export named .xls), a web page or an Excel 2003 XML
    file saved under a sheet's name, or a sentence for other XML."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"  # the CSV reader says what is wrong with one that is not text
    if suffix not in (".xls", ".et", ".fods", ".ods"):
        return None
    if not _looks_like_text(head):
        return None
    sample = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:2048].lower()
    if b"<office:document" in head and _ODS_MIME in head:
        return "fods"  # a flat OpenDocument spreadsheet (LibreOffice's “Flat XML” .fods)
    if suffix in (".fods", ".ods"):
        return None
    if sample.startswith(b"<") or b"<html" in sample or b"<table" in sample:
        if b"urn:schemas-microsoft-com:office:spreadsheet" in head.lower():
            return "xml2003"  # an Excel 2003 XML Spreadsheet: its worksheets are read
        if b"<html" in sample or b"<table" in sample or b"<!doctype html" in sample:
            return "html"  # a web page saved as “Excel”: its tables are read
        raise ValidationError(f"{path.name} 虽然名为 {suffix}，实际是 XML 文本，不是表格；"
                              f"请在 Excel 或 WPS 中打开后“另存为” .xlsx 再导入")
    return "csv"


def _is_encrypted(path: Path, names: set[str] | None) -> bool:
    """Whether a compound document holds the streams of an encrypted Office file (read from its directory,
    with a plain search for the names as a fallback when the directory cannot be followed)."""
    if names is not None:
        return any(n in names for n in _ENCRYPTED)
    with path.open("rb") as f:
        head = f.read(1 << 20)
    return any(n.encode("utf-16-le") in head for n in _ENCRYPTED)


def _looks_like_text(head: bytes) -> bool:
    """Whether a file's first bytes are text (UTF-16 with its BOM, UTF-8 or GB18030) without control characters."""
    for bom, encoding in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            text = head[2:len(head) - (len(head) % 2)].decode(encoding, "replace")
            break
    else:
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError as exc:
            cut = head[:exc.start] if exc.start > len(head) - 4 else head
            try:
                text = cut.decode("utf-8") if cut is not head else head.decode("gb18030")
            except UnicodeDecodeError:
                return False
    return not any(ch < " " and ch not in "\t\r\n" for ch in text) and "\ufffd" not in text[:-1]


def _directory_names(path: Path) -> set[str]:
    """The stream names in a compound document's directory."""
    return set(_Compound(path).entries)


def ole_stream(path: Path, names: tuple[str, ...]) -> bytes | None:
    """The content of the first of ``names`` a compound document holds (None if it holds none).

    Raises ValueError (or OSError) for a directory or sector chain that cannot be followed."""
    doc = _Compound(path)
    for name in names:
        if name in doc.entries:
            return doc.read(*doc.entries[name])
    return None


_FREE = 0xFFFFFFFA  # sector numbers from here on mark the end of a chain or a free sector


class _Compound:
    """A compound document (MS-CFB) read as far as a spreadsheet needs: its FAT, mini FAT and directory,
    every chain followed at most as many steps as the file has sectors."""

    def __init__(self, path: Path):
        self.data = data = path.read_bytes()
        if len(data) < 512:
            raise ValueError("short header")
        shift, mini_shift = struct.unpack_from("<HH", data, 30)
        if shift not in (9, 12) or mini_shift != 6:
            raise ValueError("sector size")
        self.size = 1 << shift
        self.sectors = (len(data) - 512 + self.size - 1) // self.size
        dir_count, fat_count = struct.unpack_from("<II", data, 40)
        first_dir, _, self.cutoff, first_mini, mini_count, first_difat, difat_count = \
            struct.unpack_from("<IIIIIII", data, 48)
        # calamine sizes its buffers by these counts and by each stream's declared size before reading a
        # sector (a flipped bit asks it for hundreds of gigabytes, and the process is killed): none may
        # exceed the file.
        if max(dir_count, fat_count, mini_count, difat_count) > self.sectors or self.cutoff != 4096:
            raise ValueError("header counts beyond the file")
        fat_sectors = [s for s in struct.unpack_from("<109I", data, 76) if s < _FREE]
        sector, steps = first_difat, 0
        while sector < _FREE and steps < min(difat_count, self.sectors):
            chunk = self._sector(sector)
            values = struct.unpack(f"<{self.size // 4}I", chunk)
            fat_sectors.extend(v for v in values[:-1] if v < _FREE)
            sector, steps = values[-1], steps + 1
        self.fat: list[int] = []
        for s in fat_sectors[:self.sectors]:
            self.fat.extend(struct.unpack(f"<{self.size // 4}I", self._sector(s)))
        directory = self._chain(first_dir)
        self.entries: dict[str, tuple[int, int]] = {}
        root: tuple[int, int] | None = None
        for off in range(0, len(directory) - 127, 128):
            length = struct.unpack_from("<H", directory, off + 64)[0]
            kind = directory[off + 66]
            start, size = struct.unpack_from("<IQ", directory, off + 116)
            if kind in (2, 5) and size > len(data):
                raise ValueError("a stream larger than the file")
            if kind == 5 and root is None:
                root = (start, size)
            elif kind == 2 and 2 <= length <= 64:
                name = directory[off:off + length - 2].decode("utf-16-le", "replace")
                self.entries.setdefault(name, (start, size))
        self.mini_fat = list(struct.unpack(f"<{len(m) // 4}I", m)) if (m := self._chain(first_mini)) else []
        self.mini_stream = self._chain(root[0])[:root[1]] if root else b""

    def _sector(self, n: int) -> bytes:
        if n >= self.sectors:
            raise ValueError("truncated: sector beyond the end of the file")
        at = 512 + n * self.size
        return self.data[at:at + self.size]

    def _chain(self, first: int) -> bytes:
        out, sector, steps = [], first, 0
        while sector < _FREE:
            if steps > self.sectors:
                raise ValueError("sector chain loops")
            out.append(self._sector(sector))
            sector = self.fat[sector] if sector < len(self.fat) else 0xFFFFFFFE
            steps += 1
        return b"".join(out)

    def read(self, start: int, size: int) -> bytes:
        if size < self.cutoff:
            out, sector, steps = [], start, 0
            while sector < _FREE and steps * 64 < size:
                at = sector * 64
                if at + 64 > len(self.mini_stream):
                    raise ValueError("truncated mini stream")
                out.append(self.mini_stream[at:at + 64])
                sector = self.mini_fat[sector] if sector < len(self.mini_fat) else 0xFFFFFFFE
                steps += 1
            data = b"".join(out)
        else:
            data = self._chain(start)
        if len(data) < size:
            raise ValueError("truncated stream")
        return data[:size]
