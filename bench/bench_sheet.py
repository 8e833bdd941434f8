"""Reading a big sheet: how fast the .xlsx reader takes cells, and what cleaning every cell and looking for
formulas without results cost.

    .venv/bin/python bench/bench_sheet.py            # both parts
    .venv/bin/python bench/bench_sheet.py readers    # the readers only (10,000 and 100,000 rows)

Readers: 10,000 and 100,000 rows × 10 columns (.xlsx written by XlsxWriter with shared strings, as Excel saves
them, one date column), each read in a child process for its peak memory: our reader (``xlsx_reader``, which
scans the plain shapes as bytes), the same reader made to use its XML parser for every part (what it did
before the scan), python-calamine and openpyxl in read-only mode, both reading the values only.
``reader_figures()`` returns the figures for another script (``bench/run_all.py``).

Formulas:

A 20,000-row, 12-column roster read by ``read_sheet`` three ways: plain values; with a 序号 column of
formulas and a 备注 column of formulas giving empty text, their results stored as Excel saves them
(nothing is missing); with the same formulas saved without results, as by a program that does not
calculate (marked in the same single streaming pass). Baseline: openpyxl loading the values and walking
every row, which is all the reader did before it cleaned cells and looked at formulas. Processor time,
best of two. (At 100,000 rows the bounded streaming reader of gridapp/io/xlsx_reader.py took 0.41 of the
time of the openpyxl-based reader it replaced.)
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_foundation import OUT, report  # noqa: E402

from gridapp.io.kinds import WORKERS  # noqa: E402
from gridapp.io.sheet import read_sheet  # noqa: E402

ROWS = 20_000
HEADER = ["序号", "姓名", "性别", "民族", "身份证号码", "政治面貌", "文化程度", "联系电话", "所属网格", "人员类别", "任职时间", "备注"]


def _write(path: Path, *, formulas: bool, results: bool) -> Path:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("花名册")
    ws.append(["海泉路街道云溪社区网格员花名册"])
    ws.append(HEADER)
    for i in range(1, ROWS + 1):
        ws.append(["=ROW()-2" if formulas else i, f"张{i % 97}伟", "男", "汉族", f"37020319900101{i % 10000:04d}",
                   "中共党员", "大学本科", f"138{i:08d}", "云溪社区第一网格", "专职网格员", "2021-03-15",
                   '=IF(A1="","","")' if formulas else ""])
    wb.save(path)
    if formulas and results:  # what Excel stores beside each formula
        with zipfile.ZipFile(path) as z:
            parts = {i.filename: z.read(i) for i in z.infolist()}
        name = next(n for n in parts if n.startswith("xl/worksheets/"))
        xml = re.sub(rb'<c r="A(\d+)"([^>]*)><f>ROW\(\)-2</f><v\s*/>',
                     lambda m: b'<c r="A%s"%s><f>ROW()-2</f><v>%d</v>' % (m[1], m[2], int(m[1]) - 2), parts[name])
        parts[name] = re.sub(rb'<c r="(L\d+)"([^>]*)><f>', rb'<c r="\1"\2 t="str"><f>', xml)  # a calculated empty text
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for n, data in parts.items():
                z.writestr(n, data)
    return path


def cpu_timed(fn, repeat: int = 2) -> float:
    """Best processor time of ``repeat`` runs: reading is single-threaded, and a shared machine's load
    would swamp wall-clock differences of this size."""
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return best


def _baseline(path: Path) -> None:
    import openpyxl

    ws = openpyxl.load_workbook(path, data_only=True).active
    for _row in ws.iter_rows(values_only=True):
        pass


READER_ROWS = (10_000, 100_000)
READERS = ("ours", "ours (parser only)", "calamine", "openpyxl read-only")
_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
which, path = sys.argv[1], Path(sys.argv[2])
sys.path.insert(0, sys.argv[3])
if which.startswith("ours"):
    from gridapp.io import xlsx_reader, xlsx_scan
    if which == "ours (parser only)":
        def not_plain(self, *args):
            raise xlsx_scan.NotPlain
        xlsx_reader.Workbook._scan_sheet = xlsx_reader.Workbook._scan_strings = not_plain
    def read():
        return sum(len(s.rows) for s in xlsx_reader.read_sheets(path))
elif which == "calamine":
    import python_calamine
    def read():
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        return sum(1 for _ in book.get_sheet_by_index(0).iter_rows())
else:
    import openpyxl
    def read():
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        n = sum(1 for _ in book.active.iter_rows(values_only=True))
        book.close()
        return n
def peak_kb():  # VmHWM: ru_maxrss keeps the parent's peak across exec
    try:
        status = Path("/proc/self/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
before = peak_kb()
cpu, wall = time.process_time(), time.perf_counter()
rows = read()
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
print(json.dumps({"rows": rows, "cpu": cpu, "wall": wall, "peak_mb": peak_kb() / 1024, "start_mb": before / 1024}))
"""


