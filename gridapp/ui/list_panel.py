"""A list with search-as-you-type, drop-down filters and a count, over any ListSpec."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gridapp.core import codes, lists
from gridapp.core.services import orgs
from gridapp.core.store import Store
from gridapp.ui.icons import icon
from gridapp.ui.table_model import SqlTableModel


class ListPanel(QWidget):
    activated = Signal(str)  # record id of a double-clicked row

    def __init__(self, store: Store, spec: lists.ListSpec, parent: QWidget | None = None, *,
                 search_hint: str = "搜索：姓名、拼音首字母（如 zs）、电话或身份证号后几位"):
        super().__init__(parent)
        self.store, self.spec = store, spec
        self.model = SqlTableModel(store, spec, self)

        self.search = QLineEdit(placeholderText=search_hint, clearButtonEnabled=True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setMinimumWidth(280)
        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(lambda: self.model.set_search(self.search.text()))
        self.search.textChanged.connect(self._debounce.start)

        bar = QHBoxLayout()
        bar.addWidget(self.search, 2)
        self.filter_boxes: dict[str, QComboBox] = {}
        for f in spec.filters:
            if not f.choices:
                continue  # filters for the command line and exports (e.g. by org code)
            box = QComboBox()
            box.setObjectName(f"filter_{f.key}")
            box.addItem(f"全部{f.title}", None)
            for value, label in self._choices(f):
                box.addItem(label, value)
            box.setMinimumContentsLength(6)
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.currentIndexChanged.connect(lambda _i, k=f.key, b=box: self.model.set_filter(k, b.currentData()))
            self.filter_boxes[f.key] = box
            bar.addWidget(box, 1)
        self.count_label = QLabel()
        bar.addWidget(self.count_label)

        self.table = QTableView()
        self.table.setModel(self.model)
        # No sort indicator at first: the list's own default order (e.g. by pinyin) applies.
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicatorShown(True)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().setStretchLastSection(True)
        for i, col in enumerate(spec.columns):
            self.table.setColumnWidth(i, col.width)
        self.table.doubleClicked.connect(self._on_double_click)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        self.model.counted.connect(self._show_count)
        self._show_count(self.model.rowCount())

    def _choices(self, f: lists.Filter) -> list[tuple[object, str]]:
        if f.choices.startswith("code:"):
            return list(codes.table(f.choices[5:]).items)
        if f.choices.startswith("org:"):
            return orgs.choices(self.store, f.choices[4:])
        if f.choices == "bool":
            return [(1, "是"), (0, "否")]
        return []

    def _show_count(self, n: int) -> None:
        self.count_label.setText(f"共 {n:,} 条")

    def _on_double_click(self, index) -> None:
        rid = self.model.record_id(index.row())
        if rid:
            self.activated.emit(rid)

    def refresh(self) -> None:
        self.model.refresh()
