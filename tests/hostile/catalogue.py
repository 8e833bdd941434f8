"""The cases: each a hostile input of issue 12, how to make it, the command that meets it, what is correct.

``expect`` is what the issue asks for: ``refuse`` (exit 1 or 2 with a clear Chinese sentence), ``rows`` (exit 3:
the row is rejected with a row error), ``success`` (exit 0), ``either`` (a clear refusal or a success),
``problems`` (``check`` reports problems: exit 4, or refuses: exit 1). Whatever is expected, a case is handled
only with no traceback, no data changed unless asked (database dump, input files, leftovers such as ``.part``),
valid JSON under ``--json``, the words the issue asks for in the message, and within time and memory.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.hostile import builders as b
from tests.hostile.runner import COMMUNITY, ID_NUMBER, PHONE, STREET, Ctx, Outcome

CATEGORIES = (
    "hostile-xlsx", "output-over-input", "unwritable-output", "numeric-overflow", "text-validation",
    "cli-arguments", "json-output", "database-file", "backup-source", "sync-package", "privacy",
)


@dataclass
class Case:
    id: str
    category: str
    description: str
    argv: Callable[[Ctx], list] | list
    build: Callable[[Ctx], None] | None = None
    expect: str = "refuse"
    words: tuple[str, ...] = ()  # each must be in the message; "a|b" means either
    forbid: tuple[str, ...] = ()
    check: Callable[[Ctx, Outcome], list[str]] | None = None
    db: str = "demo"  # "demo": a fresh copy of the demo database as ctx.db (passed as --db); "none": no --db added
    strict_db: bool = False  # the database file's bytes must not change, and no -wal/-shm/.lock may appear
    db_changes: bool = False
    outputs: tuple[str, ...] = ()  # globs (relative to the case folder) a command may create
    fsize: int | None = None
    needs: str | None = None
    max_rss_mb: int = 700
    max_seconds: float = 45.0


CASES: list[Case] = []


def case(*args, **kw) -> Case:
    c = Case(*args, **kw)
    assert c.category in CATEGORIES, c.category
    assert all(x.id != c.id for x in CASES), c.id
    CASES.append(c)
    return c


# -- shared inputs -------------------------------------------------------------------------------------------------

GRID_HEADER = ["社区", "网格名称", "网格编码", "网格类型", "户数", "人口"]
NEW_GRID = ["永宁社区", "测试网格九", f"{COMMUNITY}009", "城镇社区网格", 100, 200]


def grid_sheet(ctx: Ctx, name: str = "in.xlsx", **changes) -> Path:
    row = list(NEW_GRID)
    for column, value in changes.items():
        row[GRID_HEADER.index(column)] = value
    return b.write_sheet(ctx.path(name), GRID_HEADER, [row], title="网格划分")


def bad_grid_sheet(ctx: Ctx, name: str = "in.xlsx") -> Path:
    """One row that is rejected (a code outside the site), so an import has something to report."""
    return grid_sheet(ctx, name, 网格编码="110101001001001")


def existing_grid_rows(ctx: Ctx) -> tuple[list, list]:
    return b.header_and_row(ctx.base.exports["grids"])


def cell_xlsx(ctx: Ctx, name: str = "in.xlsx", **kw) -> Path:
    """A raw sheet holding the demo's first grid unchanged (importing it changes nothing), plus ``kw``."""
    header, row = existing_grid_rows(ctx)
    return b.raw_xlsx(ctx.path(name), [["网格划分"], header, row], **kw)


def import_argv(name: str = "in.xlsx", kind: str = "grids", *extra) -> Callable[[Ctx], list]:
    return lambda ctx: ["import", ctx.dir / name, "--kind", kind, *extra]


def no_words(pattern: re.Pattern, where: str) -> Callable[[Ctx, Outcome], list[str]]:
    """Neither stderr nor any log the program keeps in its data folder holds ``pattern``."""

    def check(ctx: Ctx, o: Outcome) -> list[str]:
        bad = []
        found = pattern.findall(o.stderr)
        if found:
            bad.append(f"{where} printed on stderr: {found[0][:6]}…")
        for log in (p for p in ctx.home.rglob("*") if p.is_file() and p.suffix in (".log", ".txt", "")):
            hit = pattern.search(log.read_text(encoding="utf-8", errors="replace"))
            if hit:
                bad.append(f"{where} written to {log.name}: {hit.group()[:6]}…")
        return bad

    return check


# -- hostile xlsx ---------------------------------------------------------------------------------------------------

XLSX = dict(category="hostile-xlsx", max_rss_mb=300, max_seconds=20.0)

case("xlsx-far-cell", description="a 5 KB sheet with one cell at XFD1048576 (dimension A1:XFD1048576)",
     build=lambda c: cell_xlsx(c, dimension="A1:XFD1048576",
                               extra_cells='<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'),
     argv=import_argv(), words=("in.xlsx",), **XLSX)
case("xlsx-far-cell-dry-json", description="the XFD1048576 sheet, --dry-run --json",
     build=lambda c: cell_xlsx(c, dimension="A1:XFD1048576",
                               extra_cells='<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'),
     argv=import_argv("in.xlsx", "grids", "--dry-run", "--json"), words=("in.xlsx",), **XLSX)
case("xlsx-merged-to-end", description="merged range H3:XFD1048576 over a sheet of one real row (clipping to the "
     "data and importing it unchanged is correct too)",
     build=lambda c: cell_xlsx(c, merges=["H3:XFD1048576"]), argv=import_argv(), expect="either", **XLSX)
case("xlsx-huge-shared-string", description="a shared string of 200 MB (the file is under 1 MB)",
     build=lambda c: cell_xlsx(c, shared_writer=b.huge_shared_string(200 << 20),
                               extra_cells='<row r="4"><c r="B4" t="s"><v>0</v></c></row>'),
     argv=import_argv(), words=("in.xlsx",), **XLSX)
