-- Disclosure Desk schema, migration 1: every entity of SPEC sections 2-6, so later issues add columns, not tables.
-- Applied by desktop/store/migrations.py inside one transaction; never edit an applied migration, add a new file.

-- Post settings: post name, Bates prefix, idle lock, ... (non-secret, but inside the encrypted store).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Registries (SPEC C3).
CREATE TABLE authorities (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL,
    country             TEXT NOT NULL DEFAULT '',
    kind                TEXT CHECK (kind IN ('customs', 'law_enforcement', 'other_government', 'multilateral')),
    address             TEXT NOT NULL DEFAULT '',
    violated_assurances INTEGER NOT NULL DEFAULT 0 CHECK (violated_assurances IN (0, 1)),  -- §7.3.1.2
    standing_note       TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    UNIQUE (name, country)
) STRICT;

CREATE TABLE agreements (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('cmaa', 'mlat', 'usmca', 'mou', 'loi', 'other')),
    title        TEXT NOT NULL UNIQUE,
    country      TEXT NOT NULL DEFAULT '',
    signed_on    TEXT,
    effective_on TEXT,
    expires_on   TEXT,
    contact      TEXT NOT NULL DEFAULT '',  -- §11.1.3: the agency representative named in the agreement
    notes        TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
) STRICT;

CREATE TABLE officials (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL,
    position       TEXT NOT NULL,
    grade          INTEGER,
    supervisory    INTEGER NOT NULL DEFAULT 0 CHECK (supervisory IN (0, 1)),
    delegation_ref TEXT NOT NULL DEFAULT '',  -- §7.3.1.1, fn 22: the written further delegation
    office         TEXT NOT NULL DEFAULT '',
    email          TEXT NOT NULL DEFAULT '',
    active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
) STRICT;

-- Requests: one column per interchange v1 field (SPEC C1). Nested objects are flattened with a presence flag
-- (e.g. `requesting_authority` = 1 when the object was given) so that null and empty round-trip exactly.
CREATE TABLE requests (
    id                                 INTEGER PRIMARY KEY,
    reference                          TEXT NOT NULL DEFAULT '',
    received_on                        TEXT,
    initiated_by                       TEXT NOT NULL DEFAULT 'foreign_authority',
    channel                            TEXT,
    exigent                            INTEGER NOT NULL DEFAULT 0,
    reduced_to_writing_on              TEXT,
    requesting_authority               INTEGER NOT NULL DEFAULT 0,
    requesting_authority_name          TEXT NOT NULL DEFAULT '',
    requesting_authority_country       TEXT NOT NULL DEFAULT '',
    requesting_authority_kind          TEXT,
    requesting_authority_address       TEXT NOT NULL DEFAULT '',
    requesting_authority_violated_assurances INTEGER NOT NULL DEFAULT 0,
    requester                          INTEGER NOT NULL DEFAULT 0,
    requester_name                     TEXT NOT NULL DEFAULT '',
    requester_title                    TEXT NOT NULL DEFAULT '',
    requester_email                    TEXT NOT NULL DEFAULT '',
    information_requested              TEXT NOT NULL DEFAULT '',
    reason                             TEXT NOT NULL DEFAULT '',
    purpose                            TEXT,
    recipient_legal_authority          TEXT NOT NULL DEFAULT '',
    onward_disclosure                  INTEGER NOT NULL DEFAULT 0,
    onward_disclosure_expected         INTEGER NOT NULL DEFAULT 0,
    onward_disclosure_details          TEXT NOT NULL DEFAULT '',
    deliver_to                         TEXT NOT NULL DEFAULT '',
    certification_required             INTEGER,
    needed_by                          TEXT,
    basis                              TEXT NOT NULL DEFAULT 'ad_hoc_1628',
    agreement                          TEXT NOT NULL DEFAULT '',
    usmca_chapters                     TEXT NOT NULL DEFAULT '[]',  -- JSON list of ints
    classified                         INTEGER NOT NULL DEFAULT 0,
    foreign_proceeding_demand          INTEGER NOT NULL DEFAULT 0,
    private_party_matter               INTEGER NOT NULL DEFAULT 0,
    required_by_agreement              INTEGER NOT NULL DEFAULT 0,
    foreign_judicial_proceeding        INTEGER NOT NULL DEFAULT 0,
    data_categories                    TEXT NOT NULL DEFAULT '[]',  -- JSON list of category names
    advance_cargo_use                  TEXT,
    third_agency                       INTEGER NOT NULL DEFAULT 0,
    third_agency_name                  TEXT NOT NULL DEFAULT '',
    third_agency_consent_obtained      INTEGER NOT NULL DEFAULT 0,
    third_agency_sole_owner            INTEGER NOT NULL DEFAULT 0,
    protected_class_authorization      TEXT,
    asylum_exception_by_counsel        INTEGER NOT NULL DEFAULT 0,
    source_system                      TEXT NOT NULL DEFAULT '',
    from_aggregator                    INTEGER NOT NULL DEFAULT 0,
    routine_use                        TEXT,
    sorn                               TEXT,
    disclosing_official                INTEGER NOT NULL DEFAULT 0,
    disclosing_official_name           TEXT NOT NULL DEFAULT '',
    disclosing_official_position       TEXT NOT NULL DEFAULT 'other',
    disclosing_official_grade          INTEGER,
    disclosing_official_supervisory    INTEGER NOT NULL DEFAULT 0,
    -- Links into the registries; the flattened values above stay what the interchange JSON carries.
    authority_id                       INTEGER REFERENCES authorities(id),
    agreement_id                       INTEGER REFERENCES agreements(id),
    official_id                        INTEGER REFERENCES officials(id),
    -- Derived by the rules on every save (SPEC section 4), kept for the list and its filters.
    outcome                            TEXT,
    step                               INTEGER,
    status                             TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'disclosed', 'closed', 'disposed')),
    created_at                         TEXT NOT NULL,
    updated_at                         TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX requests_reference ON requests(reference) WHERE reference <> '';
