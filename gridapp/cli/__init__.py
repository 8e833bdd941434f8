"""The ``gridapp`` command: no sub-command opens the main window; sub-commands run jobs headless.

Once a database has accounts every command runs as one: ``--user NAME`` (or the environment variable
GRIDAPP_USER), the password typed at the prompt or, for scripts, in GRIDAPP_PASSWORD (gridapp.cli.auth).

Exit codes: 0 success; 1 a clear failure (one line on stderr); 2 wrong usage; 3 an import with
rejected rows; 4 ``check`` found problems; 130 cancelled.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from gridapp import APP_TITLE, __version__

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_PARTIAL, EXIT_PROBLEMS, EXIT_CANCELLED = 0, 1, 2, 3, 4, 130

log = logging.getLogger("gridapp")
USER_HELP = ("以该账号运行（数据库设置了账号时；也可用环境变量 GRIDAPP_USER）。密码在提示时输入，"
             "脚本中可用环境变量 GRIDAPP_PASSWORD")


def _commands():
    from gridapp.cli import (
        audit_cmd,
        backup_cmd,
        check_cmd,
        demo_cmd,
        export_cmd,
        import_cmd,
        init_cmd,
        log_cmd,
        print_cmd,
        regions_cmd,
        requests_cmd,
        restore_cmd,
        sync_cmd,
        template_cmd,
        user_cmd,
    )

    return (init_cmd, demo_cmd, check_cmd, backup_cmd, restore_cmd, import_cmd, export_cmd, template_cmd, print_cmd,
            sync_cmd, log_cmd, regions_cmd, user_cmd, audit_cmd, requests_cmd)


def build_parser() -> argparse.ArgumentParser:
    from gridapp.cli import argparse_zh

    argparse_zh.install()
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", type=Path, help="数据库文件路径（默认在用户数据文件夹中）")
    common.add_argument("--json", action="store_true", help="以 JSON 格式输出结果")
    common.add_argument("--user", help=USER_HELP)
    parser = _Parser(
        prog="gridapp", description=f"{APP_TITLE}。不带子命令时打开主窗口。", parents=[common]
    )
    parser.add_argument("--version", action="version", version=f"gridapp {__version__}")
    parser.add_argument("--demo", action="store_true", help="打开演示数据库（不存在时自动生成）")
    parser.add_argument("--smoke-test", action="store_true",
                        help="自检：打开主窗口的每个页面后关闭，输出用时（需 --db 或 --demo）")
    sub = parser.add_subparsers(dest="command", metavar="子命令", parser_class=_SubParser)
    sub.parents = [common]  # type: ignore[attr-defined]
    for module in _commands():
        module.add_parser(sub)
    return parser


_JSON_ERRORS = False  # set by main() when --json is on the command line: usage errors are JSON too


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        if _JSON_ERRORS:
            print(json.dumps({"ok": False, "error": message, "usage": self.format_usage().strip()},
                             ensure_ascii=False))
            self.exit(EXIT_USAGE)
        super().error(message)


class _SubParser(_Parser):
    """Sub-command parsers share --db and --json, so they may stand after the sub-command too."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("parents", [])
        common = argparse.ArgumentParser(add_help=False)
        common.add_argument("--db", type=Path, default=argparse.SUPPRESS, help="数据库文件路径")
        common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="以 JSON 格式输出结果")
        common.add_argument("--user", default=argparse.SUPPRESS, help=USER_HELP)
        kwargs["parents"] = [*kwargs["parents"], common]
        super().__init__(*args, **kwargs)


def _wants_json(argv: list[str]) -> bool:
    return any(a == "--json" or (len(a) >= 3 and "--json".startswith(a)) for a in argv)


def main(argv: list[str] | None = None) -> int:
    from gridapp.core.errors import Cancelled, DomainError
    from gridapp.core.paths import restrict_new_files

    # Before anything is opened: the database, SQLite's -wal/-shm, exports and logs are the user's alone.
    restrict_new_files()
    global _JSON_ERRORS
    argv = sys.argv[1:] if argv is None else list(argv)
    _JSON_ERRORS = _wants_json(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from gridapp.ui.app import run_gui

        return run_gui(args.db, demo=args.demo, smoke_test=args.smoke_test)
    from gridapp.core.logs import install_console_excepthook

    install_console_excepthook()  # a traceback, if one escapes, with ID and phone numbers masked
    if args.db is None:
        from gridapp.core.paths import default_db_path

        args.db = default_db_path()
    try:
        return args.run(args)
    except DomainError as exc:
        from gridapp.cli.output import fail

        return fail(args.json, exc.message)
    except Cancelled:
        from gridapp.cli.output import fail

        return fail(args.json, "已取消，数据库未改动", EXIT_CANCELLED)
    except KeyboardInterrupt:
        from gridapp.cli.output import fail

        return fail(args.json, "已中断", EXIT_CANCELLED)
    except OSError as exc:  # a file the job reads or writes, as the operating system refused it
        from gridapp.cli.output import fail
        from gridapp.core.files import os_error_message

        return fail(args.json, os_error_message(exc, exc.filename or "", writing=False)
                    if exc.filename else f"读写文件时出错：{exc.strerror or exc}")
    except Exception as exc:
        if os.environ.get("GRIDAPP_DEBUG"):
            raise
        from gridapp.cli.output import fail
        from gridapp.core import logs

        where = ""
        try:
            where = f"，错误详情（已隐去身份证号码和电话）记录在 {logs.setup_logging()}"
            logs.log.error("uncaught in %s: %s", args.command, logs.format_exception(exc))
        except OSError:
            pass
        return fail(args.json, f"程序内部错误（{logs.summary(exc, 120)}）：本次操作没有完成，未写完的改动已撤销{where}。"
                               "这是 gridapp 的缺陷，请把所用的命令和这个文件发给技术支持人员")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
