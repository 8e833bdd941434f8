"""gridapp export: a list to a styled .xlsx, optionally limited to one org unit's subtree."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from gridapp.cli.arg_types import YEAR_ARG
from gridapp.cli.auth import open_store
from gridapp.cli.output import TextProgress, emit
from gridapp.core import list_specs, lists
from gridapp.core.list_specs_property import ratings_list
from gridapp.core.services import orgs
from gridapp.io.xlsx_out import export_list

HELP = "导出名单到 Excel（身份证号码默认脱敏，--with-ids 导出完整号码；号码按文本保存）"
KINDS = {k: list_specs.ALL.get(k) for k in ("grids", "workers", "units", "members", "activities", "participations",
                                            "firms", "compounds", "contracts", "appointments", "ratings")}


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help=HELP, description=HELP)
    p.add_argument("--kind", required=True, choices=tuple(KINDS), help="导出的名单")
    p.add_argument("--out", required=True, type=Path, help="输出的 .xlsx 文件")
    p.add_argument("--org", help="只导出该单位（街道、社区或网格编码）范围内的记录")
    ids = p.add_mutually_exclusive_group()
    ids.add_argument("--with-ids", action="store_true",
                     help="导出完整身份证号码（默认脱敏为 3702**********1234；完整号码是个人信息，请妥善保管文件）")
    # Masked is the default now; scripts written for the old option keep working.
    ids.add_argument("--mask-ids", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--year", type=YEAR_ARG, help="评星定级的年度（默认今年）")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    with open_store(args, lock=False, upgrade=False, readonly_ok=True) as store:
        spec = KINDS[args.kind] or ratings_list(store, args.year or dt.date.today().year)
        query = lists.Query()
        title = None
        if args.org:
            unit = orgs.get(store, args.org)
            if not any(f.key == "org" for f in spec.filters):
                from gridapp.core.errors import ValidationError

                raise ValidationError(f"{spec.title}不能按单位筛选")
            query = lists.Query(filters=(("org", unit.code),))
            title = f"{unit.name}{spec.title}"
        n = export_list(store, spec, query, args.out, title=title, mask_ids=not args.with_ids,
                        progress=TextProgress(quiet=args.json))
    full = "（含完整身份证号码，属于个人信息，请妥善保管）" if args.with_ids and _has_ids(spec) else ""
    emit(args.json, {"kind": args.kind, "out": str(args.out), "rows": n, "with_ids": args.with_ids},
         f"已导出 {n} 条{spec.title}记录{full}：{args.out}")
    return 0


def _has_ids(spec: lists.ListSpec) -> bool:
    return any(c.kind == "id_number" for c in spec.columns)
