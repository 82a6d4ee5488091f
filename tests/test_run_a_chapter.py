"""Run it yourself: every chapter page offers its executed notebook, and the fork guide's
"Run a chapter" commands work.

The site tests read the baseline build (the ``site`` fixture). The guide's commands are run as
written, with ``.venv/bin/`` meaning the folder of this interpreter and only their output
folders moved into ``tmp_path``. One notebook is executed, the cheapest (see
book/generated/timings.json): the assumptions appendix.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import nbformat
import pytest
import yaml
from conftest import ROOT

from aiboom.scenarios import load_scenario

BIN = Path(sys.executable).parent
FORK = ROOT / "book" / "fork.md"
#: The notebook these tests execute: the cheapest to run.
CHEAPEST = "90_assumptions"


def _notebook_pages() -> list[str]:
    """The pages of the table of contents that are executed notebooks."""
    toc = yaml.safe_load((ROOT / "book" / "_toc.yml").read_text(encoding="utf-8"))
    files: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("file"), str):
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return [f for f in files if f.startswith("book/generated/")]


NOTEBOOK_PAGES = _notebook_pages()


class _DownloadMenu(HTMLParser):
    """The links in the theme's download menu (``div.dropdown-download-buttons``)."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.depth:
            if tag == "div":
                self.depth += 1
            elif tag == "a" and a.get("href"):
                self.links.append(a["href"])
        elif tag == "div" and "dropdown-download-buttons" in (a.get("class") or "").split():
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth and tag == "div":
            self.depth -= 1


def downloaded_notebook(site: Path, page: str) -> Path:
    """The ``.ipynb`` file the download menu of ``page`` links to, in the site."""
    html = site / f"{page}.html"
    assert html.exists(), f"{page}: no page in the site"
    menu = _DownloadMenu()
    menu.feed(html.read_text(encoding="utf-8"))
    links = [h for h in menu.links if urlparse(h).path.endswith(".ipynb")]
    assert len(links) == 1, f"{page}: download menu links {menu.links}, not one .ipynb"
    base = f"file://{html.as_posix()}"
    target = Path(unquote(urlparse(urljoin(base, links[0])).path))
    assert target.is_file(), f"{page}: {links[0]} is not in the site"
    assert target.resolve().is_relative_to(site.resolve()), f"{page}: {links[0]} leaves the site"
    return target


