"""行政区划代码表: the GB/T 2260 table in use, a code's history, and updating it from the 民政部 list of a year."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from gridapp.core import regions
from gridapp.core.validation import to_halfwidth
from gridapp.ui import operations
from gridapp.ui.icons import icon
from gridapp.ui.import_dialog import SHEET_FILTER

SHOWN = 200  # rows a search shows at most
# The sheets import reads, and the .tsv of a newer gridapp table.
LIST_FILTER = "代码文件 (*.xlsx *.xlsm *.xls *.et *.ods *.fods *.xlsb *.csv *.txt *.tsv);;" + SHEET_FILTER


def _span(r: regions.Region) -> tuple[str, str]:
    return (str(r.start) if r.start else "（最早版本起）", str(r.end) if r.end else "至今")


class RegionDialog(QDialog):
    """What the region checks use: edition, source, a search over codes and names with their years, and an update."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("行政区划代码表（GB/T 2260）")
        self.resize(760, 540)
        lay = QVBoxLayout(self)
        self.about = QLabel()
        self.about.setWordWrap(True)
        lay.addWidget(self.about)
        explain = QLabel("身份证号码的前六位按历年所有代码核对（已撤销的区县仍然有效），不在表中的只提示核对、不拒收；"
                         "新建站点的组织编码须以现行区县代码开头。民政部每年公布新的代码后，可用“从文件更新”读入。")
        explain.setWordWrap(True)
        explain.setStyleSheet("color: #555")
        lay.addWidget(explain)
        row = QHBoxLayout()
        self.search = QLineEdit(placeholderText="输入代码（或身份证号码、组织编码）或名称查找，如 370203、崇文")
        self.search.setClearButtonEnabled(True)
        self.search.setMaxLength(40)
        self.search.textChanged.connect(self._find)
        row.addWidget(self.search, 1)
        self.update_button = QPushButton(icon("import"), "从文件更新…")
        self.update_button.setToolTip("读入民政部某年公布的全国县以上行政区划代码（两列：行政区划代码、单位名称）")
        self.update_button.clicked.connect(self.choose_update)
        row.addWidget(self.update_button)
        lay.addLayout(row)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["代码", "名称", "起用年份", "停用年份", "所属"])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.table, 1)
        self.found = QLabel()
        lay.addWidget(self.found)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self._refresh()

    def _refresh(self) -> None:
        t = regions.table()
        where = "本机更新" if t.path != regions.shipped_path() else "随程序提供"
        self.about.setText(f"<b>{t.edition} 年版</b>（{where}）：{len(t.regions):,} 个代码，其中县级 {t.counties():,} 个"
                           f"（含历年撤销的代码）<br>来源：{t.source_words()}")
        self._find()

    def _find(self) -> None:
        t = regions.table()
        text = to_halfwidth(self.search.text().strip())
        digits = "".join(ch for ch in text if ch.isdigit())
        if not text:
            rows: list[regions.Region] = []
        elif digits and len(digits) == len(text.replace(" ", "")):
            prefix = digits[:6]
            rows = [r for code in sorted(t.regions) if code.startswith(prefix) for r in t.regions[code]]
        else:
            rows = [r for r in t.rows() if text in r.name or text in t.full_name(r.code)]
        self.table.setRowCount(min(len(rows), SHOWN))
        for i, r in enumerate(rows[:SHOWN]):
            start, end = _span(r)
            for j, value in enumerate((r.code, r.name, start, end, t.full_name(r.code[:4] + "00")
                                       if r.code[4:] != "00" else t.full_name(r.code[:2] + "0000"))):
                self.table.setItem(i, j, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()
        if not text:
            self.found.setText("")
        elif not rows:
            self.found.setText(f"没有找到“{text}”：身份证号码以此开头的只提示核对；如为新设区县，请从文件更新代码表")
        else:
            more = f"，只显示前 {SHOWN} 条，请输入更多文字" if len(rows) > SHOWN else ""
            self.found.setText(f"找到 {len(rows)} 条{more}")

    # -- updating --------------------------------------------------------------------------------------
    def choose_update(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择民政部行政区划代码文件", "", LIST_FILTER)
        if path:
            self.plan(Path(path))

    def plan(self, path: Path, year: int | None = None) -> None:
        from gridapp.io.region_list import plan_update

        operations.run(self, "正在读取行政区划代码", lambda _p, _c: plan_update(path, year),
                       lambda update: self._confirm(update, path), cancellable=False)

    def _confirm(self, update: regions.Update, path: Path) -> None:
        lines = [f"新增 {r.code} {r.name}" for r in update.added[:8]]
        lines += [f"更名 {o.code} {o.name} → {n.name}" for o, n in update.renamed[:8]]
        lines += [f"撤销 {r.code} {r.name}" for r in update.retired[:8]]
        box = QMessageBox(QMessageBox.Icon.Question, "更新行政区划代码表",
                          f"{path.name}：{update.summary()}。\n\n" + "\n".join(lines)
                          + "\n\n已撤销的代码仍用于核对身份证号码。保存这次更新吗？", parent=self)
        save = box.addButton("保存", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(save)
        box.exec()
        if box.clickedButton() is not save:
            return
        operations.run(self, "正在保存行政区划代码表",
                       lambda _p, _c: regions.save_update(update, source=path), lambda _r: self._saved(update),
                       cancellable=False)

    def _saved(self, update: regions.Update) -> None:
        self._refresh()
        QMessageBox.information(self, "已更新", f"行政区划代码表已更新为 {update.year} 年版。")
