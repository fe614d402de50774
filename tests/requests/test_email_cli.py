"""`disclosure-desk request from-email FILE` as a user runs it (issue 14): the entry point in a subprocess."""

from __future__ import annotations

import json
from pathlib import Path

from tests.integration.test_cli import Cli, fingerprint, init, listed
from tests.integration.test_cli import cli as cli  # noqa: F401 (the fixture)
from tests.requests.mail_fixtures import MsgAttachment, MsgMessage, build_eml, build_msg


def test_from_email_prints_the_draft_or_refuses_in_one_line(cli: Cli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    init(cli, data)
    message = tmp_path / "Solicitud ANAM.msg"
    message.write_bytes(build_msg(MsgMessage(sender_address="lic.ruiz@anam.gob.mx", sender_name="Lic. Ruiz",
                                             attachments=[MsgAttachment("oficio.pdf", b"%PDF-1.4\n")])))
    done = cli(data, "request", "from-email", str(message))
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed["reference"].startswith("OTT-") and printed["format"] == "msg"
    assert {"requester.name", "requester.email", "received_on", "information_requested"} <= set(printed["filled"])
    assert set(printed["not_filled"]) == {"requesting_authority.name", "channel"}, "no authority is registered"
    assert [d["filename"] for d in printed["documents"]] == ["Solicitud ANAM.msg", "oficio.pdf"]
    assert [row["reference"] for row in listed(cli, data)] == [printed["reference"]]

    # A refused message: exit 2, one line naming the file and what is wrong, the store as it was.
    bad = tmp_path / "forwarded.eml"
    hostile = build_eml(attachments=(("../../x.pdf", "application/pdf", b"%PDF-1.4\n"),))
    bad.write_bytes(hostile.as_bytes())
    before = fingerprint(data)
    done = cli(data, "request", "from-email", str(bad))
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "forwarded.eml" in lines[0] and "folder path" in lines[0], done.stderr
    assert fingerprint(data) == before
    missing = cli(data, "request", "from-email", str(tmp_path / "nowhere.msg"))
    assert missing.returncode == 2 and "nowhere.msg cannot be read" in missing.stderr

    logs = "".join(path.read_text("utf-8") for path in (data / "logs").glob("*.log*"))
    assert "email intake: msg, 1 attachment(s)" in logs, "the log has the event and counts"
    for private in ("Ruiz", "anam.gob.mx", "oficio", "Solicitud", "crossing records", "forwarded.eml"):
        assert private not in logs, f"{private!r} reached the log"
