-- The gitlab database of the gitlab site. Skeleton: being built for issue 6.
CREATE TABLE gitlab_meta (key TEXT PRIMARY KEY, value TEXT);
