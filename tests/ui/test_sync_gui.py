"""The 数据交换 page: trust by fingerprint, export and import through the wizards, conflicts listed."""

from pathlib import Path

from PySide6.QtWidgets import QDialog

from gridapp.core.store import Store
from gridapp.sync import identity
from gridapp.ui.pages.sync_page import PreviewDialog, SyncPage, TrustDialog
from tests.sync.conftest import make_chain


def test_trust_export_and_import_from_the_page(qtbot, tmp_path, messages, monkeypatch):
    from gridapp.ui.main_window import MainWindow

    chain = make_chain(tmp_path / "sites")
    community_file = identity.write_identity(chain.community, tmp_path / "c.json")
    chain.street.close()
    win = MainWindow(Store(chain.street.path))
    qtbot.addWidget(win)
    page = win.page(SyncPage)
    assert page.peers.rowCount() == 2 and page.fp.text() == identity.my_fingerprint(win.store)
    # Trusting again with a wrong fingerprint is refused; with the right one it is accepted.
    dialog = TrustDialog(win.store, community_file, identity.read_identity(community_file))
    qtbot.addWidget(dialog)
    dialog.entry.setText("0000-0000-0000-0000-0000")
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted and "指纹不一致" in messages[-1][1]
    dialog.entry.setText(identity.my_fingerprint(chain.community).lower().replace("-", " "))
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    # A package from the community, previewed, confirmed, applied in the background.
    from gridapp.core.services import orgs

    orgs.create_unit(chain.community, code="370203012001001", name="第一网格")
    package = chain.send(chain.community, win.store)
    monkeypatch.setattr(PreviewDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    page.import_package(Path(package))
    qtbot.waitUntil(lambda: any("导入完成" in m[1] or "新增" in m[1] for m in messages), timeout=20000)
    assert page.packages.rowCount() == 1 and page.packages.item(0, 1).text() == "导入"
    assert "新增" in page.packages.item(0, 6).text()
    win.close()
    for s in (chain.district, chain.community):
        s.close()
