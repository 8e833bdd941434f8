"""Pinyin initials: pypinyin loaded without its phrase library reads every character as the full library does."""

import json
import os
import subprocess
import sys
from pathlib import Path

# Every character pypinyin knows, some it does not (Latin, punctuation, a full-width letter, a private-use one),
# read by gridapp.core.pinyin in a fresh interpreter; ``full`` first loads pypinyin the ordinary way.
_READ_ALL = """
import json, sys
if sys.argv[1] == "full":
    import pypinyin
from gridapp.core import pinyin
pinyin._pypinyin()
from pypinyin import pinyin_dict
chars = [chr(n) for n in sorted(pinyin_dict.pinyin_dict)] + list("aZ9·-、（Ａ\\ue815\\u3007é")
out = {c: [pinyin._initial(c), sorted(pinyin._letters(c))] for c in chars}
out["*phrases*"] = len(sys.modules["pypinyin.constants"].PHRASES_DICT)
print(json.dumps(out, ensure_ascii=False))
"""


def _read_all(mode: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYPINYIN_NO_PHRASES"}
    done = subprocess.run([sys.executable, "-c", _READ_ALL, mode], check=True, capture_output=True, env=env)
    return json.loads(done.stdout)


def test_every_character_reads_the_same_without_the_phrase_library():
    light, full = _read_all("light"), _read_all("full")
    assert light.pop("*phrases*") == 0 and full.pop("*phrases*") > 40_000  # the two loads differ as meant
    assert len(light) > 40_000
    assert light == full


def test_the_phrase_library_holds_no_single_character():
    import pypinyin

    path = Path(pypinyin.__file__).with_name("phrases_dict.json")
    phrases = json.loads(path.read_text(encoding="utf-8"))
    assert phrases and not [p for p in phrases if len(p) == 1]


def test_loading_leaves_the_environment_as_it_was():
    code = ("import os\nfrom gridapp.core import pinyin\n"
            "assert pinyin.initials('张三') == 'zs'\nassert 'PYPINYIN_NO_PHRASES' not in os.environ\n")
    env = {k: v for k, v in os.environ.items() if k != "PYPINYIN_NO_PHRASES"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_initials():
    from gridapp.core.pinyin import initials

    assert initials("张三") == "zs"
    assert initials("单雄信") == "sxx"  # a surname read as one
    assert initials(" 曾 ") == "z"
    assert initials("") == initials(None) == ""
