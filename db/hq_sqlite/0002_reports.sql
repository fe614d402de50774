-- Schema 2 (issue 16): what 'hq report' needs. Per batch, how many entries it carried that an earlier batch had
-- brought (the post had not imported that acknowledgement) and when its acknowledgement was written for the post;
-- entries by date of disclosure for the reports by month and the CSV export of a period: the index holds what the
-- report by month reads, so it never touches the rows and their PDFs (6 s cold at 100,000 entries without it).
ALTER TABLE batches ADD COLUMN already_held INTEGER NOT NULL DEFAULT 0;
ALTER TABLE batches ADD COLUMN acknowledged_at TEXT;
CREATE INDEX entries_disclosed ON entries(disclosed_on, post_fingerprint, b7);
