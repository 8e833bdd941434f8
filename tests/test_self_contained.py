"""The tests run from a fresh clone: nothing under tests/ reaches outside the repository.

Checked in the source of every test module, with its syntax tree: a path climbed from ``__file__``
(``parents[N]``, ``.parent.parent``) must stay inside the repository, and no string names a ``..``
or ``shared`` path segment. Paths built some other way would slip past this; it guards against the
usual ones, which is how a samples folder beside the repository once got in. This module is left
out: it holds the escapes it looks for as data.
"""

import ast
import re
from pathlib import Path

import pytest

from tests.conftest import SAMPLES

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
_ESCAPING_SEGMENT = re.compile(r"(^|[/\\])(\.\.|shared)([/\\]|$)")


def _from_file(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Name) and n.id == "__file__" for n in ast.walk(node))


def _climbs(node: ast.AST) -> int | None:
    """N when the expression is ``Path(__file__).parents[N]`` or the equivalent ``.parent`` chain, else None."""
    if (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "parents"
            and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, int) and _from_file(node.value)):
        return node.slice.value
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        depth, inner = 0, node
        while isinstance(inner, ast.Attribute) and inner.attr == "parent":
            depth, inner = depth + 1, inner.value
        if _from_file(inner):
            return depth - 1  # Path(__file__).parent is the file's own folder
    return None


def _escapes(source: str, path: Path) -> list[str]:
    """What in ``source``, a module at ``path``, points outside the repository."""
    tree = ast.parse(source, str(path))
    found = []
    for node in ast.walk(tree):
        climbs = _climbs(node)
        if climbs is not None:
            target = path.resolve().parents[climbs]
            if not target.is_relative_to(ROOT):
                found.append((node.lineno, f"line {node.lineno}: {ast.unparse(node)} is {target}, outside the repository"))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _ESCAPING_SEGMENT.search(node.value):
            found.append((node.lineno, f"line {node.lineno}: {node.value!r}"))
    return [text for _line, text in sorted(found)]


MODULES = sorted(p for p in TESTS.rglob("*.py") if p != Path(__file__).resolve())


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(TESTS)))
def test_no_test_module_refers_outside_the_repository(path):
    assert _escapes(path.read_text(encoding="utf-8"), path) == []


def test_the_samples_live_in_the_repository():
    assert SAMPLES.resolve().is_relative_to(ROOT)
    assert sorted(p.name for p in SAMPLES.glob("*.xlsx")) == ["物业企业-示例.xlsx", "网格划分-示例.xlsx", "网格员花名册-示例.xlsx"]


def test_the_check_catches_the_usual_escapes():
    source = ('A = Path(__file__).resolve().parents[2] / "data"\n'  # the repository root: fine
              'B = Path(__file__).resolve().parents[3] / "x"\n'
              'C = Path(__file__).parent.parent.parent.parent\n'
              'D = os.path.join(os.path.dirname(__file__), "..", "..")\n'
              'E = "../shared/samples"\n')
    found = _escapes(source, TESTS / "io" / "test_probe.py")  # as deep as the real modules; never written
    assert [f.split(":")[0] for f in found] == ["line 2", "line 3", "line 4", "line 4", "line 5"]
