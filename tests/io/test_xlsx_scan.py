"""The byte scan of worksheets and shared strings reads every shape as the XML parser does: the same cells, the
same merged ranges and markers, the same sentence for a damaged or out-of-bounds file; and it gives way to the
parser for whatever it does not take."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest

from gridapp.core.errors import ValidationError
from gridapp.io import xlsx_reader, xlsx_scan
from tests.conftest import SAMPLES
from tests.hostile import builders as B

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_HEAD = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {_NS}><sheetData>'


def _outcome(path: Path) -> tuple:
    try:
        return ("read", [(s.name, repr(s.rows), s.merges, sorted(s.marked), s.height, s.width)
                         for s in xlsx_reader.read_sheets(path)])
    except ValidationError as exc:
        return ("refused", exc.message)


def _parsed(path: Path, monkeypatch) -> tuple:
    """What the XML parser alone reads."""
    def not_plain(self, *args):
        raise xlsx_scan.NotPlain

    with monkeypatch.context() as m:
        m.setattr(xlsx_reader.Workbook, "_scan_sheet", not_plain)
        m.setattr(xlsx_reader.Workbook, "_scan_strings", not_plain)
        return _outcome(path)


def _scanned(path: Path, monkeypatch) -> tuple[tuple, list[str]]:
    """What the reader reads, and which parts it left to the parser."""
    fallbacks: list[str] = []
    for name in ("_parse_sheet", "_parse_strings"):
        original = getattr(xlsx_reader.Workbook, name)

        def counted(self, *args, _original=original, _name=name):
            fallbacks.append(_name)
            return _original(self, *args)

        monkeypatch.setattr(xlsx_reader.Workbook, name, counted)
    try:
        return _outcome(path), fallbacks
    finally:
        monkeypatch.undo()


def _book(path: Path, sheet_xml: str | bytes, strings: str | None = None) -> Path:
    """A workbook whose sheet (and shared strings) are exactly the bytes given."""
    writer = (lambda f: f.write(strings.encode())) if strings is not None else None
    B.raw_xlsx(path, [], shared_writer=writer)
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    parts["xl/worksheets/sheet1.xml"] = sheet_xml.encode() if isinstance(sheet_xml, str) else sheet_xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def _rows(body: str, tail: str = "") -> str:
    return f"{_HEAD}{body}</sheetData>{tail}</worksheet>"


_SST = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst {_NS} count="6" uniqueCount="6">'
STRINGS = (_SST + "<si><t>姓名</t></si><si><t xml:space=\"preserve\"> 王 娟 </t></si>"
           "<si><t>东京</t><rPh sb=\"0\" eb=\"2\"><t>とうきょう</t></rPh><phoneticPr fontId=\"1\"/></si>"
           "<si><r><t>红</t></r><r><rPr><b/></rPr><t>色_x000D_</t></r></si><si><t>A&amp;B &lt;1&gt;</t></si>"
           "<si><t/></si><si><t>a_x005F_x000D_b</t></si><si><t>line\r\nbreak</t></si></sst>")

# (name, sheet XML, whether the parser is spared: the scan reads it, or the stream refuses it first)
SHAPES = [
    ("values", _rows('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1"><v>12</v></c>'
                     '<c r="D1"><v>1.5E+3</v></c><c r="E1"><v> 7 </v></c><c r="F1" t="b"><v>1</v></c>'
                     '<c r="G1"><v>370203199001011234</v></c><c r="H1"><v>12.0</v></c></row>'), True),
    ("rich text and phonetic guides", _rows('<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c>'
                                            '<c r="C2" t="s"><v>4</v></c><c r="D2" t="s"><v>5</v></c>'
                                            '<c r="E2" t="s"><v>6</v></c><c r="F2" t="s"><v>7</v></c></row>'), True),
    ("formulas", _rows('<row r="1"><c r="A1"><f>ROW()</f></c><c r="B1"><f t="shared" ref="B1:B2" si="0">A1</f><v/></c>'
                       '<c r="C1"><f>1+1</f><v>2</v></c><c r="D1" t="str"><f>A1&amp;""</f><v>a&amp;b</v></c>'
                       '<c r="E1" t="str"><f>""</f><v></v></c><c r="F1" s="0"/></row>'
                       '<row r="2"><c r="B2"><f t="shared" si="0"/></c></row>'), True),
    ("error values", _rows('<row r="1"><c r="A1" t="e"><v>#REF!</v></c><c r="B1" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
                           '<c r="C1" t="s"><v>0</v></c></row>'), True),
    ("inline strings", _rows('<row r="1"><c r="A1" t="inlineStr"><is><t>a&amp;b</t></is></c>'
                             '<c r="B1" t="inlineStr"><is><t></t></is></c><c r="C1" t="inlineStr"></c>'
                             '<c r="D1" t="inlineStr"><is><t xml:space="preserve">x\r\ny\rz</t></is></c>'
                             '<c r="E1" t="inlineStr"><is><t>a\u200bb_x000D_</t></is></c><c r="F1" t="d"><v>2021-03-15</v></c>'
                             '<c r="G1" t="d"><v>soon</v></c><c r="H1" t="zz"><v>odd</v></c></row>'), True),
    ("inline strings out of order, repeated, beside others", _rows(
        '<row r="1"><c r="C1" t="inlineStr"><is><t>c</t></is></c><c r="A1" t="inlineStr"><is><t>a</t></is></c>'
        '<c r="A1" t="inlineStr"><is><t>again</t></is></c><c r="B1" t="inlineStr"><f>"b"</f><is><t>b</t></is></c>'
        '<c r="D1" t="inlineStr"><v>ignored</v><is><t>d</t></is></c><c r="E1" t="inlineStr"><v>only v</v></c>'
        '<c r="F1" t="inlineStr" s="0"><is><t>​</t></is></c><c r="G1"><v>7</v></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c><c r="C2" t="inlineStr"><is><t>z</t></is></c></row>'),
     True),
    ("plain cells only, of every plain kind", _rows(
        '<row r="1"><c r="A1" t="inlineStr"><v>both</v><is><t>is wins</t></is></c><c r="B1"></c><c r="C1"><v></v></c>'
        '<c r="D1" t="s" s="0"><v>1</v></c><c r="E1" t="inlineStr"><is><t></t></is></c><c r="F1" t="n"><v> 7 </v></c>'
        '<c r="G1" t="e"><v>#N/A</v></c><c r="H1" t="b"><v>0</v></c></row>'
        '<row r="2"><c r="B2" t="inlineStr"><is><t>x</t></is></c><c r="A2"><v>2</v></c></row>'
        '<row r="3"><c r="A3"><v>3</v></c> <c r="B3"><v>4</v></c><c r="C3" t="inlineStr"><is><t>a&amp;b</t></is></c>'
        '<c r="D3" t="inlineStr"><is><t xml:space="preserve"> p </t></is></c></row>'), True),
    ("a long inline text after short ones", _rows(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>短</t></is></c><c r="B1" t="inlineStr"><is><t>'
        + "长" * 32_768 + '</t></is></c><c r="C1"><v>12x</v></c></row>'), True),
    ("columns out of order and repeated", _rows('<row r="1"><c r="C1"><v>3</v></c><c r="A1"><v>1</v></c>'
                                                '<c r="A1"><v>9</v></c></row><row r="1"><c r="E1"><v>5</v></c></row>'
                                                '<row r="3"><c r="B3"><v>2</v></c><c r="D3" t="s"><v>1</v></c></row>'), True),
    ("rows without numbers", _rows('<row><c r="A1"><v>1</v></c></row><row spans="1:2" ht="20" customHeight="1">'
                                   '<c r="A2"><v>2</v></c></row><row r="7"/><row><c r="B8"><v>8</v></c></row>'), True),
    ("pretty printed", _rows('\n  <row r="1">\n    <c r="A1" t="s">\n      <v>0</v>\n    </c>\n  </row>\n'
                             '  <row r="2" >\n    <c r="A2" s="0" >\n      <v>2</v>\n    </c>\n  </row>\n'), False),
    ("merged ranges", _rows('<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2"><v>1</v></c></row>',
                            '<mergeCells count="2"><mergeCell ref="A1:C1"/><mergeCell ref="B2"/></mergeCells>'), True),
    ("a merged range that is not one", _rows('<row r="1"><c r="A1"><v>1</v></c></row>',
                                             '<mergeCells><mergeCell ref="A1:ZZZZ9"/></mergeCells>'), True),
    ("cells without their address", _rows('<row r="1"><c t="s"><v>0</v></c><c><v>2</v></c></row>'), False),
    ("attributes in another order", _rows('<row r="1"><c t="s" r="A1"><v>0</v></c></row>'), False),
    ("a comment among the rows", _rows('<row r="1"><c r="A1"><v>1</v></c></row><!-- x --><row r="2"/>'), False),
    ("a character reference", _rows('<row r="1"><c r="A1" t="inlineStr"><is><t>&#20013;</t></is></c></row>'), False),
    ("rich inline text", _rows('<row r="1"><c r="A1" t="inlineStr"><is><r><t>a</t></r><r><t>b</t></r></is></c></row>'),
     False),
    ("a prefixed namespace", '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                             '<x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row></x:sheetData>'
                             '</x:worksheet>', False),
    ("another default namespace", '<worksheet xmlns="urn:other"><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
                                  '</sheetData></worksheet>', False),
    ("a bad number", _rows('<row r="1"><c r="A1"><v>12x</v></c></row>'), True),
    ("a shared string that is not there", _rows('<row r="1"><c r="A1" t="s"><v>99</v></c></row>'), True),
    ("a negative shared string", _rows('<row r="1"><c r="A1" t="s"><v>-1</v></c></row>'), True),
    ("a bad row number", _rows('<row r="x1"><c r="A1"><v>1</v></c></row>'), True),
    ("a cell past the columns", _rows('<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>1</v></c></row>'), True),
    ("a cell past the rows", _rows('<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="A1048576">'
                                   '<v>1</v></c></row>'), True),
    ("a row wider than Excel's", _rows('<row r="1">' + '<c r="A1"><v>1</v></c>' * 16_385 + "</row>"), False),
    ("a text longer than a cell", _rows('<row r="1"><c r="A1" t="inlineStr"><is><t>' + "长" * 32_768
                                        + "</t></is></c></row>"), True),
    ("mismatched tags", _rows('<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></row>'), False),
    ("cut short", _rows('<row r="1"><c r="A1"><v>1</v></c></row>' * 50)[:-300], False),
    ("the end cut off", _rows('<row r="1"><c r="A1"><v>1</v></c></row>').replace("</worksheet>", ""), False),
    ("an empty sheet", f'<?xml version="1.0"?><worksheet {_NS}><sheetData/></worksheet>', True),
    ("a DTD", '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaa">]>'
              f'<worksheet {_NS}><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>', True),
]


@pytest.mark.parametrize(("name", "xml", "scanned"), SHAPES, ids=[s[0] for s in SHAPES])
def test_every_shape_reads_as_the_parser_reads_it(tmp_path, monkeypatch, name, xml, scanned):
    path = _book(tmp_path / "形状.xlsx", xml, STRINGS)
    expected = _parsed(path, monkeypatch)
    got, fallbacks = _scanned(path, monkeypatch)
    assert got == expected
    assert ("_parse_sheet" not in fallbacks) == scanned, fallbacks
    if name == "values":
        assert got[1][0][1] == "{1: ['姓名', ' 王 娟 ', 12, 1500.0, 7, True, 370203199001011234, 12.0]}"
    if name == "rich text and phonetic guides":
        assert "'东京', '红色\\r', 'A&B <1>', '', 'a\\rb', 'line\\nbreak'" in got[1][0][1]


@pytest.mark.parametrize("strings", [
    STRINGS.replace("<si><t/></si>", "<si><t/></si><!-- -->"),  # the parser for the whole part
    STRINGS.replace('count="6"', 'count="6" count="7"'),  # an attribute twice: the parser's sentence
    STRINGS[:-200],  # cut short
    _SST + "<si><t>" + "长" * 32_768 + "</t></si><si><t>短</t></si></sst>",  # kept as None, refused where used
    _SST.replace(_NS, 'xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"') + "<si><t>严格</t></si></sst>",
])
def test_shared_strings_read_as_the_parser_reads_them(tmp_path, monkeypatch, strings):
    xml = _rows('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>')
    path = _book(tmp_path / "字符串.xlsx", xml, strings)
    assert _scanned(path, monkeypatch)[0] == _parsed(path, monkeypatch)


def test_dates_by_number_format_in_both_date_systems(tmp_path, monkeypatch):
    for epoch_1904 in (False, True):
        wb = openpyxl.Workbook()
        wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904 if epoch_1904 else wb.epoch
        ws = wb.active
        ws.append(["任职时间", "时长", "时间"])
        ws.append([dt.datetime(2021, 3, 15), dt.timedelta(hours=36), dt.datetime(2021, 3, 15, 8, 30)])
        ws.append([dt.date(1950, 1, 1), 3, "2021-03-15"])
        path = tmp_path / f"日期{int(epoch_1904)}.xlsx"
        wb.save(path)
        got, fallbacks = _scanned(path, monkeypatch)
        assert got == _parsed(path, monkeypatch) and fallbacks == []
        assert "datetime.datetime(2021, 3, 15, 0, 0)" in got[1][0][1]
        assert "datetime.timedelta(days=1, seconds=43200)" in got[1][0][1]


def test_the_samples_are_scanned_not_parsed(monkeypatch):
    for path in sorted(SAMPLES.glob("*.xlsx")):
        got, fallbacks = _scanned(path, monkeypatch)
        assert fallbacks == [] and got == _parsed(path, monkeypatch), path.name


def test_a_long_run_of_rows_arrives_in_many_chunks(tmp_path, monkeypatch):
    """Rows cut across the reader's 64 KB chunks (and a text near a cell's limit across two) are read whole."""
    body = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c><c r="B{n}" t="inlineStr"><is><t>{"字" * (n % 700)}</t>'
                   f'</is></c><c r="C{n}" t="s"><v>{n % 8}</v></c></row>' for n in range(1, 3000))
    body += '<row r="3000"><c r="A3000" t="inlineStr"><is><t>' + "长" * 32_000 + "</t></is></c></row>"
    path = _book(tmp_path / "长.xlsx", _rows(body), STRINGS)
    got, fallbacks = _scanned(path, monkeypatch)
    assert fallbacks == [] and got == _parsed(path, monkeypatch)
    assert got[1][0][4] == 3000


_PIECES = ['<c r="A1">', '<c r="B7" t="inlineStr">', '<c r="AA12" s="3" t="s">', '<c r="C2" t="n" >', '<c r="D1"/>',
           "<v>1</v>", "<v></v>", "<v/>", "<v> 7 </v>", "<v>a&amp;b</v>", "<f>A1</f>", "<is><t>王</t></is>",
           '<is><t xml:space="preserve"> x </t></is>', "<is><t></t></is>", "</c>", " ", "\n", "<c", ">"]


@pytest.mark.parametrize("seed", range(40))
def test_the_plain_cell_pattern_reads_what_the_full_one_reads(seed):
    """Wherever the plain cells' pattern covers a row, it finds the very groups the full pattern finds."""
    import random

    rng = random.Random(seed)
    for _ in range(300):
        cells = []
        for _ in range(rng.randrange(1, 5)):
            if rng.random() < 0.8:  # a well-formed cell of a random plain or not-so-plain shape
                head = rng.choice(_PIECES[:4])
                body = "".join(rng.sample(_PIECES[5:14], rng.randrange(0, 3)))
                cells.append(head + body + "</c>")
            else:
                cells.append("".join(rng.choice(_PIECES) for _ in range(rng.randrange(1, 4))))
        row = "".join(cells).encode()
        simple = xlsx_scan._SIMPLE_CELL.findall(row)
        if sum(len(c[0]) for c in simple) == len(row.rstrip(b" \t\r\n")):
            assert simple == xlsx_scan._CELL.findall(row), row
