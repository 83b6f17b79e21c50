-- After a dispute (退单) the centre re-dispatches the case to another unit:
-- per tier, the feedback deadline restarts from the re-dispatch or is kept.
ALTER TABLE tier_rules ADD COLUMN redispatch TEXT NOT NULL DEFAULT 'restart'
	CHECK (redispatch IN ('restart', 'keep'));
