"""The post's settings, typed (SPEC S3, S5, section 8; issue 6): idle lock, Bates prefix, backup reminder, the DHS
personnel names the redaction suggestions look for, and headquarters' certificate.

Qt-free: the first-run wizard and the settings dialog show these and call them, and so can the command line. Every
change goes through the repository, which writes its audit entry in the same transaction. Values are checked before
anything is written, so a bad value never leaves half a change behind.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from desktop.store import Repository

IDLE_MINUTES = (1, 120)
REMINDER_DAYS = (1, 365)
DEFAULT_IDLE_MINUTES = 10  # SPEC S3
DEFAULT_REMINDER_DAYS = 7
MAX_PERSONNEL_NAMES = 5000
MAX_CERTIFICATE_BYTES = 64 * 1024
_PREFIX = re.compile(r"[A-Z0-9]{2,8}")


class SettingError(ValueError):
    """A value the post cannot use; the message says what to do."""


@dataclass(frozen=True)
class PostSettings:
    post_name: str
    bates_prefix: str
    idle_lock_minutes: int
    backup_reminder_days: int
    last_backup_at: datetime | None


@dataclass(frozen=True)
class SettingsChange:
    """What the settings dialog saves in one go; None leaves a value as it is."""

    idle_lock_minutes: int | None = None
    backup_reminder_days: int | None = None
    bates_prefix: str | None = None


def load(repo: Repository) -> PostSettings:
    values = repo.settings()
    return PostSettings(
        post_name=values.get("post_name", ""),
        bates_prefix=values.get("bates_prefix", ""),
        idle_lock_minutes=_whole(values.get("idle_lock_minutes"), DEFAULT_IDLE_MINUTES, IDLE_MINUTES),
        backup_reminder_days=_whole(values.get("backup_reminder_days"), DEFAULT_REMINDER_DAYS, REMINDER_DAYS),
        last_backup_at=_when(values.get("last_backup_at")),
    )


def idle_lock_minutes(repo: Repository) -> int:
    return load(repo).idle_lock_minutes


def apply(repo: Repository, change: SettingsChange) -> None:
    """Checks every value first, then writes them as one audited settings change."""
    values: dict[str, str] = {}
    if change.idle_lock_minutes is not None:
        values["idle_lock_minutes"] = str(_in_range(change.idle_lock_minutes, IDLE_MINUTES, "The idle lock"))
    if change.backup_reminder_days is not None:
        values["backup_reminder_days"] = str(_in_range(change.backup_reminder_days, REMINDER_DAYS,
                                                       "The backup reminder"))
    if change.bates_prefix is not None:
        prefix = change.bates_prefix.strip().upper()
        if prefix != load(repo).bates_prefix:
            values["bates_prefix"] = _checked_prefix(repo, prefix)
    if values:
        repo.set_settings(values)


def set_idle_lock_minutes(repo: Repository, minutes: int) -> None:
    apply(repo, SettingsChange(idle_lock_minutes=minutes))


def set_backup_reminder_days(repo: Repository, days: int) -> None:
    apply(repo, SettingsChange(backup_reminder_days=days))


def set_bates_prefix(repo: Repository, prefix: str) -> None:
    apply(repo, SettingsChange(bates_prefix=prefix))


# Bates prefix (SPEC P1) --------------------------------------------------------------------------------------------


def bates_prefix_problem(text: str) -> str | None:
    if _PREFIX.fullmatch(text.strip().upper()):
        return None
    return "The Bates prefix is 2-8 letters or digits, e.g. OTT. Type the post's letters without spaces."


def packet_count(repo: Repository) -> int:
    with repo.read() as conn:
        return int(conn.execute("SELECT count(*) FROM packets").fetchone()[0])


def bates_prefix_locked_reason(repo: Repository) -> str | None:
    """Why the prefix can no longer change, or None while no packet exists."""
    count = packet_count(repo)
    if not count:
        return None
    packets = "1 packet already carries" if count == 1 else f"{count} packets already carry"
    return (f"The prefix cannot change: {packets} Bates numbers with {load(repo).bates_prefix}, and the numbers run "
            "on across every packet of the post, never reused.")


def _checked_prefix(repo: Repository, prefix: str) -> str:
    problem = bates_prefix_problem(prefix)
    if problem:
        raise SettingError(problem)
    locked = bates_prefix_locked_reason(repo)
    if locked:
        raise SettingError(locked)
    return prefix


# Backups (SPEC S5) --------------------------------------------------------------------------------------------------


def backup_reminder(repo: Repository, now: datetime | None = None) -> str | None:
    """The reminder to show at unlock when the last backup is older than the setting (or there is none)."""
    current = load(repo)
    if current.last_backup_at is None:
        return "No backup yet — File → Back up…"
    days = ((now or datetime.now(UTC)) - current.last_backup_at).days
    if days < current.backup_reminder_days:
        return None
    return f"Last backup: {days} day{'s' if days != 1 else ''} ago — File → Back up…"


# DHS personnel names for the redaction suggestions (§9.1.1) ----------------------------------------------------------


def personnel_names(repo: Repository) -> list[str]:
    """The names desktop.records.suggest looks for (the records package reads the same table)."""
    with repo.read() as conn:
        return [row[0] for row in conn.execute("SELECT name FROM personnel_names ORDER BY name COLLATE NOCASE")]


def set_personnel_names(repo: Repository, names: Iterable[str]) -> list[str]:
    """Replaces the list (one name a line in the dialog); spaces are tidied and repeats dropped. The audit entry
    counts the names and does not hold them."""
    cleaned = list(dict.fromkeys(" ".join(name.split()) for name in names if name.strip()))
    if len(cleaned) > MAX_PERSONNEL_NAMES:
        raise SettingError(f"At most {MAX_PERSONNEL_NAMES} personnel names; this list has {len(cleaned)}.")
    if sorted(cleaned, key=str.casefold) == personnel_names(repo):
        return cleaned
    with repo.transaction("personnel.replace", "personnel_names", None, {"count": len(cleaned)}) as tx:
        tx.conn.execute("DELETE FROM personnel_names")
        tx.conn.executemany("INSERT OR IGNORE INTO personnel_names (name) VALUES (?)", [(n,) for n in cleaned])
    return cleaned


# Headquarters certificate (SPEC A2) ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateDetails:
    """What the window shows of headquarters' certificate, before or after it is kept."""

    fingerprint: str  # SHA-256 of the DER, lower-case hex (desktop.sync.cms.fingerprint)
    subject: str
    not_before: datetime
    not_after: datetime
    pem: str


