-- Disclosure Desk schema, migration 2: DHS-191 accounting, retention and incidents (SPEC section 6, issue 5).
-- Adds columns, tables, indexes and triggers only; applied by desktop/store/migrations.py in one transaction.

-- What an entry shows is frozen when it is written, so the entry still reads the same after the request is edited
-- (SPEC A2 columns: post, request_reference, disclosure_id) and its PDF can name the packet (SPEC A1).
ALTER TABLE dhs191_entries ADD COLUMN post TEXT NOT NULL DEFAULT '';
ALTER TABLE dhs191_entries ADD COLUMN request_reference TEXT NOT NULL DEFAULT '';
ALTER TABLE dhs191_entries ADD COLUMN disclosure_id TEXT NOT NULL DEFAULT '';
ALTER TABLE dhs191_entries ADD COLUMN packet_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE dhs191_entries ADD COLUMN correction_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX dhs191_packet ON dhs191_entries(packet_id);
CREATE INDEX dhs191_request ON dhs191_entries(request_id);
CREATE INDEX dhs191_supersedes ON dhs191_entries(supersedes);
CREATE INDEX dhs191_retain ON dhs191_entries(retain_until);

-- §10.2.1: an entry is kept five years, or the life of the record if longer; NULL = the record has no longer life.
ALTER TABLE records ADD COLUMN retain_until TEXT;
-- §10.2.2: what was provided is kept five years from the disclosure date (set when the packet is accounted for).
ALTER TABLE packets ADD COLUMN retain_until TEXT;
CREATE INDEX packet_records_record ON packet_records(record_id);

-- Incidents (§11): the authority the incident names is marked in the registry, not here; what the finding cites.
ALTER TABLE incidents ADD COLUMN reported_by TEXT NOT NULL DEFAULT '';
-- Onward permissions (§8.1.5): the documents, kept with the permission like attachments are with a request.
ALTER TABLE onward_permissions ADD COLUMN request_document BLOB;
ALTER TABLE onward_permissions ADD COLUMN answer_document BLOB;
ALTER TABLE onward_permissions ADD COLUMN answered_by TEXT NOT NULL DEFAULT '';
ALTER TABLE onward_permissions ADD COLUMN created_at TEXT NOT NULL DEFAULT '';

-- Accounting for an individual (552a(c)(3)): full-text search over the names and identifiers of the entries, kept
-- by triggers so no code path can forget it (FTS5 stays inside the encrypted database).
CREATE VIRTUAL TABLE dhs191_fts USING fts5(
    individual_name, individual_identifier,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO dhs191_fts (rowid, individual_name, individual_identifier)
    SELECT rowid, individual_name, individual_identifier FROM dhs191_entries;
CREATE TRIGGER dhs191_fts_insert AFTER INSERT ON dhs191_entries BEGIN
    INSERT INTO dhs191_fts (rowid, individual_name, individual_identifier)
    VALUES (NEW.rowid, NEW.individual_name, NEW.individual_identifier);
END;
CREATE TRIGGER dhs191_fts_delete AFTER DELETE ON dhs191_entries BEGIN
    DELETE FROM dhs191_fts WHERE rowid = OLD.rowid;
END;

-- SPEC A1: entries are immutable; a correction is a new entry with `supersedes`. Only the sync state may change.
CREATE TRIGGER dhs191_immutable BEFORE UPDATE OF
    uuid, packet_id, request_id, subject_id, individual_name, individual_identifier, disclosed_on, nature, purpose,
    recipient_name, recipient_address, authority, sorn, method, disclosing_official, office, retain_until, b7,
    supersedes, created_at, post, request_reference, disclosure_id, packet_sha256, correction_reason
ON dhs191_entries BEGIN
    SELECT RAISE(ABORT, 'DHS-191 entries cannot be changed: record a correction, which supersedes the entry (5 U.S.C. 552a(c), SPEC A1)');
END;

-- §10.2.1, §10.2.2: nothing from a disclosure is deleted before its retain-until date, whatever code path tries.
CREATE TRIGGER dhs191_retained BEFORE DELETE ON dhs191_entries
WHEN OLD.retain_until >= date('now') BEGIN
    SELECT RAISE(ABORT, 'A DHS-191 entry is kept until its retain-until date (5 years from disclosure, §10.2.1) and cannot be deleted before');
END;

CREATE TRIGGER packets_retained BEFORE DELETE ON packets
WHEN coalesce(OLD.retain_until, date(OLD.finalized_at, '+5 years')) >= date('now') BEGIN
    SELECT RAISE(ABORT, 'A disclosed packet is kept 5 years from the disclosure (§10.2.2) and cannot be deleted before');
END;

CREATE TRIGGER records_retained BEFORE DELETE ON records
WHEN EXISTS (SELECT 1 FROM packet_records pr JOIN packets p ON p.id = pr.packet_id WHERE pr.record_id = OLD.id
             AND coalesce(p.retain_until, date(p.finalized_at, '+5 years')) >= date('now')) BEGIN
    SELECT RAISE(ABORT, 'A record that was disclosed is kept 5 years from the disclosure (§10.2.2) and cannot be deleted before');
END;

CREATE TRIGGER requests_retained BEFORE DELETE ON requests
WHEN EXISTS (SELECT 1 FROM packets p WHERE p.request_id = OLD.id
             AND coalesce(p.retain_until, date(p.finalized_at, '+5 years')) >= date('now'))
  OR EXISTS (SELECT 1 FROM dhs191_entries e WHERE e.request_id = OLD.id AND e.retain_until >= date('now')) BEGIN
    SELECT RAISE(ABORT, 'A request that led to a disclosure is kept 5 years from the disclosure (§10.2.2) and cannot be deleted before');
END;

CREATE TRIGGER attachments_retained BEFORE DELETE ON attachments
WHEN EXISTS (SELECT 1 FROM packets p WHERE p.request_id = OLD.request_id
             AND coalesce(p.retain_until, date(p.finalized_at, '+5 years')) >= date('now')) BEGIN
    SELECT RAISE(ABORT, 'The copy of a request that led to a disclosure is kept 5 years from the disclosure (§10.2.2) and cannot be deleted before');
END;

CREATE TRIGGER subjects_retained BEFORE DELETE ON subjects
WHEN EXISTS (SELECT 1 FROM dhs191_entries e WHERE e.subject_id = OLD.id AND e.retain_until >= date('now')) BEGIN
    SELECT RAISE(ABORT, 'This individual is named in a DHS-191 entry kept until its retain-until date (§10.2.1) and cannot be removed from the request before');
END;

CREATE TRIGGER onward_permissions_retained BEFORE DELETE ON onward_permissions
WHEN EXISTS (SELECT 1 FROM packets p WHERE p.request_id = OLD.request_id
             AND coalesce(p.retain_until, date(p.finalized_at, '+5 years')) >= date('now')) BEGIN
    SELECT RAISE(ABORT, 'An onward disclosure permission is kept with its disclosure for 5 years (§10.2.2) and cannot be deleted before');
END;
