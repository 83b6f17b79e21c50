-- 0008-units-version — a counter that every change to the unit tree
-- raises (triggers), so each connection may keep the units it read and
-- check one number, not every unit, to know they are still current
-- (store_refresh).
CREATE TABLE units_version (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	v INTEGER NOT NULL
);
INSERT INTO units_version VALUES (1, 0);
CREATE TRIGGER units_version_insert AFTER INSERT ON units BEGIN UPDATE units_version SET v = v + 1; END;
CREATE TRIGGER units_version_update AFTER UPDATE ON units BEGIN UPDATE units_version SET v = v + 1; END;
CREATE TRIGGER units_version_delete AFTER DELETE ON units BEGIN UPDATE units_version SET v = v + 1; END;
