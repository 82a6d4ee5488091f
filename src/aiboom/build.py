"""The book pipeline: scenario in, site out.

1. Validate the scenario, the registry and every data table (nothing runs on bad input).
2. Execute each notebook template in ``notebooks/`` with papermill, with the scenario as its
   parameter, into ``book/generated/<scenario>/`` (git-ignored). A notebook is re-executed only
   when its cache key changes: the template, the resolved scenario, the data files or the
   ``aiboom`` package. Those that must run are spread over a pool of processes, longest first.
3. When the site in the output folder was built from exactly the same inputs (the *site key*:
   every notebook key, the book sources, the package, the options) and is intact, stop here.
4. Copy ``_config.yml``, ``book/`` and the executed notebooks into a staging folder and let
   Jupyter Book 1 render it (never execute) with ``-W -n --keep-going``.
5. Write ``results.json`` (every glued number) and the site key beside the HTML and swap the
   staged site into the output folder. A failure at any step leaves the previous site
   untouched.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import html
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

import aiboom
from aiboom import outputs, paths
from aiboom.errors import BuildError
from aiboom.results import RESULTS_FILE_ENV, read_results
from aiboom.scenarios import Scenario, load_scenario_for_build

Log = Callable[[str], None]



@dataclass(frozen=True)
class Executed:
    """One notebook of a build: where it is, how long it ran (0 when cached), its cache key."""

    name: str
    path: Path
    seconds: float
    cached: bool
    key: str = ""


def notebook_templates(root: Path | None = None) -> list[Path]:
    """The notebook templates, in book order (their file names start with a two-digit rank)."""
    return sorted(((root or paths.ROOT) / "notebooks").glob("*.md"))


def _tree_hash(folder: Path, pattern: str = "*", *, exclude: tuple[str, ...] = (),
               memo: dict | None = None) -> str:
    """SHA-256 over the relative paths and contents of the files below ``folder``.

    ``memo`` (a dict that lives for one build) keeps each tree's hash, so that keying every
    notebook of a build reads the data and the package once, not once per notebook.
    """
    slot = (str(folder), pattern, exclude)
    if memo is not None and slot in memo:
        return memo[slot]
    h = hashlib.sha256()
    for p in sorted(folder.rglob(pattern)):
        rel = p.relative_to(folder)
        if "__pycache__" in p.parts or not p.is_file() or (rel.parts and rel.parts[0] in exclude):
            continue
        h.update(str(rel).encode())
        h.update(p.read_bytes())
    digest = h.hexdigest()
    if memo is not None:
        memo[slot] = digest
    return digest


@functools.lru_cache(maxsize=1)
def package_versions() -> str:
    """``name==version`` of every installed distribution, one per line, sorted."""
    from importlib import metadata

    return "\n".join(sorted({f"{(d.metadata['Name'] or '').lower()}=={d.version}"
                              for d in metadata.distributions()}))


def template_reads(template: Path) -> list[str]:
    """Folders below the repository root that a template reads beyond its own scenario.

    Declared in the template's front matter as ``aiboom: {reads: [data/scenarios]}``; the
    chapter that compares every scenario file declares ``data/scenarios``.
    """
    text = template.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return []
    front = yaml.safe_load(text.split("---", 2)[1]) or {}
    reads = (front.get("aiboom") or {}).get("reads") or []
    return [str(r) for r in reads]


def cache_key(template: Path, scenario: Scenario, memo: dict | None = None) -> str:
    """Hash of everything that can change a notebook's outputs: the template, the resolved
    scenario, every file in ``data/`` (and, for a template that reads them, every scenario
    file), the ``aiboom`` package, the versions of all installed packages, and the array
    backend and device that compute the numbers (:func:`aiboom.backend.provenance`).

    ``memo``: a dict shared by the keys of one build, which then hashes each tree once.
    """
    from aiboom.backend import provenance

    h = hashlib.sha256()
    h.update(json.dumps(provenance(scenario.backend), sort_keys=True).encode())
    h.update(template.read_bytes())
    h.update(scenario.fingerprint().encode())
    h.update(_tree_hash(paths.DATA, exclude=("scenarios",), memo=memo).encode())
    for folder in template_reads(template):
        h.update(folder.encode())
        h.update(_tree_hash(paths.ROOT / folder, memo=memo).encode())
    h.update(_tree_hash(Path(aiboom.__file__).parent, "*.py", memo=memo).encode())
    h.update(aiboom.__version__.encode())
    h.update(package_versions().encode())
    return h.hexdigest()


def source_version() -> dict[str, str]:
    """The book's version, the git commit it was built from and that commit's date.

    The date is the commit's, not the clock's, so two builds of one commit are identical.
    ``commit`` ends in ``+changes`` when tracked files differ from it, and is ``unknown``
    outside a git checkout.
    """
    def git(*args: str) -> str:
        try:
            proc = subprocess.run(["git", "-C", str(paths.ROOT), *args], capture_output=True,
                                  text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            return ""
        return proc.stdout.strip() if proc.returncode == 0 else ""

    commit = git("rev-parse", "--short=12", "HEAD")
    if commit and git("status", "--porcelain", "--untracked-files=no"):
        commit += "+changes"
    date = git("log", "-1", "--format=%cs") or "unknown"
    return {"version": aiboom.__version__, "commit": commit or "unknown", "date": date}


def colophon(version: dict[str, str], computed: dict[str, str]) -> str:
    """The footer line of every page: what was built, from which commit, and what computed
    the numbers (a GPU build says so; the canonical published build is the CPU one)."""
    where = ("on the GPU (a GPU build; the canonical build runs on the CPU)"
             if computed["backend"] == "cupy" else "on the CPU (the canonical build)")
    return (f"aiboom {version['version']}, commit {version['commit']}, built from the commit "
            f"of {version['date']}. Numbers computed {where}: {computed['device']}.")


def _to_ipynb(template: Path, dest: Path) -> None:
    import jupytext

    nb = jupytext.read(template)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata.pop("jupytext", None)
    jupytext.write(nb, dest, fmt="ipynb")


def _is_cached(out_dir: Path, name: str, key: str) -> bool:
    """Whether ``out_dir`` holds the executed notebook ``name`` and its results under ``key``."""
    key_file = out_dir / f"{name}.key"
    return ((out_dir / f"{name}.ipynb").exists() and (out_dir / f"{name}.results.jsonl").exists()
            and key_file.exists() and key_file.read_text() == key)


def execute_notebook(template: Path, scenario: Scenario, out_dir: Path, *,
                     force: bool = False, key: str | None = None) -> Executed:
    """Execute one template with papermill into ``out_dir/<stem>.ipynb`` unless it is cached.

    ``key``: the template's :func:`cache_key`, when the caller has computed it already.

    Raises
    ------
    BuildError
        Naming the notebook template and the failing cell when a cell raises.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    out_dir.mkdir(parents=True, exist_ok=True)
    name = template.stem
    target = out_dir / f"{name}.ipynb"
    key_file = out_dir / f"{name}.key"
    results_file = out_dir / f"{name}.results.jsonl"
    key = key or cache_key(template, scenario)
    if not force and _is_cached(out_dir, name, key):
        return Executed(name, target, 0.0, cached=True, key=key)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"aiboom-{name}-") as tmp:
        src = Path(tmp) / f"{name}.ipynb"
        tmp_out = Path(tmp) / "out.ipynb"
        tmp_results = Path(tmp) / "results.jsonl"
        _to_ipynb(template, src)
        old = os.environ.get(RESULTS_FILE_ENV)
        os.environ[RESULTS_FILE_ENV] = str(tmp_results)
        try:
            papermill.execute_notebook(
                # relative to the repository (the notebook is downloaded and re-run elsewhere)
                str(src), str(tmp_out), parameters={"scenario_file": display(Path(scenario.path))},
                kernel_name="python3", progress_bar=False, cwd=str(paths.ROOT),
                execution_timeout=1800, kernel_manager_class=_ipc_kernel_manager())
        except PapermillExecutionError as exc:
            # papermill counts its injected-parameters cell; report the template's numbering.
            index = exc.cell_index - (1 if exc.cell_index > _parameters_index(src) else 0)
            first = next((ln for ln in exc.source.splitlines() if ln.strip()), "")[:60]
            raise BuildError(f"{display(template)}: cell {index + 1} ({first!r}) failed with "
                             f"{exc.ename}: {exc.evalue}") from None
        finally:
            if old is None:
                os.environ.pop(RESULTS_FILE_ENV, None)
            else:
                os.environ[RESULTS_FILE_ENV] = old
        _strip_volatile(tmp_out)
        if not tmp_results.exists():
            tmp_results.write_text("")
        shutil.move(tmp_results, results_file)
        shutil.move(tmp_out, target)
    key_file.write_text(key)
    return Executed(name, target, time.perf_counter() - start, cached=False, key=key)