case("xlsx-zip-bomb", description="a sheet part that inflates to 400 MB of filler (about 400 KB on disk)",
     build=lambda c: cell_xlsx(c, padding=400 << 20), argv=import_argv(), words=("in.xlsx",), **XLSX)
case("xlsx-password", description="a password-protected workbook (an OLE file with EncryptedPackage) named .xlsx",
     build=lambda c: b.encrypted_office_file(c.path("in.xlsx")), argv=import_argv(), words=("密码",), **XLSX)
case("xlsx-junk", description="5,000 random bytes named .xlsx",
     build=lambda c: b.junk(c.path("in.xlsx")), argv=import_argv(), words=("in.xlsx",), **XLSX)
case("xlsx-empty", description="a 0-byte file named .xlsx",
     build=lambda c: c.path("in.xlsx").write_bytes(b""), argv=import_argv(), words=("in.xlsx",), **XLSX)
case("xlsx-folder", description="a folder named 网格.xlsx given as the sheet",
     build=lambda c: c.path("网格.xlsx").mkdir(), argv=import_argv("网格.xlsx"), words=("网格.xlsx",), **XLSX)
case("xlsx-truncated", description="a real workbook cut in half",
     build=lambda c: b.truncated(grid_sheet(c, "whole.xlsx"), c.path("in.xlsx")), argv=import_argv(),
     words=("in.xlsx",), **XLSX)


def _grid_named(name: str) -> Callable[[Ctx, Outcome], list[str]]:
    def check(ctx: Ctx, o: Outcome) -> list[str]:
        import sqlite3

        conn = sqlite3.connect(f"file:{ctx.db}?mode=ro", uri=True)
        try:
            got = conn.execute("SELECT name FROM org_unit WHERE code = ?", (NEW_GRID[2],)).fetchone()
        finally:
            conn.close()
        return [] if got and got[0] == name else [f"grid {NEW_GRID[2]} reads {got!r}, expected {name!r}"]

    return check


for _enc, _label in (("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 with BOM"), ("gbk", "GBK"), ("gb18030", "GB18030")):
    case(f"csv-{_enc}", category="hostile-xlsx", description=f"a grids .csv in {_label} (expected: imported)",
         build=lambda c, e=_enc: c.path("网格.csv").write_bytes(b.csv_text(GRID_HEADER, [NEW_GRID]).encode(e)),
         argv=import_argv("网格.csv"), expect="success", db_changes=True, check=_grid_named(NEW_GRID[1]))


# -- the other sheet formats: read like an .xlsx, refused with a sentence like one --------------------------------

for _suffix, _what in ((".xls", "an Excel 97-2003 .xls"), (".et", "a WPS .et (the .xls layout; no WPS-written file "
                       "was at hand)"), (".ods", "a LibreOffice .ods"), (".fods", "a LibreOffice flat XML .fods"),
                      (".xlsb", "an Excel binary .xlsb")):
    case(f"{_suffix[1:]}-grids", category="hostile-xlsx", description=f"a grids sheet as {_what} (expected: imported)",
         build=lambda c, s=_suffix: b.other_format(c.path(f"网格{s}"), GRID_HEADER, [NEW_GRID], title="网格划分"),
         argv=import_argv(f"网格{_suffix}"), expect="success", db_changes=True, check=_grid_named(NEW_GRID[1]))
case("et-really-xlsx", category="hostile-xlsx", description="an .xlsx named .et, as WPS often saves (expected: imported)",
     build=lambda c: grid_sheet(c, "网格.et"), argv=import_argv("网格.et"), expect="success", db_changes=True,
     check=_grid_named(NEW_GRID[1]))
case("xls-really-tsv", category="hostile-xlsx", description="tab-separated GBK text named .xls, as web systems export "
     "“Excel” (expected: imported)",
     build=lambda c: c.path("网格.xls").write_bytes(b.csv_text(GRID_HEADER, [NEW_GRID]).replace(",", "\t").encode("gbk")),
     argv=import_argv("网格.xls"), expect="success", db_changes=True, check=_grid_named(NEW_GRID[1]))
case("xls-really-html", category="hostile-xlsx", description="a grids table as a web page named .xls, as web systems export “Excel” "
     "(expected: imported)",
     build=lambda c: c.path("网格.xls").write_text(
         "<html><body><table><tr>" + "".join(f"<th>{h}</th>" for h in GRID_HEADER) + "</tr><tr>"
         + "".join(f"<td>{v}</td>" for v in NEW_GRID) + "</tr></table></body></html>", encoding="utf-8"),
     argv=import_argv("网格.xls"), expect="success", db_changes=True, check=_grid_named(NEW_GRID[1]))
case("xls-really-xml2003", category="hostile-xlsx", description="a grids sheet as Excel 2003 XML named .xls "
     "(expected: imported)",
     build=lambda c: c.path("网格.xls").write_text(
         '<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
         'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="网格"><Table>'
         + "".join("<Row>" + "".join(f'<Cell><Data ss:Type="{"Number" if isinstance(v, int) else "String"}">{v}</Data>'
                                     "</Cell>" for v in row) + "</Row>" for row in (GRID_HEADER, NEW_GRID))
         + "</Table></Worksheet></Workbook>", encoding="utf-8"),
     argv=import_argv("网格.xls"), expect="success", db_changes=True, check=_grid_named(NEW_GRID[1]))
case("xls-html-no-table", description="a web page with no table named .xls (a login page saved by mistake)",
     build=lambda c: c.path("in.xls").write_text("<html><body><form>请登录</form></body></html>", encoding="utf-8"),
     argv=import_argv("in.xls"), words=("in.xls", "HTML"), **XLSX)
case("xls-truncated", description="an .xls cut in half",
     build=lambda c: b.truncated(b.other_format(c.path("whole.xls"), GRID_HEADER, [NEW_GRID]), c.path("in.xls")),
     argv=import_argv("in.xls"), words=("in.xls",), **XLSX)
case("xls-junk-after-magic", description="the eight bytes of a compound document, then random bytes, named .xls",
     build=lambda c: b.junk_after_ole_magic(c.path("in.xls")), argv=import_argv("in.xls"), words=("in.xls",), **XLSX)
