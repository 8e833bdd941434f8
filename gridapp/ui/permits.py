"""What the logged-in account may do, shown on the buttons: an action its role lacks is disabled, and its
tooltip says why (“当前账号（查看）无权导入数据”). The services refuse anyway; this is the window not offering it.

Which permission a button needs is read from its text by ``RULES`` (one description for every page), or
from a ``permit`` call made where the button is built. Pages are rebuilt after 注销, so a new account gets
its own buttons.
"""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QToolButton, QWidget

from gridapp.core.store import Store

PROPERTY = "gridapp_permission"
_TIP = "gridapp_permission_tip"  # the tooltip the button had before a refusal was written over it

# (start of the text, permission), the first match wins; None: open to every account (reading, looking)
RULES: tuple[tuple[str, str | None], ...] = (
    ("导出本站身份文件", "sync"), ("导出数据包", "sync"), ("导入数据包", "sync"), ("采用未被采用的值", "sync"),
    ("确认保留现值", "sync"), ("信任对方站点", "trust"),
    ("导出完整身份证号码", "export_ids"), ("显示完整身份证号", "export_ids"),
    ("导入", "import"), ("导出", "export"), ("打印", "print"), ("年度反馈函", "print"),
    ("立即备份", "backup"), ("备份数据库", "backup"),
    ("单位情况", None), ("企业详情", None), ("统计", None), ("行政区划代码表", None), ("前往", None),
    ("专属网格类别", None), ("评星标准", None), ("保存", "settings"),
    *((verb, "write") for verb in (
        "新建", "新增", "编辑", "修改", "删除", "移动", "拆分", "合并", "撤销", "登记", "报到登记", "状态变更", "签到",
        "提出需求", "认领", "立项实施", "办结", "更换物业", "终止服务", "离任", "离岗", "调动", "兼任", "评定", "季度")),
)


def needed(text: str) -> str | None:
    """The permission a button or menu entry with this text needs (None: any account may use it)."""
    text = text.replace("&", "").strip()
    if "完整身份证号码" in text:
        return "export_ids"
    for start, permission in RULES:
        if text.startswith(start):
            return permission
    return None


def permit(widget: QWidget | QAction, store: Store, permission: str | None) -> bool:
    """Enable ``widget`` only if the logged-in account may do ``permission`` (its tooltip says why not);
    whether it may. Call it again after anything else enables the widget."""
    widget.setProperty(PROPERTY, permission or "")
    allowed = permission is None or store.may(permission)
    old = widget.property(_TIP)
    if old is None:
        old = widget.toolTip()
        widget.setProperty(_TIP, old)
    if allowed:
        widget.setToolTip(old)
    else:
        widget.setEnabled(False)
        widget.setToolTip(store.refusal(permission))
    return allowed


def apply(root: QWidget, store: Store) -> None:
    """``permit`` every button, and every entry of a drop-down button's menu, under ``root`` by its text (or
    the permission an earlier ``permit`` set on it)."""
    if not store.has_accounts:
        return
    for button in root.findChildren(QAbstractButton):
        set_before = button.property(PROPERTY)
        permission = set_before or needed(button.text()) if set_before != "" else None
        if permission:
            permit(button, store, permission)
        if isinstance(button, QToolButton) and button.menu() is not None:
            for action in button.menu().actions():
                if not action.isSeparator():
                    entry = needed(action.text()) or permission
                    if entry:
                        permit(action, store, entry)
