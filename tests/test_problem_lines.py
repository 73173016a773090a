"""Every problem is told once, problems of one cause as one line, and never 5,000 lines."""

from __future__ import annotations

import pytest

from stac_xl.problems import (
    EMPTY_REQUIRED,
    REQUIRED_BUT_EMPTY,
    Problem,
    counts_line,
    grouped_lines,
    plural,
    without_repeats,
)

LOOKUP = "not in lookup table 'Accounts' on Lookups"


def _missing(record: int, code: str) -> Problem:
    return Problem("error", f"'{code}' is not in lookup table 'Accounts'; add it on the Lookups sheet.",
                   "1001", "7", record, 2, "TRNS", "ACCNT", cause=LOOKUP, subject=f"'{code}'")


def _empty(record: int, field: int) -> Problem:
    return Problem("error", REQUIRED_BUT_EMPTY, "1001", "7", record, field, "TRNS", "ACCNT", cause=EMPTY_REQUIRED)


def _cell(p: Problem) -> str:
    return f"Export!{'ABCDEFG'[(p.field_index or 0) + 1]}{(p.record_index or 0) + 2}"


@pytest.mark.parametrize(("count", "word", "said"), [(0, "error", "0 errors"), (1, "error", "1 error"),
                                                      (2, "warning", "2 warnings"), (1500, "cell", "1,500 cells")])
def test_plurals(count: int, word: str, said: str) -> None:
    assert plural(count, word) == said


def test_a_missing_lookup_value_is_one_problem_not_two() -> None:
    found = without_repeats([_missing(0, "TRIP"), _empty(0, 2), _empty(1, 2)])
    assert found == [_missing(0, "TRIP"), _empty(1, 2)]
    assert counts_line(found) == "2 errors, 0 warnings"


def test_problems_of_one_cause_are_one_line_naming_values_and_cells() -> None:
    codes = ["TRIP", "MATERIAL", "LABOR", "TRIP", "PERMIT", "FREIGHT", "DISPOSAL"]
    lines = grouped_lines([_missing(i, c) for i, c in enumerate(codes)], _cell)
    assert lines == ["6 values are not in lookup table 'Accounts' on Lookups: 'TRIP', 'MATERIAL', 'LABOR', … "
                     "(7 cells: Export!D2, Export!D3, Export!D4, …)"]


def test_a_problem_alone_names_its_cell() -> None:
    assert grouped_lines([_missing(4, "TRIP")], _cell) == [
        "Export!D6: Invoice 1001, TRNS ACCNT: 'TRIP' is not in lookup table 'Accounts'; add it on the Lookups sheet."]


def test_a_thousand_problems_are_at_most_twenty_lines_and_the_rest_counted() -> None:
    unrelated = [Problem("error", f"problem {i}", record_index=i, field_index=0) for i in range(1000)]
    lines = grouped_lines(unrelated, _cell)
    assert len(lines) == 21
    assert lines[-1] == "… and 980 more problems not listed here; they are marked on the sheet."
    assert lines[0] == "Export!B2: Record 1: problem 0"


def test_a_thousand_missing_lookup_values_are_one_line() -> None:
    lines = grouped_lines([_missing(i, f"CODE{i}") for i in range(1000)], _cell)
    assert len(lines) == 1
    assert lines[0].startswith("1,000 values are not in lookup table 'Accounts' on Lookups: 'CODE0', 'CODE1', 'CODE2', …")