case("xls-password", description="an .xls with an opening password (a FILEPASS record)",
     build=lambda c: b.encrypted_xls(c.path("in.xls")), argv=import_argv("in.xls"), words=("in.xls", "密码"), **XLSX)
case("xls-far-cell", description="an .xls with one cell at IV65536 (calamine would lay out 16.7 million cells)",
     build=lambda c: b.xls_far_cell(c.path("in.xls"), [GRID_HEADER, NEW_GRID]), argv=import_argv("in.xls"),
     words=("in.xls", "IV65536"), **XLSX)
case("ods-rows-repeated-bomb", description="an .ods padded with a row repeated 1,048,576 times over 16,384 columns, "
     "as LibreOffice pads a sheet (importing its one row is correct)",
     build=lambda c: b.ods_rows_repeated_bomb(c.path("in.ods"), [GRID_HEADER, NEW_GRID]), argv=import_argv("in.ods"),
     expect="either", db_changes=True, **XLSX)
case("ods-repeated-values", description="an .ods row of 400 text cells repeated 200,000 times (2 KB on disk)",
     build=lambda c: b.ods_repeated_values(c.path("in.ods"), [GRID_HEADER, NEW_GRID]), argv=import_argv("in.ods"),
     words=("in.ods",), **XLSX)
case("ods-zip-bomb", description="an .ods holding a member that inflates to 300 MB",
     build=lambda c: b.ods_zip_bomb(c.path("in.ods"), [GRID_HEADER, NEW_GRID]), argv=import_argv("in.ods"),
     words=("in.ods", "压缩"), **XLSX)
case("xlsb-huge-dimension", description="an .xlsb declaring A1:XFD1048576 over one real row (importing it is correct)",
     build=lambda c: b.xlsb_far(c.path("in.xlsb"), [GRID_HEADER, NEW_GRID], dimension=True),
     argv=import_argv("in.xlsb"), expect="either", db_changes=True, **XLSX)
case("xlsb-far-cell", description="an .xlsb with one cell at XFD1048576",
     build=lambda c: b.xlsb_far(c.path("in.xlsb"), [GRID_HEADER, NEW_GRID], dimension=False),
     argv=import_argv("in.xlsb"), words=("in.xlsb", "XFD1048576"), **XLSX)
case("xlsb-sheet-missing", description="an .xlsb whose workbook names a sheet with no relationship (calamine panics)",
     build=lambda c: b.xlsb_sheet_missing(c.path("in.xlsb"), [GRID_HEADER, NEW_GRID]), argv=import_argv("in.xlsb"),
     expect="either", db_changes=True, **XLSX)
for _shape in b.WORKBOOK_PARTS:
    case(f"xlsx-parts-{_shape}", description=f"a grids workbook with {_shape.replace('-', ' ')} parts as Excel stores "
         "them (importing the grid, or a sentence, is correct)",
         build=lambda c, s=_shape: b.workbook_with(c.path("in.xlsx"), GRID_HEADER, [NEW_GRID], s, title="网格划分"),
         argv=import_argv(), expect="either", db_changes=True, **XLSX)

# -- output paths over the database, its sidecars, a backup, an input ------------------------------------------------

def _target(kind: str) -> Callable[[Ctx], Path]:
    def make(ctx: Ctx) -> Path:
        db = ctx.db
        if kind == "db":
            return db
        if kind in ("wal", "shm"):
            p = Path(f"{db}-{kind}")
            p.write_bytes(b"")
            return p
        if kind == "lock":
            p = Path(f"{db}.lock")
            p.write_text("12345@probe\n")
            return p
        if kind == "backup":
            p = ctx.path("backups/demo-备份-20260101-000000.sqlite")
            shutil.copy2(ctx.base.backup, p)
            return p
        if kind == "dotdot":
            ctx.path("sub").mkdir()
            return ctx.dir / "sub" / os.pardir / db.name
        if kind == "symlink":
            p = ctx.path("link.xlsx")
            p.symlink_to(db.name)
            return p
        if kind == "hardlink":
            p = ctx.path("hard.xlsx")
            os.link(db, p)
            return p
        if kind == "input":
            return bad_grid_sheet(ctx)
        raise ValueError(kind)

    return make


def _not_output(ctx: Ctx, o: Outcome) -> list[str]:
    target: Path = ctx.facts["target"]
    if target.is_symlink() or not target.is_file():
        return []
    if ctx.facts.get("target_bytes") is not None:  # a sheet of its own already: changed or not
        return [] if target.read_bytes() == ctx.facts["target_bytes"] else [f"{target.name} was overwritten"]
    head = target.read_bytes()[:4]
    return [f"{target.name} now holds the command's output"] if head[:2] == b"PK" or head == b"%PDF" or \
        head[:1] == b"{" else []


def over(cid: str, command: Callable[[Ctx, Path], list], kind: str, what: str, *, json: bool = False) -> None:
    def build(ctx: Ctx) -> None:
        if kind != "input":
            bad_grid_sheet(ctx)  # import --report needs a sheet with a rejected row
        ctx.facts["target"] = _target(kind)(ctx)
        if kind == "input":
            ctx.facts["target_bytes"] = ctx.facts["target"].read_bytes()

    def argv(ctx: Ctx) -> list:
        return [*command(ctx, ctx.facts["target"]), *(["--json"] if json else [])]

    def check(ctx: Ctx, o: Outcome) -> list[str]:
        name = ctx.facts["target"].name
        named = name in o.message or (kind in ("symlink", "hardlink") and ctx.db.name in o.message)
        return ([] if named else [f"message does not name {name}"]) + _not_output(ctx, o)

    case(cid, category="output-over-input", description=what, build=build, argv=argv, check=check)


