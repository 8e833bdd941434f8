"""Schema revisions: is a database at head, behind (upgrade it) or ahead (refuse)?

Checking uses one SQL query; Alembic (≈0.6 s to import) is loaded only when an upgrade is due.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text

from gridapp.core.errors import StoreError

# Must equal the newest revision in db/versions (a test checks it). Oldest first.
REVISIONS = ("0001", "0002", "0003", "0004", "0005")
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
    if revision is not None and revision not in REVISIONS:
        raise StoreError(
            f"数据库 {path} 由更新版本的 gridapp 创建（数据库版本 {revision}，本程序支持到 {SCHEMA_HEAD}），"
            "请先升级本程序再打开它。"
        )
