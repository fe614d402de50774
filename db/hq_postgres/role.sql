-- The role the headquarters commands log in as, with only the rights they use (issue 16). Run it as the database
-- owner, after 'disclosure-desk hq migrate' has made the tables, e.g.
--     psql -v hq_db=disclosure_hq -f db/hq_postgres/role.sql "postgresql://owner@dbhost/disclosure_hq"
-- then give the role its password without putting it on a command line: psql's \password disclosure_desk_hq
-- The suite runs its PostgreSQL part as this role (tests/hq/postgres.py runs this very file).
SELECT 'CREATE ROLE disclosure_desk_hq LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT'
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'disclosure_desk_hq') \gexec
-- Only the owner and this role connect, and nobody but the owner creates anything in the schema (PostgreSQL 15
-- no longer lets PUBLIC create in public; older servers still do).
REVOKE ALL ON DATABASE :"hq_db" FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT CONNECT ON DATABASE :"hq_db" TO disclosure_desk_hq;
GRANT USAGE ON SCHEMA public TO disclosure_desk_hq;
-- Which schema the database is at: every command checks it before anything else.
GRANT SELECT ON hq_schema_migrations TO disclosure_desk_hq;
-- hq register-post: read and add posts. hq import: read and add batches and entries (a DHS-191 entry never
-- changes, so no UPDATE or DELETE on entries or posts). hq report / hq export / hq status: read them.
GRANT SELECT, INSERT ON posts, entries TO disclosure_desk_hq;
GRANT SELECT, INSERT ON batches TO disclosure_desk_hq;
-- hq import notes when the acknowledgement file was written: that one column and no other.
GRANT UPDATE (acknowledged_at) ON batches TO disclosure_desk_hq;
-- Nothing else: no DELETE, TRUNCATE, REFERENCES or TRIGGER, no CREATE on the schema (the tables belong to the
-- owner, who alone runs migrations). Concurrent imports take pg_advisory_xact_lock, which needs no grant.
