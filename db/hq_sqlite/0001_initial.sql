-- Headquarters' consolidated store on SQLite, schema 1: exactly the schema desktop/hq/sqlite_store.py made inline
-- before issue 16 (PRAGMA user_version = 1). db/hq_postgres/0001_initial.sql is the same tables on PostgreSQL.
CREATE TABLE posts (
    fingerprint     TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    certificate_pem TEXT NOT NULL,
    registered_at   TEXT NOT NULL
) STRICT;
CREATE TABLE batches (
    post_fingerprint TEXT NOT NULL REFERENCES posts(fingerprint),
    batch_no         INTEGER NOT NULL,
    manifest_sha256  TEXT NOT NULL,
    post_name        TEXT NOT NULL,
    created          TEXT NOT NULL,
    entry_count      INTEGER NOT NULL,
    received_at      TEXT NOT NULL,
    PRIMARY KEY (post_fingerprint, batch_no)
) STRICT;
CREATE TABLE entries (
    uuid                   TEXT PRIMARY KEY,
    post                   TEXT NOT NULL,
    request_reference      TEXT NOT NULL,
    disclosure_id          TEXT NOT NULL,
    individual_name        TEXT NOT NULL,
    individual_identifier  TEXT NOT NULL,
    disclosed_on           TEXT NOT NULL,
    nature                 TEXT NOT NULL,
    purpose                TEXT NOT NULL,
    recipient_name         TEXT NOT NULL,
    recipient_address      TEXT NOT NULL,
    authority              TEXT NOT NULL,
    sorn                   TEXT NOT NULL,
    method                 TEXT NOT NULL,
    disclosing_official    TEXT NOT NULL,
    office                 TEXT NOT NULL,
    retain_until           TEXT NOT NULL,
    b7                     INTEGER NOT NULL,
    post_fingerprint       TEXT NOT NULL REFERENCES posts(fingerprint),
    batch_no               INTEGER NOT NULL,
    line                   TEXT NOT NULL,
    pdf                    BLOB NOT NULL,
    pdf_sha256             TEXT NOT NULL,
    received_at            TEXT NOT NULL
) STRICT;
CREATE INDEX entries_individual ON entries(individual_name, individual_identifier);
CREATE INDEX entries_post ON entries(post_fingerprint, disclosed_on);
