"""gridapp regions: the GB/T 2260 region table in use (edition, source, a code's history) and updating it from the
民政部 list of a later year, without a new release."""

from __future__ import annotations

import argparse
from pathlib import Path

from gridapp.cli.arg_types import YEAR_ARG
from gridapp.cli.output import emit
from gridapp.core import regions

HELP = "行政区划代码表（GB/T 2260，含历史代码）：查看版本和代码沿革，或用民政部某年的代码文件更新"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("regions", help=HELP, description=HELP)
    rsub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    show = rsub.add_parser("show", help="代码表的版本、来源、代码数；给出代码时列出其名称沿革",
                           description="代码表的版本、来源、代码数；给出代码时列出其名称沿革")
    show.add_argument("codes", nargs="*", metavar="CODE", help="6 位行政区划代码（或身份证号码、组织编码，取前 6 位）")
    show.set_defaults(run=run_show)
    up = rsub.add_parser(
        "update", help="用民政部某年的县以上行政区划代码（.xlsx/.xls/.csv/.txt，两列：行政区划代码、单位名称）更新代码表",
        description="用民政部某年公布的全国县以上行政区划代码更新代码表：新增的代码自该年起有效，缺少的代码记为该年起撤销，"
                    "已撤销的代码仍用于核对身份证号码。也可读入新版 gridapp 的 gbt2260.tsv。")
    up.add_argument("file", type=Path, metavar="FILE", help="代码文件")
    up.add_argument("--year", type=YEAR_ARG, help="代码的年份（文件标题或文件名中没有写明年份时必填）")
    up.add_argument("--dry-run", action="store_true", help="只显示会有哪些变化，不保存")
    up.set_defaults(run=run_update)


def _history(t: regions.RegionTable, code: str) -> dict:
    names = t.regions.get(code, ())
    return {"code": code, "place": t.full_name(code) if names else "", "known": bool(names),
            "current": t.current(code) is not None,
            "names": [{"name": r.name, "from": r.start, "to": r.end} for r in names]}


def _span(r: regions.Region) -> str:
    if r.start is None and r.end is None:
        return "至今"
    return f"{r.start or '最早版本'}–{r.end or '至今'}"


def run_show(args: argparse.Namespace) -> int:
    t = regions.table()
    where = "本机更新的代码表" if t.path and t.path != regions.shipped_path() else "随程序提供的代码表"
    lines = [f"行政区划代码表：{t.edition} 年版（{where}：{t.path}）", f"来源：{t.source_words()}",
             f"代码：{len(t.regions):,} 个（县级 {t.counties():,} 个，含历年撤销的代码）"]
    found = []
    for raw in args.codes:
        code = "".join(ch for ch in raw if ch.isdigit())[:6]
        h = _history(t, code)
        found.append(h)
        if not h["known"]:
            lines.append(f"{code}：不在代码表中")
            continue
        lines.append(f"{code} {h['place']}" + ("" if h["current"] else "（已撤销）"))
        lines += [f"  {r.name}：{_span(r)}" for r in t.regions[code]]
    emit(args.json, {"edition": t.edition, "source": t.source, "path": str(t.path), "codes": len(t.regions),
                     "counties": t.counties(), "lookup": found}, "\n".join(lines))
    return 0


def run_update(args: argparse.Namespace) -> int:
    from gridapp.io.region_list import plan_update

    update = plan_update(args.file, args.year)
    target = regions.update_path()
    if not args.dry_run:
        regions.save_update(update, target, source=args.file)
    sample = [f"  新增 {r.code} {r.name}" for r in update.added[:10]]
    sample += [f"  更名 {old.code} {old.name} → {new.name}" for old, new in update.renamed[:10]]
    sample += [f"  撤销 {r.code} {r.name}" for r in update.retired[:10]]
    text = update.summary() + ("（试运行，未保存）" if args.dry_run else f"，已保存到 {target}")
    emit(args.json, {"year": update.year, "added": len(update.added), "renamed": len(update.renamed),
                     "retired": len(update.retired), "codes": len(update.table.regions), "saved": not args.dry_run,
                     "path": str(target)}, "\n".join([text, *sample]))
    return 0
