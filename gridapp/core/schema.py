"""Schema revisions: is a database at head, behind (upgrade it) or ahead (refuse)?

Checking uses one SQL query; Alembic (≈0.6 s to import) is loaded only when an upgrade is due.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text

from gridapp.core.errors import StoreError

# Must equal the newest revision in db/versions (a test checks it). Oldest first.
REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010")
SCHEMA_HEAD = REVISIONS[-1]


def current_revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def has_user_tables(conn: Connection) -> bool:
    return bool([t for t in inspect(conn).get_table_names() if t != "alembic_version"])


def alembic_config(engine: Engine | None = None):  # -> alembic.config.Config
    from alembic.config import Config

    from gridapp.core.paths import migrations_dir

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the migrations in one transaction with foreign keys off, as SQLite prescribes for rebuilding a
    table others refer to, and refuse to commit if the upgrade left a reference dangling."""
    from alembic import command

    cfg = alembic_config(engine)
    with engine.connect() as conn:
        sqlite = conn.connection.driver_connection
        sqlite.execute("PRAGMA foreign_keys = OFF")  # only takes effect outside a transaction
        try:
            with conn.begin():
                before = len(conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall())
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
                dangling = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if len(dangling) > before:  # what was dangling before is `gridapp check`'s business
                    table, rowid, parent, _fk = dangling[-1]
                    raise StoreError(f"数据库升级后有 {len(dangling)} 条记录引用了不存在的记录（表 {table} 第 {rowid} 行 → "
                                     f"{parent}），升级已撤销，数据库保持原样")
        finally:
            sqlite.execute("PRAGMA foreign_keys = ON")


def check_not_newer(revision: str | None, path: Path) -> None:
    """Refuse a revision label this program does not know (newer, or not a gridapp label at all)."""
    if revision is not None and revision not in REVISIONS:
        raise StoreError(unknown_revision_message(revision, path))


def is_newer(revision: object) -> bool:
    """A label of the form this program writes, beyond the newest it knows."""
    return isinstance(revision, str) and len(revision) == len(SCHEMA_HEAD) and revision.isdigit() \
        and revision > SCHEMA_HEAD


def unknown_revision_message(revision: object, path: Path) -> str:
    label = f"“{revision}”" + ("（空）" if revision in (None, "") else "")
    hint = ("它可能由更新版本的 gridapp 创建，请先升级本程序再打开它" if is_newer(revision)
            else "它不是任何版本的 gridapp 写下的，文件可能已损坏或被其他程序改动过")
    return (f"数据库 {path} 的版本标记{label}是未知版本（本程序认识 {REVISIONS[0]}–{SCHEMA_HEAD}）：{hint}；"
            "为避免破坏数据未打开它")


def check_label(rows: tuple[object, ...], path: Path) -> str:
    """The one revision an alembic_version table holds, known to this program; StoreError otherwise."""
    if len(rows) != 1:
        raise StoreError(f"数据库 {path} 的版本信息有 {len(rows)} 条（应为 1 条），文件可能已损坏或被其他程序改动过；"
                         "为避免破坏数据未打开它")
    rev = rows[0]
    if not isinstance(rev, str) or rev not in REVISIONS:
        raise StoreError(unknown_revision_message(rev, path))
    return rev


# How each revision changed the tables' shape (indexes and data aside): a file's label is checked
# against its tables by undoing these from the models' shape. A new revision that adds, drops or
# renames a table or column adds its line here (a test builds every revision and checks it).
_CREATED: dict[str, tuple[str, ...]] = {
    "0004": ("sync_conflict", "sync_coverage", "sync_package", "sync_receipt"),
    "0006": ("special_kind",),
    "0007": ("person_search", "search_position"),
    "0008": ("journal_dictionary",),
    "0009": ("account", "audit_event"),
    "0010": ("grid_request", "request_step"),
}
_COLUMNS: dict[str, dict[str, tuple[frozenset[str], frozenset[str]]]] = {  # revision: table: (added, dropped)
    "0003": {"property_firm": (frozenset({"instructor_name", "instructor_phone"}),
                               frozenset({"instructor_person_id"}))},
    "0004": {"change_journal": (frozenset({"record_hlc"}), frozenset())},
    "0006": {"org_unit": (frozenset({"special_kind", "special_unit"}), frozenset())},
    "0008": {"change_journal": (frozenset({"packed"}), frozenset())},
}


def expected_tables(revision: str) -> dict[str, frozenset[str]]:
    """The tables, and their columns, a database at ``revision`` has."""
    from gridapp.core.models import Base

    shape = {name: frozenset(t.columns.keys()) for name, t in Base.metadata.tables.items()}
    for later in reversed(REVISIONS[REVISIONS.index(revision) + 1:]):
        for name in _CREATED.get(later, ()):
            shape.pop(name, None)
        for name, (added, dropped) in _COLUMNS.get(later, {}).items():
            shape[name] = (shape[name] - added) | dropped
    return shape


def shape_problem(revision: str, tables: dict[str, frozenset[str]]) -> str | None:
    """What in ``tables`` disagrees with ``revision`` (in Chinese), or None. Tables gridapp never had are
    left alone; a table of another revision, a missing table or column, or an extra column is not."""
    want = expected_tables(revision)
    ours = set(want) | {t for names in _CREATED.values() for t in names}
    for name in sorted(ours):
        have, need = tables.get(name), want.get(name)
        if need is None and have is not None:
            return f"有表 {name}，而该版本没有这个表"
        if need is not None and have is None:
            return f"缺少表 {name}"
        if need is not None and have is not None and have != need:
            missing, extra = sorted(need - have), sorted(have - need)
            parts = ([f"缺少列 {'、'.join(missing)}"] if missing else []) + ([f"多出列 {'、'.join(extra)}"] if extra else [])
            return f"表 {name} {'，'.join(parts)}"
    return None


def check_shape(revision: str, tables: dict[str, frozenset[str]], path: Path) -> None:
    problem = shape_problem(revision, tables)
    if problem:
        raise StoreError(f"数据库 {path} 标记的版本是 {revision}，但其中的表与该版本不符（{problem}），"
                         "可能被其他程序改动过；为避免破坏数据未打开它，也没有升级它")
