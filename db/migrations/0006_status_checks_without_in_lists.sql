-- Disclosure Desk schema, migration 6: the same CHECK on requests.status and subjects.status, written as
-- comparisons joined by OR instead of an IN list (issue 15). Touches only the text of those two constraints.
--
-- Why: SQLite checks `x IN (a, b, c, ...)` with more than two constants by building an ephemeral b-tree of the
-- list each time the statement runs, and every request saved inserts or updates one `requests` row and one
-- `subjects` row per subject. Under cipher_memory_security (SPEC S1) each of that b-tree's allocations is an mlock
-- and a wiped munlock: 9 per row, about 20 of the 99 a request and its ten records cost. `x = a OR x = b ...` is
-- the same constraint (the same rows pass: a NULL gives NULL either way, and both columns are NOT NULL) and needs
-- no b-tree.
--
-- How: SQLite cannot ALTER a CHECK before 3.53 (this store runs 3.51), and a rebuild of `requests` would cascade
-- deletes into its children inside this transaction (foreign keys cannot be switched off in one). A CHECK does not
-- change how rows are stored, so the constraint's text is edited in the schema table, the procedure SQLite's
-- ALTER TABLE page gives for changing CHECK constraints; every row already satisfies the rewritten constraint
-- because it is the same constraint. RESET reloads this connection's schema from the edited text; the table
-- created and dropped after it bumps the schema version, so any other connection reloads it too.
-- tests/integration/test_migration_0006.py holds a version 5 store to this: same rows, same search, same refusals.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql,
    'CHECK (status IN (''open'', ''disclosed'', ''closed'', ''disposed''))',
    'CHECK (status = ''open'' OR status = ''disclosed'' OR status = ''closed'' OR status = ''disposed'')')
WHERE type = 'table' AND name = 'requests';
UPDATE sqlite_schema
SET sql = replace(sql,
    'CHECK (status IN (''us_citizen'', ''lpr'', ''jra_covered'', ''other''))',
    'CHECK (status = ''us_citizen'' OR status = ''lpr'' OR status = ''jra_covered'' OR status = ''other'')')
WHERE type = 'table' AND name = 'subjects';
PRAGMA writable_schema = RESET;
CREATE TABLE migration_0006_schema_version (bump INTEGER);
DROP TABLE migration_0006_schema_version;