def write_roster(path: Path, rows: int) -> Path:
    """``rows`` workers × 10 columns under a header, shared strings and a date column, as Excel saves them."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("花名册")
    ws.set_column(8, 8, 12, book.add_format({"num_format": "yyyy-mm-dd"}))
    ws.write_row(0, 0, ["序号", "姓名", "性别", "身份证号码", "政治面貌", "联系电话", "所属网格", "人员类别", "任职时间", "备注"])
    for i in range(1, rows + 1):
        ws.write_row(i, 0, [i, f"张{i % 97}伟", "男", f"37020319900101{i % 10000:04d}", "中共党员", f"138{i:08d}",
                            f"云溪社区第{i % 12 + 1}网格", "专职网格员", 44000 + i % 1000, f"备注{i}"])
    book.close()
    return path


def _child(which: str, path: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", _CHILD, which, str(path), str(ROOT)], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout)


def reader_figures(rows_list: tuple[int, ...] = READER_ROWS, repeat: int = 2) -> list[dict]:
    """For each size, each reader's processor and wall time (best of ``repeat`` children) and peak memory
    (the child's maximum resident size, the interpreter and its imports included)."""
    OUT.mkdir(parents=True, exist_ok=True)
    out = []
    for rows in rows_list:
        path = OUT / f"roster-{rows}.xlsx"
        if not path.exists():
            write_roster(path, rows)
        for which in READERS:
            runs = [_child(which, path) for _ in range(repeat)]
            assert {r["rows"] for r in runs} == {rows + 1}, (which, runs[0]["rows"])
            best = min(runs, key=lambda r: r["cpu"])
            out.append({"rows": rows, "reader": which, "cpu_s": best["cpu"], "wall_s": min(r["wall"] for r in runs),
                        "peak_mb": max(r["peak_mb"] for r in runs), "start_mb": best["start_mb"]})
    return out


def print_readers(figures: list[dict]) -> None:
    print(f"{'rows':>8}  {'reader':<20} {'cpu s':>7} {'wall s':>7} {'× calamine':>10} {'× ours':>7} {'peak MB':>8}"
          f" {'(start)':>8}")
    for f in figures:
        same = {g["reader"]: g for g in figures if g["rows"] == f["rows"]}
        print(f"{f['rows']:>8,}  {f['reader']:<20} {f['cpu_s']:7.2f} {f['wall_s']:7.2f} "
              f"{f['cpu_s'] / same['calamine']['cpu_s']:10.2f} {f['cpu_s'] / same['ours']['cpu_s']:7.2f} "
              f"{f['peak_mb']:8.0f} {f['start_mb']:8.0f}")


def main() -> None:
    print_readers(reader_figures())
    if sys.argv[1:] == ["readers"]:
        return
    OUT.mkdir(parents=True, exist_ok=True)
    headers = WORKERS.headers() + list(WORKERS.ignored)
    cases = (("plain values", False, False), ("formulas with stored results", True, True),
             ("formulas without results", True, False))
    for label, formulas, results in cases:
        path = _write(OUT / f"sheet-{label.replace(' ', '-')}.xlsx", formulas=formulas, results=results)
        sheet = read_sheet(path, headers)
        missing = sum(len(r.uncomputed) for r in sheet.rows)
        assert len(sheet.rows) == ROWS and missing == (2 * ROWS if formulas and not results else 0), (label, missing)
        report(f"read {ROWS:,} rows: {label}", cpu_timed(lambda p=path: read_sheet(p, headers)),
               cpu_timed(lambda p=path: _baseline(p)))


if __name__ == "__main__":
    main()
