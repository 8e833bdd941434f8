"""gridapp requests: the people's requests (民情诉求) — which are overdue or due soon within an organisation."""

from __future__ import annotations

import argparse

from gridapp.cli.auth import open_store
from gridapp.cli.output import emit
from gridapp.core import codes
from gridapp.core.services import orgs, requests
from gridapp.core.validation import parse_org_code

HELP = "民情诉求：列出超期和即将超期（两天内到期）的诉求"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("requests", help=HELP, description=HELP)
    what = p.add_subparsers(dest="what", required=True, metavar="{overdue}")
    o = what.add_parser("overdue", help="超期和即将超期的诉求，超期最久的在前",
                        description="超期和即将超期的诉求，超期最久的在前")
    o.add_argument("--org", required=True, help="区（县）、街道、社区或网格编码")
    o.add_argument("--days", type=int, default=requests.DUE_SOON_DAYS,
                   help=f"还有几天到期算即将超期（默认 {requests.DUE_SOON_DAYS}）")
    o.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    with open_store(args, lock=False, upgrade=False, readonly_ok=True) as store:
        unit = orgs.get(store, parse_org_code(args.org))
        found = requests.due(store, unit.code, soon_days=max(0, args.days))
    lines = [f"{unit.name}：超期 {sum(d.overdue for d in found)} 件，即将超期 {sum(not d.overdue for d in found)} 件"]
    for d in found:
        when = f"超期 {-d.days_left} 天" if d.overdue else ("今天到期" if d.days_left == 0 else f"{d.days_left} 天后到期")
        sup = f"  {codes.SUPERVISION.name(d.supervision)}督办" if d.supervision else ""
        lines.append(f"{d.number}  {d.community}{' ' + d.grid if d.grid else ''}  "
                     f"{codes.REQUEST_CATEGORY.name(d.category)}  {codes.REQUEST_STATE.name(d.state)}  "
                     f"时限 {d.deadline}  {when}{sup}  {d.description[:40]}")
    emit(args.json, {"org": unit.code, "requests": [
        {"id": d.id, "number": d.number, "community": d.community, "grid": d.grid, "category": d.category,
         "state": d.state, "deadline": d.deadline, "days_left": d.days_left, "overdue": d.overdue,
         "supervision": d.supervision, "description": d.description} for d in found]}, "\n".join(lines))
    return 0