EXPORT = lambda ctx, t: ["export", "--kind", "grids", "--out", t]  # noqa: E731
PRINT = lambda ctx, t: ["print", "roster", "--org", STREET, "--out", t]  # noqa: E731
TEMPLATE = lambda ctx, t: ["template", "--kind", "grids", "--out", t]  # noqa: E731
IDENTITY = lambda ctx, t: ["sync", "identity", "--out", t]  # noqa: E731
REPORT = lambda ctx, t: ["import", ctx.dir / "in.xlsx", "--kind", "grids", "--report", t]  # noqa: E731
BACKUP = lambda ctx, t: ["backup", "--out", t]  # noqa: E731
LOG = lambda ctx, t: ["log", "--out", t]  # noqa: E731
SYNC_OUT = lambda ctx, t: ["sync", "export", "--to", COMMUNITY, "--out", t]  # noqa: E731

for _cmd, _label, _kinds in (
    (EXPORT, "export", ("db", "wal", "shm", "lock", "backup", "dotdot", "symlink", "hardlink")),
    (PRINT, "print", ("db", "wal", "backup")),
    (TEMPLATE, "template", ("db", "lock", "backup")),
    (IDENTITY, "sync-identity", ("db", "shm", "backup")),
    (REPORT, "import-report", ("db", "input", "wal", "backup")),
    (BACKUP, "backup", ("db", "wal", "backup")),
    (LOG, "log", ("db", "backup")),
    (SYNC_OUT, "sync-export", ("db", "backup")),
):
    for _k in _kinds:
        over(f"over-{_label}-{_k}", _cmd, _k, f"{_label} --out/--report naming the {_k}")
over("over-export-db-json", EXPORT, "db", "export --out the database, --json", json=True)
over("over-report-input-json", REPORT, "input", "import --report naming its own input sheet, --json", json=True)


# -- outputs that cannot be written ----------------------------------------------------------------------------------

