-- 0013-cases-overdue — the cases marked overdue, in their own small index.
-- A search for overdue cases alone (a district supervisor's "超期" filter)
-- had no index that held them but cases_inbox, whole: on a year of Beijing
-- it read each of the 1.4 million cases a district may see, from the disk,
-- to keep the few in twenty that were ever overdue. This partial index
-- holds only those (about 5% of a year), newest last, so a page reads the
-- newest of them and a count reads them alone. The store writes the
-- condition as "overdue_mask <> 0" when no other filter picks the cases.
CREATE INDEX cases_overdue ON cases (id, overdue_mask) WHERE overdue_mask <> 0;
