"""Output folders and files that aiboom may replace, and only those.

Every folder aiboom writes as a whole (a built site, a scenario comparison) carries a marker
file, :data:`MARKER`, listing the files aiboom put there. Before any work, :func:`claim_folder`
refuses a target that aiboom did not create:

* ``/``, the home folder, the repository root, ``data/``, anything inside ``data/``, and any
  folder that contains the repository or ``data/``;
* an existing file where a folder is wanted;
* an existing, non-empty folder without the marker, or with files the marker does not list
  (a reader's notes dropped into a built site are never deleted).

The new content is staged in a folder beside the target (same filesystem, so the final swap is
a rename, and a target on another disk works) whose name :func:`stage_folder` makes and whose
own marker lets a later build remove it when the process that made it is gone
(:func:`remove_stale_stages`). A target that cannot be written is an input error before the
build, not a traceback after it.

Single files (``aiboom sweep``) get a sidecar ``<name>.aiboom.json`` with their SHA-256:
:func:`check_file_targets` lets aiboom overwrite a file only when the sidecar says aiboom wrote
it and the file is unchanged since, never inside ``data/`` and never over a file tracked by git.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path

import aiboom
from aiboom import paths
from aiboom.errors import InputError

#: Marker file written at the top of every folder aiboom creates as a whole.
MARKER = ".aiboom-output.json"
#: Marker file of a staging folder (holds the pid of the process that made it).
STAGE_MARKER = ".aiboom-stage.json"
_STAGE_INFIX = ".aiboom-stage-"
_OLD_INFIX = ".aiboom-old-"


def _refuse(target: Path, message: str, option: str) -> InputError:
    return InputError.single(option, f"{target}: {message}")


def _forbidden_reason(target: Path) -> str | None:
    """Why ``target`` (resolved) may never be an output, or None."""
    root = paths.ROOT.resolve()
    data = paths.DATA.resolve()
    home = Path.home().resolve()
    if target == Path(target.anchor):
        return "is the filesystem root; choose a new folder for the output"
    if target == home:
        return "is the home folder; choose a new folder for the output"
    if target == root or root.is_relative_to(target):
        return "contains the aiboom repository; choose a folder such as _build/html-mine"
    if target == data or data.is_relative_to(target) or target.is_relative_to(data):
        return "is or contains data/ (the book's inputs); choose a folder outside data/"
    return None


def _listed_files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")
            if p.is_file() or p.is_symlink()}


def _legacy_site(folder: Path) -> bool:
    """A site built before markers existed: it has aiboom's ``results.json`` manifest."""
    try:
        manifest = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (isinstance(manifest, dict) and "aiboom_version" in manifest
            and (folder / "external-links.json").is_file())


def _marker_files(folder: Path) -> set[str] | None:
    """Files the marker of ``folder`` lists, or None when there is no valid marker."""
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(marker, dict) or marker.get("tool") != "aiboom":
        return None
    return set(marker.get("files", []))


def claim_folder(target: str | Path, *, option: str = "--out") -> Path:
    """Check that aiboom may write (and replace) the folder ``target``; return it resolved.

    Raises
    ------
    InputError
        One line naming the folder and why it is refused: a protected place, a folder holding
        files aiboom did not create, a file, or a place that cannot be written.
    """
    target = Path(target).expanduser().resolve()
    reason = _forbidden_reason(target)
    if reason:
        raise _refuse(target, reason, option)
    if target.exists() and not target.is_dir():
        raise _refuse(target, "exists and is not a folder; choose a new folder", option)
    if target.is_dir() and any(target.iterdir()):
        listed = _marker_files(target)
        if listed is None and _legacy_site(target):
            listed = _listed_files(target)
        if listed is None:
            raise _refuse(target, "exists and was not created by aiboom (it has no "
                          f"{MARKER}); aiboom never replaces a folder it did not create: "
                          "choose a new or empty folder", option)
        foreign = sorted(_listed_files(target) - listed - {MARKER})
        if foreign:
            raise _refuse(target, f"holds {len(foreign)} file(s) aiboom did not write "
                          f"(first: {foreign[0]}); move them away or choose another folder",
                          option)
    _check_writable(target, option)
    return target