def _fill(folder: Path) -> None:
    """Take every free block of a tiny file system."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)


def _place(kind: str) -> Callable[[Ctx], Path | None]:
    def make(ctx: Ctx) -> Path | None:
        if kind == "missing":
            return ctx.dir / "没有的文件夹" / "out.xlsx"
        if kind == "folder":
            ctx.path("已有文件夹").mkdir()
            return ctx.dir / "已有文件夹"
        if kind == "through-file":
            ctx.path("file.txt").write_text("a file, not a folder")
            return ctx.dir / "file.txt" / "out.xlsx"
        if kind == "proc":
            return Path("/proc/gridapp-probe-out.xlsx")
        if kind == "sys":
            return Path("/sys/gridapp-probe-out.xlsx")
        if kind == "readonly":
            where = ctx.tmpfs("只读盘", 1 << 20, readonly=True)
            return None if where is None else where / "out.xlsx"
        if kind == "full":
            where = ctx.tmpfs("满盘", 1 << 16)
            if where is None:
                return None
            _fill(where)
            return where / "out.xlsx"
        raise ValueError(kind)

    return make


PLACE_WORDS = {"missing": "没有的文件夹|out.xlsx", "folder": "已有文件夹", "through-file": "file.txt|out.xlsx",
               "proc": "/proc|gridapp-probe-out.xlsx", "sys": "/sys|gridapp-probe-out.xlsx",
               "readonly": "只读盘|out.xlsx", "full": "满盘|out.xlsx"}


def unwritable(cid: str, command, kind: str, *, json: bool = False, fsize: int | None = None,
               words: tuple[str, ...] = ()) -> None:
    def build(ctx: Ctx) -> None:
        bad_grid_sheet(ctx)
        ctx.facts["target"] = _place(kind)(ctx) if kind != "fsize" else ctx.dir / "out.xlsx"

    def argv(ctx: Ctx) -> list:
        return [*command(ctx, ctx.facts["target"]), *(["--json"] if json else [])]

    expect = "either" if kind == "missing" else "refuse"
    outputs = ("没有的文件夹", "没有的文件夹/out.xlsx") if kind == "missing" else ()
    case(cid, category="unwritable-output", description=f"{cid.removeprefix('unwritable-')}: output {kind}",
         build=build, argv=argv, expect=expect, outputs=outputs, fsize=fsize,
         words=(*((PLACE_WORDS[kind],) if kind in PLACE_WORDS else ("out.xlsx",)), *words))


for _cmd, _label, _kinds in (
    (EXPORT, "export", ("missing", "folder", "through-file", "proc", "sys", "readonly", "full")),
    (TEMPLATE, "template", ("folder", "through-file", "proc", "full")),
    (PRINT, "print", ("through-file", "full")),
    (IDENTITY, "sync-identity", ("folder", "through-file", "readonly")),
    (REPORT, "import-report", ("through-file", "proc", "full")),
    (BACKUP, "backup", ("through-file", "folder", "full")),
    (LOG, "log", ("through-file",)),
):
    for _k in _kinds:
        unwritable(f"unwritable-{_label}-{_k}", _cmd, _k, words=("磁盘空间不足",) if _k == "full" else ())
unwritable("unwritable-export-proc-json", EXPORT, "proc", json=True)
unwritable("unwritable-export-folder-json", EXPORT, "folder", json=True)
unwritable("unwritable-template-fsize", TEMPLATE, "fsize", fsize=2048)


# -- numbers too large for SQLite, and out of any sane range ---------------------------------------------------------

def numeric(kind: str, column: str, value: object, source: str = "export", extra: tuple = ()) -> None:
    def build(ctx: Ctx) -> None:
        if source == "export":
            header, row = b.header_and_row(ctx.base.exports[kind])
        else:  # the ratings template's example row, for a firm of the demo
            header, row = b.header_and_row(ctx.base.templates[kind])
            firm_header, firm = b.header_and_row(ctx.base.exports["firms"])
            row = b.with_value(header, row, "企业名称", firm[firm_header.index("企业名称")])
            row = b.with_value(header, row, "统一社会信用代码", firm[firm_header.index("统一社会信用代码")])
        if column.startswith("业委会"):  # the committee's figures are read only for a compound that has one
            row = b.with_value(header, row, "业委会", "是")
        b.write_sheet(ctx.path("in.xlsx"), header, [b.with_value(header, row, column, value)])

    case(f"number-{kind}-{column}-{value!r}"[:80], category="numeric-overflow",
         description=f"{kind}: {column} = {value!r}", build=build,
         argv=import_argv("in.xlsx", kind, *extra), expect="rows", words=(column,))


for _kind, _columns in (("grids", ("户数", "人口")), ("units", ("在职党员数",)), ("firms", ("从业人数", "党员人数")),
                        ("compounds", ("楼栋数", "户数", "建成年份", "业委会成员数", "业委会党员数")),
                        ("participations", ("服务时长",))):
    for _col in _columns:
        numeric(_kind, _col, 1e19)
for _col in ("年度", "党组织建设"):
    numeric("ratings", _col, 1e19, source="template", extra=("--year", "2026"))
numeric("grids", "户数", 10**19)
numeric("grids", "户数", 100_001)
numeric("grids", "户数", -5)
numeric("grids", "人口", 1e308)
numeric("compounds", "建成年份", 1800)
numeric("ratings", "年度", 1800, source="template")

BIG = str(10**20)
for _cid, _argv in (
    ("year-import-ratings", lambda c: ["import", bad_grid_sheet(c), "--kind", "ratings", "--year", BIG]),
    ("year-export-ratings", lambda c: ["export", "--kind", "ratings", "--year", BIG, "--out", c.dir / "r.xlsx"]),
    ("year-template-ratings", lambda c: ["template", "--kind", "ratings", "--year", BIG, "--out", c.dir / "r.xlsx"]),
    ("year-print-ratings", lambda c: ["print", "ratings", "--year", BIG, "--out", c.dir / "r.pdf"]),
    ("year-print-feedback", lambda c: ["print", "feedback", "--year", BIG, "--out", c.dir / "r.pdf"]),
    ("year-demo", lambda c: ["demo", "--year", BIG, "--db", c.dir / "new.sqlite"]),
):
    case(_cid, category="numeric-overflow", description=f"{_cid}: 10**20 given on the command line",
         argv=_argv, words=("--year|年",))


# -- text: overlong, invisible, bidi and control characters ------------------------------------------------------------

def text_case(cid: str, kind: str, column: str, value: str, words: tuple[str, ...], what: str) -> None:
    def build(ctx: Ctx) -> None:
        if kind == "grids":
            grid_sheet(ctx, **{column: value})
        else:
            header, row = b.header_and_row(ctx.base.exports[kind])
            b.write_sheet(ctx.path("in.xlsx"), header, [b.with_value(header, row, column, value)])

    case(cid, category="text-validation", description=what, build=build, argv=import_argv("in.xlsx", kind),
         expect="rows", words=(column, *words))


text_case("text-grid-name-32767", "grids", "网格名称", "长" * 32767, ("100",), "a 32,767-character grid name (limit 100)")
text_case("text-grid-name-101", "grids", "网格名称", "长" * 101, ("100",), "a 101-character grid name (limit 100)")
text_case("text-grid-name-zwsp", "grids", "网格名称", "\u200b\u200b\u200b", (), "a grid name of zero-width spaces only")
text_case("text-grid-name-ideographic", "grids", "网格名称", "\u3000\u3000", (), "a grid name of ideographic spaces")
text_case("text-grid-name-bidi", "grids", "网格名称", "第\u202e网格九", (), "a grid name with a right-to-left override")
text_case("text-grid-name-isolate", "grids", "网格名称", "第\u2067九网格", (), "a grid name with a bidi isolate")
text_case("text-grid-name-control", "grids", "网格名称", "第_x0007_网格", (), "a grid name with a BEL control "
          "character (written as _x0007_, as Excel escapes it)")
text_case("text-worker-name-32767", "workers", "姓名", "张" * 32767, ("50",), "a 32,767-character worker name (limit 50)")
text_case("text-worker-name-invisible", "workers", "姓名", "\u2060\ufeff\u200d", (), "a worker name of invisible "
          "characters only")
text_case("text-worker-name-bidi", "workers", "姓名", "张\u202e三", (), "a worker name with a bidi override")
text_case("text-firm-name-32767", "firms", "企业名称", "企" * 32767, ("100",), "a 32,767-character firm name (limit 100)")
text_case("text-member-name-control", "members", "姓名", "李_x001b_四", (), "a member name with an ESC character")
case("text-init-name-overlong", category="text-validation", description="init --name of 300 characters",
     db="none", argv=lambda c: ["init", "--db", c.dir / "new.sqlite", "--level", "street", "--code", STREET,
                                "--name", "街" * 300], words=("100",))
case("text-init-name-bidi", category="text-validation", description="init --name with a bidi override",
     db="none", argv=lambda c: ["init", "--db", c.dir / "new.sqlite", "--level", "street", "--code", STREET,
                                "--name", "海泉路\u202e街道"])
case("text-init-name-invisible", category="text-validation", description="init --name of invisible characters",
     db="none", argv=lambda c: ["init", "--db", c.dir / "new.sqlite", "--level", "street", "--code", STREET,
                                "--name", "\u200b\u200b"])


# -- command-line argument checks ----------------------------------------------------------------------------------------

case("args-import-org-unknown", category="cli-arguments", description="import --org with a code that is not a unit",
     build=lambda c: grid_sheet(c), argv=lambda c: ["import", c.dir / "in.xlsx", "--kind", "grids", "--org",
                                                    "370203099099"], words=("370203099099",))
case("args-export-org-unknown", category="cli-arguments", description="export --org unknown (the reference behaviour)",
     argv=lambda c: ["export", "--kind", "grids", "--org", "370203099099", "--out", c.dir / "g.xlsx"],
     words=("370203099099",))
case("args-demo-year-1800", category="cli-arguments", description="demo --year 1800 (allowed: 2000–2100)", db="none",
     argv=lambda c: ["demo", "--year", "1800", "--db", c.dir / "new.sqlite"], words=("1800|2000",))
case("args-demo-year-2101", category="cli-arguments", description="demo --year 2101", db="none",
     argv=lambda c: ["demo", "--year", "2101", "--db", c.dir / "new.sqlite"], words=("2101|2100",))
case("args-sync-export-to-self", category="cli-arguments", description="sync export --to the site's own code",
     argv=lambda c: ["sync", "export", "--to", STREET, "--out", c.dir / "pkg"], words=("本站点|自己",))
case("args-print-roster-org-unknown", category="cli-arguments", description="print roster --org unknown",
     argv=lambda c: ["print", "roster", "--org", "370203099099", "--out", c.dir / "r.pdf"], words=("370203099099",))
case("args-import-kind-missing-file", category="cli-arguments", description="import a file that does not exist",
     argv=lambda c: ["import", c.dir / "没有.xlsx", "--kind", "grids"], words=("没有.xlsx",))
case("args-log-since-bad", category="cli-arguments", description="log --since 2026-13-01",
     argv=["log", "--since", "2026-13-01"], words=("2026-13-01",))


# -- --json: usage errors and failures -------------------------------------------------------------------------------------

def json_ok_false(ctx: Ctx, o: Outcome) -> list[str]:
    import json

    try:
        data = json.loads(o.stdout)
    except ValueError:
        return []  # already reported
    return [] if isinstance(data, dict) and data.get("ok") is False and data.get("error") else \
        ["JSON has no ok=false and error"]


for _cid, _argv, _what in (
    ("json-usage-missing-kind", ["export", "--json", "--out", "x.xlsx"], "export without --kind"),
    ("json-usage-bad-choice", ["export", "--json", "--kind", "nope", "--out", "x.xlsx"], "export --kind nope"),
    ("json-usage-bad-int", ["demo", "--json", "--year", "abc", "--db", "new.sqlite"], "demo --year abc"),
    ("json-usage-no-action", ["sync", "--json"], "sync without an action"),
    ("json-usage-before-command", ["--json", "import", "--kind", "grids"], "--json before the command, file missing"),
    ("json-usage-unknown-option", ["check", "--json", "--frobnicate"], "an unknown option"),
):
    case(_cid, category="json-output", description=f"usage error under --json: {_what}", argv=_argv,
         check=json_ok_false)
for _cid, _build, _argv, _what in (
    ("json-missing-db", None, lambda c: ["export", "--json", "--db", c.dir / "没有.sqlite", "--kind", "grids",
                                         "--out", c.dir / "g.xlsx"], "a database that does not exist"),
    ("json-import-junk", lambda c: b.junk(c.path("in.xlsx")), import_argv("in.xlsx", "grids", "--json"),
     "import of junk bytes"),
    ("json-check-foreign", lambda c: b.foreign_sqlite(c.path("foreign.sqlite")),
     lambda c: ["check", "--json", "--db", c.dir / "foreign.sqlite"], "check of a foreign SQLite file"),
    ("json-sync-nested", lambda c: b.nested_manifest_package(c.path("p.gridsync")),
     lambda c: ["sync", "import", c.dir / "p.gridsync", "--json"], "sync import of a deeply nested manifest"),
    ("json-print-org-unknown", None, lambda c: ["print", "roster", "--org", "370203099099", "--json", "--out",
                                                c.dir / "r.pdf"], "print roster --org unknown"),
    ("json-report-through-file", lambda c: (bad_grid_sheet(c), c.path("file.txt").write_text("x")),
     lambda c: ["import", c.dir / "in.xlsx", "--kind", "grids", "--json", "--report", c.dir / "file.txt" / "r.xlsx"],
     "import --report through a file"),
):
    case(_cid, category="json-output", description=f"failure under --json: {_what}", build=_build, argv=_argv,
         check=json_ok_false, expect="refuse")


# -- the database file ------------------------------------------------------------------------------------------------------

def _db_is(name: str, make: Callable[[Path], object]) -> Callable[[Ctx], None]:
    def build(ctx: Ctx) -> None:
        ctx.db = ctx.dir / name
        make(ctx.db)

    return build


DB = dict(category="database-file", strict_db=True)
for _label, _make, _words, _forbid in (
    ("empty", lambda p: p.write_bytes(b""), ("empty.sqlite",), ()),
    ("foreign", b.foreign_sqlite, ("foreign.sqlite",), ()),
    ("text", lambda p: p.write_text("备忘录\n" * 100, encoding="utf-8"), ("text.sqlite",), ()),
):
    for _cmd in ("check", "import", "export"):
        _argv = {"check": ["check"], "import": lambda c: ["import", grid_sheet(c), "--kind", "grids"],
                 "export": lambda c: ["export", "--kind", "grids", "--out", c.dir / "g.xlsx"]}[_cmd]
        case(f"db-{_label}-{_cmd}", description=f"{_cmd} on a {_label} file given as the database",
             build=_db_is(f"{_label}.sqlite", _make), argv=_argv, words=_words, forbid=_forbid, **DB)


def _labelled(label: str) -> Callable[[Ctx], None]:
    def build(ctx: Ctx) -> None:
        b.set_schema_label(ctx.db, label)
        grid_sheet(ctx)

    return build


for _label in ("0000", "", "zzz"):
    for _cmd in ("check", "import"):
        case(f"db-label-{_label or 'blank'}-{_cmd}", description=f"{_cmd} on a database labelled {_label!r}",
             build=_labelled(_label), argv=["check"] if _cmd == "check" else import_argv(),
             words=("未知",), forbid=("更新版本",), **DB)
case("db-label-9999-import", description="import on a database labelled '9999' (newer)", build=_labelled("9999"),
     argv=import_argv(), words=("9999",), **DB)
case("db-label-behind-tables", description="a database at head whose label says 0003: refused before migrating",
     build=_labelled("0003"), argv=import_argv(), words=("0003",), **DB)


def _dropped(ctx: Ctx) -> None:
    b.drop_table(ctx.db, "firm_rating")


case("db-table-missing-check", category="database-file", description="labelled head, but a table is missing: check",
     build=_dropped, argv=["check"], expect="problems", words=("firm_rating|评星|缺少",), strict_db=True)
case("db-is-folder", category="database-file", description="--db names a folder",
     build=lambda c: (c.path("库.sqlite").mkdir(), setattr(c, "db", c.dir / "库.sqlite")), argv=["check"],
     words=("库.sqlite",))


def _immutable_db(ctx: Ctx) -> None:
    grid_sheet(ctx)
    ctx.immutable(ctx.db)


case("db-readonly-file-check", category="database-file", description="check on a read-only (immutable) database",
     build=_immutable_db, argv=["check"], expect="success")
case("db-readonly-file-export", category="database-file", description="export from a read-only database",
     build=_immutable_db, argv=lambda c: ["export", "--kind", "grids", "--out", c.dir / "g.xlsx"], expect="success",
     outputs=("g.xlsx",))
case("db-readonly-file-import", category="database-file", description="import into a read-only database",
     build=_immutable_db, argv=import_argv(), words=("只读",), forbid=("损坏",))


def _readonly_folder(ctx: Ctx) -> None:
    grid_sheet(ctx)

    def fill(where: Path) -> None:
        shutil.copy2(ctx.base.demo, where / "demo.sqlite")

    where = ctx.tmpfs("只读盘", 8 << 20, readonly=True, fill=fill)
    if where is not None:
        ctx.db = where / "demo.sqlite"


case("db-readonly-media-check", category="database-file", description="check on a database on read-only media",
     build=_readonly_folder, argv=["check"], expect="success")
case("db-readonly-media-export", category="database-file", description="export from a database on read-only media",
     build=_readonly_folder, argv=lambda c: ["export", "--kind", "grids", "--out", c.dir / "g.xlsx"],
     expect="success", outputs=("g.xlsx",))
case("db-readonly-media-import", category="database-file", description="import into a database on read-only media",
     build=_readonly_folder, argv=import_argv(), words=("只读",), forbid=("损坏",))


def _on_full_disk(ctx: Ctx) -> None:
    """The database on a tiny file system with no block free; its -shm and .lock made beforehand, as a
    program that ran before would have left them."""
    size = ctx.base.demo.stat().st_size
    where = ctx.tmpfs("满盘", size + (128 << 10))
    if where is not None:
        ctx.db = where / "demo.sqlite"
        shutil.copy2(ctx.base.demo, ctx.db)
        Path(f"{ctx.db}-shm").write_bytes(bytes(32768))
        Path(f"{ctx.db}.lock").write_text("0@probe\n")
        _fill(where)


def _full_disk(ctx: Ctx) -> None:
    grid_sheet(ctx)
    _on_full_disk(ctx)


case("db-full-disk-import", category="database-file", description="import into a database on a full disk (tmpfs)",
     build=_full_disk, argv=import_argv(), words=("磁盘空间不足",), forbid=("损坏",))


# -- backup of a file that is not a healthy gridapp database ---------------------------------------------------------------

def _backup_of(make: Callable[[Path], object]) -> Callable[[Ctx], None]:
    return lambda ctx: make(ctx.db)


for _label, _make, _words in (
    ("damaged-pages", b.damage_pages, ()),
    ("damaged-header", b.damage_header, ()),
    ("foreign", lambda p: (p.unlink(), b.foreign_sqlite(p)), ()),
    ("empty", lambda p: p.write_bytes(b""), ()),
    ("text", lambda p: p.write_text("不是数据库", encoding="utf-8"), ()),
    ("newer", lambda p: b.set_schema_label(p, "9999"), ("9999",)),
    ("unknown-label", lambda p: b.set_schema_label(p, "zzz"), ("未知",)),
):
    case(f"backup-{_label}", category="backup-source", description=f"backup of a {_label} database",
         build=_backup_of(_make), argv=lambda c: ["backup", "--out", c.dir / "b.sqlite"], words=("demo.sqlite", *_words),
         forbid=("已校验",), strict_db=True)
case("backup-missing", category="backup-source", description="backup of a database that does not exist", db="none",
     argv=lambda c: ["backup", "--db", c.dir / "没有.sqlite", "--out", c.dir / "b.sqlite"], words=("没有.sqlite",))
case("backup-healthy", category="backup-source", description="backup of the healthy demo (expected: done, 已校验)",
     argv=lambda c: ["backup", "--out", c.dir / "b.sqlite"], expect="success", outputs=("b.sqlite",))


# -- sync packages -------------------------------------------------------------------------------------------------------

def _package(make: Callable[[Path, Path], object] | None) -> Callable[[Ctx], None]:
    def build(ctx: Ctx) -> None:
        genuine = ctx.path("genuine.gridsync")
        shutil.copy2(ctx.base.package, genuine)
        if make is not None:
            make(genuine, ctx.path("p.gridsync"))

    return build


SYNC = dict(category="sync-package")
for _label, _make in (
    ("nested-manifest", lambda g, p: b.nested_manifest_package(p)),
    ("traversal", lambda g, p: b.traversal_package(p)),
    ("truncated-half", lambda g, p: b.truncated(g, p, 0.5)),
    ("truncated-100-bytes", lambda g, p: p.write_bytes(g.read_bytes()[:100])),
    ("truncated-last-byte", lambda g, p: p.write_bytes(g.read_bytes()[:-1])),
    ("flipped-middle", lambda g, p: b.flipped(g, p)),
    ("flipped-first", lambda g, p: b.flipped(g, p, 0)),
    ("flipped-last", lambda g, p: b.flipped(g, p, -1)),
    ("flipped-manifest", lambda g, p: b.flipped(g, p, 200)),
    ("empty", lambda g, p: p.write_bytes(b"")),
    ("junk", lambda g, p: b.junk(p, 4000)),
    ("folder", lambda g, p: p.mkdir()),
):
    case(f"sync-{_label}", description=f"sync import of a package: {_label}", build=_package(_make),
         argv=lambda c: ["sync", "import", c.dir / "p.gridsync"], words=("p.gridsync",), **SYNC)
case("sync-nested-dry-run", description="sync import --dry-run of a deeply nested manifest",
     build=_package(lambda g, p: b.nested_manifest_package(p, 50_000)),
     argv=lambda c: ["sync", "import", c.dir / "p.gridsync", "--dry-run"], words=("p.gridsync",), **SYNC)
case("sync-genuine-dry-run", description="sync import --dry-run of the genuine package (expected: previewed)",
     build=_package(None), argv=lambda c: ["sync", "import", c.dir / "genuine.gridsync", "--dry-run", "--json"],
     expect="success", **SYNC)


# -- privacy ---------------------------------------------------------------------------------------------------------------

def private(*globs: str) -> Callable[[Ctx, Outcome], list[str]]:
    def check(ctx: Ctx, o: Outcome) -> list[str]:
        bad = []
        for pattern in globs:
            found = list(ctx.dir.glob(pattern))
            if not found:
                bad.append(f"nothing matches {pattern}")
            for p in found:
                mode = stat.S_IMODE(p.stat().st_mode)
                if mode & 0o077:
                    bad.append(f"{p.relative_to(ctx.dir)} is {mode:04o}, expected 0600")
        return bad

    return check


PRIV = dict(category="privacy", expect="success")
case("mode-demo-db", description="demo creates its database 0600", db="none",
     argv=lambda c: ["demo", "--db", c.dir / "new.sqlite"], outputs=("new.sqlite*",), check=private("new.sqlite"),
     **PRIV)
case("mode-init-db", description="init creates its database 0600", db="none",
     argv=lambda c: ["init", "--db", c.dir / "new.sqlite", "--level", "street", "--code", STREET, "--name", "海泉路街道"],
     outputs=("new.sqlite*",), check=private("new.sqlite"), **PRIV)
case("mode-backup", description="backup --out is 0600", argv=lambda c: ["backup", "--out", c.dir / "b.sqlite"],
     outputs=("b.sqlite",), check=private("b.sqlite"), **PRIV)
case("mode-backup-default", description="backup into the default backups/ folder is 0600", argv=["backup"],
     outputs=("backups", "backups/*"), check=private("backups/*.sqlite"), **PRIV)
case("mode-export", description="export of workers is 0600",
     argv=lambda c: ["export", "--kind", "workers", "--out", c.dir / "w.xlsx"], outputs=("w.xlsx",),
     check=private("w.xlsx"), **PRIV)
case("mode-identity", description="sync identity file is 0600",
     argv=lambda c: ["sync", "identity", "--out", c.dir / "id.json"], outputs=("id.json",), check=private("id.json"),
     **PRIV)
case("mode-package", description="sync export package is 0600",
     argv=lambda c: ["sync", "export", "--to", COMMUNITY, "--out", c.dir / "pkg"], db_changes=True,
     outputs=("pkg", "pkg/*"), check=private("pkg/*"), **PRIV)
case("mode-print", description="print roster PDF is 0600",
     argv=lambda c: ["print", "roster", "--org", STREET, "--out", c.dir / "r.pdf"], outputs=("r.pdf",),
     check=private("r.pdf"), **PRIV)
case("mode-log-export", description="log --out sheet is 0600", argv=lambda c: ["log", "--out", c.dir / "log.xlsx"],
     outputs=("log.xlsx",), check=private("log.xlsx"), **PRIV)
case("mode-import-report", description="import --report sheet is 0600 (the import itself rejects its row)",
     category="privacy", build=lambda c: bad_grid_sheet(c), expect="rows",
     argv=lambda c: ["import", c.dir / "in.xlsx", "--kind", "grids", "--report", c.dir / "r.xlsx"],
     outputs=("r.xlsx",), check=private("r.xlsx"))
case("mode-sync-import-backup", description="the automatic backup before a sync import is 0600",
     build=_package(None), argv=lambda c: ["sync", "import", c.dir / "genuine.gridsync"], db_changes=True,
     outputs=("backups", "backups/*"), check=private("backups/*"), **PRIV)


def _masked(kind: str) -> Callable[[Ctx, Outcome], list[str]]:
    def check(ctx: Ctx, o: Outcome) -> list[str]:
        path = ctx.dir / f"{kind}.xlsx"
        if not path.is_file():
            return [f"{path.name} was not written"]
        full = [v for row in b.read_rows(path) for v in row if isinstance(v, str) and ID_NUMBER.fullmatch(v)]
        return [f"{path.name} holds {len(full)} full ID numbers (export should mask them by default)"] if full else []

    return check


for _kind in ("workers", "members", "participations"):
    case(f"mask-export-{_kind}", description=f"export --kind {_kind} masks ID numbers by default",
         argv=lambda c, k=_kind: ["export", "--kind", k, "--out", c.dir / f"{k}.xlsx"], outputs=(f"{_kind}.xlsx",),
         check=_masked(_kind), **PRIV)


def _workers_sheet(ctx: Ctx) -> None:
    header, row = b.header_and_row(ctx.base.exports["workers"])
    b.write_sheet(ctx.path("in.xlsx"), header, [b.with_value(header, row, "联系电话", "13905320001")])


def _workers_on_immutable(ctx: Ctx) -> None:
    _workers_sheet(ctx)
    ctx.immutable(ctx.db)


def _workers_full_disk(ctx: Ctx) -> None:
    _workers_sheet(ctx)
    _on_full_disk(ctx)


_leak = no_words(re.compile(f"{ID_NUMBER.pattern}|{PHONE.pattern}"), "an ID number or phone number")
case("leak-readonly-import", category="privacy", description="a failing import (read-only database) prints no ID or "
     "phone number", build=_workers_on_immutable, argv=import_argv("in.xlsx", "workers"), check=_leak)
case("leak-full-disk-import", category="privacy", description="a failing import (a full disk) prints no ID or phone "
     "number", build=_workers_full_disk, argv=import_argv("in.xlsx", "workers"), check=_leak)


def by_category(only: str | None = None) -> list[Case]:
    """The cases of the comma-separated categories or case ids in ``only`` (all without it)."""
    wanted = set(only.split(",")) if only else None
    return [c for c in CASES if wanted is None or c.category in wanted or c.id in wanted]
