-- 0009: events are hash-chained per case (tamper evidence, docs/SECURITY.md).
-- hash = BLAKE2b-256 over the previous event's hash (32 zero bytes before
-- seq 1) and the event's fields (store_event_hash). The store fills it on
-- every append; the events already there are chained by the store right
-- after this file runs, in the same transaction (store_migrate).
ALTER TABLE events ADD COLUMN hash BLOB;
