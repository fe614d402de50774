-- Schema 2 (issue 16), as db/hq_sqlite/0002_reports.sql: per batch, the entries it carried that an earlier batch
-- had brought, and when its acknowledgement was written for the post; entries by date of disclosure.
ALTER TABLE batches ADD COLUMN already_held integer NOT NULL DEFAULT 0;
ALTER TABLE batches ADD COLUMN acknowledged_at text;
CREATE INDEX entries_disclosed ON entries(disclosed_on, post_fingerprint, b7);
-- The DHS-191 PDFs are compressed already: stored out of line without another compression attempt (pglz on
-- every page of a 5,000-entry import cost more than the rest of the merge; issue 16's benchmark).
ALTER TABLE entries ALTER COLUMN pdf SET STORAGE EXTERNAL;
