"""Request interchange JSON v1 (`"format": "disclosure-desk/request/v1"`, SPEC section 7).

Parsing is strict and driven by the dataclasses in `model`: an unknown field, a value outside its list or a wrong
type is an `InterchangeError` naming the field; a missing field takes its default. Imported files are hostile, so
sizes are bounded before anything is decoded.
"""

from __future__ import annotations

import dataclasses
import json
import re
import types
import typing
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from desktop.requests.model import Request

FORMAT = "disclosure-desk/request/v1"
MAX_FILE_BYTES = 1_000_000
MAX_STRING = 20_000
MAX_LIST = 1_000

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_COUNTRY = re.compile(r"[A-Z]{2}")


class InterchangeError(ValueError):
    """A request file that does not follow interchange v1; `field` is a dotted path such as `subjects[0].status`."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"field {field}: {problem}")
        self.field = field
        self.problem = problem


def load_request_file(path: Path) -> Request:
    """Reads and parses one request file; every failure is an InterchangeError (field `(file)` for file-level ones)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InterchangeError("(file)", f"cannot be read ({exc.strerror}); check the path") from exc
    if size > MAX_FILE_BYTES:
        raise InterchangeError("(file)", f"is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit for a request")
    return parse_request_bytes(path.read_bytes())


def parse_request_bytes(raw: bytes) -> Request:
    if len(raw) > MAX_FILE_BYTES:
        raise InterchangeError("(file)", f"is over the {MAX_FILE_BYTES:,}-byte limit for a request")
    try:
        document = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InterchangeError("(file)", "is not UTF-8 text; save it as UTF-8 JSON") from exc
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise InterchangeError("(file)", f"is not valid JSON ({where}: {exc.msg})") from exc
    except RecursionError as exc:  # hostile input: nesting no request has
        raise InterchangeError("(file)", "nests objects or lists too deeply to be a request file") from exc
    return parse_request(document)


def parse_request(document: Any) -> Request:
    if not isinstance(document, dict):
        raise InterchangeError("(file)", "must hold one JSON object")
    if "format" not in document:
        raise InterchangeError("format", f'is missing; a request file starts with "format": "{FORMAT}"')
    if document["format"] != FORMAT:
        raise InterchangeError("format", f'is {document["format"]!r}; only "{FORMAT}" is understood')
    body = {key: value for key, value in document.items() if key != "format"}
    return typing.cast(Request, _decode_dataclass(Request, body, ""))


def request_to_dict(request: Request) -> dict[str, Any]:
    """The interchange v1 document for a request: every field, in the model's order."""
    return {"format": FORMAT, **typing.cast(dict[str, Any], _encode(request))}


def request_to_json(request: Request) -> str:
    return json.dumps(request_to_dict(request), indent=2, ensure_ascii=False) + "\n"


def _decode_dataclass(cls: type, value: Any, path: str) -> Any:
    if not isinstance(value, dict):
        raise InterchangeError(path or "(file)", f"must be an object, not {_json_type(value)}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in value:
        if key not in fields:
            raise InterchangeError(_join(path, key), f"is not a field of {_describe(cls)}; remove it or check spelling")
    hints = typing.get_type_hints(cls)
    kwargs = {name: _decode(hints[name], value[name], _join(path, name)) for name in fields if name in value}
    return cls(**{name: v for name, v in kwargs.items() if v is not _DEFAULT})


_DEFAULT = object()  # a JSON null for a field whose type has no None: take the field's default


def _decode(annotation: Any, value: Any, path: str) -> Any:
    optional, inner = _unwrap_optional(annotation)
    if value is None:
        return None if optional else _DEFAULT
    origin = typing.get_origin(inner)
    if origin is tuple:
        return _decode_list(typing.get_args(inner)[0], value, path)
    if dataclasses.is_dataclass(inner):
        return _decode_dataclass(typing.cast(type, inner), value, path)
    if isinstance(inner, type) and issubclass(inner, StrEnum):
        return _decode_enum(inner, value, path)
    return _decode_scalar(inner, value, path)


def _decode_list(item_type: Any, value: Any, path: str) -> tuple[Any, ...]:
    if not isinstance(value, list):
        raise InterchangeError(path, f"must be a list, not {_json_type(value)}")
    if len(value) > MAX_LIST:
        raise InterchangeError(path, f"has {len(value)} items; at most {MAX_LIST} are accepted")
    items = []
    for i, item in enumerate(value):
        if item is None:
            raise InterchangeError(f"{path}[{i}]", "must not be null; remove the item or give its value")
        items.append(_decode(item_type, item, f"{path}[{i}]"))
    return tuple(items)


def _decode_enum(enum: type[StrEnum], value: Any, path: str) -> StrEnum:
    allowed = [member.value for member in enum]
    if not isinstance(value, str) or value not in allowed:
        raise InterchangeError(path, f"is {json.dumps(value)}; it must be one of {', '.join(allowed)}")
    return enum(value)


def _decode_scalar(kind: Any, value: Any, path: str) -> Any:
    if kind is bool:
        if not isinstance(value, bool):
            raise InterchangeError(path, f"must be true or false, not {_json_type(value)}")
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InterchangeError(path, f"must be a whole number, not {_json_type(value)}")
        return value
    if kind is date:
        return _decode_date(value, path)
    if kind is str:
        return _decode_string(value, path)
    raise TypeError(f"no decoder for {kind!r} at {path}")  # a model change without a decoder: a programming error


def _decode_string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise InterchangeError(path, f"must be a string, not {_json_type(value)}")
    if len(value) > MAX_STRING:
        raise InterchangeError(path, f"is {len(value):,} characters; at most {MAX_STRING:,} are accepted")
    if path.endswith("requesting_authority.country") and value and not _COUNTRY.fullmatch(value):
        raise InterchangeError(path, f"is {value!r}; use the two-letter ISO 3166-1 code, e.g. CA or MX")
    return value


def _decode_date(value: Any, path: str) -> date:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise InterchangeError(path, f"is {json.dumps(value)}; write dates as YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InterchangeError(path, f"is {value!r}, which is not a calendar date") from exc


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple):
        return [_encode(item) for item in value]
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def _unwrap_optional(annotation: Any) -> tuple[bool, Any]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return len(args) < len(typing.get_args(annotation)), args[0]
    return False, annotation


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _describe(cls: type) -> str:
    return "a request" if cls is Request else f"{cls.__name__}"


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "null"
