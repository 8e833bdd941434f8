"""Pinyin initials of names, for search as you type (``zs`` finds 张三)."""

from __future__ import annotations

from functools import lru_cache

# Surnames read differently from the character's common reading.
_SURNAME_INITIALS = {"单": "s", "曾": "z", "解": "x", "仇": "q", "区": "o", "查": "z", "朴": "p", "盖": "g",
                     "缪": "m", "覃": "q", "尉": "y", "乐": "y", "长": "c", "种": "c", "秘": "b", "繁": "p"}


@lru_cache(maxsize=8192)
def _initial(ch: str) -> str:
    if ch.isascii():
        return ch.lower() if ch.isalnum() else ""
    from pypinyin import Style, lazy_pinyin

    py = lazy_pinyin(ch, style=Style.FIRST_LETTER, errors="ignore")
    return py[0][:1].lower() if py else ""


def initials(name: str | None) -> str:
    """``张三`` → ``zs``; the first character read as a surname (``单`` → ``s``)."""
    if not name:
        return ""
    name = name.strip()
    if not name:
        return ""
    first = _SURNAME_INITIALS.get(name[0]) or _initial(name[0])
    return first + "".join(_initial(c) for c in name[1:])
