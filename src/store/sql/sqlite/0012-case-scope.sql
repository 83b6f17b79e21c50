-- 0012-case-scope — the cases each unit may see, kept as rows.
-- A unit sees a case linked to a unit of its subtree (lead, copy, summoned,
-- former lead) or recorded by one. Found from the links at each request,
-- a district's list tested every case linked within it (1.4 million on a
-- year of Beijing) before it could show 20. case_scope holds one row for
-- each case and each unit that may see it: every unit on the path of each
-- linked unit and of the unit that recorded it, but the centre (which sees
-- everything). The store writes a case's rows with its links; a move of a
-- unit rewrites the rows of its cases. Filled here by the migration's C
-- step (scope_derive), from every case's links, the same SQL the store uses.
CREATE TABLE case_scope (
	unit TEXT NOT NULL,
	case_id INTEGER NOT NULL,
	PRIMARY KEY (unit, case_id)
) WITHOUT ROWID;
