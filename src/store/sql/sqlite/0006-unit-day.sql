-- 0006-unit-day — the assessment counts kept per unit and day (and per
-- unit and month), written in the same transaction as the facts they
-- count, so a ranking for any period of whole days sums a few rows per
-- unit instead of scanning every fact of the period (docs/PERFORMANCE.md).
-- store_unit_counts reads them; `jiesu report rates --recompute` checks
-- them against the plain scan of facts and against a fold of the facts in
-- C.
--
-- unit_counts: grain 0 counts a local (Beijing, UTC+8, no daylight saving)
-- day, period = (at + 28800) / 86400; grain 1 a calendar month, period =
-- year * 12 + month - 1 — a long period sums its whole months and only its
-- partial months by day. The columns are the fields of struct
-- unit_counts: callbacks counted by the case's current scope (a change of
-- scope moves the case's callbacks between the as_* columns), every other
-- kind as in store_unit_counts.
--
-- Distributed PostgreSQL (Citus): unit_counts and superseded_month are
-- small (days or months x units) and stay on the coordinator;
-- callback_superseded is distributed by case_id.
CREATE TABLE unit_counts (
	grain INTEGER NOT NULL CHECK (grain IN (0, 1)), -- 0 day, 1 month
	period INTEGER NOT NULL,
	unit TEXT NOT NULL,
	cb_valid INTEGER NOT NULL DEFAULT 0,
	cb_contacted INTEGER NOT NULL DEFAULT 0,
	cb_solved INTEGER NOT NULL DEFAULT 0,
	cb_satisfied INTEGER NOT NULL DEFAULT 0,
	cb_basic INTEGER NOT NULL DEFAULT 0,
	as_valid INTEGER NOT NULL DEFAULT 0,
	as_contacted INTEGER NOT NULL DEFAULT 0,
	as_full_valid INTEGER NOT NULL DEFAULT 0,
	as_solved INTEGER NOT NULL DEFAULT 0,
	as_satisfied INTEGER NOT NULL DEFAULT 0,
	as_basic INTEGER NOT NULL DEFAULT 0,
	dispatches INTEGER NOT NULL DEFAULT 0,
	sign_total INTEGER NOT NULL DEFAULT 0,
	sign_ontime INTEGER NOT NULL DEFAULT 0,
	contact_total INTEGER NOT NULL DEFAULT 0,
	contact_ontime INTEGER NOT NULL DEFAULT 0,
	reply_total INTEGER NOT NULL DEFAULT 0,
	reply_ontime INTEGER NOT NULL DEFAULT 0,
	handling_seconds INTEGER NOT NULL DEFAULT 0,
	returns INTEGER NOT NULL DEFAULT 0,
	extensions INTEGER NOT NULL DEFAULT 0,
	reopens INTEGER NOT NULL DEFAULT 0,
	overdue INTEGER NOT NULL DEFAULT 0,
	reports INTEGER NOT NULL DEFAULT 0,
	reports_ontime INTEGER NOT NULL DEFAULT 0,
	ratings INTEGER NOT NULL DEFAULT 0,
	rating_sum INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (grain, period, unit)
) WITHOUT ROWID;

-- Only a case's latest valid callback in a period counts. unit_counts counts
-- every valid callback; each one that a later valid callback of its case
-- replaced is listed here, with the day of the one that replaced it: a
-- period holding both days takes it away again. scope follows the case.
CREATE TABLE callback_superseded (
	case_id INTEGER NOT NULL,
	seq INTEGER NOT NULL, -- the replaced callback's event
	day INTEGER NOT NULL,
	until_day INTEGER NOT NULL,
	unit TEXT NOT NULL,
	value INTEGER NOT NULL,
	scope TEXT NOT NULL,
	PRIMARY KEY (case_id, seq)
);
CREATE INDEX callback_superseded_day ON callback_superseded (day);
CREATE INDEX callback_superseded_until ON callback_superseded (until_day);

