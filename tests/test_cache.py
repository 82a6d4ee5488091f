"""The notebook cache never serves stale pages; shipped scenarios are told from a fork's own."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT

from aiboom import build, compare, paths
from aiboom.scenarios import SHIPPED_SCENARIOS, list_scenarios, load_scenario, load_scenarios

CHAPTER_1 = ROOT / "notebooks" / "01_capex_surge.md"
SCENARIOS_CHAPTER = ROOT / "notebooks" / "07_scenarios.md"


@pytest.fixture
def data_root(tmp_path: Path, monkeypatch) -> Path:
    """A copy of data/ and notebooks/ that a test may edit, with paths pointing at it."""
    root = tmp_path / "root"
    shutil.copytree(ROOT / "data", root / "data")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    monkeypatch.setattr(paths, "ROOT", root)
    monkeypatch.setattr(paths, "DATA", root / "data")
    monkeypatch.setattr(paths, "SCENARIOS", root / "data" / "scenarios")
    return root


def _keys(root: Path) -> tuple[str, str]:
    scenario = load_scenario(root / "data" / "scenarios" / "baseline.yaml")
    return (build.cache_key(root / "notebooks" / CHAPTER_1.name, scenario),
            build.cache_key(root / "notebooks" / SCENARIOS_CHAPTER.name, scenario))


def test_editing_another_scenario_invalidates_only_the_chapter_that_reads_it(data_root: Path):
    ch1, ch7 = _keys(data_root)
    bear = data_root / "data" / "scenarios" / "bear.yaml"
    bear.write_text(bear.read_text().replace("title:", "title: Renamed,", 1))
    ch1_after, ch7_after = _keys(data_root)
    assert ch1_after == ch1
    assert ch7_after != ch7
    (data_root / "data" / "scenarios" / "mine.yaml").write_text(
        "name: mine\ntitle: Mine\n")  # a fork's new file is read by chapter 7 too
    assert _keys(data_root)[1] != ch7_after


def test_sidecars_and_package_versions_are_in_the_key(data_root: Path, monkeypatch):
    before = _keys(data_root)[0]
    meta = data_root / "data" / "capex.meta.yml"
    meta.write_text(meta.read_text() + "\n# a changed note\n")
    after = _keys(data_root)[0]
    assert after != before
    monkeypatch.setattr(build, "package_versions", lambda: "numpy==0.0.1")
    assert _keys(data_root)[0] != after


def test_every_template_that_lists_scenarios_declares_it():
    for template in build.notebook_templates():
        if "list_scenarios(" in template.read_text(encoding="utf-8"):
            assert "data/scenarios" in build.template_reads(template), template.name
    assert build.template_reads(SCENARIOS_CHAPTER) == ["data/scenarios"]
    assert build.template_reads(CHAPTER_1) == []


def test_shipped_scenarios_are_exactly_the_tracked_files():
    tracked = subprocess.run(["git", "-C", str(ROOT), "ls-files", "data/scenarios/*.yaml"],
                             capture_output=True, text=True).stdout.split()
    if not tracked:
        pytest.skip("not a git checkout")
    assert sorted(Path(p).stem for p in tracked) == sorted(SHIPPED_SCENARIOS)
    assert all(s.shipped for s in load_scenarios(list_scenarios()))


def test_a_forks_own_scenario_is_labelled_as_its_own(data_root: Path, tmp_path: Path):
    mine = data_root / "data" / "scenarios" / "mine.yaml"
    mine.write_text("name: mine\ntitle: My cheaper chips\n")
    elsewhere = tmp_path / "bear.yaml"  # a shipped name, but not the shipped file
    shutil.copy2(data_root / "data" / "scenarios" / "bear.yaml", elsewhere)
    scenarios = {Path(s.path).name: s for s in load_scenarios(list_scenarios())}
    assert not scenarios["mine.yaml"].shipped and scenarios["bull.yaml"].shipped
    assert not load_scenario(elsewhere).shipped
    sentence = compare.own_scenarios_sentence([scenarios["mine.yaml"]])
    assert "My cheaper chips (mine.yaml)" in sentence and "own" in sentence
    assert compare.own_scenarios_sentence([]) == ""
