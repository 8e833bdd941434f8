import json
import re
import sqlite3
import subprocess
import sys

import pytest

from gridapp.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_init_check_backup(tmp_path, capsys):
    db = tmp_path / "street.sqlite"
    code, out, _ = run(capsys, "init", "--db", str(db), "--level", "street", "--code", "370203012",
                       "--name", "海泉路街道")
    assert code == 0 and "海泉路街道" in out
    code, out, _ = run(capsys, "check", "--db", str(db), "--json")
    data = json.loads(out)
    assert code == 0 and data["ok"] and data["healthy"]
    assert data["site"]["code"] == "370203012"
    assert data["counts"]["streets"] == 1
    code, out, _ = run(capsys, "backup", "--db", str(db), "--out", str(tmp_path / "b.sqlite"), "--json")
    assert code == 0 and json.loads(out)["bytes"] > 0
    with sqlite3.connect(tmp_path / "b.sqlite") as conn:
        assert conn.execute("SELECT name FROM site").fetchone()[0] == "海泉路街道"


def test_init_twice_fails_with_one_line(tmp_path, capsys):
    db = tmp_path / "s.sqlite"
    args = ("init", "--db", str(db), "--level", "street", "--code", "370203012", "--name", "海泉路街道")
    assert run(capsys, *args)[0] == 0
    code, out, err = run(capsys, *args)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "已初始化" in err


def test_bad_code_creates_no_file(tmp_path, capsys):
    db = tmp_path / "bad.sqlite"
    code, _, err = run(capsys, "init", "--db", str(db), "--level", "street", "--code", "3702030", "--name", "x")
    assert code == 1 and "长度" in err
    assert not db.exists()


def test_demo_and_check(tmp_path, capsys):
    db = tmp_path / "demo.sqlite"
    code, out, _ = run(capsys, "demo", "--db", str(db), "--scale", "small", "--seed", "3", "--json")
    data = json.loads(out)
    assert code == 0 and data["counts"]["member_registration"] == 300
    code, out, _ = run(capsys, "check", "--db", str(db), "--json")
    assert code == 0 and json.loads(out)["counts"]["grids"] == 12


def test_check_reports_problems_with_exit_code(tmp_path, capsys):
    db = tmp_path / "demo.sqlite"
    code, out, _ = run(capsys, "demo", "--db", str(db))
    assert code == 0 and out.startswith("已生成小规模演示数据（") and "small" not in out
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE person SET id_number = '370203199001011230' WHERE rowid = 1")
    code, out, _ = run(capsys, "check", "--db", str(db))
    assert code == 4 and "身份证号码不合规" in out


def test_missing_database_and_json_errors(tmp_path, capsys):
    code, out, _ = run(capsys, "check", "--db", str(tmp_path / "none.sqlite"), "--json")
    assert code == 1
    assert json.loads(out) == {"ok": False, "error": f"数据库文件不存在：{tmp_path / 'none.sqlite'}"}


def test_db_option_before_the_subcommand(tmp_path, capsys):
    db = tmp_path / "x.sqlite"
    assert run(capsys, "--db", str(db), "init", "--level", "district", "--code", "370203", "--name", "市北区")[0] == 0
    assert db.exists()


@pytest.mark.parametrize("sub", ["init", "demo", "check", "backup"])
def test_every_subcommand_has_help(sub, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([sub, "--help"])
    assert exit_.value.code == 0
    assert "--db" in capsys.readouterr().out


def test_console_entry_point_runs(tmp_path):
    result = subprocess.run([sys.executable, "-m", "gridapp", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("gridapp ")
    result = subprocess.run([sys.executable, "-m", "gridapp", "check", "--db", str(tmp_path / "no.sqlite")],
                            capture_output=True, text=True)
    assert result.returncode == 1 and result.stderr.startswith("错误：")


# The keys of levels, scales and codes: options and JSON use them, text says them in Chinese.
RAW_KEYS = re.compile(r"\b(small|street|district|community|grid|microgrid|fulltime|parttime|leader|active|left)\b")


def test_text_output_says_levels_in_chinese(tmp_path, capsys):
    said = []
    for level, code, name in (("district", "370203", "市北区"), ("street", "370203012", "海泉路街道"),
                              ("community", "370203012001", "云溪社区")):
        db = tmp_path / f"{code}.sqlite"
        said.append(run(capsys, "init", "--db", str(db), "--level", level, "--code", code, "--name", name)[1])
        said.append(run(capsys, "check", "--db", str(db))[1])
        said.append(run(capsys, "sync", "identity", "--db", str(db), "--out", str(tmp_path / f"{code}.json"))[1])
        said.append(run(capsys, "sync", "log", "--db", str(db))[1])
    text = "".join(said).replace(str(tmp_path), "")
    assert "已建立区站点“市北区”" in text and "已建立街道站点“海泉路街道”" in text and "已建立社区站点“云溪社区”" in text
    assert not RAW_KEYS.search(text), RAW_KEYS.search(text)


def _usage_error(capsys, *argv) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(list(argv))
    assert exit_.value.code == 2
    return capsys.readouterr().err


def test_usage_errors_and_help_are_chinese(capsys):
    err = _usage_error(capsys, "export", "--kind", "nope", "--out", "x.xlsx")
    assert "错误" in err and "无效的选项 'nope'" in err and "可选：" in err
    assert "error" not in err and "invalid choice" not in err
    assert "缺少必需的参数：--kind, --out" in _usage_error(capsys, "export")
    with pytest.raises(SystemExit):
        main(["--help"])
    out, _err = capsys.readouterr()
    assert out.startswith("用法：gridapp") and "显示本帮助并退出" in out and "usage" not in out


def test_log_shows_entries_as_text_and_json_and_exports(tmp_path, capsys):
    db = tmp_path / "street.sqlite"
    run(capsys, "init", "--db", str(db), "--level", "street", "--code", "370203012", "--name", "海泉路街道")
    code, out, _ = run(capsys, "log", "--db", str(db))
    assert code == 0 and "新增  街道 海泉路街道" in out and "编码：370203012" in out
    code, out, _ = run(capsys, "log", "--db", str(db), "--json", "--kind", "orgs", "--search", "海泉")
    data = json.loads(out)
    assert code == 0 and data["more"] is False
    entry = data["entries"][0]
    assert (entry["op_name"], entry["kind"], entry["name"]) == ("新增", "街道", "海泉路街道")
    assert {"field": "层级", "old": None, "new": "街道"} in entry["changes"]
    code, out, _ = run(capsys, "log", "--db", str(db), "--json", "--kind", "firms")
    assert json.loads(out)["entries"] == []
    code, out, _ = run(capsys, "log", "--db", str(db), "--out", str(tmp_path / "log.xlsx"), "--json")
    assert code == 0 and json.loads(out)["entries"] == 1 and (tmp_path / "log.xlsx").exists()
    with pytest.raises(SystemExit) as bad:
        main(["log", "--db", str(db), "--since", "2026/6/1"])
    assert bad.value.code == 2 and "YYYY-MM-DD" in capsys.readouterr().err


def test_check_shows_the_grids_by_type(capsys, demo_db):
    assert main(["check", "--db", str(demo_db)]) == 0
    out = capsys.readouterr().out
    assert "专属网格：2 个网格" in out and "其中：学校：1 个网格" in out
    assert main(["check", "--db", str(demo_db), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    by_label = {t["label"]: t for t in data["grid_types"]}
    assert by_label["合计"]["grids"] == 12 and by_label["养老机构"]["special_kind"]
