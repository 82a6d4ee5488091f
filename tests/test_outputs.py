"""aiboom never deletes or overwrites what it did not create (``aiboom.outputs``)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from aiboom import outputs, paths
from aiboom.errors import InputError

THESIS = "Chapter one of my thesis. Not backed up anywhere else.\n"


def _user_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "my-folder"
    folder.mkdir()
    (folder / "thesis.txt").write_text(THESIS)
    return folder


def _one_line_refusal(proc: subprocess.CompletedProcess, fragment: str) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert fragment in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 2  # the header and the one problem


# ----------------------------------------------------------------------------- sites
def test_build_refuses_a_folder_holding_a_users_file(tmp_path: Path):
    folder = _user_folder(tmp_path)
    start = time.perf_counter()
    proc = run_cli("build", "--out", str(folder))
    _one_line_refusal(proc, "was not created by aiboom")
    assert (folder / "thesis.txt").read_text() == THESIS
    assert sorted(p.name for p in folder.iterdir()) == ["thesis.txt"]
    assert "notebooks" not in proc.stdout  # refused before any notebook ran
    assert time.perf_counter() - start < 60


@pytest.mark.parametrize("where", ["/", "home", "root", "root-parent", "data", "in-data"])
def test_build_refuses_protected_places(where: str):
    target = {"/": Path("/"), "home": Path.home(), "root": ROOT, "root-parent": ROOT.parent,
              "data": ROOT / "data", "in-data": ROOT / "data" / "site"}[where]
    inside_repo = target.resolve().is_relative_to(ROOT.resolve())
    before = sorted(os.listdir(target)) if inside_repo and target.is_dir() else None
    proc = run_cli("build", "--out", str(target))
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and str(target.resolve()) in proc.stderr
    if before is not None:  # other processes may write to /, home or /tmp meanwhile
        assert sorted(os.listdir(target)) == before
    if target.is_dir():
        assert not [p for p in os.listdir(target) if "aiboom-stage" in p]
    assert not (ROOT / "data" / "site").exists()


def test_claim_refuses_a_file_and_foreign_files_in_a_site(tmp_path: Path):
    a_file = tmp_path / "notes.txt"
    a_file.write_text(THESIS)
    with pytest.raises(InputError, match="not a folder"):
        outputs.claim_folder(a_file)
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<p>aiboom</p>")
    outputs.write_marker(site, "site")
    assert outputs.claim_folder(site) == site.resolve()  # aiboom's own: may be replaced
    (site / "my-notes.md").write_text(THESIS)
    with pytest.raises(InputError, match=r"1 file\(s\) aiboom did not write \(first: "
                                         r"my-notes.md\)"):
        outputs.claim_folder(site)
    assert outputs.claim_folder(tmp_path / "new" / "site")  # a new folder is fine
    assert not (tmp_path / "new" / "site").exists()  # and nothing is made yet


def test_swap_replaces_only_a_marked_folder_and_keeps_the_old_on_failure(tmp_path: Path,
                                                                        monkeypatch):
    target = tmp_path / "site"
    first = tmp_path / "first"
    first.mkdir()
    (first / "index.html").write_text("one")
    outputs.swap_in(first, target, kind="site")
    assert json.loads((target / outputs.MARKER).read_text())["files"] == ["index.html"]
    second = tmp_path / "second"
    second.mkdir()
    (second / "index.html").write_text("two")

    real_rename = Path.rename

    def failing_rename(self, dest):
        if self == second:
            raise OSError("disk full")
        return real_rename(self, dest)

    monkeypatch.setattr(Path, "rename", failing_rename)
    with pytest.raises(OSError):
        outputs.swap_in(second, target, kind="site")
    monkeypatch.undo()
    assert (target / "index.html").read_text() == "one"
    assert outputs.STAGE_MARKER not in os.listdir(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["second", "site"]


def test_stale_stages_of_dead_processes_are_removed_and_nothing_else(tmp_path: Path):
    target = tmp_path / "html"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    stale = tmp_path / f".html.aiboom-stage-{dead}"
    stale.mkdir()
    (stale / outputs.STAGE_MARKER).write_text(json.dumps({"tool": "aiboom", "pid": int(dead)}))
    alive = tmp_path / f".html.aiboom-stage-{os.getpid()}x"
    alive.mkdir()
    (alive / outputs.STAGE_MARKER).write_text(json.dumps({"tool": "aiboom",
                                                           "pid": os.getpid()}))
    lookalike = tmp_path / ".html.aiboom-stage-1234567"  # same name pattern, no marker
    lookalike.mkdir()
    (lookalike / "thesis.txt").write_text(THESIS)
    assert outputs.remove_stale_stages(target) == [stale]
    assert alive.exists() and (lookalike / "thesis.txt").read_text() == THESIS


def test_build_on_another_filesystem_then_refuses_a_dropped_in_file(minibook: Path):
    shm = Path("/dev/shm")
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(minibook).st_dev:
        pytest.skip("needs /dev/shm on a filesystem of its own")
    target = shm / f"aiboom-test-site-{os.getpid()}"
    try:
        proc = run_cli("build", "--out", str(target), root=minibook)
        assert proc.returncode == 0, proc.stderr
        assert (target / "results.json").is_file() and (target / outputs.MARKER).is_file()
        again = run_cli("build", "--out", str(target), root=minibook)  # its own: replaced
        assert again.returncode == 0, again.stderr
        (target / "thesis.txt").write_text(THESIS)
        refused = run_cli("build", "--out", str(target), root=minibook)
        _one_line_refusal(refused, "thesis.txt")
        assert (target / "thesis.txt").read_text() == THESIS
        assert not [p for p in shm.iterdir() if "aiboom-stage" in p.name]
    finally:
        shutil.rmtree(target, ignore_errors=True)


def test_read_only_target_is_refused_before_the_build(minibook: Path, tmp_path: Path):
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        pytest.skip("needs unshare and mount")
    mnt = tmp_path / "ro"
    mnt.mkdir()
    script = (f'mount -t tmpfs -o ro none "{mnt}" || exit 77; '
              f'AIBOOM_ROOT="{minibook}" "{Path(sys.executable).with_name("aiboom")}" build '
              f'--out "{mnt}/site"')
    proc = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True,
                          text=True, timeout=300, cwd=minibook)
    if proc.returncode == 77:
        pytest.skip("cannot mount a read-only filesystem here")
    _one_line_refusal(proc, "cannot be written")
    assert "Read-only file system" in proc.stderr
    assert "notebooks" not in proc.stdout
    assert not (minibook / "book" / "generated").exists()


def _children(pid: int) -> list[int]:
    """Every descendant process of ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parents.items() if pp == p]
        found += kids
        todo += kids
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_interrupted_render_leaves_no_renderer_and_no_stage(minibook: Path, sig):
    assert run_cli("build", root=minibook).returncode == 0  # notebooks cached
    index = minibook / "_build" / "html" / "book" / "intro.html"
    before = index.read_bytes()
    env = {**os.environ, "AIBOOM_ROOT": str(minibook)}
    # Ctrl-C must reach aiboom as it does from a terminal, even when this test process has
    # come to ignore SIGINT (a child inherits an ignored signal, and Python then installs no
    # KeyboardInterrupt handler): the child starts with the default disposition.
    proc = subprocess.Popen([str(Path(sys.executable).with_name("aiboom")), "build", "--force"],
                            cwd=minibook, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    renderer = None
    deadline = time.monotonic() + 240
    while renderer is None and time.monotonic() < deadline and proc.poll() is None:
        renderer = next((c for c in _children(proc.pid) if "jupyter-book" in _cmdline(c)),
                        None)
        time.sleep(0.05)
    assert renderer is not None, "the renderer never started"
    # hold the renderer where it is, so that the signal lands mid-render however loaded the
    # machine (a small book renders in seconds); aiboom's SIGKILL to its group still ends it
    os.kill(renderer, signal.SIGSTOP)
    tree = _children(proc.pid)
    os.kill(proc.pid, sig)
    proc.wait(timeout=60)
    time.sleep(0.5)
    assert proc.returncode != 0
    survivors = [p for p in tree if Path(f"/proc/{p}").exists()
                 and "(Z)" not in Path(f"/proc/{p}/stat").read_text()[:200]
                 and "jupyter" in _cmdline(p)]
    assert survivors == []
    assert index.read_bytes() == before  # the previous site stays
    assert not [p for p in (minibook / "_build").iterdir() if "aiboom-stage" in p.name]


# ----------------------------------------------------------------------------- compare
def test_compare_refuses_a_users_folder_before_any_work(tmp_path: Path):
    folder = _user_folder(tmp_path)
    proc = run_cli("compare", str(paths.BASELINE_SCENARIO), "--out", str(folder))
    _one_line_refusal(proc, "was not created by aiboom")
    assert "baseline" not in proc.stdout  # no notebook was looked at
    assert sorted(p.name for p in folder.iterdir()) == ["thesis.txt"]


# ----------------------------------------------------------------------------- sweep files
def test_sweep_refuses_data_tracked_and_foreign_files(tmp_path: Path):
    for out in (ROOT / "data" / "mine.parquet", ROOT / "data" / "scenarios" / "sweep"):
        proc = run_cli("sweep", "--param", "serving_utilization=0.4,0.6", "--out", str(out),
                       "--quiet")
        _one_line_refusal(proc, "inside data/")
        assert not out.with_suffix(".parquet").exists() and not out.with_suffix(".csv").exists()
    mine = tmp_path / "results.csv"
    mine.write_text(THESIS)
    proc = run_cli("sweep", "--param", "serving_utilization=0.4,0.6", "--out",
                   str(tmp_path / "results.parquet"), "--quiet")
    _one_line_refusal(proc, "was not written by aiboom")
    assert mine.read_text() == THESIS and not (tmp_path / "results.parquet").exists()


def test_sweep_may_replace_its_own_files_unless_changed(tmp_path: Path):
    out = tmp_path / "sweep.parquet"
    args = ("sweep", "--param", "serving_utilization=0.4,0.6", "--out", str(out), "--quiet",
            "--csv")
    assert run_cli(*args).returncode == 0
    record = json.loads((tmp_path / "sweep.parquet.aiboom.json").read_text())
    assert record["tool"] == "aiboom" and len(record["sha256"]) == 64
    assert run_cli(*args).returncode == 0  # its own, unchanged: replaced
    with (tmp_path / "sweep.csv").open("a") as f:
        f.write("my own row\n")
    _one_line_refusal(run_cli(*args), "changed since")
    assert (tmp_path / "sweep.csv").read_text().endswith("my own row\n")


def test_file_targets_refuse_a_file_tracked_by_git(tmp_path: Path, monkeypatch):
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "table.csv").write_text("a,b\n1,2\n")
    subprocess.run(["git", "-C", str(repo), "add", "table.csv"], check=True)
    monkeypatch.setattr(paths, "ROOT", repo)
    monkeypatch.setattr(paths, "DATA", repo / "data")
    with pytest.raises(InputError, match="tracked by git"):
        outputs.check_file_targets([repo / "table.csv"])
    assert outputs.check_file_targets([repo / "new.csv"]) == [(repo / "new.csv").resolve()]