def read_hq_certificate(data: bytes, source: str = "The certificate",
                        now: datetime | None = None) -> CertificateDetails:
    """A certificate (PEM or DER) the DHS-191 bundles can be encrypted to; SettingError says why not. The rules
    are the sync package's (desktop/sync/certificates.py), so the window and `hq-cert import` agree."""
    return _described(_checked(data, source, now))


def import_hq_certificate(repo: Repository, data: bytes, source: str = "The certificate") -> CertificateDetails:
    """Makes the certificate the default the sync export encrypts to (the others are kept, not the default)."""
    from desktop.sync import certificates as hq
    from desktop.sync.errors import SyncInputError

    certificate = _checked(data, source)
    try:
        hq.import_hq_certificate(repo, certificate, source)
    except SyncInputError as error:
        raise SettingError(str(error)) from error
    return _described(certificate)


def hq_certificate(repo: Repository) -> CertificateDetails | None:
    """The default headquarters certificate, or None when none was imported."""
    from desktop.sync import certificates as hq
    from desktop.sync.errors import SyncError

    try:
        return _described(hq.default_hq_certificate(repo))
    except SyncError:
        return None


def _checked(data: bytes, source: str, now: datetime | None = None) -> x509.Certificate:
    from desktop.sync import certificates as hq  # loaded when a certificate is read, not at every start
    from desktop.sync.errors import SyncInputError

    if len(data) > MAX_CERTIFICATE_BYTES:
        raise SettingError(f"{source}: too large to be a certificate; choose the file headquarters sent.")
    try:
        certificate = hq.load_certificate(data, source)
        hq.check_recipient(certificate, source, now)
    except SyncInputError as error:
        raise SettingError(str(error)) from error
    return certificate


def _described(certificate: x509.Certificate) -> CertificateDetails:
    return CertificateDetails(
        fingerprint=certificate.fingerprint(hashes.SHA256()).hex(),
        subject=certificate.subject.rfc4514_string(),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        pem=certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
    )


# Parsing -------------------------------------------------------------------------------------------------------------


def _whole(text: str | None, default: int, bounds: tuple[int, int]) -> int:
    try:
        value = int(text or default)
    except ValueError:
        return default
    return min(max(value, bounds[0]), bounds[1])


def _in_range(value: int, bounds: tuple[int, int], what: str) -> int:
    if not bounds[0] <= int(value) <= bounds[1]:
        raise SettingError(f"{what} must be between {bounds[0]} and {bounds[1]} (now {value}).")
    return int(value)


def _when(text: str | None) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment
