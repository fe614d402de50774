"""Request interchange JSON v1 (SPEC section 7): every scenario parses and round-trips; every error names its field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from desktop.requests import (
    FORMAT,
    InterchangeError,
    Request,
    load_request_file,
    parse_request,
    parse_request_bytes,
    request_to_dict,
    request_to_json,
)
from desktop.requests.interchange import MAX_FILE_BYTES, MAX_LIST, MAX_STRING
from desktop.requests.model import Basis, Coordination, DataCategory, SubjectStatus
from tests.conftest import scenario_paths

SCENARIOS = scenario_paths()


def doc(**fields: Any) -> dict[str, Any]:
    return {"format": FORMAT, **fields}


def error_of(document: Any) -> InterchangeError:
    with pytest.raises(InterchangeError) as caught:
        parse_request(document)
    return caught.value


def test_there_are_scenarios_to_run() -> None:
    assert len(SCENARIOS) >= 8


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name[:2])
def test_every_scenario_parses(path: Path) -> None:
    request = load_request_file(path)
    original = json.loads(path.read_text("utf-8"))
    assert request.reference == original["reference"]
    assert request_to_dict(request)["subjects"] == original["subjects"]


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name[:2])
def test_round_trip_gives_an_equal_request_and_equal_json(path: Path) -> None:
    request = load_request_file(path)
    text = request_to_json(request)
    again = parse_request_bytes(text.encode("utf-8"))
    assert again == request
    assert request_to_json(again) == text


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name[:2])
def test_export_holds_every_field_of_the_file_with_the_same_value(path: Path) -> None:
    original = json.loads(path.read_text("utf-8"))
    exported = request_to_dict(load_request_file(path))
    defaults = request_to_dict(Request())
    # A null for a field that has no null (06's recipient_legal_authority) comes back as that field's default.
    expected = {key: defaults[key] if value is None else value for key, value in original.items()}
    assert {key: exported[key] for key in original} == expected
    assert list(exported) == ["format", *(f for f in Request.__dataclass_fields__)]


def test_missing_optional_fields_take_their_defaults() -> None:
    assert parse_request(doc()) == Request()
    assert parse_request(doc(coordination={"occ": True})).coordination == Coordination(occ=True)


def test_a_null_string_or_enum_takes_the_default_as_implemented() -> None:
    request = parse_request(doc(reference=None, basis=None, exigent=None, subjects=[{"name": None}]))
    assert request.reference == ""
    assert request.basis is Basis.AD_HOC_1628
    assert request.exigent is False
    assert request.subjects[0].name == "" and request.subjects[0].status is SubjectStatus.OTHER


def test_null_keeps_none_for_optional_fields() -> None:
    request = parse_request(doc(requesting_authority=None, certification_required=None, routine_use=None))
    assert request.requesting_authority is None
    assert request.certification_required is None
    assert request.routine_use is None


def test_an_empty_nested_object_is_not_null() -> None:
    request = parse_request(doc(third_agency={}, onward_disclosure={}))
    assert request.third_agency is not None and request.third_agency.name == ""
    assert request.onward_disclosure is not None and request.onward_disclosure.expected is False


@pytest.mark.parametrize(
    ("document", "field", "words"),
    [
        (doc(bogus=1), "bogus", "not a field of a request"),
        (doc(requesting_authority={"name": "CBSA", "nickname": "x"}), "requesting_authority.nickname", "not a field"),
        (doc(subjects=[{"name": "A"}, {"name": "B", "age": 3}]), "subjects[1].age", "not a field of Subject"),
        (doc(coordination={"occ": True, "ooc": True}), "coordination.ooc", "check spelling"),
        (doc(channel="fax"), "channel", "must be one of letterhead_memo, official_email, oral"),
        (doc(subjects=[{"status": "citizen"}]), "subjects[0].status", "must be one of"),
        (doc(data_categories=["travel", "gossip"]), "data_categories[1]", "must be one of"),
        (doc(disclosing_official={"position": "boss"}), "disclosing_official.position", "must be one of"),
        (doc(basis=3), "basis", "must be one of"),
        (doc(exigent="true"), "exigent", "must be true or false, not a string"),
        (doc(exigent=1), "exigent", "must be true or false, not a number"),
        (doc(coordination={"fdo": "yes"}), "coordination.fdo", "true or false"),
        (doc(disclosing_official={"grade": True}), "disclosing_official.grade", "whole number, not true/false"),
        (doc(disclosing_official={"grade": 13.5}), "disclosing_official.grade", "whole number, not a number"),
        (doc(disclosing_official={"grade": 14.0}), "disclosing_official.grade", "whole number"),
        (doc(usmca_chapters=[19, 19.0]), "usmca_chapters[1]", "whole number"),
        (doc(usmca_chapters="19"), "usmca_chapters", "must be a list, not a string"),
        (doc(reference=42), "reference", "must be a string, not a number"),
        (doc(subjects={"name": "A"}), "subjects", "must be a list, not an object"),
        (doc(requesting_authority="CBSA"), "requesting_authority", "must be an object, not a string"),
        (doc(subjects=[["A"]]), "subjects[0]", "must be an object, not a list"),
        (doc(received_on="02/11/2026"), "received_on", "YYYY-MM-DD"),
        (doc(needed_by="2026-02-30"), "needed_by", "not a calendar date"),
        (doc(requesting_authority={"country": "Canada"}), "requesting_authority.country", "two-letter ISO 3166-1"),
        (doc(reference="x" * (MAX_STRING + 1)), "reference", f"at most {MAX_STRING:,}"),
        (doc(usmca_chapters=[1] * (MAX_LIST + 1)), "usmca_chapters", f"at most {MAX_LIST}"),
    ],
)
def test_errors_name_the_dotted_field_and_say_what_is_wrong(document: Any, field: str, words: str) -> None:
    error = error_of(document)
    assert error.field == field
    assert words in error.problem
    assert str(error).startswith(f"field {field}: ")


@pytest.mark.parametrize(
    ("document", "words"),
    [
        ({"reference": "OTT-1"}, "is missing"),
        (doc(format="disclosure-desk/request/v2"), "only"),
        (doc(format=None), "only"),
    ],
)
def test_a_wrong_or_missing_format_marker_is_refused(document: Any, words: str) -> None:
    error = error_of(document)
    assert error.field == "format"
    assert words in error.problem and FORMAT in error.problem


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b'{"format": "disclosure-desk/request/v1",', "is not valid JSON (line 1"),
        (b"", "is not valid JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b'["disclosure-desk/request/v1"]', "must hold one JSON object"),
        (b"null", "must hold one JSON object"),
    ],
)
def test_a_file_that_is_not_a_json_object_is_a_file_level_error(raw: bytes, words: str) -> None:
    with pytest.raises(InterchangeError) as caught:
        parse_request_bytes(raw)
    assert caught.value.field == "(file)"
    assert words in caught.value.problem


def test_an_oversize_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    assert MAX_FILE_BYTES == 1_000_000
    big = tmp_path / "big.request.json"
    padding = " " * (MAX_FILE_BYTES - 60)
    big.write_text(json.dumps(doc(reference="A")) + padding, "utf-8")
    assert big.stat().st_size <= MAX_FILE_BYTES
    assert load_request_file(big).reference == "A"
    big.write_text(json.dumps(doc(reference="A")) + padding + " " * 100, "utf-8")
    with pytest.raises(InterchangeError) as caught:
        load_request_file(big)
    assert caught.value.field == "(file)" and "1,000,000-byte limit" in caught.value.problem
    with pytest.raises(InterchangeError, match="byte limit"):
        parse_request_bytes(b" " * (MAX_FILE_BYTES + 1))


def test_a_missing_file_says_check_the_path(tmp_path: Path) -> None:
    with pytest.raises(InterchangeError, match="cannot be read.*check the path"):
        load_request_file(tmp_path / "absent.json")


def test_nested_junk_is_refused_at_the_first_field_it_enters() -> None:
    junk: Any = {"x": 1}
    for _ in range(60):
        junk = {"deeper": [junk]}
    assert error_of(doc(requesting_authority=junk)).field == "requesting_authority.deeper"
    assert error_of(doc(subjects=[junk])).field == "subjects[0].deeper"
    assert error_of(doc(data_categories=[[["travel"]]])).field == "data_categories[0]"


def test_deeply_nested_json_text_is_an_interchange_error() -> None:
    depth = 50_000  # 100 kB, far under the size limit
    raw = b'{"format": "disclosure-desk/request/v1", "subjects": ' + b"[" * depth + b"]" * depth + b"}"
    with pytest.raises(InterchangeError) as caught:
        parse_request_bytes(raw)
    assert caught.value.field in ("(file)", "subjects")


@pytest.mark.parametrize("field", ["subjects", "data_categories", "usmca_chapters"])
def test_a_null_list_item_is_refused_with_its_index(field: str) -> None:
    assert error_of(doc(**{field: [None]})).field == f"{field}[0]"


def test_categories_decode_to_the_enum() -> None:
    request = parse_request(doc(data_categories=["travel", "les"]))
    assert request.data_categories == (DataCategory.TRAVEL, DataCategory.LES)
    assert request.has_category(DataCategory.LES)
