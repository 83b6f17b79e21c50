-- 0010-events-by-case — a case's events are stored together, in the order
-- of their seq: the table's key is (case_id, seq), not an id in the order
-- the events came in. Reading a case's history (every GET of a case)
-- then reads one or two pages instead of one page per event spread over
-- the year, and each append writes one B-tree instead of the table and
-- its (case_id, seq) index. The rows are copied in key order, once.
CREATE TABLE events_by_case (
	case_id INTEGER NOT NULL,
	seq INTEGER NOT NULL,
	at INTEGER NOT NULL,
	user_id INTEGER NOT NULL DEFAULT 0, -- 0: the system
	unit TEXT NOT NULL DEFAULT '',
	action TEXT NOT NULL,
	payload TEXT NOT NULL DEFAULT '{}', -- JSON
	reason TEXT NOT NULL DEFAULT '',
	hash BLOB, -- 0009: the chain
	PRIMARY KEY (case_id, seq)
) WITHOUT ROWID;
INSERT INTO events_by_case (case_id, seq, at, user_id, unit, action, payload, reason, hash)
	SELECT case_id, seq, at, user_id, unit, action, payload, reason, hash FROM events ORDER BY case_id, seq;
DELETE FROM events; -- emptied first: a DROP of the full table would keep every page of it in the statement journal (held in memory here: temp_store)
DROP TABLE events;
ALTER TABLE events_by_case RENAME TO events;
