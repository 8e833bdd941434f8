"""首页概览: the site, record counts and the warnings a street officer watches."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from gridapp.core.codes import ORG_LEVEL
from gridapp.core.services import overview
from gridapp.ui.icons import icon
from gridapp.ui.pages.base import Page

_CARD_ICONS = {"streets": "street", "communities": "community", "grids": "grid", "compounds": "property",
               "persons": "workers", "grid_workers": "workers", "units": "baodao", "members": "member",
               "activities": "activity", "participations": "activity", "firms": "firm"}


class OverviewPage(Page):
    title = "首页概览"
    icon_name = "overview"

    def __init__(self, store, parent=None):
        super().__init__(store, parent)
        self.site_label = QLabel()
        self.outer.addWidget(self.site_label)
        self.cards = QGridLayout()
        self.cards.setSpacing(12)
        self.outer.addLayout(self.cards)
        self.value_labels: dict[str, QLabel] = {}
        for i, (key, label) in enumerate(overview.labels().items()):
            self.cards.addWidget(self._card(key, label), i // 4, i % 4)
        self.warnings = QLabel()
        self.warnings.setObjectName("warning")
        self.warnings.setWordWrap(True)
        self.outer.addSpacing(12)
        self.outer.addWidget(self.warnings)
        self.outer.addStretch(1)
        self.refresh()

    def _card(self, key: str, label: str) -> QWidget:
        card = QFrame()
        card.setObjectName("card")
        lay = QVBoxLayout(card)
        top = QLabel()
        top.setPixmap(icon(_CARD_ICONS.get(key, "overview"), "#b71c1c").pixmap(22, 22))
        value = QLabel("0")
        value.setObjectName("cardValue")
        text = QLabel(label)
        text.setObjectName("cardLabel")
        lay.addWidget(top)
        lay.addWidget(value)
        lay.addWidget(text)
        self.value_labels[key] = value
        return card

    def refresh(self) -> None:
        site = self.store.site
        self.site_label.setText(
            f"本站点：{site.name}（{ORG_LEVEL.name(site.level)}，编码 {site.code}）" if site else "本数据库尚未建立站点"
        )
        for key, n in overview.record_counts(self.store).items():
            self.value_labels[key].setText(f"{n:,}")
        w = overview.grid_warnings(self.store)
        notes = []
        if w.without_fulltime:
            notes.append(f"{w.without_fulltime} 个网格没有在岗专职网格员")
        if w.without_leader:
            notes.append(f"{w.without_leader} 个网格没有网格长")
        if w.overloaded:
            notes.append(f"{w.overloaded} 个网格每名专职网格员服务超过 {w.limit} 户")
        self.warnings.setText("需要关注：" + "；".join(notes) if notes else "各网格人员配备正常。")
