"""GB/T 2260 region codes with their history: which six-digit codes ever named a place, and which name one now.

The table ships as ``resources/regions/gbt2260.tsv`` (made by ``scripts/make_region_table.py`` from python-stdnum's
data, which follows the 民政部 editions since 1980). One row per code and name, with the first and last year the
name was in use. An office brings it up to date without a new release by reading the 民政部 list of a later year
(``merge_list`` → ``save_update``); the updated table lives in the user data folder and is used while its edition is
not older than the shipped one.

How the checks use it:
- An ID number keeps the code of the place where the person was first registered, so any code that was ever in
  the table is accepted, whatever the birth year. A code in no edition is *noted* for the user to confirm, never
  refused: the table may be older than the county.
- The org code of a new site must begin with a code in use now (a county, or a prefecture-level city without
  counties such as 东莞 441900).
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from gridapp.core.errors import ValidationError

log = logging.getLogger(__name__)

FILE_NAME = "gbt2260.tsv"
HEADER = "code\tname\tfrom\tto"
# A national list of one year holds about 3,200 codes (34 provinces, 333 prefectures, 2,844 counties); one with far
# fewer is a province's or a city's list, and merging it would retire every other county.
MIN_LIST_CODES = 3000
MIN_LIST_PROVINCES = 31


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    start: int | None  # first year the name was in use; None: since before the lists
    end: int | None  # last year; None: in use now

    @property
    def current(self) -> bool:
        return self.end is None


@dataclass(frozen=True, eq=False)
class RegionTable:
    edition: int
    source: str
    regions: dict[str, tuple[Region, ...]]  # code → its names, oldest first
    path: Path | None = None

    def known(self, code: str) -> bool:
        """Whether the code named a place in any edition."""
        return code in self.regions

    def current(self, code: str) -> Region | None:
        return next((r for r in reversed(self.regions.get(code, ())) if r.current), None)

    def last(self, code: str) -> Region | None:
        names = self.regions.get(code)
        return names[-1] if names else None

    def full_name(self, code: str) -> str:
        """Province, prefecture and county names as one place name (山东省青岛市市北区), by the latest names."""
        parts = []
        for prefix in (code[:2] + "0000", code[:4] + "00", code):
            r = self.last(prefix)
            if r is not None and r.name not in parts and r.name != "市辖区":
                parts.append(r.name)
        return "".join(parts)

    def source_words(self) -> str:
        """Where the table comes from, for people: the shipped source in words, then the office's updates."""
        first, *updates = self.source.split("；")
        shipped = "民政部 1980 年以来历年公布的县以上行政区划代码（据维基百科整理的历年代码列表），随程序提供"
        return "；".join([shipped if first.startswith("python-stdnum") else first, *updates])

    @cached_property
    def without_counties(self) -> frozenset[str]:
        """Prefecture-level cities in use now with no county in use below them (东莞 441900): their streets'
        codes begin with the city's code."""
        current = [c for c, rs in self.regions.items() if rs[-1].current or any(r.current for r in rs)]
        prefixes = Counter(c[:4] for c in current)
        return frozenset(c for c in current if c[4:6] == "00" and c[2:4] != "00" and prefixes[c[:4]] == 1)

    def counties(self) -> int:
        return sum(1 for c in self.regions if c[4:6] != "00")

    def rows(self) -> Iterable[Region]:
        for code in sorted(self.regions):
            yield from self.regions[code]


