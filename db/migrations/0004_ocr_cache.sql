-- Disclosure Desk schema, migration 4: what OCR read on a record's scanned pages (issue 14).
-- Adds a table only; applied by desktop/store/migrations.py in one transaction.

-- The words and their boxes of one page without a text layer, as JSON (desktop/records/ocr.py OcrPage.to_json),
-- read once so that opening the record again does not read it again. Inside the encrypted store only: never in a
-- temp file or a log, never in a packet. `engine` names the engine, languages and resolution that read it; another
-- engine reads the page again.
CREATE TABLE record_ocr (
    record_id  INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    page_no    INTEGER NOT NULL,
    engine     TEXT NOT NULL,
    words      TEXT NOT NULL,
    read_at    TEXT NOT NULL,
    PRIMARY KEY (record_id, page_no)
) STRICT;
