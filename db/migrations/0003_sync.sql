-- Disclosure Desk schema, migration 3: sync bundles to the Privacy Office (SPEC A2, A3, issue 5).
-- Adds tables and columns only; applied by desktop/store/migrations.py in one transaction.

-- Which entries each bundle carried. An entry stays in every bundle until headquarters acknowledges it, so it can
-- be in several; dhs191_entries.batch_id keeps the latest. An acknowledgement may only name entries of its batch.
CREATE TABLE export_batch_entries (
    batch_id INTEGER NOT NULL REFERENCES export_batches(id),
    uuid     TEXT NOT NULL REFERENCES dhs191_entries(uuid) ON DELETE CASCADE,
    PRIMARY KEY (batch_id, uuid)
) STRICT;
CREATE INDEX export_batch_entries_uuid ON export_batch_entries(uuid);

-- The SHA-256 of the bundle's manifest.json: headquarters' acknowledgement names it, and it must match.
ALTER TABLE export_batches ADD COLUMN manifest_sha256 TEXT NOT NULL DEFAULT '';
-- Where the bundle was written (a file name, for the user; the bundle itself is not kept).
ALTER TABLE export_batches ADD COLUMN file_name TEXT NOT NULL DEFAULT '';