CREATE INDEX requests_needed_by ON requests(needed_by);
CREATE INDEX requests_country ON requests(requesting_authority_country);
CREATE INDEX requests_outcome ON requests(outcome);
CREATE INDEX requests_received_on ON requests(received_on);

CREATE TABLE subjects (
    id         INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL DEFAULT 'other' CHECK (status IN ('us_citizen', 'lpr', 'jra_covered', 'other')),
    identifier TEXT NOT NULL DEFAULT '',
    UNIQUE (request_id, position)
) STRICT;

-- Coordination records (SPEC C2): the interchange carries `done`; the store also keeps who, when and a reference.
CREATE TABLE coordination (
    request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    item       TEXT NOT NULL,
    done       INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
    who        TEXT NOT NULL DEFAULT '',
    done_on    TEXT,
    reference  TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (request_id, item)
) STRICT;

-- Checklist items that are the user's to tick (the rest is derived from the rules each time).
CREATE TABLE checklist_items (
    request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    item       TEXT NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('open', 'done', 'not_applicable')),
    note       TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (request_id, item)
) STRICT;

-- Files kept with a request: the original written request (§8.1.1), the reduction to writing (§8.1.1.2), ...
CREATE TABLE attachments (
    id         INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('original_request', 'written_confirmation', 'correspondence', 'other')),
    filename   TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size       INTEGER NOT NULL,
    sha256     TEXT NOT NULL,
    content    BLOB NOT NULL,
    added_at   TEXT NOT NULL
) STRICT;

-- Records to disclose (SPEC D1-D3).
CREATE TABLE records (
    id             INTEGER PRIMARY KEY,
    request_id     INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    filename       TEXT NOT NULL,
    media_type     TEXT NOT NULL,
    source_system  TEXT NOT NULL DEFAULT '',  -- §8.1.3
    owner          TEXT NOT NULL DEFAULT '',  -- §7.2.4 third agency or CBP office
    size           INTEGER NOT NULL,
    sha256         TEXT NOT NULL,
    page_count     INTEGER NOT NULL,
    content        BLOB NOT NULL,
    corrected_at   TEXT,  -- 552a(c)(4): set when the record is later corrected
    imported_at    TEXT NOT NULL
) STRICT;
CREATE INDEX records_request ON records(request_id);

