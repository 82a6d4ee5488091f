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
