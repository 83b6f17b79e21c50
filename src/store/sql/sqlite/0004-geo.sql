-- 0004-geo — jurisdiction from the place (DOMAIN.md §10): unit boundaries
-- and the address gazetteer. Small reference tables (a distributed
-- PostgreSQL keeps them as reference tables).

CREATE TABLE boundaries (
	unit TEXT PRIMARY KEY REFERENCES units (code),
	level TEXT NOT NULL CHECK (level IN ('district', 'street', 'community')),
	crs TEXT NOT NULL CHECK (crs IN ('wgs84', 'gcj02', 'bd09')),
	geojson TEXT NOT NULL, -- the geometry (Polygon or MultiPolygon) as imported
	imported_at INTEGER NOT NULL
);
CREATE INDEX boundaries_level ON boundaries (level, unit);

CREATE TABLE gazetteer (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	unit TEXT NOT NULL REFERENCES units (code),
	kind TEXT NOT NULL CHECK (kind IN ('unit', 'alias', 'road', 'compound', 'landmark')),
	source TEXT NOT NULL DEFAULT 'import',
	UNIQUE (name, unit)
);
CREATE INDEX gazetteer_unit ON gazetteer (unit);
