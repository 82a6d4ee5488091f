"""Shared fixtures: the GPU marker, a tiny book for pipeline tests, and the built site."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
AIBOOM = str(Path(sys.executable).with_name("aiboom"))


def gpu_available() -> bool:
    try:
        import cupy

        return bool(cupy.cuda.is_available())
    except Exception:  # ImportError, or CUDA libraries that fail to load
        return False


def pytest_collection_modifyitems(config, items):
    if gpu_available():
        return
    skip = pytest.mark.skip(reason="needs CuPy and a CUDA device")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


def run_cli(*args: str, root: Path | None = None, timeout: float = 900
            ) -> subprocess.CompletedProcess:
    """Run the ``aiboom`` console script (optionally on another book root)."""
    env = dict(os.environ)
    if root is not None:
        env["AIBOOM_ROOT"] = str(root)
    return subprocess.run([AIBOOM, *args], capture_output=True, text=True, env=env,
                          cwd=root or ROOT, timeout=timeout)


@pytest.fixture
def minibook(tmp_path: Path) -> Path:
    """A one-notebook book that uses the real _config.yml, styles and baseline scenario."""
    root = tmp_path / "minibook"
    shutil.copytree(FIXTURES / "minibook", root)
    shutil.copy2(ROOT / "_config.yml", root / "_config.yml")
    shutil.copytree(ROOT / "book" / "_static", root / "book" / "_static",
                    ignore=shutil.ignore_patterns("vega-bundle.js"))
    (root / "data" / "scenarios").mkdir()
    shutil.copy2(ROOT / "data" / "scenarios" / "baseline.yaml", root / "data" / "scenarios")
    return root


@pytest.fixture(scope="session")
def site() -> Path:
    """The baseline book, built once per session with -W (re-uses the notebook cache)."""
    out = ROOT / "_build" / "test-site"
    proc = run_cli("build", "--out", str(out), timeout=3600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


@pytest.fixture(scope="session")
def site_url(site: Path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))

    class Quiet(handler.func):  # type: ignore[name-defined]
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium, installed with apt when missing (the machine reaches Debian's mirror)."""
    path = shutil.which("chromium")
    if path is None:
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        path = shutil.which("chromium")
    assert path, "chromium could not be installed"
    return path
