-- 0002-workflow — the second stage of the case workflow (whistle tasks,
-- supervision, disputes, callbacks) and the monthly assessment.
--
-- Applied once by store_open() inside one transaction, after 0001.
--
-- Distributed PostgreSQL (Citus): facts is a big table distributed by
-- case_id, co-located with cases, case_units and events (its primary key
-- there becomes (case_id, id)); assess_config is a small reference table.
-- Ids are 64-bit integers; enums are stored by name (records.c).

-- New scalar fields of struct case_rec. An old row reads as a zeroed
-- record except where the default says otherwise: scope 'all',
-- callback_satisfaction 'none', and callback_contacted/callback_solved -1
-- (unknown, like cases.solved). The task and supervision arrays are JSON
-- arrays of objects, one key per struct field (store_sqlite.c writes and
-- reads them); ntasks/nsupervisions are their lengths.
ALTER TABLE cases ADD COLUMN nwhistles INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN nsubdispatches INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN tasks_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE cases ADD COLUMN supervisions_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE cases ADD COLUMN return_from TEXT NOT NULL DEFAULT 'received';
ALTER TABLE cases ADD COLUMN return_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN returns INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN extensions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN reopens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN extension_due INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN escalation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN parked_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN merged_into INTEGER NOT NULL DEFAULT 0; -- 0: not merged
ALTER TABLE cases ADD COLUMN repeat_of INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN scope TEXT NOT NULL DEFAULT 'all'
	CHECK (scope IN ('all', 'response_only', 'excluded'));
ALTER TABLE cases ADD COLUMN exclusion_requested INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN callback_at INTEGER NOT NULL DEFAULT 0; -- 0: no callback yet
ALTER TABLE cases ADD COLUMN callback_valid INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN callback_contacted INTEGER NOT NULL DEFAULT -1;
ALTER TABLE cases ADD COLUMN callback_solved INTEGER NOT NULL DEFAULT -1;
ALTER TABLE cases ADD COLUMN callback_satisfaction TEXT NOT NULL DEFAULT 'none'
	CHECK (callback_satisfaction IN ('none', 'satisfied', 'basic', 'unsatisfied'));

-- case_units gains rel 'summoned' (a unit of a whistle task or a
-- sub-dispatch). SQLite cannot change a CHECK constraint in place, so the
-- table is rebuilt with the same columns and rows.
CREATE TABLE case_units_new (
	case_id INTEGER NOT NULL,
	unit TEXT NOT NULL,
	rel TEXT NOT NULL CHECK (rel IN ('lead', 'copy', 'summoned', 'former')),
	pos INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (case_id, unit)
);
INSERT INTO case_units_new (case_id, unit, rel, pos) SELECT case_id, unit, rel, pos FROM case_units;
DROP TABLE case_units;
ALTER TABLE case_units_new RENAME TO case_units;
CREATE INDEX case_units_unit ON case_units (unit, case_id);

-- Facts for the monthly figures (struct fact in store.h documents each
-- kind and its value), written with the event that produced them. Not
-- unique on (case_id, seq, kind): one sweep event may mark two clocks
-- overdue.
CREATE TABLE facts (
	id INTEGER PRIMARY KEY,
	case_id INTEGER NOT NULL,
	seq INTEGER NOT NULL, -- the event's seq
	at INTEGER NOT NULL,  -- Unix seconds, UTC
	user_id INTEGER NOT NULL DEFAULT 0, -- 0: the system
	unit TEXT NOT NULL DEFAULT '',
	kind TEXT NOT NULL,
	value INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX facts_kind_at ON facts (kind, at);
CREATE INDEX facts_case_seq ON facts (case_id, seq);
CREATE INDEX facts_user_at ON facts (user_id, at);

-- Assessment configuration per pool (a unit kind).
CREATE TABLE assess_config (
	pool TEXT PRIMARY KEY
		CHECK (pool IN ('centre', 'district', 'street', 'community', 'department', 'enterprise')),
	w_response REAL NOT NULL,
	w_resolution REAL NOT NULL,
	w_satisfaction REAL NOT NULL,
	basic_coefficient REAL NOT NULL,
	period_start_day INTEGER NOT NULL,
	min_callbacks INTEGER NOT NULL,
	whistle_weight REAL NOT NULL DEFAULT 0
);
