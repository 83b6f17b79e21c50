-- 0014-status-counts — how many cases each unit has in the states a year
-- ends in, kept as the cases change.
-- Most of a year's cases end answered, referred, closed or merged: a
-- district supervisor's count of its closed cases (1.4 million on a year of
-- Beijing) read an index entry or a row of each, seconds from the disk,
-- while the states a case passes through hold few and are counted from
-- cases_inbox and cases_status at once. These two tables hold those counts
-- for the four final states alone:
--   lead_counts  — by lead unit (the list by unit: sum over a subtree's units);
--   scope_counts — by each unit that may see the case (its rows of case_scope:
--                  what the unit's search counts without a unit).
-- Triggers keep them in the same transaction as the row they count: a case
-- written, its status or lead changed, a unit's sight of it added or taken
-- away. Rows whose count falls to 0 stay. `jiesu verify` recounts both.
CREATE INDEX case_scope_case ON case_scope (case_id);

CREATE TABLE lead_counts (
	unit TEXT NOT NULL,
	status TEXT NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (unit, status)
) WITHOUT ROWID;

CREATE TABLE scope_counts (
	unit TEXT NOT NULL,
	status TEXT NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (unit, status)
) WITHOUT ROWID;

-- by lead unit from cases_inbox whole, in its order ("+status": not from
-- cases_status, which would read every case's row for its lead)
INSERT INTO lead_counts (unit, status, n)
	SELECT lead_unit, status, count(*) FROM cases
	WHERE +status IN ('answered', 'referred', 'closed', 'merged') GROUP BY lead_unit, status;

INSERT INTO scope_counts (unit, status, n)
	SELECT s.unit, c.status, count(*) FROM cases c JOIN case_scope s ON s.case_id = c.id
	WHERE c.status IN ('answered', 'referred', 'closed', 'merged') GROUP BY s.unit, c.status;

CREATE TRIGGER counts_case_insert AFTER INSERT ON cases
WHEN NEW.status IN ('answered', 'referred', 'closed', 'merged')
BEGIN
	INSERT INTO lead_counts (unit, status, n) VALUES (NEW.lead_unit, NEW.status, 1)
		ON CONFLICT (unit, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER counts_case_update AFTER UPDATE OF status, lead_unit ON cases
WHEN (OLD.status <> NEW.status OR OLD.lead_unit <> NEW.lead_unit)
 AND (OLD.status IN ('answered', 'referred', 'closed', 'merged')
  OR NEW.status IN ('answered', 'referred', 'closed', 'merged'))
BEGIN
	UPDATE lead_counts SET n = n - 1 WHERE unit = OLD.lead_unit AND status = OLD.status;
	INSERT INTO lead_counts (unit, status, n)
		SELECT NEW.lead_unit, NEW.status, 1 WHERE NEW.status IN ('answered', 'referred', 'closed', 'merged')
		ON CONFLICT (unit, status) DO UPDATE SET n = n + 1;
	UPDATE scope_counts SET n = n - 1
		WHERE OLD.status <> NEW.status AND status = OLD.status
		AND unit IN (SELECT s.unit FROM case_scope s WHERE s.case_id = NEW.id);
	INSERT INTO scope_counts (unit, status, n)
		SELECT s.unit, NEW.status, 1 FROM case_scope s
		WHERE s.case_id = NEW.id AND OLD.status <> NEW.status
		AND NEW.status IN ('answered', 'referred', 'closed', 'merged')
		ON CONFLICT (unit, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER counts_scope_insert AFTER INSERT ON case_scope
BEGIN
	INSERT INTO scope_counts (unit, status, n)
		SELECT NEW.unit, c.status, 1 FROM cases c
		WHERE c.id = NEW.case_id AND c.status IN ('answered', 'referred', 'closed', 'merged')
		ON CONFLICT (unit, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER counts_scope_delete AFTER DELETE ON case_scope
BEGIN
	UPDATE scope_counts SET n = n - 1
		WHERE unit = OLD.unit AND status = (SELECT c.status FROM cases c WHERE c.id = OLD.case_id);
END;
