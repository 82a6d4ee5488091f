"""The results manifest's consistency rule: one quantity, basis and subject, one number."""

from __future__ import annotations

import pytest

from aiboom import results


def _row(name, value, unit, quantity="usd_per_query", basis="median",
         subject="average query"):
    return {"name": name, "value": value, "unit": unit, "quantity": quantity,
            "basis": basis, "subject": subject}


def test_same_number_in_two_units_agrees():
    rows = [_row("a", 0.0049, "USD/query"), _row("b", 0.49, "US cents/query")]
    assert results.inconsistencies(rows) == []


def test_different_numbers_for_one_quantity_are_named():
    rows = [_row("a", 0.49, "US cents/query"), _row("b", 0.206, "US cents/query")]
    (problem,) = results.inconsistencies(rows)
    assert "usd_per_query (median) of average query" in problem
    assert "a=0.49" in problem and "b=0.206" in problem


def test_variants_on_another_basis_or_subject_may_differ():
    rows = [_row("a", 0.49, "US cents/query"),
            _row("b", 0.206, "US cents/query", basis="central"),
            _row("c", 0.1, "US cents/query", subject="plain query")]
    assert results.inconsistencies(rows) == []


def test_units_that_do_not_convert_are_reported():
    rows = [_row("a", 1.0, "USD/query"), _row("b", 1.0, "Wh/query")]
    (problem,) = results.inconsistencies(rows)
    assert "do not convert" in problem


def test_text_must_match_exactly():
    rows = [_row("a", "32 months", "text", quantity="payback_months"),
            _row("b", "33 months", "text", quantity="payback_months")]
    assert len(results.inconsistencies(rows)) == 1


def test_record_refuses_an_unknown_basis():
    with pytest.raises(ValueError, match="basis"):
        results.record("x", 1.0, "USD", "a number", quantity="usd", basis="guess",
                       subject="thing")


def test_record_table_records_each_row_with_table_defaults(tmp_path, monkeypatch):
    from aiboom import results

    log = tmp_path / "r.jsonl"
    monkeypatch.setenv(results.RESULTS_FILE_ENV, str(log))
    done = results.record_table([
        ("a_months", 12.5, "months", "a payback", {"quantity": "payback_months"}),
        ("b_usd", 3.0, "USD", "a price", {"quantity": "usd", "basis": "data", "p5": 1.0,
                                         "p95": 4.0}),
        ("never", None, "months", "a payback never reached", {"quantity": "payback_months"}),
    ], basis="central", subject="A Project")
    assert [r.name for r in done] == ["a_months", "b_usd"]
    rows = {r["name"]: r for r in results.read_results(log)}
    assert set(rows) == {"a_months", "b_usd"}
    assert rows["a_months"]["basis"] == "central" and rows["b_usd"]["basis"] == "data"
    assert rows["b_usd"]["p95"] == 4.0 and rows["a_months"]["subject"] == "a project"


def test_record_table_refuses_incomplete_or_unknown_rows():
    import pytest

    from aiboom import results

    with pytest.raises(ValueError, match="no quantity"):
        results.record_table([("x", 1.0, "USD", "x")], basis="data", subject="s")
    with pytest.raises(ValueError, match="unknown row options"):
        results.record_table([("x", 1.0, "USD", "x", {"unit": "m"})], quantity="q",
                             basis="data", subject="s")
    with pytest.raises(ValueError, match="a row is"):
        results.record_table([("x", 1.0, "USD")], quantity="q", basis="data", subject="s")
