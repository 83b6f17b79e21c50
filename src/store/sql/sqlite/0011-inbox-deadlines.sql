-- 0011-inbox-deadlines — a unit's inbox page is chosen from one index alone.
-- The inbox lists a unit's open cases by their nearest running deadline
-- (sign, contact or feedback, by status) and can keep only the overdue
-- ones: with those columns in the index, SQLite sorts a unit's open cases
-- from the index and reads from the table only the page's rows, not every
-- open case of the unit (from the disk, when a year is larger than memory).
-- (lead_unit, status, ...) replaces (lead_unit, status), which it also serves.
DROP INDEX cases_lead_status;
CREATE INDEX cases_inbox ON cases (lead_unit, status, sign_due, contact_due, feedback_due, overdue_mask);
