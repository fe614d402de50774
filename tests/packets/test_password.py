"""Packet passwords: at least 80 bits, short enough for every reader, ASCII; the owner password apart (SPEC P2)."""

from __future__ import annotations

import math

from desktop.packets.password import (
    MAX_PDF_PASSWORD_BYTES,
    MIN_BITS,
    PACKET_ALPHABET,
    generate_owner_password,
    generate_packet_password,
    generate_passphrase,
    wordlist,
)


def test_packet_password_has_80_bits_in_32_ascii_characters() -> None:
    for _ in range(200):
        password = generate_packet_password()
        assert password.bits >= MIN_BITS
        assert password.text.isascii() and len(password.text.encode()) <= MAX_PDF_PASSWORD_BYTES
        groups = password.text.split("-")
        assert all(len(g) == 3 and set(g) <= set(PACKET_ALPHABET) for g in groups)
        assert len(groups) * 3 * math.log2(len(PACKET_ALPHABET)) == password.bits


def test_alphabet_has_nothing_to_confuse_when_read_aloud() -> None:
    assert len(set(PACKET_ALPHABET)) == 32
    assert not set("ilou") & set(PACKET_ALPHABET)


def test_passwords_do_not_repeat() -> None:
    assert len({generate_packet_password().text for _ in range(500)}) == 500


def test_word_passphrase_uses_the_eff_list_and_reports_its_bits() -> None:
    words = wordlist()
    assert 7770 <= len(words) <= 7776 and all(w.isascii() and w.isalpha() for w in words)
    phrase = generate_passphrase()
    assert phrase.text.isascii() and len(phrase.text.split("-")) == 7
    assert all(w in words for w in phrase.text.split("-"))
    assert phrase.bits == 7 * math.log2(len(words)) > 90


def test_owner_password_is_separate_and_long() -> None:
    owner = generate_owner_password()
    assert len(owner) >= 43 and owner != generate_owner_password()