CREATE TABLE record_subjects (
    record_id  INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    subject_id INTEGER NOT NULL REFERENCES subjects(id) ON DELETE CASCADE,
    PRIMARY KEY (record_id, subject_id)
) STRICT;

CREATE TABLE record_pages (
    record_id   INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    page_no     INTEGER NOT NULL,
    width_pt    REAL NOT NULL,
    height_pt   REAL NOT NULL,
    has_text    INTEGER NOT NULL CHECK (has_text IN (0, 1)),  -- a scan: suggestions cannot see it
    PRIMARY KEY (record_id, page_no)
) STRICT;

CREATE TABLE redactions (
    id         INTEGER PRIMARY KEY,
    record_id  INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    page_no    INTEGER NOT NULL,
    x0 REAL NOT NULL, y0 REAL NOT NULL, x1 REAL NOT NULL, y1 REAL NOT NULL,  -- PDF points from bottom-left
    reason     TEXT NOT NULL,  -- '9.1.1' .. '9.1.7'
    origin     TEXT NOT NULL CHECK (origin IN ('user', 'suggestion')),
    state      TEXT NOT NULL CHECK (state IN ('proposed', 'accepted', 'rejected')),
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX redactions_record ON redactions(record_id, page_no);

-- DHS personnel whose names the redaction suggestions look for (§9.1.1).
CREATE TABLE personnel_names (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
) STRICT;

-- Packets (SPEC P1-P3). `content` is the encrypted PDF only; finalized packets are never edited, only superseded.
CREATE TABLE packets (
    id            INTEGER PRIMARY KEY,
    request_id    INTEGER NOT NULL REFERENCES requests(id),
    state         TEXT NOT NULL CHECK (state IN ('final', 'superseded')),
    created_at    TEXT NOT NULL,
    finalized_at  TEXT,
    sha256        TEXT NOT NULL,
    page_count    INTEGER NOT NULL,
    bates_prefix  TEXT NOT NULL,
    bates_first   INTEGER,
    bates_last    INTEGER,
    content       BLOB NOT NULL,
    method        TEXT NOT NULL DEFAULT 'encrypted PDF by e-mail',
    superseded_by INTEGER REFERENCES packets(id)
) STRICT;

CREATE TABLE packet_records (
    packet_id  INTEGER NOT NULL REFERENCES packets(id),
    record_id  INTEGER NOT NULL REFERENCES records(id),
    first_page INTEGER NOT NULL,
    last_page  INTEGER NOT NULL,
    PRIMARY KEY (packet_id, record_id)
) STRICT;

-- Bates numbers are continuous across every packet of the post and never reused (SPEC P1).
CREATE TABLE bates_counter (
    prefix TEXT PRIMARY KEY,
    next   INTEGER NOT NULL
) STRICT;

-- DHS-191 Privacy Act accounting (SPEC A1, 5 U.S.C. 552a(c)(1), §10.2). Entries are immutable; a correction is a
-- new entry with `supersedes`.
CREATE TABLE dhs191_entries (
    uuid                  TEXT PRIMARY KEY,
    packet_id             INTEGER REFERENCES packets(id),
    request_id            INTEGER REFERENCES requests(id),
    subject_id            INTEGER REFERENCES subjects(id),
    individual_name       TEXT NOT NULL,
    individual_identifier TEXT NOT NULL DEFAULT '',
    disclosed_on          TEXT NOT NULL,
    nature                TEXT NOT NULL,
    purpose               TEXT NOT NULL,
    recipient_name        TEXT NOT NULL,
    recipient_address     TEXT NOT NULL,
    authority             TEXT NOT NULL,
    sorn                  TEXT NOT NULL DEFAULT '',
    method                TEXT NOT NULL,
    disclosing_official   TEXT NOT NULL,
    office                TEXT NOT NULL,
    retain_until          TEXT NOT NULL,
    b7                    INTEGER NOT NULL DEFAULT 0 CHECK (b7 IN (0, 1)),
    supersedes            TEXT REFERENCES dhs191_entries(uuid),
    batch_id              INTEGER REFERENCES export_batches(id),
    acknowledged_at       TEXT,
    created_at            TEXT NOT NULL
) STRICT;
CREATE INDEX dhs191_individual ON dhs191_entries(individual_name, individual_identifier);
CREATE INDEX dhs191_unacknowledged ON dhs191_entries(acknowledged_at);

-- Sync bundles to the Privacy Office (SPEC A2, A3).
CREATE TABLE export_batches (
    id              INTEGER PRIMARY KEY,
    batch_no        INTEGER NOT NULL UNIQUE,
    created_at      TEXT NOT NULL,
    entry_count     INTEGER NOT NULL,
    sha256          TEXT NOT NULL,
    hq_fingerprint  TEXT NOT NULL,
    acknowledged_at TEXT
) STRICT;

CREATE TABLE hq_certificates (
    id          INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL UNIQUE,
    subject     TEXT NOT NULL,
    pem         TEXT NOT NULL,
    added_at    TEXT NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;

-- The post's signing identity for bundles; the private key lives only here, inside the encrypted store.
CREATE TABLE post_identity (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    private_key_pem TEXT NOT NULL,
    certificate_pem TEXT NOT NULL,
    created_at      TEXT NOT NULL
) STRICT;

-- Privacy incidents (SPEC I1, §11) and their drafted notifications (§11.1.1-§11.1.3).
CREATE TABLE incidents (
    id                  INTEGER PRIMARY KEY,
    packet_id           INTEGER REFERENCES packets(id),
    authority_id        INTEGER REFERENCES authorities(id),
    occurred_on         TEXT,
    discovered_on       TEXT NOT NULL,
    description         TEXT NOT NULL,
    finding             TEXT NOT NULL DEFAULT '',
    violated_assurances INTEGER NOT NULL DEFAULT 0 CHECK (violated_assurances IN (0, 1)),
    created_at          TEXT NOT NULL
) STRICT;

CREATE TABLE incident_notifications (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    recipient   TEXT NOT NULL CHECK (recipient IN ('privacy_office', 'ac_oia', 'attache')),
    body        TEXT NOT NULL,
    sent_on     TEXT
) STRICT;

-- Onward disclosure permissions (SPEC I2, §8.1.5, §10.1.1).
CREATE TABLE onward_permissions (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES requests(id),
    packet_id   INTEGER REFERENCES packets(id),
    asked_on    TEXT NOT NULL,
    asked_by    TEXT NOT NULL,
    third_party TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    decision    TEXT NOT NULL DEFAULT 'pending' CHECK (decision IN ('pending', 'granted', 'denied')),
    decided_on  TEXT,
    answer      TEXT NOT NULL DEFAULT ''
) STRICT;

-- Retention (SPEC T1, §10.2.1-§10.2.2): what was disposed of, after the user's confirmation.
CREATE TABLE dispositions (
    id           INTEGER PRIMARY KEY,
    request_ref  TEXT NOT NULL,
    disposed_at  TEXT NOT NULL,
    confirmed_by TEXT NOT NULL,
    summary      TEXT NOT NULL
) STRICT;

-- Unsaved input kept across lock, crash and restart (issue 2): a form's state, inside the encrypted store.
CREATE TABLE drafts (
    key        TEXT PRIMARY KEY,
    payload    TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

-- Audit log (SPEC S6): every state change, hash chained; `audit_head` remembers the last link so that removing
-- entries from the end is detected too.
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL DEFAULT '',
    detail    TEXT NOT NULL DEFAULT '{}',
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
) STRICT;

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
) STRICT;

-- Full-text search over request facts (SPEC section 8; FTS5 is compiled into SQLCipher and stays encrypted).
CREATE VIRTUAL TABLE requests_fts USING fts5(
    reference, authority, requester, information_requested, reason, subjects, agreement,
    tokenize = 'unicode61 remove_diacritics 2'
);
