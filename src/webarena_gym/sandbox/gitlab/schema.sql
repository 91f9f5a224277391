-- The gitlab database of the `gitlab` site (code hosting like WebArena's GitLab).
-- Generated from a seed by gitlab/generate.py; every tenant gets its own copy on reset().
-- Every table starts with gl_ (the samplers see all sandbox databases attached together).
-- Dates are ISO-8601 text ('2023-01-15 14:03:00'). Access levels are GitLab's numbers:
-- 10 Guest, 20 Reporter, 30 Developer, 40 Maintainer, 50 Owner.

CREATE TABLE gl_users (
    id             INTEGER PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    email          TEXT NOT NULL UNIQUE,
    password       TEXT NOT NULL,              -- plain text: demo data only
    bio            TEXT NOT NULL DEFAULT '',
    location       TEXT NOT NULL DEFAULT '',
    job_title      TEXT NOT NULL DEFAULT '',
    status_emoji   TEXT NOT NULL DEFAULT '',
    status_message TEXT NOT NULL DEFAULT '',
    is_admin       INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL
);

CREATE TABLE gl_groups (
    id          INTEGER PRIMARY KEY,
    path        TEXT NOT NULL UNIQUE,          -- the namespace in URLs: /<path>
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    visibility  TEXT NOT NULL,                 -- public, internal, private
    created_at  TEXT NOT NULL
);

CREATE TABLE gl_group_members (
    group_id     INTEGER NOT NULL REFERENCES gl_groups(id),
    user_id      INTEGER NOT NULL REFERENCES gl_users(id),
    access_level INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);

CREATE TABLE gl_projects (
    id               INTEGER PRIMARY KEY,
    namespace        TEXT NOT NULL,            -- a username or a group path
    path             TEXT NOT NULL,            -- /<namespace>/<path>
    name             TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    visibility       TEXT NOT NULL,            -- public, internal, private
    group_id         INTEGER REFERENCES gl_groups(id),   -- NULL: a user's personal project
    owner_id         INTEGER REFERENCES gl_users(id),    -- the user of a personal project
    creator_id       INTEGER NOT NULL REFERENCES gl_users(id),
    default_branch   TEXT NOT NULL DEFAULT 'main',
    forked_from_id   INTEGER REFERENCES gl_projects(id),
    created_at       TEXT NOT NULL,
    last_activity_at TEXT NOT NULL,
    UNIQUE (namespace, path)
);

CREATE TABLE gl_project_members (
    project_id   INTEGER NOT NULL REFERENCES gl_projects(id),
    user_id      INTEGER NOT NULL REFERENCES gl_users(id),
    access_level INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (project_id, user_id)
);

CREATE TABLE gl_stars (
    user_id    INTEGER NOT NULL REFERENCES gl_users(id),
    project_id INTEGER NOT NULL REFERENCES gl_projects(id),
    starred_at TEXT NOT NULL,
    PRIMARY KEY (user_id, project_id)
);
CREATE INDEX gl_stars_project ON gl_stars (project_id);

CREATE TABLE gl_files (
    project_id INTEGER NOT NULL REFERENCES gl_projects(id),
    path       TEXT NOT NULL,                  -- 'src/app/main.py' (every branch shows the same tree)
    content    TEXT NOT NULL,
    PRIMARY KEY (project_id, path)
);

CREATE TABLE gl_branches (
    project_id INTEGER NOT NULL REFERENCES gl_projects(id),
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (project_id, name)
);

CREATE TABLE gl_commits (
    id           INTEGER PRIMARY KEY,
    project_id   INTEGER NOT NULL REFERENCES gl_projects(id),
    sha          TEXT NOT NULL,                -- 40 hex digits; pages show the first 8
    branch       TEXT NOT NULL,
    author_id    INTEGER REFERENCES gl_users(id),
    author_name  TEXT NOT NULL,
    author_email TEXT NOT NULL,
    title        TEXT NOT NULL,                -- the message's first line
    message      TEXT NOT NULL,                -- the full message
    committed_at TEXT NOT NULL
);
CREATE INDEX gl_commits_project ON gl_commits (project_id, branch, committed_at);

CREATE TABLE gl_labels (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES gl_projects(id),
    name        TEXT NOT NULL,
    color       TEXT NOT NULL,                 -- '#d9534f'
    description TEXT NOT NULL DEFAULT '',
    UNIQUE (project_id, name)
);

CREATE TABLE gl_milestones (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES gl_projects(id),
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    due_date    TEXT,                          -- '2023-03-31'
    state       TEXT NOT NULL,                 -- active, closed
    UNIQUE (project_id, title)
);

CREATE TABLE gl_issues (
    id           INTEGER PRIMARY KEY,
    project_id   INTEGER NOT NULL REFERENCES gl_projects(id),
    iid          INTEGER NOT NULL,             -- #N inside the project
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    author_id    INTEGER NOT NULL REFERENCES gl_users(id),
    state        TEXT NOT NULL,                -- opened, closed
    milestone_id INTEGER REFERENCES gl_milestones(id),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    closed_at    TEXT,
    UNIQUE (project_id, iid)
);

CREATE TABLE gl_issue_labels (
    issue_id INTEGER NOT NULL REFERENCES gl_issues(id),
    label_id INTEGER NOT NULL REFERENCES gl_labels(id),
    PRIMARY KEY (issue_id, label_id)
);

CREATE TABLE gl_issue_assignees (
    issue_id INTEGER NOT NULL REFERENCES gl_issues(id),
    user_id  INTEGER NOT NULL REFERENCES gl_users(id),
    PRIMARY KEY (issue_id, user_id)
);

CREATE TABLE gl_merge_requests (
    id            INTEGER PRIMARY KEY,
    project_id    INTEGER NOT NULL REFERENCES gl_projects(id),
    iid           INTEGER NOT NULL,            -- !N inside the project
    title         TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    author_id     INTEGER NOT NULL REFERENCES gl_users(id),
    source_branch TEXT NOT NULL,
    target_branch TEXT NOT NULL,
    state         TEXT NOT NULL,               -- opened, merged, closed
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    merged_at     TEXT,
    closed_at     TEXT,
    UNIQUE (project_id, iid)
);

CREATE TABLE gl_mr_labels (
    mr_id    INTEGER NOT NULL REFERENCES gl_merge_requests(id),
    label_id INTEGER NOT NULL REFERENCES gl_labels(id),
    PRIMARY KEY (mr_id, label_id)
);

CREATE TABLE gl_mr_assignees (
    mr_id   INTEGER NOT NULL REFERENCES gl_merge_requests(id),
    user_id INTEGER NOT NULL REFERENCES gl_users(id),
    PRIMARY KEY (mr_id, user_id)
);

CREATE TABLE gl_mr_reviewers (
    mr_id   INTEGER NOT NULL REFERENCES gl_merge_requests(id),
    user_id INTEGER NOT NULL REFERENCES gl_users(id),
    PRIMARY KEY (mr_id, user_id)
);

-- Comments and system notes ("closed", "assigned to @x") on issues and merge requests.
CREATE TABLE gl_notes (
    id            INTEGER PRIMARY KEY,
    noteable_type TEXT NOT NULL,               -- issue, merge_request
    noteable_id   INTEGER NOT NULL,
    author_id     INTEGER NOT NULL REFERENCES gl_users(id),
    body          TEXT NOT NULL,
    system        INTEGER NOT NULL DEFAULT 0,  -- 1: an activity line, not a comment
    created_at    TEXT NOT NULL
);
CREATE INDEX gl_notes_noteable ON gl_notes (noteable_type, noteable_id);
