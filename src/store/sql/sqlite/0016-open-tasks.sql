-- 0016-open-tasks — the cases where a unit has a task still open.
-- A unit's "whistled" tab lists the cases it was summoned to (吹哨) or
-- sent a part of (下派) whose task it has not finished. The tasks live in
-- the case row (tasks_json), so the tab read the row of every case the
-- unit was ever summoned to, 1,739 in a year for one department of
-- 朝阳区, to find the one or two still open (17 ms from the disk, more on
-- a slower day). This table holds (unit, case) for each task not finished;
-- triggers keep it in the same transaction as the row, whenever its tasks
-- are written. `jiesu verify` compares it with the tasks of every case.
CREATE TABLE open_tasks (
	unit TEXT NOT NULL,
	case_id INTEGER NOT NULL,
	PRIMARY KEY (unit, case_id)
) WITHOUT ROWID;

INSERT OR IGNORE INTO open_tasks (unit, case_id)
	SELECT json_extract(t.value, '$.unit'), c.id FROM cases c, json_each(c.tasks_json) t
	WHERE c.nwhistles + c.nsubdispatches > 0 AND json_extract(t.value, '$.finished_at') = 0;

CREATE TRIGGER open_tasks_insert AFTER INSERT ON cases
WHEN NEW.nwhistles + NEW.nsubdispatches > 0
BEGIN
	INSERT OR IGNORE INTO open_tasks (unit, case_id)
		SELECT json_extract(t.value, '$.unit'), NEW.id FROM json_each(NEW.tasks_json) t
		WHERE json_extract(t.value, '$.finished_at') = 0;
END;

CREATE TRIGGER open_tasks_update AFTER UPDATE OF tasks_json ON cases
WHEN OLD.tasks_json IS NOT NEW.tasks_json
BEGIN
	DELETE FROM open_tasks WHERE case_id = OLD.id
		AND unit IN (SELECT json_extract(t.value, '$.unit') FROM json_each(OLD.tasks_json) t);
	INSERT OR IGNORE INTO open_tasks (unit, case_id)
		SELECT json_extract(t.value, '$.unit'), NEW.id FROM json_each(NEW.tasks_json) t
		WHERE json_extract(t.value, '$.finished_at') = 0;
END;