#: Environment variable that sets how many notebooks a build executes at once.
WORKERS_ENV = "AIBOOM_BUILD_WORKERS"
#: Seconds each notebook took when it last ran, per template (``book/generated/``): the
#: order in which a build starts the notebooks it must execute.
TIMINGS_FILE = "timings.json"
#: Typical seconds of the notebooks that run longest (a cold build on two cores), for a
#: build that has no timings yet. Only the order of execution depends on these.
TYPICAL_SECONDS: dict[str, float] = {
    "07_scenarios": 14.0, "92_validation": 10.0, "02_serving_costs": 8.0,
    "04_where_is_the_money": 8.0, "08_answer": 7.5, "01_capex_surge": 7.0,
}


def build_workers(scenario: Scenario, n_jobs: int) -> int:
    """Notebooks to execute at once: one per core, as many as the memory limit allows for the
    scenario's samples (:func:`aiboom.montecarlo.build_memory_bytes` each), at most
    ``n_jobs``; ``AIBOOM_BUILD_WORKERS`` overrides the core count."""
    from aiboom.montecarlo import build_memory_bytes, memory_limit

    text = os.environ.get(WORKERS_ENV, "").strip()
    if text and not (text.isdigit() and int(text) >= 1):
        from aiboom.errors import InputError

        raise InputError.single(WORKERS_ENV, f"{text!r} is not a whole number of 1 or more")
    workers = int(text) if text else (os.cpu_count() or 1)
    limit = memory_limit()
    if limit is not None:
        workers = min(workers, max(1, limit.bytes // build_memory_bytes(scenario.n_samples)))
    return max(1, min(workers, n_jobs))


def _read_timings(gen: Path) -> dict[str, float]:
    try:
        timings = json.loads((gen / TIMINGS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: float(v) for k, v in timings.items() if isinstance(v, int | float)} \
        if isinstance(timings, dict) else {}


def _write_timings(gen: Path, executed: list[Executed]) -> None:
    ran = {ex.name: round(ex.seconds, 1) for ex in executed if not ex.cached}
    if ran:
        gen.mkdir(parents=True, exist_ok=True)
        timings = {**_read_timings(gen), **ran}
        tmp = gen / f".{TIMINGS_FILE}.{os.getpid()}"
        tmp.write_text(json.dumps(timings, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        tmp.replace(gen / TIMINGS_FILE)  # whole, even with two builds at once


def _execute_job(job: tuple[Path, Scenario, Path, bool, str]) -> Executed:
    template, scenario, out_dir, force, key = job
    return execute_notebook(template, scenario, out_dir, force=force, key=key)


def execute_for_build(scenario: Scenario, templates: list[Path], *, force: bool = False,
                      log: Log = print, memo: dict | None = None) -> list[Executed]:
    """Execute ``templates`` for ``scenario``, independent notebooks in parallel.

    Every cache key is computed here first (``memo``: see :func:`cache_key`); the notebooks
    found cached are reported at once, and a worker pool starts only when two or more must
    run, longest first (by :data:`TIMINGS_FILE`, else :data:`TYPICAL_SECONDS`), so that no long
    notebook starts last. Returns the notebooks in template order.
    """
    gen = paths.BOOK / "generated"
    out_dir = gen / scenario.name
    memo = {} if memo is None else memo
    keys = [cache_key(t, scenario, memo) for t in templates]
    done: dict[int, Executed] = {}

    def report(i: int, ex: Executed) -> None:
        done[i] = ex
        state = "cached" if ex.cached else f"{ex.seconds:6.1f} s"
        log(f"  [{len(done)}/{len(templates)}] {ex.name + '.md':<40} {state}")

    stale = []
    for i, (t, key) in enumerate(zip(templates, keys, strict=True)):
        if not force and _is_cached(out_dir, t.stem, key):
            report(i, Executed(t.stem, out_dir / f"{t.stem}.ipynb", 0.0, cached=True, key=key))
        else:
            stale.append(i)
    timings = {**TYPICAL_SECONDS, **_read_timings(gen)}
    stale.sort(key=lambda i: -timings.get(templates[i].stem, 0.0))
    jobs = {i: (templates[i], scenario, out_dir, True, keys[i]) for i in stale}
    workers = build_workers(scenario, len(stale))
    try:
        if workers == 1:
            for i in stale:
                report(i, _execute_job(jobs[i]))
        else:
            _execute_in_pool(jobs, workers, report)
    finally:
        _write_timings(gen, list(done.values()))
    return [done[i] for i in range(len(templates))]


def _execute_in_pool(jobs: dict[int, tuple], workers: int,
                     report: Callable[[int, Executed], None]) -> None:
    """Run ``jobs`` (in their order) on ``workers`` processes; stop them all on any error."""
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from multiprocessing import get_context

    pool = ProcessPoolExecutor(workers, mp_context=get_context("spawn"))
    try:
        futures = {pool.submit(_execute_job, job): i for i, job in jobs.items()}
        for fut in as_completed(futures):
            report(futures[fut], fut.result())
    except BaseException:
        for proc in list(getattr(pool, "_processes", {}).values()):
            proc.terminate()  # their kernels exit with them (ipykernel's parent poller)
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


@functools.cache
def _ipc_folder() -> str:
    """A private folder for this process's kernel sockets, removed when the process ends."""
    import atexit

    folder = tempfile.mkdtemp(prefix="aiboom-ipc-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _ipc_kernel_manager() -> type:
    """A kernel manager that talks to the kernel over local sockets (IPC), not TCP ports.

    Each kernel gets socket paths of its own: Jupyter's default (``kernel-ipc-<n>`` in the
    working folder) is shared by every process, so kernels started at once by parallel build
    workers would pick the same sockets and read each other's messages.
    """
    import uuid

    from jupyter_client.manager import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            kwargs.setdefault("transport", "ipc")
            kwargs.setdefault("ip", os.path.join(_ipc_folder(), uuid.uuid4().hex[:12]))
            super().__init__(**kwargs)

    return IPCKernelManager


def _parameters_index(nb_path: Path) -> int:
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if "parameters" in cell.metadata.get("tags", []):
            return i
    return -1


def _strip_volatile(nb_path: Path) -> None:
    """Drop timestamps and machine paths papermill records, so re-runs are byte-stable."""
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    pm = nb.metadata.get("papermill", {})
    for k in ("start_time", "end_time", "duration", "input_path", "output_path"):
        pm.pop(k, None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
        tags = cell.metadata.get("tags", [])
        # Readers see the narrative, not the plumbing: parameter cells are kept in the
        # notebook (researchers download it) but removed from the page.
        if ("parameters" in tags or "injected-parameters" in tags) and "remove-cell" not in tags:
            cell.metadata["tags"] = [*tags, "remove-cell"]
    nbformat.write(nb, nb_path)


def display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(paths.ROOT.resolve()))
    except ValueError:
        return str(path)


def _preview_toc(executed: list[Executed]) -> str:
    """A table of contents holding only the chosen notebooks, and the prose pages that paste no
    numbers from other notebooks (so that references to them resolve)."""
    files = [f"book/generated/{ex.name}" for ex in executed]
    pages = [f"book/{p}" for p in ("methods", "glossary", "bibliography")]
    chapters = "".join(f"  - file: {f}\n" for f in files[1:] + pages)
    return f"format: jb-book\nroot: {files[0]}\nchapters:\n{chapters}"


def copy_site_data(html_dir: Path) -> Path:
    """Put ``data/`` into the site: every curated table with its sidecar, and the scenario
    files, for readers to download (the data appendix links each one). Copied after Jupyter
    Book renders, because Sphinx applies ``exclude_patterns`` (which hold ``data``) to extra
    files."""
    out = html_dir / "data"
    out.mkdir(exist_ok=True)
    for f in sorted(paths.DATA.iterdir()):
        if f.is_file() and (f.suffix == ".csv" or f.name.endswith(".meta.yml")):
            shutil.copy2(f, out / f.name)
    if (paths.DATA / "scenarios").is_dir():
        shutil.copytree(paths.DATA / "scenarios", out / "scenarios", dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".*", "__pycache__"))
    return out


def _stage_build_facts(scenario: Scenario, stage: Path, config: dict) -> None:
    """``_static/aiboom-build.js``: the book's title, version, commit and date, which each
    chart's Cite action quotes, loaded on every page."""
    facts = {**source_version(), "title": config["title"], "author": config.get("author", ""),
             "scenario": scenario.name}
    (stage / "book" / "_static" / "aiboom-build.js").write_text(
        f"window.AIBOOM_BUILD = {json.dumps(facts, sort_keys=True)};\n", encoding="utf-8")
    sphinx_config = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx_config["html_js_files"] = ["aiboom-build.js",
                                      *sphinx_config.get("html_js_files", [])]


def vega_bundle() -> Path:
    """The site's Vega bundle (:func:`aiboom.charts.write_vega_bundle`), made once and kept in
    ``book/generated/`` under a key of the installed versions and ``charts.py``: making it
    takes seconds of CPU, and it changes only with them."""
    key = hashlib.sha256((package_versions() + (Path(aiboom.__file__).parent / "charts.py")
                          .read_text(encoding="utf-8")).encode()).hexdigest()[:16]
    gen = paths.BOOK / "generated"
    bundle = gen / f"vega-bundle-{key}.js"
    if not bundle.exists():
        from aiboom.charts import write_vega_bundle

        tmp = gen / f".vega-bundle-{key}.{os.getpid()}.{threading.get_ident()}.js"
        write_vega_bundle(tmp)
        tmp.replace(bundle)
        for old in gen.glob("vega-bundle-*.js"):
            if old != bundle:  # made for other versions
                old.unlink(missing_ok=True)
    return bundle


def _stage(scenario: Scenario, stage: Path, executed: list[Executed], preview: bool = False
           ) -> None:
    shutil.copytree(paths.BOOK, stage / "book",
                    ignore=shutil.ignore_patterns("generated", "_build", "vega-bundle.js"))
    config = yaml.safe_load((paths.ROOT / "_config.yml").read_text(encoding="utf-8"))
    from aiboom.backend import provenance

    html_config = config.setdefault("html", {})
    line = html.escape(colophon(source_version(), provenance(scenario.backend)))
    html_config["extra_footer"] = (f"{html_config.get('extra_footer', '')}"
                                   f'<p class="aiboom-colophon">{line}</p>')
    if scenario.name != "baseline":
        # The name (lower-case letters, digits, dashes: checked by the schema), never the free
        # title: the theme prints the book title without escaping it.
        config["title"] = f"{config['title']} (scenario: {scenario.name})"
    _stage_build_facts(scenario, stage, config)
    (stage / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    gen = stage / "book" / "generated"
    gen.mkdir(parents=True)
    for ex in executed:
        shutil.copy2(ex.path, gen / ex.path.name)
    shutil.copyfile(vega_bundle(), stage / "book" / "_static" / "vega-bundle.js")
    if (stage / "book" / "explore.md").is_file():  # the explore page's scripts (aiboom.explore)
        from aiboom.explore import write_site_scripts

        write_site_scripts(stage / "book" / "_static")
    if preview:
        (stage / "book" / "_toc.yml").write_text(_preview_toc(executed))


def manifest(scenario: Scenario, executed: list[Executed]) -> dict:
    """Every glued number of the build, with unit, interval, notebook and scenario, and what
    computed them (``backend``, ``device``) from which source (``source``)."""
    rows = [{**r, "notebook": ex.name} for ex in executed
            for r in read_results(ex.path.with_suffix(".results.jsonl"))]
    return results_manifest(scenario, rows)


def results_manifest(scenario: Scenario, rows: list[dict]) -> dict:
    """The manifest of ``rows`` (result records, each naming its notebook) for ``scenario``:
    the shape of ``results.json``, which :mod:`aiboom.compare` reads too."""
    from aiboom.backend import provenance

    return {
        "aiboom_version": aiboom.__version__,
        **provenance(scenario.backend),
        "source": source_version(),
        "scenario": {"name": scenario.name, "title": scenario.title,
                     "fingerprint": scenario.fingerprint(), "n_samples": scenario.n_samples,
                     "seed": scenario.seed},
        "results": [{**r, "scenario": scenario.name} for r in rows],
    }


def external_links(html_dir: Path) -> dict[str, list[str]]:
    """Every external link of the site with the pages that carry it (listed, never fetched)."""
    import re

    found: dict[str, set[str]] = {}
    for page in sorted(html_dir.rglob("*.html")):
        text = page.read_text(encoding="utf-8", errors="replace")
        for url in re.findall(r'<a\s[^>]*href="(https?://[^"]+)"', text):
            found.setdefault(url, set()).add(str(page.relative_to(html_dir)))
    return {url: sorted(pages) for url, pages in sorted(found.items())}


def write_favicon_ico(svg: Path, html_dir: Path, size_px: int = 32) -> Path:
    """``favicon.ico`` at the site root (browsers ask for it on pages without an icon link,
    such as the redirecting ``index.html``): the book's SVG icon as a PNG inside an ICO."""
    import struct

    import vl_convert as vlc

    png = vlc.svg_to_png(svg.read_text(encoding="utf-8"), scale=size_px / 16)
    header = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", size_px % 256, size_px % 256, 0, 0, 1, 32, len(png), 22)
    out = html_dir / "favicon.ico"
    out.write_bytes(header + entry + png)
    return out


def _render(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """Run Jupyter Book in its own process group; kill the whole group if aiboom is stopped
    (Ctrl-C, SIGTERM) or fails, so no renderer outlives the build."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=cwd, start_new_session=True)
    try:
        stdout, stderr = proc.communicate()
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)


PDF_NAME = "book.pdf"


def _stage_pdf(html: Path, log: Log) -> None:
    """Print the staged site to ``book.pdf`` inside it and point the download button there."""
    from aiboom.pdf import write_pdf

    t0 = time.perf_counter()
    write_pdf(html, html / PDF_NAME)
    facts_js = html / "_static" / "aiboom-build.js"
    text = facts_js.read_text(encoding="utf-8")
    facts = json.loads(text[text.index("{"):text.rindex("}") + 1])
    facts["pdf"] = PDF_NAME
    facts_js.write_text(f"window.AIBOOM_BUILD = {json.dumps(facts, sort_keys=True)};\n",
                        encoding="utf-8")
    log(f"  printed {PDF_NAME} in {time.perf_counter() - t0:.1f} s")


#: File at the top of a built site: the key of the inputs it was built from and a digest of
#: its other files (:func:`site_key`, :func:`site_is_current`).
SITE_KEY_FILE = ".aiboom-site.json"


def site_key(scenario: Scenario, executed: list[Executed], *, only: list[str] | None,
             pdf: bool, memo: dict | None = None) -> str:
    """Hash of every input of the rendered site: each notebook's cache key, the book sources
    (``book/``, its ``_toc.yml`` included), ``_config.yml``, ``data/`` (copied into the site),
    the ``aiboom`` package and the versions of all installed packages, the scenario, what
    computes the numbers, the commit (printed in every footer) and the build options."""
    from aiboom.backend import provenance

    parts = {
        "notebooks": [[ex.name, ex.key] for ex in executed],
        "book": _tree_hash(paths.BOOK, exclude=("generated", "_build"), memo=memo),
        "config": hashlib.sha256((paths.ROOT / "_config.yml").read_bytes()).hexdigest(),
        "data": _tree_hash(paths.DATA, memo=memo),
        "package": _tree_hash(Path(aiboom.__file__).parent, memo=memo),
        "versions": package_versions(), "aiboom": aiboom.__version__, "python": sys.version,
        "scenario": [scenario.name, scenario.fingerprint()],
        "computed": provenance(scenario.backend), "source": source_version(),
        "options": {"only": sorted(only or []), "pdf": pdf},
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _site_files_digest(html_dir: Path) -> str:
    return _tree_hash(html_dir, exclude=(outputs.MARKER, SITE_KEY_FILE))


def site_is_current(out: Path, key: str) -> bool:
    """Whether the site in ``out`` was built from inputs with ``key`` and no file of it was
    changed, removed or added since."""
    try:
        record = json.loads((out / SITE_KEY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (isinstance(record, dict) and record.get("site_key") == key
            and record.get("files") == _site_files_digest(out))


def _write_site_key(html_dir: Path, key: str) -> None:
    (html_dir / SITE_KEY_FILE).write_text(json.dumps(
        {"site_key": key, "files": _site_files_digest(html_dir)}, indent=1) + "\n",
        encoding="utf-8")


def build(scenario_path: str | Path | None = None, out: str | Path | None = None, *,
          log: Log = print, force: bool = False, only: list[str] | None = None,
          pdf: str | Path | None = None) -> Path:
    """Build the whole book for one scenario into ``out`` (default ``_build/html``).

    ``only`` (notebook name prefixes) builds a preview of just those chapters, where
    references to pages left out are warnings rather than errors. ``pdf`` (a file path) also
    prints the book to a PDF (:func:`aiboom.pdf.write_pdf`), served by the site as
    ``book.pdf`` behind the theme's download button and copied to ``pdf``.
    When the site in ``out`` was built from the same inputs (:func:`site_key`) and is intact,
    nothing is rendered; ``force`` re-executes every notebook and renders again.
    Returns the output folder. Raises :class:`aiboom.errors.InputError` on bad input and
    :class:`BuildError` when a notebook or Jupyter Book fails; the previous site stays.
    """
    from aiboom.data import check_all

    t0 = time.perf_counter()
    scenario = load_scenario_for_build(scenario_path)
    check_all()
    default_out = paths.ROOT / "_build" / ("html" if scenario.name == "baseline"
                                           else f"html-{scenario.name}")
    out = outputs.claim_folder(out if out is not None else default_out)
    pdf_target = outputs.check_file_targets([pdf], option="--pdf")[0] if pdf else None
    if pdf_target is not None and only:
        raise BuildError("--pdf prints the whole book; leave out --only")
    templates = notebook_templates()
    if only:
        templates = [t for t in templates if any(t.stem.startswith(o) for o in only)]
        if not templates:
            raise BuildError(f"--only {' '.join(only)} matches no template in notebooks/")
    log(f"aiboom: scenario '{scenario.name}', {len(templates)} notebooks, output {out}")
    # A cold build makes the Vega bundle while the notebooks run, not after them.
    bundling = threading.Thread(target=vega_bundle, daemon=True)
    bundling.start()
    memo: dict = {}
    executed = execute_for_build(scenario, templates, force=force, log=log, memo=memo)
    bundling.join()
    key = site_key(scenario, executed, only=only, pdf=pdf_target is not None, memo=memo)
    current = not force and site_is_current(out, key)
    if not current:
        _render_site(scenario, executed, out, key, only=only, pdf=pdf_target is not None,
                     log=log)
    if pdf_target is not None:
        shutil.copyfile(out / PDF_NAME, pdf_target)
        outputs.record_file(pdf_target, scenario=scenario.name, site=str(out),
                            **source_version())
        log(f"aiboom: wrote {display(pdf_target)}")
    seconds = time.perf_counter() - t0
    log(f"aiboom: {out} is up to date: built from the same inputs, nothing rendered "
        f"({seconds:.1f} s)" if current else f"aiboom: built {out} in {seconds:.1f} s")
    return out


def _render_site(scenario: Scenario, executed: list[Executed], out: Path, key: str, *,
                 only: list[str] | None, pdf: bool, log: Log) -> None:
    """Stage the sources, render them with Jupyter Book, add the site's own files (data,
    manifests, favicon, the PDF when ``pdf``, the site key) and swap the result into ``out``."""
    with outputs.stage_folder(out) as work:
        _stage(scenario, work, executed, preview=bool(only))
        log(f"  rendering with Jupyter Book ({'preview: warnings allowed' if only else '-W'} "
            "-n --keep-going) ...")
        t1 = time.perf_counter()
        proc = _render(
            [str(Path(sys.executable).with_name("jupyter-book")), "build", str(work), "--toc",
             str(work / "book" / "_toc.yml"), "--path-output", str(work),
             *([] if only else ["-W"]), "-n", "--keep-going", "--builder", "html"], cwd=work)
        if proc.returncode != 0:
            log_path = paths.ROOT / "_build" / f"jupyter-book-{scenario.name}.log"
            log_path.parent.mkdir(parents=True, exist_ok=True)
            log_path.write_text(proc.stdout + proc.stderr)
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
            raise BuildError(f"Jupyter Book failed (full log: {display(log_path)}):\n{tail}")
        html = work / "_build" / "html"
        write_favicon_ico(paths.BOOK / "_static" / "favicon.svg", html)
        copy_site_data(html)
        (html / "external-links.json").write_text(
            json.dumps(external_links(html), indent=1) + "\n")
        (html / "results.json").write_text(
            json.dumps(manifest(scenario, executed), indent=1, sort_keys=True) + "\n")
        log(f"  rendered in {time.perf_counter() - t1:.1f} s")
        if pdf:
            _stage_pdf(html, log)
        _write_site_key(html, key)
        outputs.swap_in(html, out, kind="site")
