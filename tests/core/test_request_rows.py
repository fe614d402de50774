"""Flattening a request into its `requests` row and back (desktop/store/request_rows.py), against the live schema."""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from desktop.requests import load_request_file
from desktop.requests.model import (
    DisclosingOfficial,
    OnwardDisclosure,
    Request,
    Requester,
    RequestingAuthority,
    ThirdAgency,
)
from desktop.store import Store
from desktop.store.request_rows import from_row, request_columns, to_row
from tests.conftest import scenario_paths

NESTED = {
    "requesting_authority": RequestingAuthority,
    "requester": Requester,
    "onward_disclosure": OnwardDisclosure,
    "third_agency": ThirdAgency,
    "disclosing_official": DisclosingOfficial,
}
# Columns of `requests` that are the store's own, not interchange fields.
STORE_COLUMNS = {"id", "authority_id", "agreement_id", "official_id", "outcome", "step", "status", "created_at",
                 "updated_at"}


def unflatten(row: dict[str, Any], request: Request) -> Request:
    return from_row(row, request.subjects, request.coordination)


def schema_columns(store: Store) -> list[str]:
    with store.repo.read() as conn:
        return [row[1] for row in conn.execute("PRAGMA table_info(requests)")]


def round_trip_through_table(store: Store, request: Request) -> Request:
    """Writes the row into the STRICT table and reads it back, so every value must have the column's type."""
    row = to_row(request)
    columns = [*row, "created_at", "updated_at"]
    with store.repo.read() as conn:
        cursor = conn.execute(
            f"INSERT INTO requests ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            [*row.values(), "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:00+00:00"],
        )
        read = conn.execute("SELECT * FROM requests WHERE id = ?", (cursor.lastrowid,))
        stored = dict(zip([d[0] for d in read.description], read.fetchone(), strict=True))
    return unflatten(stored, request)


def test_the_nested_objects_listed_here_are_all_of_them() -> None:
    hints = typing.get_type_hints(Request)
    found = {
        name for name, hint in hints.items()
        if any(dataclasses.is_dataclass(arg) for arg in (hint, *typing.get_args(hint)))
    }
    assert found - {"coordination", "subjects"} == set(NESTED)  # those two have their own tables


def test_columns_match_the_live_schema(store: Store) -> None:
    columns = schema_columns(store)
    assert set(request_columns()) == set(columns) - STORE_COLUMNS
    assert len(request_columns()) == len(set(request_columns()))


@pytest.mark.parametrize("path", scenario_paths(), ids=lambda p: p.name[:2])
def test_flatten_then_unflatten_gives_the_same_request(path: Path) -> None:
    request = load_request_file(path)
    row = to_row(request)
    assert list(row) == request_columns()
    assert unflatten(row, request) == request


@pytest.mark.parametrize("path", scenario_paths(), ids=lambda p: p.name[:2])
def test_the_row_survives_the_strict_table(store: Store, path: Path) -> None:
    request = load_request_file(path)
    assert round_trip_through_table(store, request) == request


@pytest.mark.parametrize("name", sorted(NESTED))
def test_presence_flags_keep_null_and_empty_objects_apart(store: Store, name: str) -> None:
    absent = Request()
    empty = replace(Request(), **{name: NESTED[name]()})
    assert getattr(absent, name) is None and getattr(empty, name) is not None
    assert to_row(absent)[name] == 0 and to_row(empty)[name] == 1
    for request in (absent, empty):
        assert unflatten(to_row(request), request) == request
        assert round_trip_through_table(store, request) == request


def test_optional_scalars_keep_null_apart_from_false_and_empty(store: Store) -> None:
    nulls = Request(certification_required=None, routine_use=None, protected_class_authorization=None)
    empties = Request(certification_required=False, routine_use="", protected_class_authorization="")
    for request in (nulls, empties):
        assert round_trip_through_table(store, request) == request
    assert to_row(nulls)["certification_required"] is None and to_row(empties)["certification_required"] == 0


def test_lists_of_scalars_are_json_text() -> None:
    request = Request(usmca_chapters=(5, 7))
    assert to_row(request)["usmca_chapters"] == "[5, 7]"
    assert to_row(Request())["data_categories"] == "[]"
