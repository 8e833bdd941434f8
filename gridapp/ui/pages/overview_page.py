"""首页概览: the site, record counts and the warnings a street officer watches, each leading to its records."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gridapp.core.codes import ORG_LEVEL
from gridapp.core.services import grid_types, overview
from gridapp.ui.icons import ACCENT, icon
from gridapp.ui.pages.base import Page
from gridapp.ui.pages.grids_page import GridsPage

_CARD_ICONS = {"streets": "street", "communities": "community", "grids": "grid", "compounds": "property",
               "persons": "workers", "grid_workers": "workers", "units": "baodao", "members": "member",
               "activities": "activity", "participations": "activity", "firms": "firm"}
_COLUMNS = 4
EMPTY_HINT = "还没有网格：请先在 网格管理 中新建社区和网格，或导入《网格划分》表"


class FigureButton(QPushButton):
    """A record count drawn as a card; clicking it (or Space when focused) opens those records."""

    def __init__(self, key: str, label: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.key, self.label = key, label
        self.setObjectName("card")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 10, 12, 10)
        top = QLabel()
        top.setPixmap(icon(_CARD_ICONS.get(key, "overview"), ACCENT).pixmap(22, 22))
        self.value = QLabel("0")
        self.value.setObjectName("cardValue")
        self.caption = QLabel(label)
        self.caption.setObjectName("cardLabel")
        for w in (top, self.value, self.caption):
            w.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)  # the card takes the click
            lay.addWidget(w)
        self.set_count(0)

    def set_count(self, n: int) -> None:
        self.value.setText(f"{n:,}")
        self.setToolTip(f"查看{self.label}：共 {n:,} 条")
        self.setAccessibleName(f"{self.label} {n:,}")

    # A push button sizes itself to its text; this one has labels in a layout instead.
    def sizeHint(self) -> QSize:
        return self.layout().sizeHint()

    def minimumSizeHint(self) -> QSize:
        return self.layout().minimumSize()


class OverviewPage(Page):
    title = "首页概览"
    icon_name = "overview"

    def __init__(self, store, parent=None):
        super().__init__(store, parent)
        self.site_label = QLabel()
        self.outer.addWidget(self.site_label)

        self.hint = QFrame()
        self.hint.setObjectName("hint")
        hint_lay = QHBoxLayout(self.hint)
        hint_icon = QLabel()
        hint_icon.setPixmap(icon("grids", ACCENT).pixmap(22, 22))
        self.hint_text = QLabel(EMPTY_HINT)
        self.hint_text.setWordWrap(True)
        self.hint_button = QPushButton(icon("grids"), "前往 网格管理")
        self.hint_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.hint_button.clicked.connect(lambda: self.navigate.emit(GridsPage))
        hint_lay.addWidget(hint_icon)
        hint_lay.addWidget(self.hint_text, 1)
        hint_lay.addWidget(self.hint_button)
        self.outer.addWidget(self.hint)

        cards = QGridLayout()
        cards.setSpacing(12)
        self.cards: dict[str, FigureButton] = {}
        site_level = store.site.level if store.site else None
        shown = [c for c in overview.COUNTED if overview.applies(c.level, site_level)]
        for i, c in enumerate(shown):
            card = FigureButton(c.key, c.label)
            card.clicked.connect(lambda _checked=False, t=c.target: self.navigate.emit(t))
            self.cards[c.key] = card
            cards.addWidget(card, i // _COLUMNS, i % _COLUMNS)
        for col in range(_COLUMNS):
            cards.setColumnStretch(col, 1)
        self.outer.addLayout(cards)

        self.outer.addSpacing(12)
        self.notices_title = QLabel("需要关注：")
        self.notices_title.setObjectName("sectionTitle")
        self.outer.addWidget(self.notices_title)
        self.notices_box = QVBoxLayout()
        self.notices_box.setSpacing(2)
        self.outer.addLayout(self.notices_box)
        self.all_well = QLabel("各网格人员配备正常。")
        self.all_well.setObjectName("ok")
        self.outer.addWidget(self.all_well)

        # 一张网 by type: the 专属网格 kinds indented under 专属网格; a double click opens those grids.
        self.outer.addSpacing(12)
        self.types_title = QLabel("按网格类型统计（双击一行查看这些网格）：")
        self.types_title.setObjectName("sectionTitle")
        self.outer.addWidget(self.types_title)
        self.types = QTableWidget(0, 4)
        self.types.setObjectName("gridTypes")
        self.types.setHorizontalHeaderLabels(["网格类型 / 专属网格类别", "网格数", "户数", "在岗网格员"])
        self.types.verticalHeader().setVisible(False)
        self.types.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.types.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.types.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            self.types.setColumnWidth(col, self.types.fontMetrics().horizontalAdvance("在岗网格员") + 32)
        self.types.setMaximumWidth(720)
        self.types.cellDoubleClicked.connect(self._open_type)
        # As tall as its rows where there is room; on a small screen it scrolls within what is left.
        self.types.setMinimumHeight(self.types.fontMetrics().height() * 4)
        self.outer.addWidget(self.types, 1)
        self.type_rows: list[grid_types.TypeRow] = []
        self.outer.addStretch(0)
        self.notice_buttons: dict[str, QPushButton] = {}
        self.summary: overview.Overview | None = None

    @property
    def value_labels(self) -> dict[str, QLabel]:
        """The number shown on each card, by figure key."""
        return {key: card.value for key, card in self.cards.items()}

    def showEvent(self, event) -> None:
        # Counts change on every other page (an import, a new grid): recount whenever this page is shown,
        # but not when the window merely comes back from being minimised.
        if not event.spontaneous():
            self.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        site = self.store.site
        self.site_label.setText(
            f"本站点：{site.name}（{ORG_LEVEL.name(site.level)}，编码 {site.code}）" if site else "本数据库尚未建立站点"
        )
        self.summary = summary = overview.summary(self.store)
        for figure in summary.figures:
            self.cards[figure.key].set_count(figure.count)
        self.hint.setVisible(summary.is_empty)
        for button in self.notice_buttons.values():
            self.notices_box.removeWidget(button)
            button.deleteLater()
        self.notice_buttons = {}
        for notice in summary.notices:
            button = QPushButton(icon("warning", "#bf360c"), f"{notice.text}  ›")
            button.setObjectName("noticeLink")
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.setToolTip(f"查看这 {notice.count:,} 个网格")
            button.clicked.connect(lambda _checked=False, t=notice.target: self.navigate.emit(t))
            self.notices_box.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
            self.notice_buttons[notice.key] = button
        # A site without grids has nothing to be well or badly staffed: the hint above says what to do.
        self.notices_title.setVisible(bool(summary.notices))
        self.all_well.setVisible(not summary.notices and not summary.is_empty)
        self._show_types()

    def _show_types(self) -> None:
        self.type_rows = rows = grid_types.by_type(self.store)
        self.types.setRowCount(len(rows))
        for i, r in enumerate(rows):
            label = ("　　" + r.label) if r.is_kind else r.label
            cells = [QTableWidgetItem(label)] + [QTableWidgetItem(f"{n:,}") for n in (r.grids, r.households, r.workers)]
            for col, item in enumerate(cells):
                if col:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if r.label == "合计":
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.types.setItem(i, col, item)
        height = self.types.horizontalHeader().height() + sum(self.types.rowHeight(i) for i in range(len(rows)))
        self.types.setMaximumHeight(height + 2 * self.types.frameWidth() + 2)
        self.types_title.setVisible(not summary_empty(rows))
        self.types.setVisible(not summary_empty(rows))

    def _open_type(self, row: int, _column: int) -> None:
        if 0 <= row < len(self.type_rows):
            self.navigate.emit(overview.Target("org_units", self.type_rows[row].filters()))


def summary_empty(rows: list[grid_types.TypeRow]) -> bool:
    """No grids at all: the hint above says what to do first."""
    return not rows or rows[-1].grids == 0
