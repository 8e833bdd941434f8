"""Qt's own words in Chinese: standard buttons and the common dialogs.

PySide6-Essentials ships no Chinese catalogue for Qt itself (``qt_zh_CN.qm`` only points at files it
leaves out), so without this a 确认 box would say “Yes” and “No”. A translator that answers from this
table is installed before any window is made.
"""

from __future__ import annotations

from PySide6.QtCore import QTranslator

WORDS: dict[str, dict[str, str]] = {
    "QPlatformTheme": {
        "OK": "确定", "Save": "保存", "Save All": "全部保存", "Open": "打开", "&Yes": "是(&Y)", "Yes to &All": "全部是(&A)",
        "&No": "否(&N)", "N&o to All": "全部否(&O)", "Abort": "中止", "Retry": "重试", "Ignore": "忽略",
        "Close": "关闭", "Cancel": "取消", "Discard": "放弃", "Help": "帮助", "Apply": "应用", "Reset": "重置",
        "Restore Defaults": "恢复默认",
    },
    "QFileDialog": {
        "Look in:": "查找范围：", "&Look in:": "查找范围(&L)：", "Files of &type:": "文件类型(&T)：",
        "Directories": "文件夹", "Directory": "文件夹", "&New Folder": "新建文件夹(&N)", "Show ": "显示 ",
        "Are you sure you want to delete '%1'?": "确定删除“%1”？", "Delete": "删除",
        "%1 already exists.\nDo you want to replace it?": "%1 已存在。\n要替换它吗？",
        "%1\nFile not found.\nPlease verify the correct file name was given.": "%1\n找不到文件。\n请检查文件名是否正确。",
        "%1\nDirectory not found.\nPlease verify the correct directory name was given.":
            "%1\n找不到文件夹。\n请检查文件夹名是否正确。", "File &name:": "文件名(&N)：", "Files of type:": "文件类型：", "&Open": "打开(&O)",
        "&Save": "保存(&S)", "&Choose": "选择(&C)", "Directory:": "文件夹：", "All Files (*)": "所有文件 (*)",
        "Back": "后退", "Forward": "前进", "Parent Directory": "上级文件夹", "Create New Folder": "新建文件夹",
        "List View": "列表", "Detail View": "详细信息", "New Folder": "新建文件夹", "&Delete": "删除(&D)",
        "&Rename": "重命名(&R)", "Show &hidden files": "显示隐藏文件(&H)", "Open": "打开", "Save As": "另存为",
        "Find Directory": "选择文件夹", "Recent Places": "最近位置", "My Computer": "我的电脑", "Computer": "计算机",
    },
    "QAbstractFileIconProvider": {"Folder": "文件夹", "File": "文件", "%1 File": "%1 文件", "Drive": "驱动器",
                                  "Computer": "计算机", "Network": "网络", "Trashcan": "回收站"},
    "QFileSystemModel": {"%1 byte(s)": "%1 字节", "%1 KB": "%1 KB", "%1 MB": "%1 MB", "%1 GB": "%1 GB",
                         "%1 TB": "%1 TB", "%1 bytes": "%1 字节", "Name": "名称", "Size": "大小", "Type": "类型", "Date Modified": "修改日期",
                         "Kind": "类型", "My Computer": "我的电脑", "Computer": "计算机"},
    "QPrintPreviewDialog": {
        "Print Preview": "打印预览", "Next page": "下一页", "Previous page": "上一页", "First page": "第一页",
        "Last page": "最后一页", "Fit width": "适合宽度", "Fit page": "适合页面", "Zoom in": "放大",
        "Zoom out": "缩小", "Portrait": "纵向", "Landscape": "横向", "Show single page": "单页",
        "Show facing pages": "双页", "Show overview of all pages": "全部页面概览", "Print": "打印",
        "Page setup": "页面设置", "Export to PDF": "导出为 PDF", "Page Setup": "页面设置",
    },
    "QPrintDialog": {"Print": "打印", "&Print": "打印(&P)", "Printer": "打印机", "Print to File (PDF)": "打印到文件 (PDF)"},
    "QLineEdit": {"&Undo": "撤销(&U)", "&Redo": "重做(&R)", "Cu&t": "剪切(&T)", "&Copy": "复制(&C)", "&Paste": "粘贴(&P)",
                  "Delete": "删除", "Select All": "全选"},
    "QWidgetTextControl": {"&Undo": "撤销(&U)", "&Redo": "重做(&R)", "Cu&t": "剪切(&T)", "&Copy": "复制(&C)",
                           "&Paste": "粘贴(&P)", "Delete": "删除", "Select All": "全选",
                           "Copy &Link Location": "复制链接地址(&L)"},
    "QMessageBox": {"Show Details...": "显示详情…", "Hide Details...": "隐藏详情…", "About Qt": "关于 Qt"},
    "QProgressDialog": {"Cancel": "取消"},
    "QColorDialog": {"&OK": "确定", "Cancel": "取消"},
    "QCalendarWidget": {"Today": "今天"},
}


class ChineseQt(QTranslator):
    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str | None:
        # None is Qt's null string, “no translation here”; an empty string would replace every other text
        # Qt translates with nothing (it emptied the text of PDFs).
        return WORDS.get(context, {}).get(source)

    def isEmpty(self) -> bool:
        return False


_installed: ChineseQt | None = None


def install(app) -> None:
    """Install once per process (the translator must outlive every window). Dates, month and day names
    (a date field's calendar) and numbers follow Chinese conventions too, whatever the PC's locale."""
    from PySide6.QtCore import QLocale

    global _installed
    QLocale.setDefault(QLocale("zh_CN"))
    if _installed is None:
        _installed = ChineseQt()
        app.installTranslator(_installed)
