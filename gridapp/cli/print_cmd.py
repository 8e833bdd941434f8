"""gridapp print: rosters and notice boards to PDF, without opening a window."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from gridapp.cli.output import TextProgress, emit
from gridapp.core.store import Store

HELP = "打印到 PDF：roster=网格员花名册（A4横向），noticeboard=网格公示牌（每个网格一页）"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("print", help=HELP, description=HELP)
    p.add_argument("what", choices=("roster", "noticeboard"), help="打印内容")
    p.add_argument("--org", required=True, help="街道、社区或网格编码")
    p.add_argument("--out", required=True, type=Path, help="输出的 PDF 文件")
    p.add_argument("--date", type=dt.date.fromisoformat, help="填报日期（默认今天），如 2026-11-24")
    p.add_argument("--show-ids", action="store_true", help="花名册显示完整身份证号码（默认脱敏）")
    p.set_defaults(run=run)


def qt_app():
    """A Qt application for painting; offscreen where there is no display."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(["gridapp"])


def run(args: argparse.Namespace) -> int:
    from gridapp.io import reports

    _app = qt_app()
    from gridapp.ui import printing

    progress = TextProgress(quiet=args.json)
    with Store(args.db, lock=False, upgrade=False) as store:
        if args.what == "roster":
            content = reports.roster(store, args.org, issued_on=args.date, mask=not args.show_ids)
            pages = printing.roster_pdf(content, args.out, progress)
            what, count = content.title, content.count
        else:
            boards = reports.noticeboards(store, args.org)
            pages = printing.boards_pdf(boards, args.out, progress)
            what, count = "网格公示牌", len(boards)
    emit(args.json, {"what": args.what, "out": str(args.out), "pages": pages, "count": count},
         f"已生成{what}（{count} {'人' if args.what == 'roster' else '个网格'}，{pages} 页）：{args.out}")
    return 0
