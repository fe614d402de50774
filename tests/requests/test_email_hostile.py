"""Hostile messages (issue 14): each is refused with the reason and what to do, and the store does not change —
no request, no document, no audit entry."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from extract_msg.ole_writer import OleWriter

from desktop.requests.email_intake import EmailRefused, take_in, take_in_file
from desktop.store import Store
from tests.requests.mail_fixtures import MsgAttachment, MsgMessage, build_eml, build_msg

PDF = b"%PDF-1.4\n"


def counts(store: Store) -> tuple[int, int, int]:
    with store.repo.read() as conn:
        return tuple(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[return-value]
                     for table in ("requests", "attachments", "audit_log"))


def nested_eml(depth: int) -> bytes:
    message = build_eml(subject="innermost")
    for level in range(depth):
        outer = build_eml(subject=f"level {level}")
        outer.add_attachment(message)
        message = outer
    return message.as_bytes()


def nested_msg(depth: int) -> bytes:
    message = MsgMessage(subject="innermost")
    for _ in range(depth):
        message = MsgMessage(attachments=[MsgAttachment("", embedded=message)])
    return build_msg(message)


def eml_with_msg_inside(depth: int) -> bytes:
    outer = build_eml()
    outer.add_attachment(nested_msg(depth), maintype="application", subtype="vnd.ms-outlook", filename="fw.msg")
    return outer.as_bytes()


def unclosed_multipart() -> bytes:
    raw = build_eml(attachments=(("letter.pdf", "application/pdf", PDF),)).as_bytes()
    boundary = raw.split(b'boundary="', 1)[1].split(b'"', 1)[0]
    return raw.replace(b"--" + boundary + b"--", b"")


def missing_boundary() -> bytes:
    return (b"From: a@cbsa-asfc.gc.ca\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n\r\n"
            b"--zzz\r\nContent-Type: text/plain\r\n\r\nhello\r\n--zzz--\r\n")


def named(name: str) -> bytes:
    return build_eml(attachments=((name, "application/pdf", PDF),)).as_bytes()


def msg_named(name: str) -> bytes:
    return build_msg(MsgMessage(attachments=[MsgAttachment(name, PDF, "application/pdf")]))


def ole_but_not_a_message() -> bytes:
    writer = OleWriter()
    writer.addEntry(["WordDocument"], b"\0" * 5000)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def truncated_msg() -> bytes:
    whole = build_msg(MsgMessage(attachments=[MsgAttachment("letter.pdf", PDF * 2000, "application/pdf")]))
    return whole[: len(whole) // 2]


def corrupted_fat() -> bytes:
    data = bytearray(build_msg(MsgMessage()))
    data[76:80] = b"\xfe\xff\xff\x7f"  # the first FAT sector points far outside the file
    return bytes(data)


def deep_multipart(levels: int = 3000) -> bytes:
    head = b"From: a@cbsa-asfc.gc.ca\r\nSubject: deep\r\nMIME-Version: 1.0\r\n"
    opening = b"".join(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (n, n)
                       for n in range(levels))
    closing = b"".join(b"--b%d--\r\n" % n for n in reversed(range(levels)))
    return head + opening + b"Content-Type: text/plain\r\n\r\nhi\r\n" + closing


HOSTILE: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "malformed MIME: a multipart that is never closed": ("r.eml", unclosed_multipart, "malformed MIME"),
    "malformed MIME: a multipart without a boundary": ("r.eml", missing_boundary, "malformed MIME"),
    "multiparts nested thousands deep": ("r.eml", deep_multipart, "more than 100 multipart sections"),
    "not an e-mail at all": ("r.eml", lambda: b"just some notes\nwith no headers\n", "no From: header"),
    "messages nested three deep (.eml)": ("r.eml", lambda: nested_eml(3), "nested more than 2 deep"),
    "Outlook messages nested three deep": ("r.msg", lambda: nested_msg(3), "nested more than 2 deep"),
    "a chain of 200 attached Outlook messages": ("r.msg", lambda: nested_msg(200), "more than 50 attached Outlook"),
    "an .msg nested in an .eml, too deep": ("r.eml", lambda: eml_with_msg_inside(2), "nested more than 2 deep"),
    "a name with a relative path": ("r.eml", lambda: named("../../etc/passwd"), "folder path"),
    "a name with a Windows path": ("r.eml", lambda: named("C:\\Users\\x\\letter.pdf"), "folder path"),
    "a .msg name with a path": ("r.msg", lambda: msg_named("..\\..\\startup\\run.pdf"), "folder path"),
    "a name with a control character": ("r.eml", lambda: named("letter\x07.pdf"), "control or text-direction"),
    "a name that hides its extension": ("r.msg", lambda: msg_named("invoice\u202efdp.exe"), "text-direction"),
    "a zero-byte .msg": ("r.msg", lambda: b"", "empty (0 bytes)"),
    "a .msg that is not an OLE file": ("r.msg", lambda: b"From: a@b.c\r\n\r\nhello", "not an Outlook message"),
    "an OLE file that is not a message": ("r.msg", ole_but_not_a_message, "damaged or unsupported Outlook message"),
    "a truncated .msg": ("r.msg", truncated_msg, "damaged or unsupported Outlook message"),
    "a .msg whose FAT points outside the file": ("r.msg", corrupted_fat, "damaged or unsupported Outlook message"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_message_is_refused_with_what_to_do_and_changes_nothing(store: Store, case: str) -> None:
    shown, make, reason = HOSTILE[case]
    before = counts(store)
    with pytest.raises(EmailRefused) as refused:
        take_in(store.repo, shown, make())
    message = str(refused.value)
    assert reason in message and shown in message
    assert any(advice in message for advice in ("Save", "Ask", "Forward", "Open", "Take in")), message
    assert counts(store) == before


@pytest.mark.parametrize(("setting", "value", "make", "reason"), [
    ("email_max_mb", "1", lambda: named("big.pdf").replace(b"JVBERi0xLjQK", b"A" * 2_000_000), "limit for a message"),
    ("email_max_attachment_mb", "1", lambda: build_eml(attachments=(("big.pdf", "application/pdf",
                                                                     PDF * 200_000),)).as_bytes(),
     "limit for one attachment"),
    ("email_max_attachments", "3", lambda: build_eml(attachments=tuple((f"{n}.pdf", "application/pdf", PDF)
                                                                       for n in range(4))).as_bytes(),
     "more than 3 attachments"),
])
def test_the_size_and_count_limits_are_the_posts_settings(store: Store, setting: str, value: str,
                                                         make: Callable[[], bytes], reason: str) -> None:
    data = make()
    take_in(store.repo, "fits.eml", data)  # within the defaults: taken in
    store.repo.set_settings({setting: value})
    before = counts(store)
    with pytest.raises(EmailRefused, match=reason):
        take_in(store.repo, "r.eml", data)
    assert counts(store) == before


def test_too_many_attachments_in_a_msg_are_refused(store: Store) -> None:
    store.repo.set_settings({"email_max_attachments": "2"})
    data = build_msg(MsgMessage(attachments=[MsgAttachment(f"{n}.pdf", PDF) for n in range(3)],
                                sent_at=datetime(2026, 1, 1, tzinfo=UTC)))
    before = counts(store)
    with pytest.raises(EmailRefused, match="more than 2 attachments"):
        take_in(store.repo, "r.msg", data)
    assert counts(store) == before


def test_two_deep_is_still_taken_in(store: Store) -> None:
    take_in(store.repo, "r.eml", nested_eml(2))
    take_in(store.repo, "r.msg", nested_msg(2))
    assert counts(store)[0] == 2


def test_a_file_over_the_limit_is_refused_by_its_size(store: Store, tmp_path) -> None:
    store.repo.set_settings({"email_max_mb": "1"})
    big = tmp_path / "big.eml"
    with big.open("wb") as out:
        out.truncate(2 * 1024 * 1024)  # sparse: two megabytes of nothing, never a message
    before = counts(store)
    with pytest.raises(EmailRefused, match=r"big.eml is 2,097,152 bytes, over the 1,048,576-byte limit"):
        take_in_file(store.repo, big)
    assert counts(store) == before
