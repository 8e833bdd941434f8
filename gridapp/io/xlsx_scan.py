"""The worksheet and shared-strings XML as Excel, WPS, LibreOffice, openpyxl and XlsxWriter write it, read by
byte patterns instead of an XML parser: several times faster, the same cells.

Only the plain shapes are taken: ``<row r=…>`` holding ``<c r="B7" s=… t=…>`` cells, each with an optional
``<f>`` and a ``<v>`` or a plain ``<is><t>``, in the main namespace without a prefix, UTF-8, the five named
entities. The moment anything else appears (a comment, a prefix, a numeric character reference, rich inline
text, a cell without its address, an attribute written twice) the scan gives up with ``NotPlain`` and the
caller reads the part again with the XML parser, so a file the scan does not know reads exactly as before,
errors and their sentences included. Whatever the scan takes, it bounds and converts as ``Workbook`` does:
it calls the same ``_number``/``_text`` rules and the same refusals.

What is outside the worksheet's rows (the start tag, the merged ranges after them) still goes through the
XML parser, which also tells whether the document is well formed.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import ParseError, XMLPullParser, fromstring

_MAIN_NS = (b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", b"http://purl.oclc.org/ooxml/spreadsheetml/main")
# Text between tags: anything but markup, with the five named entities.
_TEXT = rb'[^<&]*(?:&(?:amp|lt|gt|quot|apos);[^<&]*)*'
_WS = rb'[ \t\r\n]*'
_ATTRS = rb'((?: [A-Za-z:]+="[^"<&]*")*)'
_ROW = re.compile(_WS + rb'<row' + _ATTRS + rb'[ \t\r\n]*(/?)>')
_ROW_R = re.compile(rb' r="([^"]*)"')
_ROW_R_ONLY = re.compile(rb' r="([0-9]{1,7})"')
_ROW_END = re.compile(_WS + rb'</row>')
_CELL = re.compile(
    rb'(' + _WS + rb'<c r="([A-Z]{1,3})([0-9]{1,7})"' + _ATTRS + rb'[ \t\r\n]*(?:/>|>'
    rb'(<f(?: [A-Za-z:]+="[^"<&]*")*[ \t\r\n]*(?:/>|>' + _TEXT + rb'</f>))?'
    rb'(?:<v>(' + _TEXT + rb')</v>|<v/>)?'
    rb'(<is><t(?: xml:space="preserve")?>(' + _TEXT + rb')</t></is>)?'
    rb'</c>))')
# Read with findall: a group that took no part is b"", so the <f> and <is> groups hold their tags.
# The cells most files hold (no space between them, no formula, no entity, <v> or plain <is> text), with the
# groups of _CELL (the formula's empty): a row wholly of them reads the same by either, this one twice as fast.
_SIMPLE_CELL = re.compile(
    rb'(<c r="([A-Z]{1,3})([0-9]{1,7})"' + _ATTRS + rb'>()(?:<v>([^<&]*)</v>)?(<is><t>([^<&]*)</t></is>)?</c>)')
_ATTR = re.compile(rb' ([A-Za-z:]+)="([^"]*)"')
_SHEET_DATA = re.compile(rb'<sheetData[ \t\r\n]*(/?)>')
_SHEET_DATA_END = re.compile(_WS + rb'</sheetData>')
_ROOT = re.compile(rb'(?:<\?xml version="1\.[0-9]"(?: encoding="[Uu][Tt][Ff]-8")?(?: standalone="(?:yes|no)")?[ \t]*\?>)?'
                   + _WS + rb'<(worksheet|sst)((?: [A-Za-z:]+="[^"<&]*")*)[ \t\r\n]*>')
_SI = re.compile(_WS + rb'<si><t(?: xml:space="preserve")?>(' + _TEXT + rb')</t></si>')
_SI_ANY = re.compile(_WS + rb'<si>')
_SST_END = re.compile(_WS + rb'</sst>' + _WS)
_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'"}
_ENTITY = re.compile(r"&(?:amp|lt|gt|quot|apos);")
# A row's bytes are held whole (and its cells as tuples); past this the scan gives up and the streaming parser reads the sheet.
MAX_ROW_BYTES = 1 << 20


class NotPlain(Exception):
    """The part holds something the scan does not take; read it with the XML parser."""


def text(raw: bytes) -> str:
    """Element text as the XML parser gives it: UTF-8 decoded, entities replaced, line ends made \\n."""
    try:
        s = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise NotPlain from None
    if "&" in s:
        s = _ENTITY.sub(lambda m: _ENTITIES[m.group(0)], s)
    if "\r" in s:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    return s


def check_root(head: bytes) -> bytes:
    """The document starts as the scan expects: an optional UTF-8 declaration, then the root element with the
    main namespace as its default (returned), each attribute once."""
    m = _ROOT.match(head)
    if m is None or b"<!--" in head or b"<![CDATA[" in head or b"<?" in head[m.end():]:
        raise NotPlain
    pairs = _ATTR.findall(m.group(2))
    attrs = dict(pairs)
    if len(attrs) != len(pairs) or attrs.get(b"xmlns") not in _MAIN_NS:
        raise NotPlain
    return m.group(0)


def element(root: bytes, fragment: bytes):
    """One element cut from the document, parsed under (a copy of) its root's start tag, so its namespaces hold."""
    name = _ROOT.match(root).group(1)
    try:
        return fromstring(root + fragment + b"</" + name + b">")[0]
    except (ParseError, IndexError):
        raise NotPlain from None


class Chunks:
    """A bounded member's bytes as a growing buffer, and an XML parser fed what the scan leaves to it."""

    def __init__(self, stream):
        self.stream = stream
        self.buf = b""
        self.eof = False
        self.parser = XMLPullParser(("end",))

    def more(self) -> bool:
        if self.eof:
            return False
        data = self.stream.read()
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def feed(self, data: bytes):
        """Give bytes to the XML parser; its finished elements. A parse error is the parser's to word: NotPlain."""
        try:
            self.parser.feed(data)
            return list(self.parser.read_events())
        except ParseError:
            raise NotPlain from None

    def close(self):
        try:
            self.parser.close()
            return list(self.parser.read_events())
        except ParseError:
            raise NotPlain from None


def cell_kinds(cache: dict[bytes, tuple[str, int]], attrs: bytes) -> tuple[str, int]:
    """(t, s) of a cell's other attributes, each distinct attribute text parsed once."""
    found = cache.get(attrs)
    if found is None:
        pairs = _ATTR.findall(attrs)
        names = [n for n, _ in pairs]
        if len(set(names)) != len(names) or b"r" in names or any(n.startswith(b"xmlns") for n in names):
            raise NotPlain
        values = dict(pairs)
        kind = text(values.get(b"t", b"n"))
        s = values.get(b"s")
        found = (kind, int(s) if s and s.isdigit() else 0)
        if len(cache) < 4096:
            cache[attrs] = found
    return found


def row_number(attrs: bytes) -> str | None:
    """A row's r attribute as the parser gives it (whitespace in it normalised to spaces), or None."""
    plain = _ROW_R_ONLY.fullmatch(attrs)
    if plain is not None:  # nearly every row: its number and nothing else
        return plain.group(1).decode("ascii")
    if b"xmlns" in attrs:
        raise NotPlain
    found = _ROW_R.findall(attrs)
    if len(found) > 1:
        raise NotPlain
    if not found:
        return None
    return text(found[0]).replace("\t", " ").replace("\n", " ")
