"""数据交换: this site's identity (what peers will trust) and the change journal that sync sends."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel

from gridapp.core import list_specs
from gridapp.core.codes import ORG_LEVEL
from gridapp.core.services.site import fingerprint
from gridapp.ui.list_panel import ListPanel
from gridapp.ui.pages.base import Page


class SyncPage(Page):
    title = "数据交换"
    icon_name = "sync"

    def __init__(self, store, parent=None):
        super().__init__(store, parent)
        box = QGroupBox("本站点身份")
        form = QFormLayout(box)
        self.site_name, self.site_code, self.site_level, self.fp = QLabel(), QLabel(), QLabel(), QLabel()
        self.fp.setObjectName("fingerprint")
        form.addRow("名称：", self.site_name)
        form.addRow("编码：", self.site_code)
        form.addRow("层级：", self.site_level)
        form.addRow("密钥指纹：", self.fp)
        self.outer.addWidget(box)
        journal = QGroupBox("变更日志（每次修改的字段、原值与新值；数据交换据此发送变更）")
        self.journal = ListPanel(store, list_specs.JOURNAL, search_hint="搜索：数据表、字段、新值或操作人")
        lay = QFormLayout(journal)
        lay.addRow(self.journal)
        self.outer.addWidget(journal, 1)
        self.refresh()

    def refresh(self) -> None:
        site = self.store.site
        self.site_name.setText(site.name if site else "未建立")
        self.site_code.setText(site.code if site else "")
        self.site_level.setText(ORG_LEVEL.name(site.level) if site else "")
        self.fp.setText(fingerprint(self.store) or "无")
        self.journal.refresh()