def test_build_refuses_a_scenario_named_like_another_before_any_work(minibook: Path):
    scenarios = minibook / "data" / "scenarios"
    shutil.copy2(scenarios / "baseline.yaml", scenarios / "mine.yaml")  # name: baseline kept
    proc = run_cli("build", "--scenario", str(scenarios / "mine.yaml"), root=minibook)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "two scenarios are named 'baseline'" in proc.stderr and "[name]" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (minibook / "book" / "generated").exists()  # the baseline cache is untouched


def test_interrupted_execution_leaves_no_kernel(minibook: Path):
    env = {**os.environ, "AIBOOM_ROOT": str(minibook)}
    # Ctrl-C must reach aiboom as it does from a terminal, even when this test process has
    # come to ignore SIGINT (a child inherits an ignored signal, and Python then installs no
    # KeyboardInterrupt handler): the child starts with the default disposition.
    proc = subprocess.Popen([str(Path(sys.executable).with_name("aiboom")), "build", "--force"],
                            cwd=minibook, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    kernel, deadline = None, time.monotonic() + 120
    while kernel is None and time.monotonic() < deadline and proc.poll() is None:
        kernel = next((c for c in _children(proc.pid) if "ipykernel" in _cmdline(c)), None)
        time.sleep(0.05)
    assert kernel is not None, "no kernel started"
    os.kill(proc.pid, signal.SIGTERM)
    proc.wait(timeout=60)
    deadline = time.monotonic() + 20  # the kernel notices its parent is gone and exits
    while Path(f"/proc/{kernel}").exists() and "ipykernel" in _cmdline(kernel) \
            and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not (Path(f"/proc/{kernel}").exists() and "ipykernel" in _cmdline(kernel))
    assert proc.returncode == 128 + signal.SIGTERM
