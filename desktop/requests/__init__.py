"""Request facts (SPEC C1) and their interchange JSON v1 form (SPEC section 7)."""

from desktop.requests.interchange import (
    FORMAT,
    InterchangeError,
    load_request_file,
    parse_request,
    parse_request_bytes,
    request_to_dict,
    request_to_json,
)
from desktop.requests.model import Request

__all__ = [
    "FORMAT",
    "InterchangeError",
    "Request",
    "load_request_file",
    "parse_request",
    "parse_request_bytes",
    "request_to_dict",
    "request_to_json",
]
