"""The request form covers every interchange field, reads back what it shows, and routes every finding."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from desktop.requests import load_request_file
from desktop.requests.form import FIELDS, TARGET_OF_CODE, FormError, request_from, target_of, values_of
from desktop.requests.interchange import request_to_dict
from desktop.requests.model import COORDINATION_ITEMS, Request
from desktop.rules import evaluate
from tests.conftest import RULE_TABLE, scenario, scenario_paths


def leaf_paths(document: dict, prefix: str = "") -> set[str]:
    paths = set()
    for key, value in document.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            paths |= leaf_paths(value, path + ".")
        else:
            paths.add(path)
    return paths


def test_every_interchange_field_has_a_place_in_the_form() -> None:
    full = request_to_dict(load_request_file(scenario("05")))
    with_objects = {**full, "third_agency": {"name": "", "consent_obtained": False, "sole_owner": False}}
    wanted = leaf_paths(with_objects) - {"format"} - {f"coordination.{item}" for item in COORDINATION_ITEMS}
    assert wanted <= set(FIELDS), f"fields the editor cannot show: {sorted(wanted - set(FIELDS))}"


@pytest.mark.parametrize("path", scenario_paths(), ids=lambda p: p.name[:2])
def test_form_values_read_back_as_the_same_request(path: Path) -> None:
    request = load_request_file(path)
    assert request_from(values_of(request), request) == request
    assert request_from(values_of(request), Request(coordination=request.coordination)) == request


def test_untouched_new_form_is_an_empty_request() -> None:
    assert request_from(values_of(Request()), Request()) == Request()


def test_unreadable_values_name_the_field() -> None:
    values = values_of(Request())
    values["requesting_authority.country"] = "Canada"
    with pytest.raises(FormError) as raised:
        request_from(values, Request())
    assert raised.value.path == "requesting_authority.country"
    assert "two-letter" in str(raised.value)


def test_onward_details_without_saying_whether_is_refused_not_dropped() -> None:
    values = values_of(Request())
    values["onward_disclosure.details"] = "to the prosecutor"
    with pytest.raises(FormError) as raised:
        request_from(values, Request())
    assert raised.value.path == "onward_disclosure.expected"


def test_a_registry_official_typed_by_name_only_is_kept() -> None:
    values = values_of(Request())
    values["disclosing_official.name"] = "Laura Benitez"
    official = request_from(values, Request()).disclosing_official
    assert official is not None and official.name == "Laura Benitez"


def test_every_spec_code_leads_somewhere_the_user_can_act() -> None:
    spec_codes = set(re.findall(r"^\| ([A-Z0-9_]+) \|", RULE_TABLE.read_text(), re.MULTILINE)) - {"code"}
    assert spec_codes - {"INSUFFICIENT_DETAIL"} == set(TARGET_OF_CODE)  # that one names its field itself
    for code, target in TARGET_OF_CODE.items():
        if target.startswith("coordination:"):
            assert target.split(":", 1)[1] in COORDINATION_ITEMS, code
        else:
            assert target in FIELDS, code


def test_insufficient_detail_leads_to_its_own_field() -> None:
    findings = evaluate(Request()).findings
    targets = {target_of(f.code, f.field) for f in findings if f.code == "INSUFFICIENT_DETAIL"}
    assert "information_requested" in targets and "requesting_authority.name" in targets
    assert all(t in FIELDS for t in targets)
