"""gridapp import: an Excel sheet into the database, all valid rows in one transaction."""

from __future__ import annotations

import argparse
from pathlib import Path

from gridapp.cli.arg_types import YEAR_ARG
from gridapp.cli.auth import open_store
from gridapp.cli.output import TextProgress, emit
from gridapp.core.codes import ORG_LEVEL
from gridapp.core.errors import ValidationError
from gridapp.core.files import check_target
from gridapp.core.services import orgs
from gridapp.core.store import Store
from gridapp.core.validation import parse_org_code
from gridapp.io.importer import OUTCOME_NAMES, run_import
from gridapp.io.kinds import HANDLERS
from gridapp.io.xlsx_out import write_error_report

HELP = "从 Excel 导入（先检查全部行，合格的行一次性写入；不合格的行写入错误报告）"
EXIT_PARTIAL = 3


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help=HELP, description=HELP + "。全部导入返回0，有未导入的行返回3。")
    p.add_argument("file", type=Path, help="表格文件（.xlsx、.xls、WPS .et、.ods、.xlsb）或 CSV 文件（UTF-8 或 GBK）")
    p.add_argument("--kind", required=True, choices=tuple(HANDLERS), help="导入的内容：grids=网格划分，workers=网格员花名册，units=报到单位，members=在职党员，"
                   "activities=服务活动，participations=活动签到，firms=物业企业，compounds=小区，contracts=物业服务合同，"
                   "ratings=评星定级")
    p.add_argument("--year", type=YEAR_ARG, help="评星定级的年度（表中没有“年度”列时用；默认今年）")
    p.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入数据库")
    p.add_argument("--report", type=Path, help="把未导入的行、列和原因写入这个 Excel 文件")
    p.add_argument("--org", help="表中网格名称所属的社区（或网格）编码，用于“第一网格”这类不带社区名的写法")
    p.set_defaults(run=run)


def _check_org(store: Store, code: str) -> None:
    """``--org`` names a community or grid of this site, refused like ``export`` and ``print`` refuse it."""
    unit = orgs.get(store, parse_org_code(code))
    if unit.level not in ("community", "grid", "microgrid"):
        raise ValidationError(f"--org {code} 是{ORG_LEVEL.name(unit.level)}“{unit.name}”，"
                              "应为表中网格所属的社区或网格的编码")


def run(args: argparse.Namespace) -> int:
    if args.report:  # refused before the import, not after its rows went in
        args.report = check_target(args.report, inputs=(args.file, args.db))
    with open_store(args) as store:
        if args.org:
            _check_org(store, args.org)  # before the sheet is read
        report = run_import(store, HANDLERS[args.kind], args.file, commit=not args.dry_run,
                            options={"org": args.org, "year": args.year}, progress=TextProgress(quiet=args.json))
    if args.report and (report.rejected or report.noted):
        write_error_report(report, args.report)
    counts = report.counts()
    lines = [f"{'检查' if args.dry_run else '导入'} {args.file.name}（工作表“{report.sheet}”）：{report.summary()}"
             + ("（试运行，数据库未改动）" if args.dry_run else "")]
    for r in report.rejected[:50]:
        for column, reason in r.problems:
            lines.append(f"  第 {r.number} 行 {r.label} [{column}] {reason}")
    if len(report.rejected) > 50:
        lines.append(f"  ……共 {len(report.rejected)} 行未导入")
    for r in report.noted[:50]:
        for column, reason in r.notes:
            lines.append(f"  第 {r.number} 行 {r.label} [{column}] 提示：{reason}")
    if report.rejected:
        lines.append(f"错误报告：{args.report}" if args.report else "用 --report 错误报告.xlsx 可保存全部未导入的行")
    emit(args.json, {
        "file": str(args.file), "kind": args.kind, "dry_run": args.dry_run, "committed": report.committed,
        "counts": counts, "counts_named": {OUTCOME_NAMES[k]: v for k, v in counts.items()},
        "rejected": [{"row": r.number, "label": r.label, "problems": [{"column": c, "reason": m} for c, m in r.problems]}
                     for r in report.rejected],
        "notes": [{"row": r.number, "label": r.label, "notes": [{"column": c, "reason": m} for c, m in r.notes]}
                  for r in report.noted],
        "report": str(args.report) if args.report and (report.rejected or report.noted) else None,
    }, "\n".join(lines))
    return EXIT_PARTIAL if report.rejected else 0