-- The superseded callbacks counted by the months of both days, with the
-- eleven callback columns of unit_counts.
CREATE TABLE superseded_month (
	month INTEGER NOT NULL,       -- of the replaced callback
	until_month INTEGER NOT NULL, -- of the one that replaced it
	unit TEXT NOT NULL,
	cb_valid INTEGER NOT NULL DEFAULT 0,
	cb_contacted INTEGER NOT NULL DEFAULT 0,
	cb_solved INTEGER NOT NULL DEFAULT 0,
	cb_satisfied INTEGER NOT NULL DEFAULT 0,
	cb_basic INTEGER NOT NULL DEFAULT 0,
	as_valid INTEGER NOT NULL DEFAULT 0,
	as_contacted INTEGER NOT NULL DEFAULT 0,
	as_full_valid INTEGER NOT NULL DEFAULT 0,
	as_solved INTEGER NOT NULL DEFAULT 0,
	as_satisfied INTEGER NOT NULL DEFAULT 0,
	as_basic INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (month, until_month, unit)
) WITHOUT ROWID;

-- Counts of the facts already stored.
INSERT INTO unit_counts (grain, period, unit, dispatches, sign_total, sign_ontime, contact_total, contact_ontime,
	reply_total, reply_ontime, handling_seconds, returns, extensions, reopens, overdue, reports,
	reports_ontime, ratings, rating_sum)
SELECT 0, (at + 28800) / 86400, unit,
	count(*) FILTER (WHERE kind = 'dispatch'),
	count(*) FILTER (WHERE kind = 'sign'), count(*) FILTER (WHERE kind = 'sign' AND value = 1),
	count(*) FILTER (WHERE kind = 'contact'), count(*) FILTER (WHERE kind = 'contact' AND value = 1),
	count(*) FILTER (WHERE kind = 'reply'), count(*) FILTER (WHERE kind = 'reply' AND value = 1),
	coalesce(sum(value) FILTER (WHERE kind = 'handling'), 0),
	count(*) FILTER (WHERE kind = 'return'), count(*) FILTER (WHERE kind = 'extension'),
	count(*) FILTER (WHERE kind = 'reopen'), count(*) FILTER (WHERE kind = 'overdue'),
	count(*) FILTER (WHERE kind = 'report'), count(*) FILTER (WHERE kind = 'report' AND value = 1),
	count(*) FILTER (WHERE kind = 'rating'),
	coalesce(sum(value / 100 + value / 10 % 10 + value % 10) FILTER (WHERE kind = 'rating'), 0)
FROM facts
WHERE kind IN ('dispatch', 'sign', 'contact', 'reply', 'handling', 'return', 'extension', 'reopen',
	'overdue', 'report', 'rating')
GROUP BY 2, 3;

INSERT INTO unit_counts (grain, period, unit, cb_valid, cb_contacted, cb_solved, cb_satisfied, cb_basic, as_valid,
	as_contacted, as_full_valid, as_solved, as_satisfied, as_basic)
SELECT 0, (f.at + 28800) / 86400, f.unit,
	count(*), count(*) FILTER (WHERE (f.value & 2) <> 0), count(*) FILTER (WHERE (f.value & 4) <> 0),
	count(*) FILTER (WHERE (f.value >> 3) = 1), count(*) FILTER (WHERE (f.value >> 3) = 2),
	count(*) FILTER (WHERE coalesce(c.scope, 'all') IN ('all', 'response_only')),
	count(*) FILTER (WHERE coalesce(c.scope, 'all') IN ('all', 'response_only') AND (f.value & 2) <> 0),
	count(*) FILTER (WHERE coalesce(c.scope, 'all') = 'all'),
	count(*) FILTER (WHERE coalesce(c.scope, 'all') = 'all' AND (f.value & 4) <> 0),
	count(*) FILTER (WHERE coalesce(c.scope, 'all') = 'all' AND (f.value >> 3) = 1),
	count(*) FILTER (WHERE coalesce(c.scope, 'all') = 'all' AND (f.value >> 3) = 2)
