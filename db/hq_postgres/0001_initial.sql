-- Headquarters' consolidated store on PostgreSQL, schema 1: the same tables and columns as
-- db/hq_sqlite/0001_initial.sql (text dates and times as the bundle carries them, so both backends answer alike).
-- Applied by the database owner ('disclosure-desk hq migrate'); the everyday role gets only db/hq_postgres/role.sql.
CREATE TABLE posts (
    fingerprint     text PRIMARY KEY,
    name            text NOT NULL,
    certificate_pem text NOT NULL,
    registered_at   text NOT NULL
);
CREATE TABLE batches (
    post_fingerprint text NOT NULL REFERENCES posts(fingerprint),
    batch_no         integer NOT NULL,
    manifest_sha256  text NOT NULL,
    post_name        text NOT NULL,
    created          text NOT NULL,
    entry_count      integer NOT NULL,
    received_at      text NOT NULL,
    PRIMARY KEY (post_fingerprint, batch_no)
);
-- uuid is the primary key: two imports racing with the same entry cannot both insert it (issue 16).
CREATE TABLE entries (
    uuid                   text PRIMARY KEY,
    post                   text NOT NULL,
    request_reference      text NOT NULL,
    disclosure_id          text NOT NULL,
    individual_name        text NOT NULL,
    individual_identifier  text NOT NULL,
    disclosed_on           text NOT NULL,
    nature                 text NOT NULL,
    purpose                text NOT NULL,
    recipient_name         text NOT NULL,
    recipient_address      text NOT NULL,
    authority              text NOT NULL,
    sorn                   text NOT NULL,
    method                 text NOT NULL,
    disclosing_official    text NOT NULL,
    office                 text NOT NULL,
    retain_until           text NOT NULL,
    b7                     boolean NOT NULL,
    post_fingerprint       text NOT NULL REFERENCES posts(fingerprint),
    batch_no               integer NOT NULL,
    line                   text NOT NULL,
    pdf                    bytea NOT NULL,
    pdf_sha256             text NOT NULL,
    received_at            text NOT NULL
);
CREATE INDEX entries_individual ON entries(individual_name, individual_identifier);
CREATE INDEX entries_post ON entries(post_fingerprint, disclosed_on);
