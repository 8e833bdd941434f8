"""gridapp demo: a new database with realistic demo data."""

from __future__ import annotations

import argparse
import time

from gridapp.cli.arg_types import DEMO_YEAR_ARG
from gridapp.cli.output import TextProgress, emit
from gridapp.core import demo

HELP = "生成演示数据库（姓名、身份证号、信用代码等均为合规的虚构数据）"
SCALE_NAMES = {"small": "小规模", "street": "街道级", "district": "区级"}


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help=HELP, description=HELP + "。同一种子、同一年份生成相同数据。")
    p.add_argument("--scale", choices=tuple(demo.SCALES), default="small",
                   help="规模：small 小型街道；street 一个街道；district 一个区（约10万在职党员）")
    p.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
    p.add_argument("--year", type=DEMO_YEAR_ARG, default=None, help="数据所在年份（默认今年）")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    counts = demo.generate(args.db, args.scale, seed=args.seed, year=args.year,
                           progress=TextProgress(quiet=args.json))
    seconds = round(time.perf_counter() - start, 1)
    emit(args.json, {"db": str(args.db), "scale": args.scale, "seconds": seconds, "counts": counts},
         f"已生成{SCALE_NAMES[args.scale]}演示数据（{sum(counts.values()):,} 条记录，用时 {seconds} 秒）：{args.db}")
    return 0