def _check_writable(target: Path, option: str) -> None:
    """Create and remove a probe folder beside ``target`` (where the stage will go)."""
    parent = target.parent
    existing = parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise _refuse(target, f"{existing} is a file, so the output folder cannot be made",
                      option)
    try:
        parent.mkdir(parents=True, exist_ok=True)
        probe = parent / f".{target.name}{_STAGE_INFIX}probe-{os.getpid()}"
        probe.mkdir()
        probe.rmdir()
        if target.is_dir():
            probe_in = target / f".aiboom-probe-{os.getpid()}"
            probe_in.touch()
            probe_in.unlink()
    except OSError as exc:
        raise _refuse(target, f"cannot be written ({exc.strerror or exc}); choose a writable "
                      "folder", option) from None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _owned_stale(folder: Path) -> bool:
    try:
        marker = json.loads((folder / STAGE_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    pid = marker.get("pid") if isinstance(marker, dict) else None
    return isinstance(pid, int) and marker.get("tool") == "aiboom" and not _pid_alive(pid)


def remove_stale_stages(target: Path) -> list[Path]:
    """Remove staging and old-site folders of ``target`` left by aiboom processes that died.

    Only folders whose name follows aiboom's pattern *and* that hold aiboom's stage marker
    with the pid of a process that no longer runs are removed.
    """
    removed = []
    for infix in (_STAGE_INFIX, _OLD_INFIX):
        for folder in target.parent.glob(f".{target.name}{infix}*"):
            if folder.is_dir() and not folder.is_symlink() and _owned_stale(folder):
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
    return removed


def _write_stage_marker(folder: Path) -> None:
    (folder / STAGE_MARKER).write_text(json.dumps(
        {"tool": "aiboom", "pid": os.getpid(), "version": aiboom.__version__}) + "\n")


@contextlib.contextmanager
def stage_folder(target: Path) -> Iterator[Path]:
    """A fresh staging folder beside ``target``, removed on exit (also on error)."""
    remove_stale_stages(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = target.parent / f".{target.name}{_STAGE_INFIX}{os.getpid()}"
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir()
    _write_stage_marker(stage)
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def write_marker(folder: Path, kind: str) -> None:
    """Mark ``folder`` as aiboom's, listing every file in it."""
    files = sorted(_listed_files(folder) - {MARKER})
    (folder / MARKER).write_text(json.dumps(
        {"tool": "aiboom", "kind": kind, "version": aiboom.__version__, "files": files},
        indent=1) + "\n", encoding="utf-8")


def swap_in(new: Path, target: Path, kind: str) -> None:
    """Mark ``new`` and put it at ``target`` with renames only.

    ``target`` must have been accepted by :func:`claim_folder`. The previous folder is moved
    aside under a name carrying aiboom's stage marker and removed only after the new one is in
    place; on failure it is put back.
    """
    write_marker(new, kind)
    old = target.parent / f".{target.name}{_OLD_INFIX}{os.getpid()}"
    if target.exists():
        target.rename(old)
        _write_stage_marker(old)
    try:
        new.rename(target)
    except OSError:
        if old.exists():
            (old / STAGE_MARKER).unlink(missing_ok=True)
            old.rename(target)
        raise
    if old.exists():
        shutil.rmtree(old)


# ---------------------------------------------------------------------------- single files
def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".aiboom.json")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _tracked_by_git(path: Path) -> bool:
    root = paths.ROOT.resolve()
    if not path.is_relative_to(root) or not (root / ".git").exists():
        return False
    try:
        proc = subprocess.run(["git", "-C", str(root), "ls-files", "--error-unmatch", "--",
                               str(path.relative_to(root))], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


def _is_aiboom_json(path: Path) -> bool:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(record, dict) and record.get("tool") == "aiboom"


def check_file_targets(targets: Iterable[str | Path], *, option: str = "--out") -> list[Path]:
    """Check that aiboom may write each file of ``targets``; return them resolved.

    A file may be written when it does not exist, or when its sidecar records that aiboom
    wrote it with the same SHA-256. Never inside ``data/``, never over a git-tracked file.
    """
    resolved = []
    data = paths.DATA.resolve()
    for t in targets:
        path = Path(t).expanduser().resolve()
        if path.is_relative_to(data):
            raise _refuse(path, "lies inside data/ (the book's inputs); write outputs "
                          "elsewhere, e.g. _build/", option)
        if _tracked_by_git(path):
            raise _refuse(path, "is a file tracked by git; aiboom never overwrites it",
                          option)
        if path.exists() or path.is_symlink():
            if not path.is_file() or path.is_symlink():
                raise _refuse(path, "exists and is not a plain file", option)
            try:
                record = json.loads(_sidecar(path).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                record = None
            if not isinstance(record, dict) or record.get("sha256") != _sha256(path):
                raise _refuse(path, "exists and was not written by aiboom (or was changed "
                              "since); aiboom never overwrites it: choose another --out",
                              option)
        sidecar = _sidecar(path)
        if sidecar.exists() and not _is_aiboom_json(sidecar):
            raise _refuse(sidecar, "exists and was not written by aiboom; aiboom never "
                          "overwrites it: choose another --out", option)
        _check_writable(path, option)
        resolved.append(path)
    return resolved


def record_file(path: Path, **provenance: object) -> None:
    """Write ``path``'s sidecar: aiboom wrote it, with its SHA-256 and ``provenance``."""
    _sidecar(path).write_text(json.dumps(
        {"tool": "aiboom", "version": aiboom.__version__, "file": path.name,
         "sha256": _sha256(path), **provenance}, indent=1, sort_keys=True, default=str) + "\n",
        encoding="utf-8")
