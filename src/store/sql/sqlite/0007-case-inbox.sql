-- 0007-case-inbox — a unit's inbox (its cases in some statuses, the open
-- ones) reads its few rows from one index, however many cases the unit
-- led in the past: (lead_unit, status) replaces the index on lead_unit
-- alone, which it also serves.
DROP INDEX cases_lead_unit;
CREATE INDEX cases_lead_status ON cases (lead_unit, status);

-- The cases a unit may see are found from its links and from the cases it
-- recorded, not by testing every case.
CREATE INDEX cases_created_unit ON cases (created_unit);

-- A unit's whistle and sub-dispatch tasks are found from its 'summoned'
-- links (or 'copy', which a link keeps when its unit was copied first),
-- not from every case it ever led: (unit, rel, case_id) replaces
-- (unit, case_id), which it also serves.
DROP INDEX case_units_unit;
CREATE INDEX case_units_unit_rel ON case_units (unit, rel, case_id);
