"""A list with search-as-you-type, drop-down filters and a count, over any ListSpec."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gridapp.core import codes, lists
from gridapp.core.services import orgs, special_kinds
from gridapp.core.store import Store
from gridapp.io.xlsx_out import export_list
from gridapp.ui import operations, permits
from gridapp.ui.icons import icon
from gridapp.ui.picker import add_picks, searchable
from gridapp.ui.table_model import SqlTableModel


class ListPanel(QWidget):
    activated = Signal(str)  # record id of a double-clicked row

    def __init__(self, store: Store, spec: lists.ListSpec, parent: QWidget | None = None, *,
                 search_hint: str = "搜索：姓名、拼音首字母（如 zs）、电话或身份证号后几位"):
        super().__init__(parent)
        self.store, self.spec = store, spec
        # Lists load when first shown: a page with several tabs opens without querying them all.
        self.model = SqlTableModel(store, spec, self, load=False)

        self.search = QLineEdit(placeholderText=search_hint, clearButtonEnabled=True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setMinimumWidth(280)
        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(lambda: self.model.set_search(self.search.text()))
        self.search.textChanged.connect(self._debounce.start)

        bar = QHBoxLayout()
        bar.addWidget(self.search, 2)
        # Many filters get a row of their own, so none is squeezed on a 1366×768 or high-DPI screen.
        shown = [f for f in spec.filters if f.choices]
        filter_bar = QHBoxLayout() if len(shown) > 4 else bar
        self.filter_boxes: dict[str, QComboBox] = {}
        for f in spec.filters:
            if not f.choices:
                continue  # filters for the command line and exports (e.g. by org code)
            box = QComboBox()
            box.setObjectName(f"filter_{f.key}")
            # a yes/no filter reads “缺网格长：全部 / 是 / 否”; a list of choices “全部社区”
            box.addItem(f"{f.title}：全部" if f.choices == "bool" else f"全部{f.title}", None)
            if f.choices.startswith("org:"):
                add_picks(box, orgs.picks(self.store, f.choices[4:]))
            else:
                for value, label in self._choices(f):
                    box.addItem(label, value)
            if f.choices.startswith("org:") or f.choices == "units":
                searchable(box)  # hundreds of grids, communities or units: typing finds one
            box.setMinimumContentsLength(6)
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            # room for the first choice, what the box shows until one is picked (“专职服务户数超标：全部”)
            box.setMinimumWidth(box.fontMetrics().horizontalAdvance(box.itemText(0)) + 36)
            box.currentIndexChanged.connect(lambda _i, k=f.key, b=box: self.model.set_filter(k, b.currentData()))
            self.filter_boxes[f.key] = box
            (bar if f.beside_search else filter_bar).addWidget(box, 1)
        self.count_label = QLabel()
        self.count_label.setMinimumWidth(90)
        bar.addWidget(self.count_label)
        self.export_button = QToolButton()
        self.export_button.setText("导出")
        self.export_button.setIcon(icon("export"))
        self.export_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.export_button.setToolTip("导出当前列表（含搜索和筛选条件）到 Excel")
        self.export_button.clicked.connect(lambda: self.export())
        bar.addWidget(self.export_button)
        self.toolbar = QHBoxLayout()  # pages put their actions here

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
        org_width = self._community_label_width() if any(c.kind == "org" for c in spec.columns) else 0
        for i, col in enumerate(spec.columns):
            self.table.setColumnWidth(i, max(col.width, org_width) if col.kind == "org" else self._width(col))
        self.table.doubleClicked.connect(self._on_double_click)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.toolbar)
        layout.addLayout(bar)
        if filter_bar is not bar:
            layout.addLayout(filter_bar)
        layout.addWidget(self.table)
        self.model.counted.connect(self._show_count)
        self._show_count(self.model.rowCount())

    def _width(self, col: lists.Column) -> int:
        """A column wide enough for its title and, for a code column, its longest name (“中等职业教育”)."""
        metrics = self.table.fontMetrics()
        items = codes.table(col.kind[5:]).items if col.kind.startswith("code:") else ()
        # short tables only: 民族's 56 names include rare long ones a column need not be sized for
        names = [name for _c, name in items] if len(items) <= 20 else []
        need = max([metrics.horizontalAdvance(t) for t in [col.title, *names]]) + 24
        return max(col.width, min(need, 160))

    def _choices(self, f: lists.Filter) -> list[tuple[object, str]]:
        if f.choices.startswith("code:"):
            return list(codes.table(f.choices[5:]).items)
        if f.choices == "bool":
            return [(1, f"{f.title}：是"), (0, f"{f.title}：否")]
        if f.choices == "grid_types":  # the types, and under 专属网格 each of its kinds
            from gridapp.core.list_specs import KIND_FILTER

            kinds = [(KIND_FILTER + k.code, f"　专属网格·{k.name}" + ("（已停用）" if k.retired else ""))
                     for k in special_kinds.kinds(self.store)]
            return list(codes.GRID_TYPE.items) + kinds
        if f.choices == "units":
            from gridapp.core import list_specs

            with self.store.engine.connect() as conn:
                ids = lists.query_rowids(conn, list_specs.UNITS, lists.Query())
                names = lists.fetch_rows(conn, list_specs.UNITS, ids)
                uuids = lists.record_ids(conn, list_specs.UNITS, ids)
            return [(uuids[i], names[i][0]) for i in ids]
        return []

    def _community_label_width(self) -> int:
        """Wide enough for the longest community label, so the street a shared name gives is not cut off."""
        labels = [label for _id, label in orgs.choices(self.store, "community")]
        metrics = self.table.fontMetrics()
        return min(max((metrics.horizontalAdvance(label) for label in labels), default=0) + 16, 260)

    def _show_count(self, n: int) -> None:
        # a long list shows its first rows at once and its count when the counting thread has it
        self.count_label.setText(f"共 {n:,} 条" if self.model.count_known else f"{n:,}+ 条，正在计数…")

    def _on_double_click(self, index) -> None:
        rid = self.model.record_id(index.row())
        if rid:
            self.activated.emit(rid)

    def showEvent(self, event) -> None:
        if not self.model.loaded:
            self.model.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        """Reload now if the list has been shown; otherwise it loads when it is."""
        if self.model.loaded or self.isVisible():
            self.model.refresh()

    def selected_record_id(self) -> str | None:
        index = self.table.currentIndex()
        return self.model.record_id(index.row()) if index.isValid() else None

    def require_selection(self, what: str) -> str | None:
        """The selected record, or None after telling the user to select one first."""
        rid = self.selected_record_id()
        if rid is None:
            QMessageBox.information(self, "请选择", f"请先在列表中选中一个{what}。")
        return rid

    def set_filter(self, key: str, value) -> None:
        """Choose a filter's value as if picked from its drop-down."""
        box = self.filter_boxes[key]
        box.setCurrentIndex(max(box.findData(value), 0))

    def filter_value(self, key: str):
        box = self.filter_boxes.get(key)
        return box.currentData() if box else None

    def export(self, *, mask_ids: bool | None = None, path: Path | None = None) -> None:
        """Export what the list shows now (search, filters, order) to .xlsx, off the GUI thread. ID numbers
        are masked unless ``mask_ids`` is False; when it is not given, a list with ID numbers asks."""
        if mask_ids is None:
            mask_ids = True
            if self._has_ids():
                dialog = ExportDialog(self.spec.title, self.model.rowCount(), self)
                permits.permit(dialog.full_ids, self.store, "export_ids")
                if dialog.exec() != ExportDialog.DialogCode.Accepted:
                    return
                mask_ids = not dialog.full_ids.isChecked()
        if path is None:
            name, _ = QFileDialog.getSaveFileName(self, "导出到 Excel", f"{self.spec.title}.xlsx", "Excel 文件 (*.xlsx)")
            if not name:
                return
            path = Path(name)
        query = self.model.query
        site = self.store.site.name if self.store.site else ""
        labels = [b.currentText() for b in self.filter_boxes.values() if b.currentData() is not None]
        title = f"{site}{self.spec.title}" + (f"（{'，'.join(labels)}）" if labels else "")
        self._export_op = operations.run(
            self, "正在导出", lambda p, c: export_list(self.store, self.spec, query, path, title=title,
                                                     mask_ids=mask_ids, progress=p, cancel=c),
            lambda n: QMessageBox.information(self, "导出完成", f"已导出 {n:,} 条记录到：\n{path}" + (
                "\n\n文件含完整身份证号码，属于个人信息，请妥善保管。" if not mask_ids and self._has_ids() else "")))

    def _has_ids(self) -> bool:
        return any(c.kind == "id_number" for c in self.spec.columns)

    def show_only(self, filters: Iterable[tuple[str, Any]]) -> None:
        """Clear the search and every filter, then choose these: the list shows exactly those records."""
        wanted = dict(filters)
        unknown = set(wanted) - set(self.filter_boxes)
        if unknown:
            raise KeyError(f"{self.spec.key} has no drop-down filter {sorted(unknown)}")
        self.search.clear()
        self._debounce.stop()
        self.model.set_search("")
        for key in self.filter_boxes:
            self.set_filter(key, wanted.get(key))


class ExportDialog(QDialog):
    """Before a list with ID numbers is exported: masked (the default) or in full, with what that means."""

    def __init__(self, title: str, rows: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("导出到 Excel")
        what = QLabel(f"导出“{title}”当前显示的 {rows:,} 条记录（含搜索和筛选条件）。")
        what.setWordWrap(True)
        self.full_ids = QCheckBox("导出完整身份证号码")
        self.full_ids.setObjectName("full_ids")
        self.warning = QLabel(
            "身份证号码属于个人信息。不勾选时号码脱敏导出（如 3702**********1234），用于核对、上报已经足够，"
            "脱敏的表再次导入时按姓名和号码前后四位核对本人。只有需要完整号码（如交给有权使用的部门）时才勾选，"
            "并妥善保管文件，用完及时删除。")
        self.warning.setWordWrap(True)
        self.warning.setObjectName("export_warning")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("导出…")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(what)
        layout.addWidget(self.full_ids)
        layout.addWidget(self.warning)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)
