-- 0018-lead-days — how many cases each unit leads, by the local day they
-- were recorded, kept as cases are written and their lead changes.
-- A district's or a street's list within dates ("this month", by lead
-- unit) counted its matches by reading every case recorded in the city in
-- those days and testing its lead: 1.7 million for a month of Beijing.
-- With this table the count is the sum of the whole days between the
-- dates over the subtree's units (a row per unit and day), and only the
-- part of a day at either end is counted from the cases, as scope_days
-- (0017) does for what a unit may see. Triggers keep it in the same
-- transaction as the case row (cases are never deleted). Rows whose count
-- falls to 0 stay; cases not yet placed are counted under the unit ''.
-- `jiesu verify` recounts it. The day is Beijing's (UTC+8):
-- (created_at + 28800) / 86400.
-- A page of such a list read the row of every case the subtree ever led,
-- for its time, and sorted them (SQLite took cases_inbox by lead unit):
-- 1.4 million rows for a district. An index by lead unit and time lets a
-- page read the index entries within the dates alone (and the count's
-- parts of a day at either end the same way); the table is filled from
-- it, in its order.
CREATE INDEX cases_lead_created ON cases (lead_unit, created_at);

CREATE TABLE lead_days (
	unit TEXT NOT NULL,
	day INTEGER NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (unit, day)
) WITHOUT ROWID;

INSERT INTO lead_days (unit, day, n)
	SELECT lead_unit, (created_at + 28800) / 86400, count(*) FROM cases INDEXED BY cases_lead_created
	GROUP BY lead_unit, (created_at + 28800) / 86400;

CREATE TRIGGER lead_days_insert AFTER INSERT ON cases
BEGIN
	INSERT INTO lead_days (unit, day, n) VALUES (NEW.lead_unit, (NEW.created_at + 28800) / 86400, 1)
		ON CONFLICT (unit, day) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER lead_days_update AFTER UPDATE OF lead_unit, created_at ON cases
WHEN OLD.lead_unit <> NEW.lead_unit OR OLD.created_at <> NEW.created_at
BEGIN
	UPDATE lead_days SET n = n - 1 WHERE unit = OLD.lead_unit AND day = (OLD.created_at + 28800) / 86400;
	INSERT INTO lead_days (unit, day, n) VALUES (NEW.lead_unit, (NEW.created_at + 28800) / 86400, 1)
		ON CONFLICT (unit, day) DO UPDATE SET n = n + 1;
END;