def _parse(text: str, where: str) -> RegionTable:
    edition = 0
    source = ""
    regions: dict[str, list[Region]] = {}
    header_seen = False
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            if key.strip() == "edition":
                try:
                    edition = int(value.strip())
                except ValueError:
                    raise ValidationError(f"{where} 第 {number} 行的版本年份“{value.strip()}”无效") from None
            elif key.strip() == "source":
                source = value.strip()
            continue
        if not header_seen:
            if line.strip() != HEADER:
                raise ValidationError(f"{where} 不是行政区划代码表：第 {number} 行应为表头“code name from to”")
            header_seen = True
            continue
        cells = line.split("\t")
        if len(cells) != 4:
            raise ValidationError(f"{where} 第 {number} 行应有 4 列（代码、名称、起、止），实际 {len(cells)} 列")
        code, name, start, end = (c.strip() for c in cells)
        if len(code) != 6 or not code.isdigit() or not name:
            raise ValidationError(f"{where} 第 {number} 行的代码“{code}”或名称无效")
        try:
            years = [int(y) if y else None for y in (start, end)]
        except ValueError:
            raise ValidationError(f"{where} 第 {number} 行的年份“{start}”“{end}”无效") from None
        regions.setdefault(code, []).append(Region(code, name, years[0], years[1]))
    if not header_seen or not edition or len(regions) < MIN_LIST_CODES:
        raise ValidationError(f"{where} 不是完整的行政区划代码表（缺少版本年份或代码不足 {MIN_LIST_CODES} 个）")
    ordered = {c: tuple(sorted(rs, key=lambda r: r.start or 0)) for c, rs in regions.items()}
    return RegionTable(edition, source, ordered)


def read_table(path: Path) -> RegionTable:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"无法读取行政区划代码表 {path}：{exc}") from None
    table = _parse(text, str(path))
    return RegionTable(table.edition, table.source, table.regions, path)


@lru_cache(maxsize=1)
def shipped_path() -> Path:
    from gridapp.core.paths import resources_dir

    return resources_dir() / "regions" / FILE_NAME


def update_path() -> Path:
    return _update_path(os.environ.get("GRIDAPP_HOME"))


@lru_cache(maxsize=8)
def _update_path(_home: str | None) -> Path:  # keyed by the override, which tests change
    from gridapp.core.paths import user_data_dir

    return user_data_dir() / "regions" / FILE_NAME


@lru_cache(maxsize=4)
def _load(shipped: Path, updated: Path, stamp: tuple) -> RegionTable:
    table = read_table(shipped)
    if updated.is_file():
        try:
            mine = read_table(updated)
        except ValidationError as exc:
            log.warning("ignoring the updated region table %s: %s", updated, exc.message)
        else:
            if mine.edition >= table.edition:
                return mine
    return table


def table() -> RegionTable:
    """The table in use: the office's update when it is not older than the shipped one, else the shipped one."""
    shipped, updated = shipped_path(), update_path()
    try:
        stamp = updated.stat().st_mtime_ns, updated.stat().st_size
    except OSError:
        stamp = ()
    return _load(shipped, updated, stamp)


# --- the checks ------------------------------------------------------------------------------------------------

def id_region_note(number: str, regions: RegionTable | None = None) -> str | None:
    """A note for an ID number whose first six digits named no place in any edition of the table; None otherwise."""
    t = regions or table()
    code = number[:6]
    if t.known(code):
        return None
    return (f"身份证号码前六位“{code}”不在行政区划代码表（{t.edition} 年版，含历年撤销的代码）中，请核对号码；"
            "如确为新设区县，可更新代码表")


def credit_region_note(code: str, regions: RegionTable | None = None) -> str | None:
    """A note for a credit code whose positions 3–8 (the registering authority's region) named no place ever."""
    t = regions or table()
    region = code[2:8]
    if region.startswith("10") or t.known(region):  # 100000: authorities of the central government
        return None
    return (f"统一社会信用代码第3-8位登记管理机关行政区划码“{region}”不在行政区划代码表（{t.edition} 年版，含历年撤销的代码）"
            "中，请核对代码")


def check_site_region(code: str, regions: RegionTable | None = None) -> None:
    """The first six digits of a new site's org code must name a county (or a city without counties) now."""
    t = regions or table()
    prefix = code[:6]
    now = t.current(prefix)
    if now is not None and (prefix[4:6] != "00" or prefix in t.without_counties):
        if now.name == "市辖区":
            raise ValidationError(f"组织编码前六位“{prefix}”是{t.full_name(prefix)}“市辖区”的汇总代码，"
                                  "不是区县，请填写所在区县的代码", field="code")
        return
    last = t.last(prefix)
    if last is not None and last.end is not None:
        raise ValidationError(f"组织编码前六位“{prefix}”是已撤销的行政区划代码（{t.full_name(prefix)}，"
                              f"{last.end} 年后不再使用），新建站点请使用现行代码", field="code")
    if last is not None:  # a province or a prefecture with counties
        raise ValidationError(f"组织编码前六位“{prefix}”（{t.full_name(prefix)}）不是县级行政区划代码，"
                              "请填写所在区县的代码（不设区的地级市东莞、中山、儋州、嘉峪关用市的代码）", field="code")
    raise ValidationError(f"组织编码前六位“{prefix}”不在行政区划代码表（{t.edition} 年版）中；"
                          "如是新设立的区县，请先更新行政区划代码表（设置 → 行政区划代码表，"
                          "或 gridapp regions update）", field="code")


