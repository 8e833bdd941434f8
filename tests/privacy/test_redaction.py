"""No ID number or phone number in a log record, a traceback or the text of an error, however it got there."""

from __future__ import annotations

import logging
import sys

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from gridapp.core import logs
from gridapp.core.redact import redact
from gridapp.core.store import Store

ID = "370203199003071235"
PHONE = "13812345678"


@pytest.mark.parametrize(("raw", "shown"), [
    (f"身份证号码{ID}重复", "身份证号码3702**********1235重复"),
    ("37020319900307123X；", "3702**********123X；"),
    ("old 370203900307123 id", "old 3702*******7123 id"),
    (f"[parameters: ('{ID}', 'abc')]", "[parameters: ('3702**********1235', 'abc')]"),
    (f"电话{PHONE}。", "电话138****5678。"),
    ("call +86 138-1234-5678 now", "call 138****5678 now"),
    ("8613812345678", "138****5678"),
    ("座机0532-88886666转12", "座机0532-****6666转12"),
    ("(0532)8888666", "(0532)****8666"),
    ("053288886666", "0532****6666"),
])
def test_personal_numbers_are_masked_in_free_text(raw, shown):
    assert redact(raw) == shown


@pytest.mark.parametrize("kept", [
    "2026-12-01 23:46:03,123 ERROR gridapp: unexpected error",
    "第 12 行；共 1,024 条；2026年10月8日；版本 0004",
    "File \"/work/gridapp/core/store.py\", line 245, in make_engine",
    "UNIQUE constraint failed: person.id_number",
])
def test_other_text_is_left_alone(kept):
    assert redact(kept) == kept


def _duplicate_id_error(db) -> tuple[IntegrityError, str]:
    """A real UNIQUE violation whose parameters are a person's full ID number."""
    with Store(db) as store, store.engine.connect() as conn:
        first, second = conn.execute(text("SELECT id_number, id FROM person WHERE id_number IS NOT NULL LIMIT 2")).all()
        with pytest.raises(IntegrityError) as caught:
            conn.execute(text("UPDATE person SET id_number = :n WHERE id = :i"), {"n": first[0], "i": second[1]})
    return caught.value, first[0]


def test_sqlalchemy_errors_do_not_carry_the_parameters(demo_db):
    exc, number = _duplicate_id_error(demo_db)
    assert number not in str(exc) and "hidden" in str(exc)


def test_the_log_never_holds_an_id_or_phone_number(demo_db, log_file):
    exc, number = _duplicate_id_error(demo_db)
    try:
        raise ValueError(f"联系电话 {PHONE} 无法拨通，证件 {number}")
    except ValueError as e:
        bad = e
    logs.log.error("unexpected error", exc_info=exc)
    logs.log.error("unexpected error", exc_info=bad)
    logs.log.warning("looked up %s for %s", number, PHONE)  # in the arguments of a record, too
    logging.getLogger("gridapp.io").error("child logger: %s", number)
    written = log_file.read_text(encoding="utf-8")
    assert "IntegrityError" in written and "ValueError" in written and "child logger" in written
    assert number not in written and PHONE not in written
    assert f"{number[:4]}**********{number[-4:]}" in written and "138****5678" in written


def test_an_uncaught_error_on_the_command_line_is_masked(log_file, capsys):
    old = sys.excepthook
    try:
        logs.install_console_excepthook()
        try:
            raise RuntimeError(f"失败：{ID} {PHONE}")
        except RuntimeError as e:
            sys.excepthook(type(e), e, e.__traceback__)
    finally:
        sys.excepthook = old
    err = capsys.readouterr().err
    assert "RuntimeError" in err and "Traceback" in err and str(log_file) in err
    for text_ in (err, log_file.read_text(encoding="utf-8")):
        assert ID not in text_ and PHONE not in text_ and "3702**********1235" in text_
