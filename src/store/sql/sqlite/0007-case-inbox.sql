-- 0007-case-inbox — a unit's inbox (its cases in some statuses, the open
-- ones) reads its few rows from one index, however many cases the unit
-- led in the past: (lead_unit, status) replaces the index on lead_unit
-- alone, which it also serves.
DROP INDEX cases_lead_unit;
CREATE INDEX cases_lead_status ON cases (lead_unit, status);

-- The cases a unit may see are found from its links and from the cases it
-- recorded, not by testing every case.
CREATE INDEX cases_created_unit ON cases (created_unit);
