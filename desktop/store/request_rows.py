"""Flattening a `Request` into the `requests` row and back (db/migrations/0001_initial.sql).

Scalars keep their interchange name; a nested object `x` becomes a presence flag column `x` plus `x_field`
columns; lists of scalars are JSON text. Subjects and coordination have their own tables. The mapping is derived
from the dataclasses, and tests/core/test_request_rows.py checks it against the live schema.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Any

from desktop.requests.model import Coordination, Request, Subject

_SEPARATE = {"subjects", "coordination"}


def request_columns() -> list[str]:
    columns: list[str] = []
    hints = _hints(Request)
    for f in dataclasses.fields(Request):
        if f.name in _SEPARATE:
            continue
        nested = _nested_type(hints[f.name])
        if nested is None:
            columns.append(f.name)
        else:
            columns.append(f.name)
            columns += [f"{f.name}_{sub.name}" for sub in dataclasses.fields(nested)]
    return columns


def to_row(request: Request) -> dict[str, Any]:
    row: dict[str, Any] = {}
    hints = _hints(Request)
    for f in dataclasses.fields(Request):
        if f.name in _SEPARATE:
            continue
        value = getattr(request, f.name)
        nested = _nested_type(hints[f.name])
        if nested is None:
            row[f.name] = _to_sql(value)
            continue
        row[f.name] = 0 if value is None else 1
        source = value if value is not None else nested()
        for sub in dataclasses.fields(nested):
            row[f"{f.name}_{sub.name}"] = _to_sql(getattr(source, sub.name))
    return row


def from_row(row: dict[str, Any], subjects: tuple[Subject, ...], coordination: Coordination) -> Request:
    hints = _hints(Request)
    values: dict[str, Any] = {"subjects": subjects, "coordination": coordination}
    for f in dataclasses.fields(Request):
        if f.name in _SEPARATE:
            continue
        nested = _nested_type(hints[f.name])
        if nested is None:
            values[f.name] = _from_sql(hints[f.name], row[f.name])
        elif row[f.name]:
            sub_hints = _hints(nested)
            values[f.name] = nested(
                **{s.name: _from_sql(sub_hints[s.name], row[f"{f.name}_{s.name}"]) for s in dataclasses.fields(nested)}
            )
        else:
            values[f.name] = None
    return Request(**values)


@cache
def _hints(cls: type) -> dict[str, Any]:
    """Resolving annotations costs more than the rest of a row; the dataclasses never change at run time."""
    return typing.get_type_hints(cls)


def _nested_type(annotation: Any) -> type | None:
    for candidate in (annotation, *typing.get_args(annotation)):
        if dataclasses.is_dataclass(candidate) and isinstance(candidate, type):
            return candidate
    return None


def _to_sql(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return json.dumps([_to_sql(v) for v in value])
    return value


def _from_sql(annotation: Any, value: Any) -> Any:
    if value is None:
        return None
    base = _base_type(annotation)
    if typing.get_origin(base) is tuple:
        item = typing.get_args(base)[0]
        return tuple(_from_sql(item, v) for v in json.loads(value))
    if base is bool:
        return bool(value)
    if base is date:
        return date.fromisoformat(value)
    if isinstance(base, type) and issubclass(base, StrEnum):
        return base(value)
    return value


def _base_type(annotation: Any) -> Any:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) is not tuple and args and type(None) in typing.get_args(annotation):
        return args[0]
    return annotation