def assert_executed(nb: nbformat.NotebookNode, scenario_name: str, where: str) -> None:
    """Every code cell ran, there are outputs, and the injected parameters name the scenario."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, where
    assert all(isinstance(c.get("execution_count"), int) for c in code), \
        f"{where}: a code cell without an execution count"
    assert any(c.get("outputs") for c in code), f"{where}: no outputs"
    assert not any(o.get("output_type") == "error" for c in code for o in c.get("outputs", [])), \
        f"{where}: an error output"
    injected = [c for c in code if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1, f"{where}: {len(injected)} injected parameter cells"
    assert "scenario_file" in injected[0].source and scenario_name in injected[0].source, \
        f"{where}: parameters {injected[0].source!r} do not name scenario {scenario_name!r}"


def venv_kernels() -> dict[str, dict]:
    out = subprocess.run([str(BIN / "jupyter"), "kernelspec", "list", "--json"],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["kernelspecs"]


# --- the site -----------------------------------------------------------------------------

def test_the_toc_has_the_notebook_chapters():
    stems = {Path(f).name for f in NOTEBOOK_PAGES}
    templates = {p.stem for p in (ROOT / "notebooks").glob("*.md")}
    assert stems == templates and CHEAPEST in stems


@pytest.mark.book
@pytest.mark.parametrize("page", NOTEBOOK_PAGES, ids=[Path(p).name for p in NOTEBOOK_PAGES])
def test_each_chapter_page_offers_its_executed_notebook(site: Path, page: str):
    nb_path = downloaded_notebook(site, page)
    assert nb_path.name == f"{Path(page).name}.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    nbformat.validate(nb)
    assert_executed(nb, load_scenario().name, page)
    kernel = nb.metadata["kernelspec"]["name"]
    spec = venv_kernels().get(kernel)
    assert spec is not None, f"{page}: kernel {kernel!r} is not one the venv provides"
    assert spec["spec"]["language"] == nb.metadata["kernelspec"]["language"] == "python"


@pytest.mark.book
def test_a_downloaded_notebook_runs_from_the_repository_root(site: Path, tmp_path: Path):
    """Top to bottom with the venv's kernel (the notebook's own kernelspec), from ROOT."""
    from nbclient import NotebookClient

    nb = nbformat.read(downloaded_notebook(site, f"book/generated/{CHEAPEST}"), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    client = NotebookClient(nb, timeout=300, kernel_name=nb.metadata["kernelspec"]["name"],
                            resources={"metadata": {"path": str(ROOT)}})
    client.execute()
    nbformat.write(nb, tmp_path / f"{CHEAPEST}.ipynb")
    assert_executed(nb, load_scenario().name, "re-run of the downloaded notebook")


@pytest.mark.book
def test_a_downloaded_notebook_names_its_scenario_portably(site: Path, tmp_path: Path,
                                                           monkeypatch):
    nb = nbformat.read(downloaded_notebook(site, f"book/generated/{CHEAPEST}"), as_version=4)
    value = nb.metadata["papermill"]["parameters"]["scenario_file"]
    assert value is None or not Path(value).is_absolute(), value
    monkeypatch.chdir(tmp_path)
    assert load_scenario(value).name == "baseline"


# --- the fork guide -------------------------------------------------------------------------

def guide_commands() -> list[list[str]]:
    """The shell commands in the code blocks of the guide's "Run a chapter" section."""
    text = FORK.read_text(encoding="utf-8")
    m = re.search(r"^## Run a chapter\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert m, "book/fork.md has no 'Run a chapter' section"
    blocks = re.findall(r"^```(?:bash|sh)\n(.*?)^```", m.group(1), re.S | re.M)
    assert blocks, "the 'Run a chapter' section shows no commands"
    commands = []
    for block in blocks:
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words:
                commands.append(words)
    return commands


def venv_tool(words: list[str]) -> list[str]:
    """``.venv/bin/X ...`` with X taken from this interpreter's folder."""
    assert words[0].startswith(".venv/bin/"), f"not a .venv/bin command: {words}"
    tool = BIN / words[0].removeprefix(".venv/bin/")
    assert tool.exists(), f"{words[0]}: the pinned stack has no {tool.name}"
    return [str(tool), *words[1:]]


def with_out(words: list[str], out: Path) -> list[str]:
    """The command with ``--out`` set to ``out`` (replaced, or added)."""
    if "--out" in words:
        i = words.index("--out")
        return [*words[:i + 1], str(out), *words[i + 2:]]
    return [*words, "--out", str(out)]


def option(words: list[str], name: str) -> str | None:
    return words[words.index(name) + 1] if name in words else None


def test_the_guides_commands_work(tmp_path: Path):
    """Every command of the section runs: ``aiboom execute`` writes an executed notebook where
    the guide says, the kernel registration names this venv's Python, and papermill re-runs
    the executed notebook with another scenario."""
    commands = guide_commands()
    tools = [" ".join([Path(w[0]).name, *w[1:2]]) for w in commands]
    assert "aiboom execute" in tools and any(t.startswith("papermill") for t in tools), tools
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    written: dict[str, Path] = {}  # where the guide says a notebook lands -> where it did here
    for words in commands:
        cmd = venv_tool(words)
        tool = Path(cmd[0]).name
        if tool == "aiboom" and words[1] == "execute":
            scenario = load_scenario(ROOT / option(words, "--scenario")) \
                if "--scenario" in words else load_scenario()
            stem = next(p.stem for p in (ROOT / "notebooks").glob(f"*{words[2]}*.md"))
            out = tmp_path / "execute"
            proc = subprocess.run(with_out(cmd, out), cwd=ROOT, env=env, capture_output=True,
                                  text=True, timeout=300)
            assert proc.returncode == 0, proc.stdout + proc.stderr
            nb = nbformat.read(out / f"{stem}.ipynb", as_version=4)
            assert_executed(nb, scenario.name, " ".join(words))
            # Where the result lands without --out: the folder the guide names.
            guide_out = option(words, "--out") or f"book/generated/{scenario.name}"
            assert f"`{guide_out}/{stem}.ipynb`" in FORK.read_text(encoding="utf-8")
            written[f"{guide_out}/{stem}.ipynb"] = out / f"{stem}.ipynb"
        elif tool == "python" and words[1:4] == ["-m", "ipykernel", "install"]:
            data_dir = tmp_path / "jupyter-data"  # where --user installs, here
            proc = subprocess.run(cmd, cwd=ROOT, env={**env, "JUPYTER_DATA_DIR": str(data_dir)},
                                  capture_output=True, text=True, timeout=120)
            assert proc.returncode == 0, proc.stdout + proc.stderr
            spec = json.loads((data_dir / "kernels" / option(words, "--name") / "kernel.json")
                              .read_text())
            assert Path(spec["argv"][0]) == Path(sys.executable)
            assert spec["display_name"] == option(words, "--display-name")
            assert f"*{spec['display_name']}*" in FORK.read_text(encoding="utf-8")
        elif tool == "papermill":
            source, target = words[1], words[2]
            assert source in written, f"papermill reads {source}, which no command above wrote"
            param = option(words, "-p")
            value = words[words.index("-p") + 2]
            out = tmp_path / "papermill" / Path(target).name
            out.parent.mkdir()
            proc = subprocess.run([cmd[0], str(written[source]), str(out), *cmd[3:]], cwd=ROOT,
                                  env=env, capture_output=True, text=True, timeout=300)
            assert proc.returncode == 0, proc.stdout + proc.stderr
            nb = nbformat.read(out, as_version=4)
            assert nb.metadata["papermill"]["parameters"] == {param: value}
            assert_executed(nb, load_scenario(ROOT / value).name, " ".join(words))
        else:
            pytest.fail(f"the guide shows a command this test does not run: {' '.join(words)}")
