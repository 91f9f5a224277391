-- The forum database of the reddit site. Skeleton: being built for issue 6.
CREATE TABLE forum_meta (key TEXT PRIMARY KEY, value TEXT);
