"""gridapp print: rosters and notice boards to PDF, without opening a window."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from gridapp.cli.arg_types import YEAR_ARG
from gridapp.cli.auth import open_store
from gridapp.cli.output import TextProgress, emit
from gridapp.core.store import Store

HELP = ("打印到 PDF：roster=网格员花名册（A4横向），noticeboard=网格公示牌（每个网格一页），"
        "feedback=在职党员报到服务情况反馈函（每个单位一份；--out 为 .xlsx 时输出表格），registration=报到登记表，"
        "firms=物业服务企业名册，ratings=红色物业评星定级结果（晾晒评比，按 --year）")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("print", help=HELP, description=HELP)
    p.add_argument("what", choices=("roster", "noticeboard", "feedback", "registration", "firms", "ratings"), help="打印内容")
    p.add_argument("--id-number", help="在职党员的身份证号码（报到登记表）")
    p.add_argument("--org", help="街道、社区或网格编码（花名册、公示牌）")
    p.add_argument("--unit", help="报到单位的统一社会信用代码（反馈函；不填则为全部单位）")
    p.add_argument("--year", type=YEAR_ARG, help="反馈、评星年度（默认今年）")
    p.add_argument("--out", required=True, type=Path, help="输出的 PDF 文件")
    p.add_argument("--date", type=dt.date.fromisoformat, help="填报日期（默认今天），如 2026-11-24")
    ids = p.add_mutually_exclusive_group()
    ids.add_argument("--with-ids", action="store_true",
                     help="花名册、报到登记表印出完整身份证号码（默认脱敏为 3702**********1234；"
                          "例如交给党员本人核对的登记表）")
    ids.add_argument("--show-ids", action="store_true", dest="with_ids", help=argparse.SUPPRESS)  # the old name
    p.set_defaults(run=run)


def qt_app():
    """A Qt application for painting; offscreen where there is no display."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(["gridapp"])


def run(args: argparse.Namespace) -> int:
    from gridapp.core.files import check_target
    from gridapp.io import reports

    check_target(args.out, inputs=(args.db,))  # refused before anything is gathered
    _app = qt_app()
    from gridapp.ui import printing

    progress = TextProgress(quiet=args.json)
    with open_store(args, lock=False, upgrade=False, readonly_ok=True) as store:
        if args.what == "feedback":
            return _feedback(args, store, printing, progress)
        if args.what == "registration":
            return _registration(args, store, printing)
        if args.what in ("firms", "ratings"):
            return _property(args, store, printing, progress)
        if not args.org:
            from gridapp.core.errors import ValidationError

            raise ValidationError("请用 --org 指定街道、社区或网格编码")
        if args.what == "roster":
            content = reports.roster(store, args.org, issued_on=args.date, mask=not args.with_ids)
            pages = printing.roster_pdf(content, args.out, progress)
            what, count = content.title, content.count
        else:
            boards = reports.noticeboards(store, args.org)
            pages = printing.boards_pdf(boards, args.out, progress)
            what, count = "网格公示牌", len(boards)
    emit(args.json, {"what": args.what, "out": str(args.out), "pages": pages, "count": count},
         f"已生成{what}（{count} {'人' if args.what == 'roster' else '个网格'}，{pages} 页）：{args.out}")
    return 0


def _feedback(args: argparse.Namespace, store: Store, printing, progress) -> int:
    from gridapp.core.services import baodao
    from gridapp.io import reports
    from gridapp.io.xlsx_out import write_letters

    year = args.year or dt.date.today().year
    unit_ids = [baodao.unit_by_credit_code(store, args.unit)] if args.unit else None
    letters = reports.feedback_letters(store, year, unit_ids, issued_on=args.date)
    if str(args.out).lower().endswith(".xlsx"):
        write_letters(letters, args.out)
        pages = 0
    else:
        pages = printing.letters_pdf(letters, args.out, progress)
    members = sum(len(x.table.rows) for x in letters)
    emit(args.json, {"what": "feedback", "out": str(args.out), "year": year, "units": len(letters),
                     "members": members, "pages": pages},
         f"已生成{year}年度反馈函：{len(letters)} 个单位，{members} 名党员" + (f"，{pages} 页" if pages else "")
         + f"：{args.out}")
    return 0


def _registration(args: argparse.Namespace, store: Store, printing) -> int:
    from gridapp.core.errors import NotFoundError, ValidationError
    from gridapp.core.validation import mask_id_number, parse_id_number
    from gridapp.io import reports

    if not args.id_number:
        raise ValidationError("请用 --id-number 指定在职党员的身份证号码")
    number = parse_id_number(args.id_number).number
    with store.engine.connect() as conn:
        member = conn.exec_driver_sql(
            "SELECT m.id FROM member_registration m JOIN person p ON p.id = m.person_id "
            "WHERE p.id_number = ? AND m.deleted_at IS NULL ORDER BY m.status = 'registered' DESC LIMIT 1",
            (number,)).scalar()
    if member is None:
        raise NotFoundError(f"身份证号码 {mask_id_number(number)} 没有报到记录")
    pages = printing.forms_pdf(reports.registration_forms(store, [member], mask=not args.with_ids), args.out)
    emit(args.json, {"what": "registration", "out": str(args.out), "pages": pages},
         f"已生成在职党员到社区报到登记表：{args.out}")
    return 0


def _property(args: argparse.Namespace, store: Store, printing, progress) -> int:
    from gridapp.io import reports

    if args.what == "firms":
        content = reports.firm_roster(store, args.org, issued_on=args.date)
    else:
        content = reports.rating_list(store, args.year or dt.date.today().year, args.org, issued_on=args.date)
    pages = printing.roster_pdf(content, args.out, progress)
    emit(args.json, {"what": args.what, "out": str(args.out), "pages": pages, "count": content.count,
                     "year": args.year}, f"已生成{content.title}（{content.count} 家，{pages} 页）：{args.out}")
    return 0
