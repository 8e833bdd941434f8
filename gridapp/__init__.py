"""gridapp — 近邻党建网格管理."""

__version__ = "0.1.0"
APP_NAME = "gridapp"
APP_TITLE = "近邻党建网格管理"
