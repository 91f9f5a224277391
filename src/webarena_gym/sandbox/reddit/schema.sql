-- The forum database of the `reddit` site (a Postmill-like forum). Generated from a seed by
-- reddit/generate.py; every tenant gets its own copy (SQLite backup API) on reset().
-- Dates are ISO-8601 text ('2023-01-15 14:03:00'). Table names are plain (users, posts, ...):
-- they are unique across the sandbox's databases, which samplers see attached together.

CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    username    TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password    TEXT NOT NULL,                    -- plain text: demo data only
    bio         TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);

CREATE TABLE forums (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,  -- the URL name: /f/<name>
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE subscriptions (
    user_id     INTEGER NOT NULL REFERENCES users(id),
    forum_id    INTEGER NOT NULL REFERENCES forums(id),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, forum_id)
);
CREATE INDEX subscriptions_forum ON subscriptions(forum_id);

-- A submission: a text post (body), a link post (url, optional body), never neither.
-- upvotes / downvotes / hot cache what post_votes hold (reddit/rules.py keeps them in step).
CREATE TABLE posts (
    id          INTEGER PRIMARY KEY,
    forum_id    INTEGER NOT NULL REFERENCES forums(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    title       TEXT NOT NULL,
    url         TEXT,
    body        TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    edited_at   TEXT,
    upvotes     INTEGER NOT NULL DEFAULT 0,
    downvotes   INTEGER NOT NULL DEFAULT 0,
    hot         REAL NOT NULL DEFAULT 0
);
CREATE INDEX posts_forum ON posts(forum_id, created_at);
CREATE INDEX posts_user ON posts(user_id, created_at);

-- Threaded comments: parent_id NULL for a top-level comment. A deleted comment that has replies
-- stays as "[deleted]" (deleted = 1) so the thread below it holds together.
CREATE TABLE comments (
    id          INTEGER PRIMARY KEY,
    post_id     INTEGER NOT NULL REFERENCES posts(id),
    parent_id   INTEGER REFERENCES comments(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    edited_at   TEXT,
    deleted     INTEGER NOT NULL DEFAULT 0,
    upvotes     INTEGER NOT NULL DEFAULT 0,
    downvotes   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX comments_post ON comments(post_id);
CREATE INDEX comments_user ON comments(user_id, created_at);
CREATE INDEX comments_parent ON comments(parent_id);

CREATE TABLE post_votes (
    user_id     INTEGER NOT NULL REFERENCES users(id),
    post_id     INTEGER NOT NULL REFERENCES posts(id),
    value       INTEGER NOT NULL CHECK (value IN (-1, 1)),
    PRIMARY KEY (user_id, post_id)
) WITHOUT ROWID;

CREATE TABLE comment_votes (
    user_id     INTEGER NOT NULL REFERENCES users(id),
    comment_id  INTEGER NOT NULL REFERENCES comments(id),
    value       INTEGER NOT NULL CHECK (value IN (-1, 1)),
    PRIMARY KEY (user_id, comment_id)
) WITHOUT ROWID;
