-- 0015-overdue-by-lead — the overdue cases of a lead unit, from a small index.
-- A supervisor's page counts its district's overdue cases by lead unit:
-- cases_inbox holds the overdue mask, but with every case of each unit
-- (1.4 million for a district of Beijing, 2 s from the disk) when one in
-- thirteen was ever overdue. This partial index holds only those, by lead
-- unit; cases_overdue (0013) serves the lists by sight, newest first. The
-- store writes "overdue_mask <> 0" when no filter but a lead unit picks
-- the cases; a unit's inbox tab (lead unit and states) keeps cases_inbox.
CREATE INDEX cases_overdue_lead ON cases (lead_unit, id, overdue_mask) WHERE overdue_mask <> 0;
