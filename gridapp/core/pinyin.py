"""Pinyin initials of names, for search as you type (``zs`` finds 张三; ``fa`` finds 福安社区 in a picker)."""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType

from gridapp.core.validation import to_halfwidth

# Surnames read differently from the character's common reading.
_SURNAME_INITIALS = {"单": "s", "曾": "z", "解": "x", "仇": "q", "区": "o", "查": "z", "朴": "p", "盖": "g",
                     "缪": "m", "覃": "q", "尉": "y", "乐": "y", "长": "c", "种": "c", "秘": "b", "繁": "p"}


_LOADING = threading.Lock()


def _pypinyin() -> ModuleType:
    """pypinyin, loaded without its phrase library when this process has not loaded it yet.

    Every call here reads one character, and the phrase library holds no single character (the tests check
    it), so its 47,000 phrases only cost the import time: a tenth of a second of every first import of a
    roster. ``PYPINYIN_NO_PHRASES`` is pypinyin's own switch for that; it is set only while pypinyin loads.
    """
    module = sys.modules.get("pypinyin")
    if module is not None:
        return module
    with _LOADING:
        if "pypinyin" in sys.modules:
            return sys.modules["pypinyin"]
        given = os.environ.get("PYPINYIN_NO_PHRASES")
        os.environ["PYPINYIN_NO_PHRASES"] = "1"
        try:
            import pypinyin
        finally:
            if given is None:
                os.environ.pop("PYPINYIN_NO_PHRASES", None)
            else:
                os.environ["PYPINYIN_NO_PHRASES"] = given
        return pypinyin


@lru_cache(maxsize=8192)
def _initial(ch: str) -> str:
    if ch.isascii():
        return ch.lower() if ch.isalnum() else ""
    pypinyin = _pypinyin()
    py = pypinyin.lazy_pinyin(ch, style=pypinyin.Style.FIRST_LETTER, errors="ignore")
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


@lru_cache(maxsize=8192)
def _letters(ch: str) -> frozenset[str]:
    """Every pinyin initial a character may be read with (长 → c, z), so a picker finds it either way."""
    if ch.isascii():
        return frozenset(ch.lower()) if ch.isalnum() else frozenset()
    pypinyin = _pypinyin()
    readings = pypinyin.pinyin(ch, style=pypinyin.Style.FIRST_LETTER, heteronym=True, errors="ignore")
    return frozenset(r[:1].lower() for r in readings[0] if r) if readings else frozenset()


def _normal(text: str) -> str:
    return "".join(to_halfwidth(text).split()).lower()


@dataclass(frozen=True)
class SearchKey:
    """What typing in a picker matches: the label (and codes), and the label's pinyin initials."""

    text: str
    letters: tuple[frozenset[str], ...]

    def matches(self, term: str) -> bool:
        """Every word of ``term`` is in the text, or (letters only) runs along the initials: ``fa``, ``ynsjd``."""
        return all(self._has(word) for word in _normal_words(term))

    def _has(self, word: str) -> bool:
        if word in self.text:
            return True
        if not word.isascii() or not word.isalpha():
            return False
        n = len(word)
        return any(all(word[i] in self.letters[start + i] for i in range(n))
                   for start in range(len(self.letters) - n + 1))


def _normal_words(term: str) -> list[str]:
    return [w.lower() for w in to_halfwidth(term or "").split()]


def search_key(label: str, *codes: str | None) -> SearchKey:
    """The key a picker entry is found by: its label, any codes, the initials of the label's characters."""
    text = "\n".join(_normal(t) for t in (label, *codes) if t)
    return SearchKey(text, tuple(s for s in (_letters(ch) for ch in label or "") if s))
