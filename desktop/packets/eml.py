"""An unsent e-mail draft (`.eml`) with the packet attached and the password left out (SPEC P3, §8.1.7, fn 27).

The draft opens in the mail program as a new message (X-Unsent: 1), addressed to the request's `deliver_to`. The
password goes by another channel (telephone, text message, a separate e-mail): the body says so, and the draft is
checked not to contain it.
"""

from __future__ import annotations

import email.policy
from email.message import EmailMessage
from email.utils import getaddresses

from desktop.packets.model import BuiltPacket, PacketError
from desktop.packets.texts import long_date
from desktop.requests.model import Request


def eml_draft(request: Request, packet: BuiltPacket, filename: str, sender: str = "") -> bytes:
    """The draft as bytes, ready to be written to an .eml file."""
    message = EmailMessage(policy=email.policy.SMTP)
    message["To"] = _recipients(request.deliver_to)
    if sender:
        message["From"] = sender
    message["Subject"] = f"CBP response to request {request.reference}".strip()
    message["X-Unsent"] = "1"  # Outlook and Thunderbird open it as a draft to review and send
    message.set_content(_body(request, packet))
    message.add_attachment(packet.encrypted_pdf, maintype="application", subtype="pdf", filename=filename)
    data = message.as_bytes()
    if packet.password.encode() in data:
        raise PacketError("The e-mail draft would contain the packet password; it was not written.")
    return data


def check_deliverable(request: Request) -> None:
    """PacketError unless the request names an e-mail address to deliver to; checked before a packet is built."""
    _recipients(request.deliver_to)


def _recipients(deliver_to: str) -> str:
    addresses = [address for _, address in getaddresses([deliver_to]) if "@" in address]
    if not addresses:
        raise PacketError("The request has no e-mail address to deliver to (deliver_to, §8.1.1.1); add it, or send "
                          "the packet another way.")
    return ", ".join(addresses)


def _body(request: Request, packet: BuiltPacket) -> str:
    requester = request.requester.name.strip() if request.requester and request.requester.name.strip() else ""
    greeting = f"Dear {requester}," if requester else "Hello,"
    return "\n".join([
        greeting,
        "",
        f"Attached is U.S. Customs and Border Protection's response to your request {request.reference} of "
        f"{long_date(request.received_on)}: {packet.page_count} pages, Bates-numbered {packet.bates_first_label} "
        f"through {packet.bates_last_label}.",
        "",
        "The attached PDF is encrypted. The password to open it will reach you separately, by another channel "
        "(telephone or a separate message); it is not in this e-mail. Please do not send it back by e-mail.",
        "",
        "The information is provided under the conditions set out in the enclosed cover letter and in the marking "
        "on every page.",
        "",
    ])
