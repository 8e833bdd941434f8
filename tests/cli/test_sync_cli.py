"""gridapp sync identity|trust|export|import|log, with --json, between two real database files."""

import json

from tests.cli.test_import_export import run


def test_two_sites_exchange_through_the_command_line(tmp_path, capsys):
    c, s = tmp_path / "c.sqlite", tmp_path / "s.sqlite"
    assert run(capsys, "init", "--db", c, "--level", "community", "--code", "370203012001", "--name", "云溪社区")[0] == 0
    assert run(capsys, "init", "--db", s, "--level", "street", "--code", "370203012", "--name", "海泉路街道")[0] == 0
    fps = {}
    for db, name in ((c, "c.json"), (s, "s.json")):
        code, out, _ = run(capsys, "sync", "identity", "--db", db, "--out", tmp_path / name, "--json")
        assert code == 0
        fps[name] = json.loads(out)["fingerprint"]
    code, _out, err = run(capsys, "sync", "trust", "--db", s, tmp_path / "c.json", "--fingerprint", "0000-0000")
    assert code == 1 and "指纹不一致" in err
    code, out, _ = run(capsys, "sync", "trust", "--db", s, tmp_path / "c.json", "--fingerprint", fps["c.json"], "--json")
    assert code == 0 and json.loads(out)["code"] == "370203012001"
    assert run(capsys, "sync", "trust", "--db", c, tmp_path / "s.json", "--fingerprint", fps["s.json"])[0] == 0
    code, out, _ = run(capsys, "sync", "export", "--db", c, "--to", "370203012", "--out", tmp_path, "--json")
    package = json.loads(out)["out"]
    assert code == 0 and package.endswith("第1号.gridsync")
    code, out, _ = run(capsys, "sync", "import", "--db", s, package, "--dry-run", "--json")
    data = json.loads(out)
    assert code == 0 and data["dry_run"] and not data["committed"] and data["totals"]["new"] == 1
    code, out, _ = run(capsys, "sync", "import", "--db", s, package)
    assert code == 0 and "新增 1 条" in out and "导入前的备份" in out
    code, out, _ = run(capsys, "sync", "import", "--db", s, package, "--json")
    assert code == 0 and json.loads(out)["already_imported"]
    code, out, _ = run(capsys, "sync", "log", "--db", s, "--json")
    log = json.loads(out)
    assert [p["code"] for p in log["peers"]] == ["370203012001"] and log["packages"][0]["direction"] == "in"
    code, _out, err = run(capsys, "sync", "import", "--db", c, package)  # onto the wrong PC
    assert code == 1 and "是发给" in err


def test_export_into_a_folder_that_does_not_exist_yet(tmp_path, capsys):
    c, s = tmp_path / "c.sqlite", tmp_path / "s.sqlite"
    run(capsys, "init", "--db", c, "--level", "community", "--code", "370203012001", "--name", "云溪社区")
    run(capsys, "init", "--db", s, "--level", "street", "--code", "370203012", "--name", "海泉路街道")
    _c, out, _ = run(capsys, "sync", "identity", "--db", s, "--out", tmp_path / "s.json", "--json")
    run(capsys, "sync", "trust", "--db", c, tmp_path / "s.json", "--fingerprint", json.loads(out)["fingerprint"])
    code, out, err = run(capsys, "sync", "export", "--db", c, "--to", "370203012", "--out", tmp_path / "U盘" / "数据交换")
    assert code == 1 and "文件夹不存在" in err and "U盘" in err  # a stick not plugged in: not a folder on this disk
    assert not (tmp_path / "U盘").exists()
    (tmp_path / "U盘").mkdir()
    stick = tmp_path / "U盘" / "数据交换"
    code, out, _ = run(capsys, "sync", "export", "--db", c, "--to", "370203012", "--out", stick, "--json")
    assert code == 0 and json.loads(out)["out"].startswith(str(stick)) and len(list(stick.iterdir())) == 1


def test_sync_log_names_the_conflicting_values(tmp_path, capsys):
    from tests.sync.conftest import make_chain
    from tests.sync.test_exchange import _id, add_person, set_fields

    chain = make_chain(tmp_path / "sites")
    try:
        pid = add_person(chain.community, "王五", _id("37020319800101003"), "370203012001")
        chain.exchange(chain.community, chain.street)
        set_fields(chain.community, pid, education="20")
        set_fields(chain.street, pid, education="30")
        chain.exchange(chain.community, chain.street)
        code, out, _ = run(capsys, "sync", "log", "--db", chain.street.path)
    finally:
        for store in (chain.district, chain.street, chain.community):
            store.close()
    assert code == 0
    assert "人员“王五”的文化程度：保留“大学本科教育”（云溪社区），未采用“大学专科教育”（海泉路街道）" in out
