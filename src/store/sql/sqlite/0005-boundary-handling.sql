-- 0005-boundary-handling — an area drawn as a boundary of its own that no
-- unit handles (a park, an airport: NYC's Joint Interest Areas): a point
-- there is proposed to the nearest boundary that has a handling unit, for a
-- person to confirm (docs/GEO.md). 1 = the unit handles cases there.
ALTER TABLE boundaries ADD COLUMN handling INTEGER NOT NULL DEFAULT 1 CHECK (handling IN (0, 1));
