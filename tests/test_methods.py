"""The methods appendix cites what runs.

Every ``aiboom.<module>.<name>`` that ``book/methods.md`` names (in inline code or in a role
such as ``{py:func}``) must exist, and must be used by code the book runs: a notebook's code
cell or a module of ``src/aiboom`` outside the name's own definition. Mentions in docstrings,
comments and tests do not count, so the appendix cannot describe dead or missing code.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from functools import cache
from pathlib import Path
from types import ModuleType

import jupytext
import pytest
from conftest import ROOT

METHODS = ROOT / "book" / "methods.md"
SRC = ROOT / "src" / "aiboom"
NOTEBOOKS = ROOT / "notebooks"

#: A dotted aiboom path inside backticks, e.g. `aiboom.kernels.evaluate` or
#: {py:func}`~aiboom.economics.solve_for`.
REFERENCE = re.compile(r"`~?(aiboom(?:\.[A-Za-z_][A-Za-z0-9_]*)+)(?:\(\))?`")


def cited(text: str) -> list[str]:
    """Dotted ``aiboom`` paths cited in markdown, in order, without repeats."""
    return list(dict.fromkeys(REFERENCE.findall(text)))


def resolve(path: str) -> tuple[ModuleType, str | None]:
    """The module of a dotted path and the attribute named in it (None for a module)."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            module = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        rest = parts[cut:]
        if not rest:
            return module, None
        if len(rest) > 1:
            raise AttributeError(f"{path}: only module.name paths are supported")
        if not hasattr(module, rest[0]):
            raise AttributeError(f"{path}: {module.__name__} has no {rest[0]!r}")
        return module, rest[0]
    raise ModuleNotFoundError(path)


def definition_lines(module: ModuleType, name: str) -> range:
    """Lines of the top-level statement that defines ``name`` in its module's source."""
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if node.name == name:
                start = min([d.lineno for d in node.decorator_list] + [node.lineno])
                return range(start, node.end_lineno + 1)
            continue
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return range(node.lineno, node.end_lineno + 1)
    return range(0)


@cache
def python_uses(root: Path = SRC) -> dict[str, list[tuple[Path, int]]]:
    """Name -> (file, line) of each use in code under ``root``: a name, an attribute or an
    imported name (docstrings and comments are not code)."""
    uses: dict[str, list[tuple[Path, int]]] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                uses.setdefault(node.id, []).append((path, node.lineno))
            elif isinstance(node, ast.Attribute):
                uses.setdefault(node.attr, []).append((path, node.lineno))
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    uses.setdefault(alias.name, []).append((path, node.lineno))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    uses.setdefault(alias.name, []).append((path, node.lineno))
    return uses


@cache
def notebook_code() -> str:
    """The code cells of every notebook, joined."""
    cells = []
    for path in sorted(NOTEBOOKS.glob("*.md")):
        nb = jupytext.read(path)
        cells += [c.source for c in nb.cells if c.cell_type == "code"]
    return "\n".join(cells)


def is_used(module: ModuleType, name: str | None, root: Path = SRC,
            code: str | None = None) -> bool:
    """Whether code the book runs (modules under ``root``, notebook ``code``) uses
    ``module.name``, or imports ``module`` when ``name`` is None."""
    code = notebook_code() if code is None else code
    uses = python_uses(root)
    own_file = Path(module.__file__).resolve()
    if name is None:
        short = module.__name__.rsplit(".", 1)[-1]
        in_src = [u for u in uses.get(module.__name__, []) + uses.get(short, [])
                  if u[0].resolve() != own_file]
        return bool(in_src) or re.search(rf"\b(from|import)\b[^\n]*\b{short}\b", code) is not None
    own_lines = definition_lines(module, name)
    for path, line in uses.get(name, []):
        if path.resolve() == own_file and line in own_lines:
            continue
        return True
    return re.search(rf"\b{re.escape(name)}\b", code) is not None


CITED = cited(METHODS.read_text(encoding="utf-8"))


def test_methods_cites_the_code():
    assert len(CITED) >= 20, CITED
    assert {"aiboom.kernels.reference_per_sample", "aiboom.economics.solve_for",
            "aiboom.sensitivity.sobol"} <= set(CITED)


@pytest.mark.parametrize("path", CITED)
def test_cited_code_exists_and_runs_in_the_book(path: str):
    module, name = resolve(path)
    if name is not None:
        obj = getattr(module, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert obj.__module__ == module.__name__, (
                f"{path} is defined in {obj.__module__}: cite it there")
    assert is_used(module, name), f"{path} is named in book/methods.md but nothing runs it"


def test_reference_parser_reads_code_and_roles():
    text = ("see `aiboom.economics.solve_for`, {py:func}`~aiboom.kernels.evaluate` and\n"
            "{py:func}`aiboom.sensitivity.sobol()` but not aiboom.training or `np.max`;\n"
            "`aiboom.economics.solve_for` again")
    assert cited(text) == ["aiboom.economics.solve_for", "aiboom.kernels.evaluate",
                           "aiboom.sensitivity.sobol"]


def test_missing_and_unused_code_is_caught(tmp_path, monkeypatch):
    with pytest.raises(AttributeError, match="no 'npv_usd'"):
        resolve("aiboom.economics.npv_usd")
    with pytest.raises(ModuleNotFoundError):
        resolve("nosuchpackage.thing")
    # a probe package: `lonely` only calls itself and is named in a docstring; `helper` is
    # called by `entry`, which a notebook calls; LIMIT is read by `helper`
    (tmp_path / "probe_methods_mod.py").write_text(
        '"""Uses :func:`lonely` nowhere."""\n'
        "LIMIT = 3\n\n\n"
        "def lonely(n):\n    return lonely(n - 1) if n else 0\n\n\n"
        "def helper():\n    return LIMIT\n\n\n"
        "def entry():\n    # lonely() is not called here\n    return helper()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    probe = importlib.import_module("probe_methods_mod")
    notebook = "from probe_methods_mod import entry\nentry()"
    assert is_used(probe, "helper", root=tmp_path, code=notebook)
    assert is_used(probe, "LIMIT", root=tmp_path, code=notebook)
    assert is_used(probe, "entry", root=tmp_path, code=notebook)
    assert not is_used(probe, "lonely", root=tmp_path, code=notebook)
    assert not is_used(probe, "entry", root=tmp_path, code="")
    assert is_used(probe, None, root=tmp_path, code=notebook)
