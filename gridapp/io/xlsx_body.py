"""A streamed sheet's body rows written as SpreadsheetML ourselves, spliced into the sheet XlsxWriter made.

XlsxWriter's per-cell calls cost about a microsecond each; a list of 100,000 rows is 1.2 million cells. The
title, header, footer, styles, widths and panes stay XlsxWriter's; the body rows are made here, a chunk at a
time, in the markup XlsxWriter's constant-memory mode writes (inline strings, the same escapes), and deflated
straight into the final zip.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from math import isfinite

# What makes a row leave the fast path: characters XML or Excel escape, a literal "_xHHHH_", whitespace at
# either end of a value (values are joined by NUL, so at a NUL), or a value near Excel's 32,767 limit.
_ROW_SPECIAL = re.compile(r"[\x01-\x08\x0b-\x1f&<>\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$|\x00\s|\s\x00")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_ESCAPE_LIKE = re.compile(r"_x[0-9a-fA-F]{4}_")
_EDGE_SPACE = re.compile(r"^\s|\s$")
_STRMAX = 32767  # UTF-16 units in a cell
_EPOCH = dt.datetime(1899, 12, 31)
_KINDS = {int: "n", float: "f", type(None): "b"}  # bool is not int here: it is written 是/否
_ROW_TAG = re.compile(r'<row r="(\d+)"')
_ZIP64_CELLS = 10_000_000  # a sheet part this big may pass ZIP's 2 GiB without ZIP64


def _letters(col: int) -> str:
    name = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        name = chr(65 + rem) + name
    return name


def _text(s: str) -> tuple[str, bool]:
    """A value as XlsxWriter writes an inline string: truncated to Excel's limit, control characters as
    _xHHHH_ (a literal _xHHHH_ kept by escaping its underscore), XML-escaped; and whether it needs
    xml:space="preserve"."""
    if len(s) > _STRMAX // 2 and len(s.encode("utf-16-le")) // 2 > _STRMAX:
        s = s.encode("utf-16-le")[: 2 * _STRMAX].decode("utf-16-le", errors="ignore")
    s = _ESCAPE_LIKE.sub(r"_x005F\g<0>", s)
    s = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", s)
    s = s.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    preserve = _EDGE_SPACE.search(s) is not None
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), preserve


def _serial(v: dt.date) -> float:
    """Excel's 1900 serial (its phantom 29 February 1900 included), as XlsxWriter's write_datetime gives it."""
    if not isinstance(v, dt.datetime):
        v = dt.datetime(v.year, v.month, v.day)
    delta = v.replace(tzinfo=None) - _EPOCH
    serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
    return serial + 1 if serial > 59 else serial


class Body:
    """Rows of values in given cell styles (XlsxWriter xf indexes per column; dates and stamps in their own)
    as ``<row>`` markup. Values are typed as ``_Rows.values`` types them: blank, 是/否, number, date, text."""

    def __init__(self, styles: Sequence[int], *, date_style: int | None = None, stamp_style: int | None = None):
        self.date_style, self.stamp_style = date_style, stamp_style
        self.cols = [(_letters(j), s) for j, s in enumerate(styles)]
        self._shapes: dict[tuple[str, ...], str] = {}

    def _shape(self, kinds: tuple[str, ...]) -> str:
        """A row template for one pattern of plain text ("s"), number ("n", "f") and blank ("b") cells: {0} is
        the row number."""
        parts = ['<row r="{0}">']
        for k, ((letter, s), kind) in enumerate(zip(self.cols, kinds, strict=True)):
            if kind == "s":
                parts.append(f'<c r="{letter}{{0}}" s="{s}" t="inlineStr"><is><t>{{{k + 1}}}</t></is></c>')
            elif kind == "b":
                parts.append(f'<c r="{letter}{{0}}" s="{s}"/>')
            else:
                parts.append(f'<c r="{letter}{{0}}" s="{s}"><v>{{{k + 1}:.16G}}</v></c>')
        parts.append("</row>")
        return self._shapes.setdefault(kinds, "".join(parts))

    def rows(self, rows: Iterable[Sequence[object]], first: int) -> str:
        """The markup of ``rows``, the first being sheet row ``first`` (1-based)."""
        out = []
        shapes = self._shapes
        for r, values in enumerate(rows, first):
            kinds = tuple(("s" if v else "b") if v.__class__ is str else _KINDS.get(v.__class__, "x") for v in values)
            if "x" not in kinds and ("f" not in kinds or all(isfinite(v) for v in values if v.__class__ is float)):
                present = [v for v in values if v.__class__ is str and v]
                joined = "\x00".join(present)
                if (len(joined) < _STRMAX // 2 and joined.count("\x00") == len(present) - 1
                        and not _ROW_SPECIAL.search(joined)):
                    out.append((shapes.get(kinds) or self._shape(kinds)).format(r, *values))
                    continue
            out.append(self._row(r, values))
        return "".join(out)

    def _row(self, r: int, values: Sequence[object]) -> str:
        """One row cell by cell, for values other than plain text."""
        parts = [f'<row r="{r}">']
        for (letter, s), v in zip(self.cols, values, strict=True):
            ref = f"{letter}{r}"
            if v is None or v == "":
                parts.append(f'<c r="{ref}" s="{s}"/>')
                continue
            if isinstance(v, bool):
                v = "是" if v else "否"
            elif isinstance(v, int | float) and v == v and abs(v) != float("inf"):
                parts.append(f'<c r="{ref}" s="{s}"><v>{v:.16G}</v></c>')
                continue
            elif isinstance(v, dt.date):
                style = self.stamp_style if isinstance(v, dt.datetime) else self.date_style
                if style is None:
                    raise TypeError("a date in rows laid out without date styles")
                parts.append(f'<c r="{ref}" s="{style}"><v>{_serial(v):.16G}</v></c>')
                continue
            text, preserve = _text(str(v))
            space = ' xml:space="preserve"' if preserve else ""
            parts.append(f'<c r="{ref}" s="{s}" t="inlineStr"><is><t{space}>{text}</t></is></c>')
        parts.append("</row>")
        return "".join(parts)


def splice(workbook: io.BytesIO, sheets: dict[str, tuple[int, int, Iterator[str]]]) -> io.BytesIO:
    """The workbook with each named sheet part's body put after its row ``after`` (1-based); ``cells``, the
    body's size, decides on ZIP64. The chunks are deflated into the new zip as they come."""
    out = io.BytesIO()
    with zipfile.ZipFile(workbook) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dest:
        for info in src.infolist():
            data = src.read(info)
            if info.filename not in sheets:
                dest.writestr(info, data)
                continue
            after, cells, chunks = sheets[info.filename]
            xml = data.decode("utf-8")
            cut = next((m.start() for m in _ROW_TAG.finditer(xml) if int(m.group(1)) > after),
                       xml.index("</sheetData>"))
            with dest.open(info, "w", force_zip64=cells > _ZIP64_CELLS) as part:
                part.write(xml[:cut].encode("utf-8"))
                for chunk in chunks:
                    part.write(chunk.encode("utf-8"))
                part.write(xml[cut:].encode("utf-8"))
    out.seek(0)
    return out
