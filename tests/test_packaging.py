"""The two commands and their pins: README, Makefile, CI, pyproject, environment.yml, lock file."""

from __future__ import annotations

import ast
import re
import subprocess
import tomllib

import jupytext
import pytest
import yaml
from conftest import ROOT


def _pins(lines) -> dict[str, str]:
    out = {}
    for line in lines:
        m = re.match(r"^\s*([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if m:
            out[m.group(1).lower().replace("_", "-")] = m.group(2)
    return out


def test_environment_yml_agrees_with_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = _pins(project["dependencies"] + project["optional-dependencies"]["test"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert _pins(pip) == declared
    assert "python=3.11" in env["dependencies"]


def test_every_dependency_is_pinned_and_locked():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + [d for v in project["optional-dependencies"].values()
                                      for d in v]
    unpinned = [d for d in deps if "==" not in d]
    assert unpinned == []
    lock = _pins((ROOT / "requirements-lock.txt").read_text().splitlines())
    for name, version in _pins(project["dependencies"]).items():
        assert lock.get(name) == version, name


def test_readme_commands_and_ci_agree():
    readme = (ROOT / "README.md").read_text()
    assert "make book" in readme and "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.M)
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^book: ", makefile, re.M) and re.search(r"^test: ", makefile, re.M)
    assert "aiboom build" in makefile


TEMPLATES = sorted((ROOT / "notebooks").glob("*"))


@pytest.mark.parametrize("path", TEMPLATES, ids=[p.name for p in TEMPLATES])
def test_templates_are_output_free_myst_with_one_parameters_cell(path):
    # MyST markdown cannot hold outputs; .ipynb templates are not allowed at all.
    assert path.suffix == ".md", f"{path.name}: templates are MyST markdown (jupytext)"
    nb = jupytext.read(path)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{path.name} needs exactly one cell tagged parameters"
    assert "scenario_file = None" in tagged[0].source
    assert nb.cells[0].cell_type == "markdown" or tagged[0] is not nb.cells[0]


def _calls(source: str) -> set[str]:
    """Dotted names of the functions a cell calls (``results.record_table``, ``money.f``)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, ast.Name):
            names.add(f"{node.func.value.id}.{node.func.attr}")
    return names


@pytest.mark.parametrize("path", TEMPLATES, ids=[p.name for p in TEMPLATES])
def test_computation_is_shown_and_recording_is_declarative(path):
    """A reader can expand every chapter's computing cells ('show code'); the numbers the
    prose glues are recorded by one ``results.record_table`` per section, in hidden cells that
    do nothing else, never by computing cells."""
    nb = jupytext.read(path)
    code = [c for c in nb.cells if c.cell_type == "code"
            and "parameters" not in c.metadata.get("tags", [])]
    shown = [c for c in code if "hide-input" in c.metadata.get("tags", [])]
    hidden = [c for c in code if "remove-cell" in c.metadata.get("tags", [])]
    computing = [c for c in shown if _calls(c.source) - {"charts.figure"}]
    assert computing, f"{path.name}: no computing cell a reader can expand"
    for cell in code:
        assert "results.record" not in _calls(cell.source), \
            f"{path.name}: record numbers with results.record_table, not results.record"
    for cell in shown:
        assert "results.record_table" not in _calls(cell.source), \
            f"{path.name}: a shown cell records numbers:\n{cell.source[:200]}"
    for cell in hidden:
        statements = ast.parse(cell.source).body
        tables = [s for s in statements if isinstance(s, ast.Expr)
                  and isinstance(s.value, ast.Call)
                  and ast.unparse(s.value.func) == "results.record_table"]
        # names the table shares: a subject, or a claim's pair of sentences unpacked
        labels = [s for s in statements if isinstance(s, ast.Assign)]
        assert tables and len(tables) + len(labels) == len(statements), \
            f"{path.name}: a hidden cell holds only results.record_table (and names for it):\n" \
            f"{cell.source[:300]}"


def test_toc_lists_every_template_and_page():
    toc = (ROOT / "book" / "_toc.yml").read_text()
    for path in TEMPLATES:
        assert f"book/generated/{path.stem}" in toc, path.name
    for page in (ROOT / "book").glob("*.md"):
        assert f"book/{page.stem}" in toc, page.name


def test_gpu_check_without_a_gpu_says_so_in_one_line():
    from aiboom.backend import available_backends

    if "cupy" in available_backends():
        pytest.skip("a GPU is here: make gpu-check runs the real checks")
    proc = subprocess.run(["make", "-s", "gpu-check"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().splitlines() == [
        "gpu-check: no usable CUDA GPU here (cupy.cuda.is_available() is False); nothing "
        "to check"]


#: The model modules: formulas and their evaluation, nothing that draws.
MODEL_MODULES = ("training", "inference", "economics", "kernels", "montecarlo", "sampling",
                 "sensitivity", "registry", "backend", "arrays")
CHART_LIBRARIES = ("altair", "vl_convert", "vega_datasets", "matplotlib", "aiboom.charts")


@pytest.mark.parametrize("name", MODEL_MODULES)
def test_model_modules_import_no_chart_library(name):
    """Chart specifications live beside each chapter's analysis, never in the model."""
    import ast

    tree = ast.parse((ROOT / "src" / "aiboom" / f"{name}.py").read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    drawn = sorted(m for m in imported
                   if any(m == lib or m.startswith(lib + ".") for lib in CHART_LIBRARIES))
    assert drawn == [], f"aiboom.{name} imports {drawn}"
