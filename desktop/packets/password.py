"""Packet passwords (SPEC P2; §8.1.7 and fn 27: sensitive PII leaves dhs.gov only encrypted).

Two constraints meet here. SPEC P2 asks for at least 80 bits, and a packet that does not open in an independent
reader with its password is a defect. Many readers use at most 32 bytes of a password: poppler's and xpdf's tools
(pdftotext, pdfinfo, pdftoppm, xpdf: a 33-byte argument buffer), several viewers and encryption tools that treat
32 characters as "the PDF limit" (qpdf issue #195, PDFEncrypt issue #4). Words from the EFF list give about 1.7 bits
a character, so 80 bits of words need about 55 characters; the best a 32-character word passphrase can reach is
64 bits (computed from resources/wordlist.txt). So the packet password is 18 symbols from Crockford's base32
alphabet (no i, l, o, u: nothing to confuse when it is read out over the phone), in groups of three: 90 bits in
23 ASCII characters, e.g. ``k7f-q9m-2xh-d3w-p8r-a4z``. `generate_passphrase` (EFF words) stays for secrets that
are never typed into a PDF reader.

The owner password is separate, random (32 bytes) and never shown: nobody needs it, and it must not equal the open
password.
"""

from __future__ import annotations

import math
import re
import secrets
from dataclasses import dataclass
from functools import cache

from desktop.paths import resource_path

SEPARATOR = "-"
MIN_BITS = 80.0  # SPEC P2
MAX_PDF_PASSWORD_BYTES = 32  # what every reader honours (see above)
PACKET_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford's base32, lower case
PACKET_SYMBOLS = 18
PACKET_GROUP = 3
DEFAULT_WORDS = 7  # 7 x log2(7772) = 90.4 bits
OWNER_BYTES = 32
_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Passphrase:
    text: str
    bits: float  # log2 of the number of passwords the generator could have drawn


def generate_packet_password(symbols: int = PACKET_SYMBOLS) -> Passphrase:
    """The packet's open password: at least MIN_BITS bits in at most MAX_PDF_PASSWORD_BYTES ASCII characters."""
    bits = symbols * math.log2(len(PACKET_ALPHABET))
    drawn = "".join(secrets.choice(PACKET_ALPHABET) for _ in range(symbols))
    text = SEPARATOR.join(drawn[i:i + PACKET_GROUP] for i in range(0, symbols, PACKET_GROUP))
    if bits < MIN_BITS or len(text) > MAX_PDF_PASSWORD_BYTES:
        raise ValueError(f"{symbols} symbols give {bits:.1f} bits in {len(text)} characters; a packet password "
                         f"needs at least {MIN_BITS:.0f} bits in at most {MAX_PDF_PASSWORD_BYTES} characters")
    return Passphrase(text=text, bits=bits)


@cache
def wordlist() -> tuple[str, ...]:
    """The EFF list's plain lower-case ASCII words (`resources/wordlist.txt`).

    The four hyphenated entries (t-shirt, yo-yo, ...) are left out: with '-' as the separator they would make the
    word boundaries ambiguous when the passphrase is read back.
    """
    text = resource_path("wordlist.txt").read_text("ascii")
    words = tuple(dict.fromkeys(w for w in (line.strip() for line in text.splitlines()) if _WORD.fullmatch(w)))
    if len(words) < 7000:
        raise RuntimeError(f"the word list has only {len(words)} usable words; resources/wordlist.txt is damaged")
    return words


def generate_passphrase(words: int = DEFAULT_WORDS) -> Passphrase:
    """Words from the EFF list joined by '-', at least MIN_BITS bits (too long for a PDF password: see above)."""
    bits = words * math.log2(len(wordlist()))
    if bits < MIN_BITS:
        raise ValueError(f"{words} words give {bits:.1f} bits; a passphrase needs at least {MIN_BITS:.0f}")
    chosen = wordlist()
    return Passphrase(text=SEPARATOR.join(secrets.choice(chosen) for _ in range(words)), bits=bits)


def generate_owner_password() -> str:
    """32 random bytes, URL-safe base64: the owner password, separate from the one the recipient gets."""
    return secrets.token_urlsafe(OWNER_BYTES)
