-- Disclosure Desk schema, migration 5: each foreign authority's official e-mail domains (fn 25; issue 14).
-- fn 25: an e-mail from an official agency address is a written request. A request taken in from an e-mail gets
-- the authority whose domain the sender's address is at, and the channel "official e-mail" only then.
-- A JSON list of lower-case domain names, e.g. ["cbsa-asfc.gc.ca"]. Touches only `authorities`, so it applies the
-- same whether migration 4 (another issue's) is applied before it, after it, or not at all.
ALTER TABLE authorities ADD COLUMN official_domains TEXT NOT NULL DEFAULT '[]'
    CHECK (json_valid(official_domains) AND json_type(official_domains) = 'array');
