"""`disclosure-desk` as a user runs it (SPEC section 7): the installed entry point in a subprocess, a real store.

Every command that opens the store runs the real Argon2id (about 0.35 s), so one store serves the module, the
tests that change keys get one more, and independent runs go two at a time.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest

import desktop
from desktop.requests import load_request_file, parse_request_bytes, request_to_json
from desktop.store import KeyVault, unlock_with_passphrase
from desktop.store.keyfile import KdfParams, read_keyfile
from tests.conftest import PASSPHRASE, SCENARIOS, scenario_paths

ENTRY_POINT = Path(sys.executable).with_name("disclosure-desk")
COMMAND = [str(ENTRY_POINT)] if ENTRY_POINT.exists() else [sys.executable, "-m", "desktop.cli"]
NEW_PASSPHRASE = "tundra maple lantern orbit velvet 9"
NUMBERS = [path.name[:2] for path in scenario_paths()]
T = TypeVar("T")
R = TypeVar("R")


def two_at_a_time(work: Callable[[T], R], items: Iterable[T]) -> list[R]:
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(work, items))


@dataclass(frozen=True)
class Cli:
    """Runs the entry point as a headless user would: data folder and passphrases from the environment."""

    pycache: Path  # compiled bytecode kept outside the tree, even where PYTHONDONTWRITEBYTECODE is set

    def __call__(self, data: Path, *args: str, passphrase: str | None = PASSPHRASE,
                 new_passphrase: str | None = None) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DISCLOSURE_DESK_")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.update(DISCLOSURE_DESK_DATA=str(data), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
                   PYTHONPYCACHEPREFIX=str(self.pycache))
        if passphrase is not None:
            env["DISCLOSURE_DESK_PASSPHRASE"] = passphrase
        if new_passphrase is not None:
            env["DISCLOSURE_DESK_NEW_PASSPHRASE"] = new_passphrase
        return subprocess.run([*COMMAND, *args], env=env, capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    return Cli(tmp_path_factory.mktemp("pycache"))


def init(cli: Cli, data: Path) -> subprocess.CompletedProcess[str]:
    done = cli(data, "init", "--post-name", "Ottawa", "--bates-prefix", "OTT")
    assert done.returncode == 0, done.stderr
    return done


def listed(cli: Cli, data: Path, passphrase: str = PASSPHRASE) -> list[dict[str, object]]:
    done = cli(data, "request", "list", "--json", passphrase=passphrase)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def fingerprint(data: Path) -> dict[str, str]:
    return {name: hashlib.sha256((data / name).read_bytes()).hexdigest() for name in ("store.db", "keyfile.json")}


@dataclass(frozen=True)
class Imported:
    path: Path  # the copy imported: the scenario with a reference of its own (most share OTT-2026-0142)
    reference: str
    outcome: str
    expected_outcome: str


@dataclass(frozen=True)
class Post:
    data: Path
    init_output: str
    imported: dict[str, Imported]
    exports: dict[str, subprocess.CompletedProcess[str]]  # `request export REF` of each import


def unique_copies(folder: Path) -> list[tuple[Path, Path]]:
    folder.mkdir()
    seen: set[str] = set()
    copies = []
    for path in scenario_paths():
        document = json.loads(path.read_text("utf-8"))
        if document["reference"] in seen:
            document["reference"] = f"{document['reference']}-{path.name[:2]}"
        seen.add(document["reference"])
        copy = folder / path.name
        copy.write_text(json.dumps(document, indent=2, ensure_ascii=False), "utf-8")
        copies.append((path, copy))
    return copies


@pytest.fixture(scope="module")
def post(cli: Cli, tmp_path_factory: pytest.TempPathFactory) -> Post:
    """One store with every scenario imported, then exported, through the command line."""
    root = tmp_path_factory.mktemp("cli")
    data = root / "data"
    created = init(cli, data)
    copies = unique_copies(root / "requests")
    runs = two_at_a_time(lambda pair: cli(data, "request", "import", str(pair[1])), copies)
    imported = {}
    for (original, copy), done in zip(copies, runs, strict=True):
        assert done.returncode == 0, done.stderr
        printed = json.loads(done.stdout)
        expected = json.loads(original.with_name(original.name.replace(".request", ".expected")).read_text("utf-8"))
        imported[original.name[:2]] = Imported(copy, printed["reference"], printed["outcome"], expected["outcome"])
    exports = two_at_a_time(lambda number: cli(data, "request", "export", imported[number].reference), NUMBERS)
    return Post(data, created.stdout, imported, dict(zip(NUMBERS, exports, strict=True)))


def test_version(cli: Cli) -> None:
    done = cli(Path("/nonexistent"), "--version", passphrase=None)
    assert done.returncode == 0 and done.stdout.strip() == f"Disclosure Desk {desktop.__version__}"


def test_demo_is_a_command(cli: Cli) -> None:
    done = cli(Path("/nonexistent"), "demo", "--help", passphrase=None)
    assert done.returncode == 0 and "--out" in done.stdout


def test_init_creates_the_store_with_the_default_argon2id_cost(post: Post) -> None:
    assert "Created the encrypted store" in post.init_output and str(post.data) in post.init_output
    assert (post.data / "store.db").read_bytes()[:16] != b"SQLite format 3\x00"
    keyfile = read_keyfile(post.data / "keyfile.json")
    assert keyfile.kdf == KdfParams() and keyfile.keyring is None


def test_init_creates_the_posts_signing_identity_so_headquarters_can_register_it_at_once(
        post: Post, no_keyring_vault: KeyVault) -> None:
    """Issue 5 / SPEC A2: the signing key is made at first run, inside the encrypted store."""
    store = unlock_with_passphrase(post.data, PASSPHRASE, no_keyring_vault)
    try:
        with store.repo.read() as conn:
            made = conn.execute("SELECT certificate_pem FROM post_identity").fetchall()
            audited = conn.execute("SELECT count(*) FROM audit_log WHERE action = 'post_identity.create'").fetchone()
    finally:
        store.lock()
    assert len(made) == 1 and made[0][0].startswith("-----BEGIN CERTIFICATE-----") and audited[0] == 1


def test_init_leaves_an_existing_store_alone(cli: Cli, post: Post) -> None:
    before = fingerprint(post.data)
    done = cli(post.data, "init", "--post-name", "Elsewhere", "--bates-prefix", "ELS")
    assert done.returncode == 1 and "already exists" in done.stderr and "left untouched" in done.stderr
    assert fingerprint(post.data) == before


def test_without_a_passphrase_it_says_which_variable_to_set(cli: Cli, post: Post) -> None:
    done = cli(post.data, "request", "list", passphrase=None)
    assert done.returncode == 2
    assert done.stderr.strip() == "disclosure-desk: no passphrase; set DISCLOSURE_DESK_PASSPHRASE (headless) or " \
                                  "run in a terminal"


@pytest.mark.parametrize("number", NUMBERS)
def test_import_prints_the_reference_and_what_the_rules_say(post: Post, number: str) -> None:
    imported = post.imported[number]
    assert imported.reference == load_request_file(imported.path).reference
    assert imported.outcome == imported.expected_outcome


def test_list_shows_every_reference(cli: Cli, post: Post) -> None:
    done = cli(post.data, "request", "list")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["REFERENCE", "CTRY", "RECEIVED", "NEEDED", "BY", "OUTCOME", "AUTHORITY"]
    shown = {line.split()[0] for line in lines[1:-1]}
    assert shown == {imported.reference for imported in post.imported.values()}
    assert lines[-1] == f"{len(post.imported)} request(s)"


def test_list_searches(cli: Cli, post: Post) -> None:
    done = cli(post.data, "request", "list", "--json", "--search", "Norteña")
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["reference"] for line in done.stdout.splitlines()] == [post.imported["02"].reference]


@pytest.mark.parametrize("number", NUMBERS)
def test_export_gives_back_the_imported_request(post: Post, number: str) -> None:
    imported = post.imported[number]
    done = post.exports[number]
    assert done.returncode == 0, done.stderr
    request = load_request_file(imported.path)
    assert parse_request_bytes(done.stdout.encode("utf-8")) == request
    assert done.stdout == request_to_json(request)


def test_export_of_an_unknown_reference_says_how_to_find_one(cli: Cli, post: Post) -> None:
    done = cli(post.data, "request", "export", "NOPE-2026-0001")
    assert done.returncode == 1 and "'request list' shows them" in done.stderr


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ('{"format": "disclosure-desk/request/v1", "requester": {"name": "A", "rank": "B"}}', "requester.rank"),
        ('{"format": "disclosure-desk/request/v1", "subjects": [{"status": "alien"}]}', "subjects[0].status"),
        ('{"format": "disclosure-desk/request/v1", "exigent": "no"', "(file)"),
    ],
)
def test_a_bad_file_exits_2_with_one_line_and_stores_nothing(cli: Cli, post: Post, tmp_path: Path, content: str,
                                                             field: str) -> None:
    bad = tmp_path / "bad.request.json"
    bad.write_text(content, "utf-8")
    before = fingerprint(post.data)
    done = cli(post.data, "request", "import", str(bad))
    assert done.returncode == 2 and done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith(f"{bad}: field {field}: ")
    assert fingerprint(post.data) == before


def test_a_duplicate_reference_exits_1_and_stores_nothing(cli: Cli, post: Post) -> None:
    before = fingerprint(post.data)
    done = cli(post.data, "request", "import", str(SCENARIOS / "03-oral-not-exigent.request.json"))
    assert done.returncode == 1
    assert "'OTT-2026-0142' is already in the store" in done.stderr and "another reference" in done.stderr
    assert fingerprint(post.data) == before


def test_a_wrong_passphrase_exits_1_with_a_clear_message_and_changes_nothing(cli: Cli, post: Post) -> None:
    before = fingerprint(post.data)
    done = cli(post.data, "request", "list", passphrase="correct horse battery staple 43")
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.strip() == (
        "disclosure-desk: That passphrase does not open this store. Check Caps Lock and the keyboard layout."
    )
    assert fingerprint(post.data) == before


def test_audit_verify(cli: Cli, post: Post) -> None:
    done = cli(post.data, "audit", "verify")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Audit log intact:") and "every link checks" in done.stdout


def test_store_verify(cli: Cli, post: Post) -> None:
    done = cli(post.data, "store", "verify")
    assert done.returncode == 0, done.stderr
    assert "every page's HMAC and the database structure check" in done.stdout


def test_backup_then_restore_into_another_data_folder(cli: Cli, post: Post, tmp_path: Path) -> None:
    backup = tmp_path / "usb" / "post.ddbackup"
    done = cli(post.data, "backup", "--out", str(backup))
    assert done.returncode == 0, done.stderr
    written = json.loads(done.stdout)
    assert written["verified"] is True and Path(written["backup"]) == backup.resolve()
    assert hashlib.sha256(backup.read_bytes()).hexdigest() != written["sha256"]  # the zip, not the database

    other = tmp_path / "rebuilt-laptop"
    done = cli(other, "restore", str(backup))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Restored {backup} into {other.resolve()}."
    commands = [("request", "list", "--json"), ("audit", "verify")]
    restored, audit = two_at_a_time(lambda args: cli(other, *args), commands)
    assert {json.loads(line)["reference"] for line in restored.stdout.splitlines()} == {
        imported.reference for imported in post.imported.values()}
    assert audit.returncode == 0 and "intact" in audit.stdout


@pytest.fixture
def fresh(cli: Cli, tmp_path: Path) -> Path:
    data = tmp_path / "data"
    init(cli, data)
    assert cli(data, "request", "import", str(SCENARIOS / "01-cmaa-ready.request.json")).returncode == 0
    return data


def test_change_passphrase_then_rekey(cli: Cli, fresh: Path) -> None:
    before = fingerprint(fresh)
    weak = cli(fresh, "key", "change-passphrase", new_passphrase="short")
    assert weak.returncode == 1 and "not strong enough" in weak.stderr and "at least 12 characters" in weak.stderr
    assert fingerprint(fresh) == before

    done = cli(fresh, "key", "change-passphrase", new_passphrase=NEW_PASSPHRASE)
    assert done.returncode == 0, done.stderr
    assert "Passphrase changed" in done.stdout

    old = cli(fresh, "request", "list")
    assert old.returncode == 1 and "does not open this store" in old.stderr
    assert [row["reference"] for row in listed(cli, fresh, NEW_PASSPHRASE)] == ["OTT-2026-0142"]

    key_before = read_keyfile(fresh / "keyfile.json").current.key_id
    done = cli(fresh, "key", "rekey", passphrase=NEW_PASSPHRASE)
    assert done.returncode == 0, done.stderr
    assert "new key" in done.stdout
    after = read_keyfile(fresh / "keyfile.json")
    assert after.current.key_id != key_before and after.pending is None
    commands = [("request", "list", "--json"), ("store", "verify"), ("audit", "verify")]
    rows, verified, audit = two_at_a_time(lambda args: cli(fresh, *args, passphrase=NEW_PASSPHRASE), commands)
    assert [json.loads(line)["reference"] for line in rows.stdout.splitlines()] == ["OTT-2026-0142"]
    assert verified.returncode == 0
    assert audit.returncode == 0 and "intact" in audit.stdout

