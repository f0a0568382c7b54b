"""orderspec.body: shape-safe reading shared by the check stage and the offline preview."""

from __future__ import annotations

import datetime as dt

import pytest

from orderspec.body import as_dict, as_list, parse_date


def test_values_of_another_kind_read_as_empty() -> None:
    assert as_dict([1]) == {} and as_dict(None) == {} and as_dict({"a": 1}) == {"a": 1}
    assert as_list({"a": 1}) == [] and as_list("ab") == [] and as_list([1]) == [1]


def test_calendar_dates_in_the_api_form_are_read() -> None:
    assert parse_date("2024-02-29") == dt.date(2024, 2, 29)


@pytest.mark.parametrize("value", ["2023-02-29", "20240101", "2024-W01-1", "2024-01-01T00:00:00", "2024-1-1",
                                   " 2024-01-01", "2024-01-01\n", None, 20240101, dt.date(2024, 1, 1)])
def test_anything_else_is_no_date_on_every_python(value: object) -> None:
    # Python 3.11's date.fromisoformat reads "20240101" and "2024-W01-1"; the API does not.
    assert parse_date(value) is None
