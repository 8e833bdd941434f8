"""评星定级 dialogs: scoring a firm for a year, and the street's scoring template."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gridapp.core.errors import DomainError
from gridapp.core.services import firms, ratings
from gridapp.core.store import Store
from gridapp.ui.errors import show_error
from gridapp.ui.form_dialog import FormDialog
from gridapp.ui.icons import icon
from gridapp.ui.picker import searchable
from gridapp.ui.worker_dialog import date_edit, set_combo


class RatingDialog(FormDialog):
    """Score each indicator; the total and the stars follow as the scores are typed."""

    def __init__(self, store: Store, year: int, firm_id: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("评星定级")
        self.year = QSpinBox(minimum=2000, maximum=2100, value=year)
        self.firm = searchable(QComboBox())
        self.firm.addItem("请选择物业企业", None)
        for fid, name in firms.choices(store):
            self.firm.addItem(name, fid)
        set_combo(self.firm, firm_id)
        self.template_label = QLabel()
        self.template_label.setWordWrap(True)
        self.reference = QLabel()
        self.reference.setWordWrap(True)
        self.reference.setStyleSheet("color: #555")
        self.scores_box = QFormLayout()
        self.total = QLabel()
        self.total.setObjectName("ratingTotal")
        self.total.setStyleSheet("font-size: 16pt; color: #b71c1c")
        self.rated_on = date_edit()
        self.notes = QLineEdit()
        self.spins: dict[str, QDoubleSpinBox] = {}
        form = QFormLayout(self)
        form.addRow("年度", self.year)
        form.addRow("物业企业 *", self.firm)
        form.addRow("", self.template_label)
        form.addRow("", self.reference)
        form.addRow(self.scores_box)
        form.addRow("总分 / 星级", self.total)
        form.addRow("评定日期", self.rated_on)
        form.addRow("备注", self.notes)
        form.addRow(self.buttons("保存评定"))
        self.year.valueChanged.connect(self._load_template)
        self.firm.currentIndexChanged.connect(self._load_scores)
        self._load_template()

    def _load_template(self) -> None:
        self.template = ratings.template_for(self.store, self.year.value())
        while self.scores_box.rowCount():
            self.scores_box.removeRow(0)
        self.spins = {}
        for ind in self.template.indicators:
            spin = QDoubleSpinBox(minimum=0, maximum=ind.max_score, decimals=1, singleStep=0.5)
            spin.setSuffix(f" / {ind.max_score:g}")
            spin.setToolTip(ind.description)
            spin.valueChanged.connect(self._show_total)
            self.spins[ind.id] = spin
            self.scores_box.addRow(f"{ind.name}（权重 {ind.weight:g}）", spin)
        lines = "、".join(f"{t:g}" for t in self.template.thresholds)
        self.template_label.setText(f"评定标准：{self.template.name}（二至五星分数线 {lines}）")
        self._load_scores()

    def _load_scores(self) -> None:
        firm_id = self.firm.currentData()
        existing = ratings.rating_of(self.store, firm_id, self.year.value()) if firm_id else None
        for ind_id, spin in self.spins.items():
            spin.setValue(existing.scores.get(ind_id, 0.0) if existing else 0.0)
        self.notes.setText(existing.notes or "" if existing else "")
        if firm_id:
            f = firms.year_figures(self.store, firm_id, self.year.value())
            sat = f"平均满意度 {f.satisfaction:g}%" if f.satisfaction is not None else "未测评满意度"
            rate = f"办结 {f.resolved} 件（{f.resolved / f.complaints:.0%}）" if f.complaints else "无投诉"
            self.reference.setText(f"参考：{self.year.value()}年已填报 {f.quarters} 个季度，投诉 {f.complaints} 件，{rate}，{sat}"
                                   + ("；该企业本年度已评定，保存将替换原评分" if existing else ""))
        else:
            self.reference.setText("")
        self._show_total()

    def scores(self) -> dict[str, float]:
        return {ind_id: spin.value() for ind_id, spin in self.spins.items()}

    def _show_total(self) -> None:
        total = self.template.total(self.scores())
        stars = self.template.stars(total)
        self.total.setText(f"{total:g} 分  {ratings.stars_text(stars)}（{stars}星）")

    def apply(self) -> ratings.Rating:
        return ratings.rate_firm(self.store, self.firm.currentData(), self.year.value(), self.scores(),
                                 rated_on=self.rated_on.date().toPython(), notes=self.notes.text(),
                                 template_id=self.template.id)


class TemplateDialog(FormDialog):
    """评星标准: indicators with weight and maximum, and the star lines. A template already used for
    ratings is copied for a new year before its scoring changes."""

    COLUMNS = ("指标名称", "权重", "满分", "评分说明")

    def __init__(self, store: Store, year: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("评星标准")
        self.resize(760, 520)
        self.picker = QComboBox()
        self.name, self.thresholds = QLineEdit(), QLineEdit()
        self.thresholds.setPlaceholderText("二、三、四、五星的总分线，如 60,70,80,90")
        self.year = QSpinBox(minimum=2000, maximum=2100, value=year)
        self.used = QLabel()
        self.used.setWordWrap(True)
        self.used.setStyleSheet("color: #8d6e00")
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 160)
        add, remove, copy = (QPushButton(icon("add_unit"), "添加指标"), QPushButton(icon("delete"), "删除指标"),
                             QPushButton(icon("copy"), "复制为新年度标准…"))
        add.clicked.connect(lambda: self._add_row(None))
        remove.clicked.connect(lambda: self.table.removeRow(self.table.currentRow()))
        copy.clicked.connect(self.copy_for_year)
        self.full = QLabel()
        self.table.itemChanged.connect(self._show_full)
        bar = QHBoxLayout()
        for b in (add, remove, copy):
            bar.addWidget(b)
        bar.addStretch(1)
        bar.addWidget(self.full)
        form = QFormLayout()
        form.addRow("选择标准", self.picker)
        form.addRow("标准名称", self.name)
        form.addRow("适用年度（起）", self.year)
        form.addRow("星级分数线", self.thresholds)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.used)
        lay.addWidget(self.table, 1)
        lay.addLayout(bar)
        lay.addWidget(self.buttons())
        ratings.template_for(store, year)  # a site that never rated starts from the standard template
        self._fill_picker(None)
        self.picker.currentIndexChanged.connect(lambda _i: self._show(self.picker.currentData()))

    def _fill_picker(self, select_id: str | None) -> None:
        self.templates = {t.id: t for t in ratings.templates(self.store)}
        self.picker.blockSignals(True)
        self.picker.clear()
        for t in self.templates.values():
            self.picker.addItem(f"{t.year or ''}年起 {t.name}", t.id)
        self.picker.blockSignals(False)
        set_combo(self.picker, select_id)
        self._show(self.picker.currentData())

    def _show(self, template_id: str | None) -> None:
        t = self.templates.get(template_id)
        if t is None:
            return
        self.name.setText(t.name)
        self.year.setValue(t.year or dt.date.today().year)
        self.thresholds.setText(ratings.format_thresholds(t.thresholds))
        self.used.setText(f"该标准已用于 {t.used} 家企业的评定：只能改名称和说明；要调整指标、权重、满分或星级线，"
                          "请“复制为新年度标准”。" if t.used else "")
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        for ind in t.indicators:
            self._add_row(ind)
        self.table.blockSignals(False)
        self._show_full()

    def _add_row(self, ind: ratings.Indicator | None) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        values = (ind.name, f"{ind.weight:g}", f"{ind.max_score:g}", ind.description) if ind else ("", "1", "10", "")
        for c, v in enumerate(values):
            item = QTableWidgetItem(v)
            if c == 0:
                item.setData(Qt.ItemDataRole.UserRole, ind.id if ind else None)
            self.table.setItem(r, c, item)

    def indicators(self) -> list[dict]:
        out = []
        for r in range(self.table.rowCount()):
            cells = [self.table.item(r, c).text().strip() if self.table.item(r, c) else "" for c in range(4)]
            try:
                weight, max_score = float(cells[1] or 0), float(cells[2] or 0)
            except ValueError:
                from gridapp.core.errors import ValidationError

                raise ValidationError(f"第 {r + 1} 项指标的权重和满分须为数字") from None
            out.append({"id": self.table.item(r, 0).data(Qt.ItemDataRole.UserRole) if self.table.item(r, 0) else None,
                        "name": cells[0], "weight": weight, "max_score": max_score, "description": cells[3]})
        return out

    def _show_full(self) -> None:
        try:
            full = sum(i["max_score"] for i in self.indicators())
        except DomainError:
            return
        self.full.setText(f"各项满分合计 {full:g} 分（总分按权重折算为百分制）")

    def copy_for_year(self) -> None:
        year, ok = QInputDialog.getInt(self, "复制为新年度标准", "新标准适用的年度：", dt.date.today().year + 1, 2000, 2100)
        if not ok:
            return
        try:
            new_id = ratings.copy_template(self.store, self.picker.currentData(), year)
        except DomainError as exc:
            show_error(self, exc, "无法复制")
            return
        self._fill_picker(new_id)
        QMessageBox.information(self, "已复制", f"已建立 {year} 年度评星标准，可修改后保存。")

    def apply(self) -> str:
        return ratings.save_template(self.store, self.picker.currentData(), name=self.name.text(),
                                     year=self.year.value(), thresholds=self.thresholds.text(),
                                     indicators=self.indicators())
