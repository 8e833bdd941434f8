"""Every command that writes a file refuses to write over what the user has, and says why, in text or JSON."""

import hashlib
import json
import os
import shutil

import pytest

from gridapp.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def digest(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def no_parts(folder):
    return [p.name for p in folder.rglob("*.part")] == []


def writers(db, out):
    """Each command that writes a file, aimed at ``out``."""
    return [
        ("export", "--db", db, "--kind", "grids", "--out", out),
        ("template", "--kind", "grids", "--out", out),
        ("print", "roster", "--db", db, "--org", "370203012001", "--out", out),
        ("sync", "identity", "--db", db, "--out", out),
        ("log", "--db", db, "--out", out),
        ("backup", "--db", db, "--out", out),
    ]


@pytest.mark.parametrize("companion", ["", "-wal", "-shm", ".lock"])
def test_no_command_writes_over_the_database_or_its_companions(demo_db, capsys, companion):
    db = str(demo_db)
    target = db + companion
    if companion:
        open(target, "ab").close()
    before = digest(demo_db)
    for argv in writers(db, target):
        code, out, err = run(capsys, *argv)
        assert code == 1, (argv, out, err)
        assert ("数据库" in err or "已存在" in err) and "Traceback" not in err, (argv, err)
        assert digest(demo_db) == before, argv
    assert no_parts(demo_db.parent)


def test_no_command_writes_over_a_backup(demo_db, tmp_path, capsys):
    backup = shutil.copy(demo_db, tmp_path / "旧备份.sqlite")
    before = digest(backup)
    for argv in writers(str(demo_db), str(backup)):
        code, _out, err = run(capsys, *argv)
        assert code == 1 and ("数据库" in err or "已存在" in err), (argv, err)
    assert digest(backup) == before


def test_import_report_over_its_own_sheet_is_refused_before_importing(demo_db, tmp_path, capsys):
    sheet = tmp_path / "网格.xlsx"
    assert run(capsys, "export", "--db", str(demo_db), "--kind", "grids", "--out", str(sheet))[0] == 0
    sheet_before, db_before = digest(sheet), digest(demo_db)
    link = tmp_path / "同一个文件.xlsx"
    os.link(sheet, link)
    for report in (sheet, link, demo_db):
        code, _out, err = run(capsys, "import", "--db", str(demo_db), "--kind", "grids", str(sheet),
                              "--report", str(report))
        assert code == 1 and ("本次读取的文件" in err or "数据库" in err), err
    assert digest(sheet) == sheet_before and digest(demo_db) == db_before


def test_unwritable_places_are_named_and_json_stays_json(demo_db, tmp_path, capsys):
    (tmp_path / "a-file").write_text("x")
    for out, words in ((tmp_path / "missing" / "x.xlsx", "文件夹不存在"), (tmp_path, "是文件夹"),
                       (tmp_path / "a-file" / "x.xlsx", "不是文件夹")):
        for argv in writers(str(demo_db), str(out)):
            code, stdout, err = run(capsys, *argv, "--json")
            data = json.loads(stdout)
            assert code == 1 and data["ok"] is False and words in data["error"], (argv, data)
            assert err == ""
    assert not (tmp_path / "missing").exists()


def usage_error(capsys, *argv):
    with pytest.raises(SystemExit) as caught:
        main(list(argv))
    out, err = capsys.readouterr()
    return caught.value.code, out, err


def test_usage_errors_are_json_under_json(capsys):
    code, out, _err = usage_error(capsys, "export", "--kind", "grids", "--json")
    data = json.loads(out)
    assert code == 2 and data["ok"] is False and "--out" in data["error"] and "用法" in data["usage"]
    code, out, _err = usage_error(capsys, "--json", "export", "--kind", "nonsense", "--out", "x.xlsx")
    assert code == 2 and "无效的选项" in json.loads(out)["error"]
    code, out, err = usage_error(capsys, "export", "--kind", "grids")  # without --json: usage text on stderr
    assert code == 2 and out == "" and "缺少必需的参数" in err