FROM facts f LEFT JOIN cases c ON c.id = f.case_id
WHERE f.kind = 'callback' AND (f.value & 1) <> 0
GROUP BY 2, 3
ON CONFLICT (grain, period, unit) DO UPDATE SET
	cb_valid = excluded.cb_valid, cb_contacted = excluded.cb_contacted, cb_solved = excluded.cb_solved,
	cb_satisfied = excluded.cb_satisfied, cb_basic = excluded.cb_basic, as_valid = excluded.as_valid,
	as_contacted = excluded.as_contacted, as_full_valid = excluded.as_full_valid,
	as_solved = excluded.as_solved, as_satisfied = excluded.as_satisfied, as_basic = excluded.as_basic;

INSERT INTO callback_superseded (case_id, seq, day, until_day, unit, value, scope)
SELECT case_id, seq, day, until_day, unit, value, scope FROM (
	SELECT f.case_id, f.seq, (f.at + 28800) / 86400 AS day, f.unit, f.value,
		coalesce(c.scope, 'all') AS scope,
		lead((f.at + 28800) / 86400) OVER (PARTITION BY f.case_id ORDER BY f.seq, f.id) AS until_day
	FROM facts f LEFT JOIN cases c ON c.id = f.case_id
	WHERE f.kind = 'callback' AND (f.value & 1) <> 0)
WHERE until_day IS NOT NULL;

-- The months, summed from the days, and the superseded callbacks by month.
INSERT INTO unit_counts
SELECT 1, CAST(strftime('%Y', period * 86400, 'unixepoch') AS INTEGER) * 12
	+ CAST(strftime('%m', period * 86400, 'unixepoch') AS INTEGER) - 1, unit,
	sum(cb_valid), sum(cb_contacted), sum(cb_solved), sum(cb_satisfied), sum(cb_basic), sum(as_valid),
	sum(as_contacted), sum(as_full_valid), sum(as_solved), sum(as_satisfied), sum(as_basic),
	sum(dispatches), sum(sign_total), sum(sign_ontime), sum(contact_total), sum(contact_ontime),
	sum(reply_total), sum(reply_ontime), sum(handling_seconds), sum(returns), sum(extensions),
	sum(reopens), sum(overdue), sum(reports), sum(reports_ontime), sum(ratings), sum(rating_sum)
FROM unit_counts WHERE grain = 0 GROUP BY 2, 3;

INSERT INTO superseded_month
SELECT CAST(strftime('%Y', day * 86400, 'unixepoch') AS INTEGER) * 12
	+ CAST(strftime('%m', day * 86400, 'unixepoch') AS INTEGER) - 1,
	CAST(strftime('%Y', until_day * 86400, 'unixepoch') AS INTEGER) * 12
	+ CAST(strftime('%m', until_day * 86400, 'unixepoch') AS INTEGER) - 1, unit,
	count(*), count(*) FILTER (WHERE (value & 2) <> 0), count(*) FILTER (WHERE (value & 4) <> 0),
	count(*) FILTER (WHERE (value >> 3) = 1), count(*) FILTER (WHERE (value >> 3) = 2),
	count(*) FILTER (WHERE scope IN ('all', 'response_only')),
	count(*) FILTER (WHERE scope IN ('all', 'response_only') AND (value & 2) <> 0),
	count(*) FILTER (WHERE scope = 'all'),
	count(*) FILTER (WHERE scope = 'all' AND (value & 4) <> 0),
	count(*) FILTER (WHERE scope = 'all' AND (value >> 3) = 1),
	count(*) FILTER (WHERE scope = 'all' AND (value >> 3) = 2)
FROM callback_superseded GROUP BY 1, 2, 3;