# --- updating from a year's list ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Update:
    table: RegionTable
    year: int
    added: tuple[Region, ...]
    renamed: tuple[tuple[Region, Region], ...]  # (old, new)
    retired: tuple[Region, ...]

    def summary(self) -> str:
        return (f"按 {self.year} 年代码更新：新增 {len(self.added)} 个、更名 {len(self.renamed)} 个、"
                f"撤销 {len(self.retired)} 个，共 {len(self.table.regions):,} 个代码（含历史）")


def merge_list(base: RegionTable, pairs: Iterable[tuple[str, str]], year: int, where: str) -> Update:
    """The table with one year's complete national list merged in: new codes start that year, a new name for a code
    starts that year and ends the old one the year before, a code missing from the list ends the year before."""
    if year < base.edition:
        raise ValidationError(f"{where} 是 {year} 年的代码，早于当前代码表（{base.edition} 年版），未更新")
    listed: dict[str, str] = {}
    for code, name in pairs:
        if code in listed and listed[code] != name:
            raise ValidationError(f"{where} 中代码 {code} 出现两次，名称不同（“{listed[code]}”“{name}”）")
        listed[code] = name
    provinces = {c[:2] for c in listed}
    if len(listed) < MIN_LIST_CODES or len(provinces) < MIN_LIST_PROVINCES:
        raise ValidationError(f"{where} 只有 {len(listed):,} 个代码、{len(provinces)} 个省份，不是完整的全国行政区划代码"
                              f"（应有 {MIN_LIST_CODES:,} 个以上、{MIN_LIST_PROVINCES} 个省份），为免误把其他地区标为撤销，未更新")
    regions = {c: list(rs) for c, rs in base.regions.items()}
    added, renamed, retired = [], [], []
    for code, name in listed.items():
        names = regions.setdefault(code, [])
        now = next((r for r in reversed(names) if r.current), None)
        if now is not None and now.name == name:
            continue
        new = Region(code, name, year, None)
        if now is not None:
            names[names.index(now)] = Region(code, now.name, now.start, year - 1)
            renamed.append((now, new))
        else:
            added.append(new)
        names.append(new)
    for code, names in regions.items():
        if code in listed or code[:2] in ("71", "81", "82", "83"):  # the list has no codes below these provinces
            continue
        for i, r in enumerate(names):
            if r.current:
                names[i] = Region(code, r.name, r.start, year - 1)
                retired.append(r)
    merged = RegionTable(year, f"{base.source}；{year} 年由 {Path(where).name} 更新",
                         {c: tuple(rs) for c, rs in regions.items()})
    return Update(merged, year, tuple(added), tuple(renamed), tuple(retired))


def render(t: RegionTable) -> str:
    lines = ["# GB/T 2260 中华人民共和国行政区划代码（省、地、县三级），含历史沿革",
             f"# edition: {t.edition}", f"# source: {t.source}", HEADER]
    lines += [f"{r.code}\t{r.name}\t{r.start or ''}\t{r.end or ''}" for r in t.rows()]
    return "\n".join(lines) + "\n"


def save_update(update: Update, path: Path | None = None, *, source: Path | None = None) -> Path:
    """Write the merged table where ``table()`` finds it, atomically (never over ``source``, the file read)."""
    from gridapp.core.files import write_bytes
    from gridapp.core.paths import private_dir

    target = path or update_path()
    private_dir(target.parent)
    written = write_bytes(target, render(update.table).encode("utf-8"), inputs=[source])
    _load.cache_clear()
    return written
