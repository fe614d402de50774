"""Passphrase strength (SPEC S2): the minimum the store accepts, and messages that say what to do."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest

from desktop.paths import resource_path
from desktop.store import WeakPassphraseError, create_store
from desktop.store.passphrase import MIN_BITS, MIN_LENGTH, assess
from desktop.store.vault import KeyVault
from tests.conftest import CHEAP_KDF

WORDS = [line.strip() for line in resource_path("wordlist.txt").read_text("utf-8").splitlines() if line.strip()]
BITS_PER_WORD = math.log2(len(WORDS))


def eff_words(count: int, seed: int = 7, separator: str = " ") -> str:
    """Words drawn from the packet word list, as a person following the first-run advice would type them."""
    plain = [w for w in WORDS if "-" not in w]
    return separator.join(random.Random(seed).sample(plain, count))


def test_the_word_list_is_the_eff_large_list() -> None:
    assert len(WORDS) == 7776 == len(set(WORDS))
    assert BITS_PER_WORD == pytest.approx(12.925, abs=0.001)


def test_too_short_says_how_long_and_how_long_it_is_now() -> None:
    strength = assess("Zq#8vL!2")
    assert not strength.acceptable
    assert f"Use at least {MIN_LENGTH} characters (now 8)." in strength.problems


@pytest.mark.parametrize(
    "weak",
    [
        "aaaaaaaaaaaaaaaa",
        "abcdefghijklmnop",
        "1234567890123",
        "zyxwvutsrqponm",
        "passwordpassword",
    ],
)
def test_repeats_and_runs_are_too_easy_and_say_what_to_add(weak: str) -> None:
    strength = assess(weak)
    assert not strength.acceptable and strength.verdict == "too weak"
    [problem] = [p for p in strength.problems if "Too easy to guess" in p]
    assert f"{MIN_BITS:.0f} needed" in problem and "Add words or unusual characters." in problem


def test_the_empty_passphrase_has_no_bits_and_both_problems() -> None:
    strength = assess("")
    assert strength.bits == 0 and len(strength.problems) == 2


@pytest.mark.parametrize(("count", "acceptable"), [(3, False), (4, False), (5, True), (6, True), (8, True)])
def test_word_passphrases_are_scored_by_words(count: int, acceptable: bool) -> None:
    strength = assess(eff_words(count))
    assert strength.bits == pytest.approx(count * BITS_PER_WORD)
    assert strength.acceptable is acceptable


@pytest.mark.parametrize("separator", [" ", "-", ".", "_", ", "])
def test_any_common_separator_and_capitals_still_count_as_words(separator: str) -> None:
    text = eff_words(5, seed=3, separator=separator).title()
    assert assess(text).bits == pytest.approx(5 * BITS_PER_WORD)


def test_word_scoring_is_lower_than_the_character_estimate_would_be() -> None:
    phrase = eff_words(4)
    assert len(phrase) >= 20  # long enough that a character count alone would call it strong
    assert assess(phrase).verdict == "too weak"


def test_one_extra_character_does_not_turn_four_words_into_a_strong_passphrase() -> None:
    assert assess(eff_words(4) + " 7").bits < MIN_BITS + 10


def test_one_word_five_times_is_not_five_words() -> None:
    assert not assess(" ".join(["abacus"] * 5)).acceptable


@pytest.mark.parametrize(
    ("text", "verdict"),
    [("Tr0ub4dor&3xyzQ", "strong"),
     # Three list words (about 13 bits each), a common word outside the list and two digits: fair, not more.
     ("correct horse battery staple 42", "fair"),
     ("abacus gravity lantern moisten quarry sizzle tidings unbroken", "very strong")],
)
def test_mixed_passphrases_get_a_verdict(text: str, verdict: str) -> None:
    strength = assess(text)
    assert strength.acceptable and strength.verdict == verdict


def test_the_store_refuses_a_weak_passphrase_and_says_why(tmp_path: Path, no_keyring_vault: KeyVault) -> None:
    with pytest.raises(WeakPassphraseError) as caught:
        create_store(tmp_path / "data", eff_words(4), post_name="Ottawa", bates_prefix="OTT", use_keyring=False,
                     vault=no_keyring_vault, kdf=CHEAP_KDF)
    assert str(caught.value).startswith("The passphrase is not strong enough: Too easy to guess")
    assert not (tmp_path / "data").exists()
