-- 0017-scope-days — how many cases each unit may see, by the local day they
-- were recorded, kept as the sight changes.
-- A district supervisor's search within dates ("since 1 December") counted
-- its matches by looking each case recorded in the city since then up in
-- the district's rows of case_scope: 2.1 million on a year of Beijing,
-- 2.6 s. With this table a count within dates is the sum of the whole days
-- between them (a row per unit and day), and only the part of a day at
-- either end is counted from the cases. Triggers keep it in the same
-- transaction as case_scope (and as a case's time of recording, which no
-- action changes). Rows whose count falls to 0 stay. `jiesu verify`
-- recounts it. The day is Beijing's (UTC+8): (created_at + 28800) / 86400.
-- The cases are read in their order, each one's units through
-- case_scope_case (CROSS JOIN): the other way round, by unit, would read
-- the file once over for each unit.
CREATE TABLE scope_days (
	unit TEXT NOT NULL,
	day INTEGER NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (unit, day)
) WITHOUT ROWID;

INSERT INTO scope_days (unit, day, n)
	SELECT s.unit, (c.created_at + 28800) / 86400, count(*) FROM cases c CROSS JOIN case_scope s ON s.case_id = c.id
	GROUP BY s.unit, (c.created_at + 28800) / 86400;

CREATE TRIGGER scope_days_insert AFTER INSERT ON case_scope
BEGIN
	INSERT INTO scope_days (unit, day, n)
		SELECT NEW.unit, (c.created_at + 28800) / 86400, 1 FROM cases c WHERE c.id = NEW.case_id
		ON CONFLICT (unit, day) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER scope_days_delete AFTER DELETE ON case_scope
BEGIN
	UPDATE scope_days SET n = n - 1
		WHERE unit = OLD.unit AND day = (SELECT (c.created_at + 28800) / 86400 FROM cases c WHERE c.id = OLD.case_id);
END;

CREATE TRIGGER scope_days_moved AFTER UPDATE OF created_at ON cases
WHEN OLD.created_at <> NEW.created_at
BEGIN
	UPDATE scope_days SET n = n - 1
		WHERE day = (OLD.created_at + 28800) / 86400 AND unit IN (SELECT s.unit FROM case_scope s WHERE s.case_id = NEW.id);
	INSERT INTO scope_days (unit, day, n)
		SELECT s.unit, (NEW.created_at + 28800) / 86400, 1 FROM case_scope s WHERE s.case_id = NEW.id
		ON CONFLICT (unit, day) DO UPDATE SET n = n + 1;
END;
