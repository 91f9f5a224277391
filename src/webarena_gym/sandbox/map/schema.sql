-- The map database of the map site. Skeleton: being built for issue 6.
CREATE TABLE map_meta (key TEXT PRIMARY KEY, value TEXT);
