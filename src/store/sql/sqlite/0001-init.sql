-- 0001-init — the first schema of jiesu's SQLite engine.
--
-- Applied once by store_open() inside one transaction and recorded in
-- schema_migrations. Never edit a migration that has shipped: add the next
-- numbered file instead (and list it in store_sqlite.c).
--
-- Ready for a distributed PostgreSQL (Citus): ids are 64-bit integers; the
-- small tables (units, categories, tier_rules, holidays, users) become
-- reference tables; the big tables (cases, case_units, events) are
-- distributed by case id, so case_units and events carry case_id and are
-- never the target of a foreign key, and none of them points to another
-- big table. Text enums are stored by name (records.c), not by number.

CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at INTEGER NOT NULL -- Unix seconds, UTC
);

-- The unit tree. parent is NULL for the root; path lists the codes from
-- the root to the unit itself ("/12345/110107/110107001/"), so a subtree
-- is a range of paths.
CREATE TABLE units (
	code TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('centre', 'district', 'street', 'community', 'department', 'enterprise')),
	parent TEXT REFERENCES units (code),
	sector TEXT NOT NULL DEFAULT '',
	path TEXT NOT NULL UNIQUE
);
CREATE INDEX units_parent ON units (parent);
-- (units.path is indexed by its UNIQUE constraint)
CREATE INDEX units_sector ON units (sector) WHERE sector <> '';

-- The category tree, one row per leaf path ("住房->小区配套->电梯").
CREATE TABLE categories (
	id INTEGER PRIMARY KEY,
	path TEXT NOT NULL UNIQUE,
	tier TEXT NOT NULL CHECK (tier IN ('emergency', 'utilities', 'general', 'complex')),
	handling TEXT NOT NULL DEFAULT 'street'
);

-- Deadline rules, one row per tier.
CREATE TABLE tier_rules (
	tier TEXT PRIMARY KEY CHECK (tier IN ('emergency', 'utilities', 'general', 'complex')),
	dispatch_minutes INTEGER NOT NULL,
	sign_minutes INTEGER NOT NULL,
	contact_minutes INTEGER NOT NULL,
	feedback_amount INTEGER NOT NULL,
	feedback_unit TEXT NOT NULL CHECK (feedback_unit IN ('hours', 'calendar_days', 'working_days')),
	warn_percent INTEGER NOT NULL
);

-- The official calendar: days off, and weekend working days (work = 1).
CREATE TABLE holidays (
	day INTEGER PRIMARY KEY, -- days since 1970-01-01
	work INTEGER NOT NULL DEFAULT 0,
	name TEXT NOT NULL DEFAULT ''
);

CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	login TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	pw_hash TEXT NOT NULL,
	unit TEXT REFERENCES units (code), -- NULL: no unit
	role TEXT NOT NULL CHECK (role IN ('agent', 'dispatcher', 'handler', 'head', 'supervisor', 'assessor', 'admin')),
	active INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL
);
CREATE INDEX users_unit ON users (unit);

-- Login tokens, by the hex digest of the bearer token (never the token).
CREATE TABLE tokens (
	hash TEXT PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created INTEGER NOT NULL,
	expires INTEGER NOT NULL
);
CREATE INDEX tokens_user ON tokens (user_id);
CREATE INDEX tokens_expires ON tokens (expires);

