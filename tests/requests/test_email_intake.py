"""E-mail intake (issue 14) on a real encrypted store: a draft request prefilled from an .eml or an Outlook .msg,
the message and its attachments kept as the request's original documents (§8.1.1), fn 25's official e-mail."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from desktop.requests.email_intake import EmailRefused, take_in
from desktop.requests.model import AuthorityKind, Channel
from desktop.rules import evaluate
from desktop.store import Store
from desktop.store.registries import Authority, list_entries, official_domains, save_entry
from tests.integration.test_store_security import encodings, files_containing
from tests.requests.mail_fixtures import MsgAttachment, MsgMessage, build_eml, build_msg, build_signed_msg

OTTAWA = timezone(timedelta(hours=-5))  # EST: the post's zone in these tests (None would be this computer's)
PDF = b"%PDF-1.4\n% letter of request\n"


@pytest.fixture
def cbsa(store: Store) -> Authority:
    entry = Authority(name="Canada Border Services Agency", country="CA", kind=AuthorityKind.CUSTOMS,
                      address="191 Laurier Avenue West, Ottawa", official_domains=("cbsa-asfc.gc.ca",))
    save_entry(store.repo, entry)
    return list_entries(store.repo, Authority)[0]


def test_an_eml_becomes_a_draft_with_the_sender_date_authority_official_channel_and_text(store: Store,
                                                                                       cbsa: Authority) -> None:
    message = build_eml(subject="Solicitud: registros de cruce", body="Please send the crossing records of J. Doe.",
                        date=datetime(2026, 12, 1, 3, 30, tzinfo=UTC),  # 22:30 on 30 November in Ottawa
                        attachments=(("letter.pdf", "application/pdf", PDF),))
    raw = message.as_bytes()
    intake = take_in(store.repo, "request.eml", raw, OTTAWA)

    request = store.repo.get_request(intake.request_id).request
    assert request.requester is not None
    assert (request.requester.name, request.requester.email) == ("Inspector Claire Dubois",
                                                                 "claire.dubois@cbsa-asfc.gc.ca")
    assert request.received_on == datetime(2026, 11, 30).date(), "the day at the post, not in UTC"
    assert request.requesting_authority is not None and request.requesting_authority.name == cbsa.name
    assert request.requesting_authority.country == "CA" and request.requesting_authority.kind is AuthorityKind.CUSTOMS
    assert request.channel is Channel.OFFICIAL_EMAIL
    assert request.information_requested == ("Solicitud: registros de cruce\n\n"
                                             "Please send the crossing records of J. Doe.")
    assert request.purpose is None and request.reason == "" and request.subjects == (), "nothing is guessed"
    assert set(intake.filled) == {"requester.name", "requester.email", "received_on", "requesting_authority.name",
                                  "channel", "information_requested"}
    assert intake.not_filled == {}
    fields = {finding.field for finding in evaluate(request).findings}
    assert {"reason", "recipient_legal_authority"} <= fields, "the checklist asks for what the e-mail did not say"

    documents = store.repo.list_attachments(intake.request_id)
    assert [(d.kind, d.filename, d.media_type) for d in documents] == [
        ("original_request", "request.eml", "message/rfc822"), ("original_request", "letter.pdf", "application/pdf")]
    assert store.repo.attachment_content(documents[0].id) == raw, "the message is kept as received"
    assert store.repo.attachment_content(documents[1].id) == PDF
    added = [e for e in store.repo.history("request", intake.request_id) if e.action == "request.add"]
    assert len(added) == 1 and '"documents": 2' in added[0].detail and "letter" not in added[0].detail, \
        "one audit entry for the request and its documents, with digests, not names"


def test_an_outlook_msg_becomes_the_same_draft(store: Store, cbsa: Authority) -> None:
    raw = build_msg(MsgMessage(
        sent_at=datetime(2026, 11, 30, 15, 0, tzinfo=UTC), subject="Request for crossing records",
        body="Please provide the crossing records.\r\nThank you.",
        attachments=[MsgAttachment("letter.pdf", PDF, "application/pdf"),
                     MsgAttachment("photo.png", b"\x89PNG\r\n\x1a\n")]))
    intake = take_in(store.repo, "Request.msg", raw, OTTAWA)

    request = store.repo.get_request(intake.request_id).request
    assert request.requester is not None and request.requester.email == "claire.dubois@cbsa-asfc.gc.ca"
    assert request.requester.name == "Inspector Claire Dubois"
    assert request.received_on == datetime(2026, 11, 30).date()
    assert request.requesting_authority is not None and request.requesting_authority.name == cbsa.name
    assert request.channel is Channel.OFFICIAL_EMAIL
    assert request.information_requested == ("Request for crossing records\n\n"
                                             "Please provide the crossing records.\nThank you.")
    documents = store.repo.list_attachments(intake.request_id)
    assert [(d.filename, d.media_type) for d in documents] == [
        ("Request.msg", "application/vnd.ms-outlook"), ("letter.pdf", "application/pdf"), ("photo.png", "image/png")]
    assert store.repo.attachment_content(documents[0].id) == raw
    assert intake.to_json()["reference"] == request.reference and request.reference.startswith("OTT-")


def test_an_attached_outlook_message_is_kept_whole_as_its_own_document(store: Store, cbsa: Authority) -> None:
    inner = MsgMessage(subject="Original request from the field office", body="Inner body",
                       attachments=[MsgAttachment("inner.pdf", PDF, "application/pdf")])
    raw = build_msg(MsgMessage(attachments=[MsgAttachment("", embedded=inner)]))
    intake = take_in(store.repo, "forward.msg", raw, OTTAWA)
    documents = store.repo.list_attachments(intake.request_id)
    assert [d.media_type for d in documents] == ["application/vnd.ms-outlook"] * 2
    import extract_msg, io  # noqa: E401, I001 — read back the kept copy as Outlook would get it

    kept = extract_msg.openMsg(io.BytesIO(store.repo.attachment_content(documents[1].id)))
    assert kept.subject == "Original request from the field office" and kept.attachments[0].data == PDF
    kept.close()


def test_a_signed_outlook_message_gives_its_signed_text_and_attachments(store: Store, cbsa: Authority) -> None:
    inner = build_eml(body="Signed: please send the manifest.", attachments=(("oficio.pdf", "application/pdf", PDF),))
    intake = take_in(store.repo, "signed.msg", build_signed_msg(inner), OTTAWA)
    request = store.repo.get_request(intake.request_id).request
    assert request.information_requested.endswith("Signed: please send the manifest.")
    assert request.channel is Channel.OFFICIAL_EMAIL
    documents = store.repo.list_attachments(intake.request_id)
    assert [(d.filename, d.media_type) for d in documents][1:] == [("smime.p7s", "application/pkcs7-signature"),
                                                                 ("oficio.pdf", "application/pdf")]
    assert store.repo.attachment_content(documents[2].id) == PDF


@pytest.mark.parametrize(("sender", "why"), [
    ("Claire <claire@ottawa.cbsa-asfc.gc.ca>", None),  # a subdomain of the official domain is the agency's
    ("Claire <claire.dubois@gmail.com>", "no registered authority has gmail.com"),
    ("Claire <claire@evil-cbsa-asfc.gc.ca>", "no registered authority has evil-cbsa-asfc.gc.ca"),
    ("Claire <claire@cbsa-asfc.gc.ca.example.net>", "no registered authority"),
])
def test_only_an_official_domain_gives_the_authority_and_the_official_channel(store: Store, cbsa: Authority,
                                                                             sender: str, why: str | None) -> None:
    intake = take_in(store.repo, "r.eml", build_eml(sender=sender).as_bytes(), OTTAWA)
    request = store.repo.get_request(intake.request_id).request
    assert request.requester is not None and request.requester.email == sender.split("<")[1].rstrip(">")
    if why is None:
        assert request.channel is Channel.OFFICIAL_EMAIL and request.requesting_authority is not None
        return
    assert request.channel is None and request.requesting_authority is None
    assert why in intake.not_filled["requesting_authority.name"]
    assert "fn 25" in intake.not_filled["channel"]
    assert {f.field for f in evaluate(request).findings} >= {"requesting_authority.name"}


def test_a_domain_registered_for_two_authorities_picks_neither(store: Store, cbsa: Authority) -> None:
    save_entry(store.repo, Authority(name="CBSA Intelligence", country="CA", official_domains=("cbsa-asfc.gc.ca",)))
    intake = take_in(store.repo, "r.eml", build_eml().as_bytes(), OTTAWA)
    request = store.repo.get_request(intake.request_id).request
    assert request.requesting_authority is None and request.channel is None
    assert "2 registered authorities" in intake.not_filled["requesting_authority.name"]


def test_a_message_without_date_or_sender_name_says_what_is_missing(store: Store) -> None:
    intake = take_in(store.repo, "r.eml", build_eml(sender="desk@example.org", date=None).as_bytes(), OTTAWA)
    request = store.repo.get_request(intake.request_id).request
    assert request.received_on is None and request.requester is not None and request.requester.name == ""
    assert set(intake.not_filled) == {"received_on", "requester.name", "requesting_authority.name", "channel"}


def test_an_html_only_body_gives_its_words_not_its_markup(store: Store) -> None:
    message = build_eml(body="")
    message.set_content("<html><head><style>p{}</style></head><body><p>Need the <b>manifest</b></p>"
                        "<script>alert(1)</script></body></html>", subtype="html")
    intake = take_in(store.repo, "r.eml", message.as_bytes(), OTTAWA)
    text = store.repo.get_request(intake.request_id).request.information_requested
    assert "manifest" in text and "<" not in text and "alert" not in text and "p{}" not in text


def test_attachment_names_windows_cannot_keep_are_made_safe_and_counted(store: Store) -> None:
    names = ("CON.pdf", "ab:c?.pdf", "letter.pdf", "LETTER.pdf", "trailing. . ", "x" * 300 + ".pdf")
    message = build_eml(attachments=tuple((name, "application/pdf", PDF) for name in names))
    intake = take_in(store.repo, "r.eml", message.as_bytes(), OTTAWA)
    kept = [d.filename for d in store.repo.list_attachments(intake.request_id)][1:]
    assert kept[:5] == ["_CON.pdf", "ab_c_.pdf", "letter.pdf", "LETTER (2).pdf", "trailing"]
    assert len(kept[5]) == 150 and kept[5].endswith(".pdf")
    assert intake.renamed == 5


def test_nothing_of_the_message_reaches_a_file_in_plaintext(store: Store, data_dir: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    body_canary, file_canary, msg_canary = "Quillon Vantabrisk 7d1e", "ZEPHYRINE-ATTACHMENT-93af", "Ombrelune 44c2"
    eml = build_eml(body=f"Records of {body_canary}", subject=f"About {body_canary}",
                    attachments=(("canary.txt", "text/plain", file_canary.encode()),))
    msg = build_msg(MsgMessage(body=f"Records of {msg_canary}", subject=msg_canary,
                               attachments=[MsgAttachment("canary.bin", file_canary.encode() * 3)]))
    take_in(store.repo, "one.eml", eml.as_bytes(), OTTAWA)
    take_in(store.repo, "two.msg", msg, OTTAWA)
    store.lock()
    needles = [n for canary in (body_canary, file_canary, msg_canary) for n in encodings(canary)]
    assert files_containing(data_dir, needles) == []
    assert files_containing(temp, needles) == [] and list(temp.iterdir()) == []


def test_the_registry_keeps_official_domains_and_refuses_what_is_not_one(store: Store) -> None:
    assert official_domains("@CBSA-ASFC.gc.ca, rcmp-grc.gc.ca; cbsa-asfc.gc.ca") == ("cbsa-asfc.gc.ca",
                                                                                    "rcmp-grc.gc.ca")
    save_entry(store.repo, Authority(name="ANAM", country="MX", official_domains=["anam.gob.mx"]))  # type: ignore[arg-type]
    assert list_entries(store.repo, Authority)[0].official_domains == ("anam.gob.mx",)
    for bad in ("gob", "anam..gob.mx", "claire@anam.gob.mx", "-x.gob.mx"):
        with pytest.raises(ValueError, match="domain"):
            official_domains(bad)
    with pytest.raises(EmailRefused):
        take_in(store.repo, "r.eml", b"", OTTAWA)


def test_an_attached_eml_is_read_for_its_checks_but_kept_whole_even_without_a_sender(store: Store) -> None:
    notes = b"Subject: notes from the phone call\r\n\r\nCall back on Monday.\r\n"
    message = build_eml(attachments=(("notes.eml", "application/octet-stream", notes),))
    intake = take_in(store.repo, "r.eml", message.as_bytes(), OTTAWA)
    documents = store.repo.list_attachments(intake.request_id)
    assert [d.filename for d in documents] == ["r.eml", "notes.eml"]
    assert store.repo.attachment_content(documents[1].id) == notes
