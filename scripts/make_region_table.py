"""Write ``resources/regions/gbt2260.tsv``, the GB/T 2260 county-level table with its history, from python-stdnum.

python-stdnum (a dev dependency) ships ``stdnum/cn/loc.dat``: every province, prefecture and county code since 1980
with the years each name was in use, taken from the Chinese Wikipedia lists 中华人民共和国行政区划代码 (1区–8区),
which follow the 民政部 editions. This script turns it into the table gridapp reads (one row per code and name, with
the first and last year it was in use; empty for "since before the lists" and "still in use"). Run it after
upgrading python-stdnum:

    .venv/bin/python scripts/make_region_table.py

Between releases an office updates the table itself from the 民政部 list of a year (``gridapp regions update``).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "regions" / "gbt2260.tsv"
# Hong Kong, Macao and Taiwan as their residents' residence permits (居住证) number them; loc.dat spells the
# first two in traditional characters and has no 830000.
PERMITS = {"810000": "香港特别行政区", "820000": "澳门特别行政区", "830000": "台湾地区（台湾居民居住证）"}
_ENTRY = re.compile(r"^(?:\[(\d{4})?-(\d{4})?\])?(.+)$")


def entries(loc: str):
    province = ""
    for line in loc.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        m = re.match(r"^(\d{2}) province=\"(.*)\"$", line)
        if m:
            province = m.group(1)
            yield province + "0000", m.group(2), None, None
            continue
        m = re.match(r"^\s+(\d{4}) county=\"(.*)\"$", line)
        if not m:
            raise SystemExit(f"unexpected line in loc.dat: {line!r}")
        code = province + m.group(1)
        if m.group(1) == "0000":
            continue  # the province again
        for part in m.group(2).split(","):
            e = _ENTRY.match(part.strip())
            start, end, name = e.group(1), e.group(2), e.group(3).strip()
            yield code, name, int(start) if start else None, int(end) if end else None


def main() -> int:
    import stdnum

    source = Path(stdnum.__file__).parent / "cn" / "loc.dat"
    rows = {}
    for code, name, start, end in entries(source.read_text(encoding="utf-8")):
        if code in PERMITS:
            name = PERMITS[code]
        rows[(code, name, start, end)] = None
    for code, name in PERMITS.items():
        if not any(r[0] == code for r in rows):
            rows[(code, name, None, None)] = None
    years = [y for r in rows for y in r[2:] if y]
    edition = max(years)
    lines = [
        "# GB/T 2260 中华人民共和国行政区划代码（省、地、县三级），含历史沿革：每行一个代码及其名称，起止为使用该名称的首末年份",
        "# （空白表示最早版本起就有 / 至今仍在使用）",
        f"# edition: {edition}",
        f"# source: python-stdnum {stdnum.__version__} stdnum/cn/loc.dat（据维基百科“中华人民共和国行政区划代码”各区列表，"
        "依民政部历年公布的代码整理），scripts/make_region_table.py 转换",
        "code\tname\tfrom\tto",
    ]
    for code, name, start, end in sorted(rows, key=lambda r: (r[0], r[2] or 0)):
        lines.append(f"{code}\t{name}\t{start or ''}\t{end or ''}")
    tmp = OUT.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, OUT)
    print(f"{OUT.relative_to(ROOT)}: {len(rows)} rows, {len({r[0] for r in rows})} codes, edition {edition}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
