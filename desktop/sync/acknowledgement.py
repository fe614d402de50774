"""The acknowledgement file headquarters writes after importing a bundle, and the post reads (SPEC A3).

JSON, readable by a person: the post (name and certificate fingerprint), the batch and its manifest's SHA-256,
the UUIDs received, and headquarters' certificate fingerprint. `signature` is a detached CMS signature by
headquarters over the other fields in canonical form (sorted keys, no spaces, ASCII), so the post accepts an
acknowledgement only from the headquarters the batch was encrypted to.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import asdict, dataclass
from typing import Any

from cryptography import x509

from desktop.sync import cms

FORMAT = "disclosure-desk/dhs191-ack/v1"
MAX_BYTES = 64 << 20
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_HEX64 = re.compile(r"[0-9a-f]{64}")


class AcknowledgementError(ValueError):
    """Not an acknowledgement this program accepts; the message says why, in one line."""


@dataclass(frozen=True)
class Acknowledgement:
    post: str
    post_fingerprint: str
    batch: int
    manifest_sha256: str
    received_at: str
    hq_fingerprint: str
    entries: tuple[str, ...]

    def fields(self) -> dict[str, Any]:
        return {"format": FORMAT, **asdict(self), "entries": list(self.entries)}


def canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def write(ack: Acknowledgement, certificate: x509.Certificate, key: cms.SigningKey) -> bytes:
    fields = ack.fields()
    signature = cms.sign(canonical(fields), certificate, key, detached=True)
    document = {**fields, "signature": base64.b64encode(signature).decode("ascii")}
    return json.dumps(document, indent=1, ensure_ascii=False).encode("utf-8") + b"\n"


def read(data: bytes, trusted: list[x509.Certificate]) -> Acknowledgement:
    """The acknowledgement, once its signature checks against one of `trusted`; AcknowledgementError otherwise."""
    fields, signature = _document(data)
    ack = _parsed(fields)
    try:
        cms.verify_signed(signature, trusted, detached_content=canonical(fields))
    except cms.CmsError as error:
        raise AcknowledgementError(f"its signature does not check: {error}") from None
    return ack


def unverified(data: bytes) -> Acknowledgement:
    """The acknowledgement's fields before its signature is checked (to find which certificate should check it)."""
    return _parsed(_document(data)[0])


def _document(data: bytes) -> tuple[dict[str, Any], bytes]:
    if len(data) > MAX_BYTES:
        raise AcknowledgementError(f"it is {len(data):,} bytes; an acknowledgement is far smaller")
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise AcknowledgementError("it is not JSON") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise AcknowledgementError(f"it is not an acknowledgement (format {FORMAT})")
    fields = dict(document)
    encoded = fields.pop("signature", None)
    if not isinstance(encoded, str):
        raise AcknowledgementError("it is not signed by headquarters")
    try:
        return fields, base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise AcknowledgementError("its signature is not base64") from None


def _parsed(fields: dict[str, Any]) -> Acknowledgement:
    expected = set(Acknowledgement.__dataclass_fields__) | {"format"}
    if set(fields) != expected:
        raise AcknowledgementError(f"it must hold exactly {', '.join(sorted(expected))}")
    batch, entries = fields["batch"], fields["entries"]
    if not isinstance(batch, int) or isinstance(batch, bool) or batch < 1:
        raise AcknowledgementError("batch must be a whole number from 1")
    if not isinstance(entries, list) or not all(isinstance(u, str) and _UUID.fullmatch(u) for u in entries):
        raise AcknowledgementError("entries must be a list of lower-case UUIDs")
    for name in ("post_fingerprint", "manifest_sha256", "hq_fingerprint"):
        if not isinstance(fields[name], str) or not _HEX64.fullmatch(fields[name]):
            raise AcknowledgementError(f"{name} must be a lower-case hex SHA-256")
    if not isinstance(fields["post"], str) or not isinstance(fields["received_at"], str):
        raise AcknowledgementError("post and received_at must be text")
    return Acknowledgement(fields["post"], fields["post_fingerprint"], batch, fields["manifest_sha256"],
                           fields["received_at"], fields["hq_fingerprint"], tuple(entries))
