"""gridapp template: the import template for a kind of sheet."""

from __future__ import annotations

import argparse
from pathlib import Path

from gridapp.cli.arg_types import YEAR_ARG
from gridapp.cli.output import emit
from gridapp.core.errors import DomainError
from gridapp.io.kinds import HANDLERS
from gridapp.io.xlsx_out import write_template

HELP = "生成导入模板（含示例行、下拉选项和填写说明）"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("template", help=HELP, description=HELP)
    p.add_argument("--kind", required=True, choices=tuple(HANDLERS), help="模板类型")
    p.add_argument("--out", required=True, type=Path, help="输出的 .xlsx 文件")
    p.add_argument("--year", type=YEAR_ARG, help="评星定级模板的年度（按该年度的评星标准列出指标）")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    handler = HANDLERS[args.kind]
    # The columns come from the database (ratings: the year's indicators; grids: the kinds added), which a
    # grids template may do without.
    if hasattr(handler, "bind") and not (getattr(handler, "db_optional", False) and not Path(args.db).exists()):
        from gridapp.cli.auth import open_store

        try:
            with open_store(args, lock=False, upgrade=False, readonly_ok=True) as store:
                handler = handler.bind(store, {"year": args.year})
        except DomainError:
            # A grids template is whole with the standard kinds alone: a database it cannot read (a full
            # disk, a newer version) does not stop it.
            if not getattr(handler, "db_optional", False):
                raise
    spec = handler.spec
    write_template(spec, args.out)
    emit(args.json, {"kind": args.kind, "out": str(args.out)}, f"已生成{spec.title}导入模板：{args.out}")
    return 0