-- The projection of each case's events (struct case_rec). The four clocks
-- are column groups; warned_mask/overdue_mask hold one bit per clock
-- (bit enum clock_kind). Copy units live in case_units.
CREATE TABLE cases (
	id INTEGER PRIMARY KEY,
	seq INTEGER NOT NULL DEFAULT 0,
	status TEXT NOT NULL,
	type TEXT NOT NULL,
	channel TEXT NOT NULL DEFAULT '',
	title TEXT NOT NULL DEFAULT '',
	content TEXT NOT NULL DEFAULT '',
	address TEXT NOT NULL DEFAULT '',
	lat REAL, -- NULL: no location
	lon REAL,
	crs TEXT NOT NULL DEFAULT '',
	category_id INTEGER NOT NULL DEFAULT 0, -- 0: none
	tier TEXT NOT NULL,
	req_name TEXT NOT NULL DEFAULT '',
	req_phone TEXT NOT NULL DEFAULT '',
	confidential INTEGER NOT NULL DEFAULT 0,
	district TEXT NOT NULL DEFAULT '',
	street TEXT NOT NULL DEFAULT '',
	community TEXT NOT NULL DEFAULT '',
	lead_unit TEXT NOT NULL DEFAULT '',
	referral TEXT NOT NULL DEFAULT '',
	answer TEXT NOT NULL DEFAULT '',
	result TEXT NOT NULL DEFAULT '',
	solved INTEGER NOT NULL DEFAULT -1,
	created_by INTEGER NOT NULL DEFAULT 0,
	created_unit TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	closed_at INTEGER NOT NULL DEFAULT 0,
	dispatch_start INTEGER NOT NULL DEFAULT 0,
	dispatch_due INTEGER NOT NULL DEFAULT 0,
	dispatch_warn_at INTEGER NOT NULL DEFAULT 0,
	dispatch_done_at INTEGER NOT NULL DEFAULT 0,
	sign_start INTEGER NOT NULL DEFAULT 0,
	sign_due INTEGER NOT NULL DEFAULT 0,
	sign_warn_at INTEGER NOT NULL DEFAULT 0,
	sign_done_at INTEGER NOT NULL DEFAULT 0,
	contact_start INTEGER NOT NULL DEFAULT 0,
	contact_due INTEGER NOT NULL DEFAULT 0,
	contact_warn_at INTEGER NOT NULL DEFAULT 0,
	contact_done_at INTEGER NOT NULL DEFAULT 0,
	feedback_start INTEGER NOT NULL DEFAULT 0,
	feedback_due INTEGER NOT NULL DEFAULT 0,
	feedback_warn_at INTEGER NOT NULL DEFAULT 0,
	feedback_done_at INTEGER NOT NULL DEFAULT 0,
	warned_mask INTEGER NOT NULL DEFAULT 0,
	overdue_mask INTEGER NOT NULL DEFAULT 0,
	next_check_at INTEGER NOT NULL DEFAULT 0 -- 0: nothing pending
);
CREATE INDEX cases_status ON cases (status);
CREATE INDEX cases_lead_unit ON cases (lead_unit);
CREATE INDEX cases_next_check ON cases (next_check_at) WHERE next_check_at > 0;
CREATE INDEX cases_created_at ON cases (created_at);

-- Every unit a case was ever sent to. A link is never deleted: a unit that
-- once led a case keeps it as 'former'. pos keeps the order of the copies.
CREATE TABLE case_units (
	case_id INTEGER NOT NULL,
	unit TEXT NOT NULL,
	rel TEXT NOT NULL CHECK (rel IN ('lead', 'copy', 'former')),
	pos INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (case_id, unit)
);
CREATE INDEX case_units_unit ON case_units (unit, case_id);

-- The append-only event log of each case; seq numbers a case's events from 1.
-- UNIQUE (case_id, seq) is also the index for reading a case's log in order;
-- it makes a concurrent append of the same seq fail instead of interleaving.
-- (On a distributed PostgreSQL the primary key becomes (case_id, id).)
CREATE TABLE events (
	id INTEGER PRIMARY KEY,
	case_id INTEGER NOT NULL,
	seq INTEGER NOT NULL,
	at INTEGER NOT NULL,
	user_id INTEGER NOT NULL DEFAULT 0, -- 0: the system
	unit TEXT NOT NULL DEFAULT '',
	action TEXT NOT NULL,
	payload TEXT NOT NULL DEFAULT '{}', -- JSON
	reason TEXT NOT NULL DEFAULT '',
	UNIQUE (case_id, seq)
);
