"""Generate the ``forum`` database (users, forums, posts, comment threads, votes) from a seed.

:func:`generate_forum` fills a connection on which ``reddit/schema.sql`` has been run. The same
seed always gives the same rows (one ``random.Random(seed)``, no clock, no set iteration). The
product forums (deals, gadgets, headphones, ...) talk about the store's real products, read
from the store generated with the same seed, so a forum post and a product page can be linked.
The default account (MarvelsGrantMan136) always exists with posts, comments, subscriptions and
votes of its own.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import datetime, timedelta
from itertools import accumulate

from webarena_gym.sandbox.reddit import vocab
from webarena_gym.sandbox.reddit.rules import DATE_FORMAT, FORUM_NOW, hot_rank

#: bump when the generated data changes for a given seed (tasks' fixed splits depend on it)
GENERATOR_VERSION = "forum-1"

DEFAULT_USERNAME = "MarvelsGrantMan136"
DEFAULT_PASSWORD = "test1234"
DEFAULT_BIO = "Pittsburgh native. Comic books, sci-fi novels and too much coffee."
#: forums the default account subscribes to, and forums it has posted in
DEFAULT_SUBSCRIPTIONS = ("books", "movies", "gaming", "technology", "personalfinance",
                         "pittsburgh", "deals", "Coffee", "space")
DEFAULT_POST_FORUMS = ("books", "movies", "gaming", "technology", "personalfinance",
                       "pittsburgh", "deals", "DIY", "Coffee", "space", "books", "gaming")
N_USERS = 320
POSTS_PER_WEIGHT = 72
FIRST_POST_AT = datetime(2021, 1, 1)
LAST_POST_AT = datetime(2023, 5, 28, 23, 0)
_NOW = datetime.strptime(FORUM_NOW, DATE_FORMAT)


def _ts(dt: datetime) -> str:
    return dt.strftime(DATE_FORMAT)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + timedelta(seconds=rng.randrange(max(1, int((end - start).total_seconds()))))


def _store_products(seed: int) -> dict[str, list[tuple[str, str, float]]]:
    """The store's enabled products by category name: (name, url_key, selling price)."""
    from webarena_gym.sandbox.db import template_connection

    store = template_connection("store", seed)
    try:
        rows = store.execute(
            "SELECT c.name AS category, p.name, p.url_key, CASE WHEN p.special_price IS NOT NULL "
            "AND p.special_price < p.price THEN p.special_price ELSE p.price END AS price "
            "FROM products p JOIN categories c ON c.id = p.category_id WHERE p.status = 1 "
            "ORDER BY p.id").fetchall()
    finally:
        store.close()
    by_category: dict[str, list[tuple[str, str, float]]] = {}
    for r in rows:
        by_category.setdefault(r["category"], []).append((r["name"], r["url_key"], r["price"]))
    return by_category


def _usernames(rng: random.Random, n: int) -> list[str]:
    from webarena_gym.sandbox.store import vocab as people

    names = [DEFAULT_USERNAME]
    seen = {DEFAULT_USERNAME.lower()}
    firsts = people.FIRST_NAMES_F + people.FIRST_NAMES_M
    while len(names) < n:
        pattern = rng.randrange(6)
        if pattern == 0:
            name = f"{rng.choice(vocab.USER_ADJECTIVES)}{rng.choice(vocab.USER_NOUNS)}{rng.randint(1, 999)}"
        elif pattern == 1:
            name = f"{rng.choice(firsts).lower()}_{rng.choice(vocab.USER_HOBBIES)}"
        elif pattern == 2:
            name = f"{rng.choice(vocab.USER_NOUNS).lower()}_{rng.choice(vocab.USER_NOUNS).lower()}"
        elif pattern == 3:
            name = f"{rng.choice(firsts)}{rng.choice(people.LAST_NAMES)}{rng.randint(70, 99)}"
        elif pattern == 4:
            name = f"throwaway_{rng.randint(1000, 99999)}"
        else:
            name = f"{rng.choice(vocab.USER_ADJECTIVES)}_{rng.choice(vocab.USER_NOUNS)}"
        if name.lower() not in seen:
            seen.add(name.lower())
            names.append(name)
    return names


def _users(conn: sqlite3.Connection, rng: random.Random) -> list[int]:
    rows = []
    for i, name in enumerate(_usernames(rng, N_USERS), start=1):
        if name == DEFAULT_USERNAME:
            bio, password = DEFAULT_BIO, DEFAULT_PASSWORD
            created = datetime(2019, 3, 14, 20, 11, 5)
        else:
            bio = ""
            if rng.random() < 0.7:
                bio = rng.choice(vocab.BIO_TEMPLATES).format(
                    city=rng.choice(vocab.BIO_CITIES), topic=rng.choice(vocab.BIO_TOPICS),
                    forum=rng.choice(vocab.FORUMS).name)
            password = f"{name.lower()[:6]}{rng.randint(1000, 9999)}"
            created = _between(rng, datetime(2016, 1, 1), datetime(2022, 6, 30))
        rows.append((i, name, password, bio, _ts(created)))
    conn.executemany("INSERT INTO users VALUES (?,?,?,?,?)", rows)
    return [r[0] for r in rows]


def _forums(conn: sqlite3.Connection, rng: random.Random) -> dict[str, int]:
    rows = []
    for i, spec in enumerate(vocab.FORUMS, start=1):
        created = _between(rng, datetime(2015, 6, 1), datetime(2019, 12, 31))
        rows.append((i, spec.name, spec.title, spec.description, _ts(created)))
    conn.executemany("INSERT INTO forums VALUES (?,?,?,?,?)", rows)
    return {spec.name: i for i, spec in enumerate(vocab.FORUMS, start=1)}


def _subscriptions(conn: sqlite3.Connection, rng: random.Random, users: list[int],
                   forums: dict[str, int]) -> dict[int, list[int]]:
    """Insert subscriptions; return each forum's subscribers."""
    specs = list(vocab.FORUMS)
    weights = [s.weight * rng.uniform(0.6, 1.4) for s in specs]
    rows, members = [], {fid: [] for fid in forums.values()}
    for uid in users:
        if uid == 1:
            chosen = [forums[name] for name in DEFAULT_SUBSCRIPTIONS]
        else:
            k = rng.randint(2, 11)
            chosen = []
            while len(chosen) < k:
                fid = forums[rng.choices(specs, weights)[0].name]
                if fid not in chosen:
                    chosen.append(fid)
        for fid in chosen:
            rows.append((uid, fid, _ts(_between(rng, datetime(2019, 1, 1), datetime(2023, 5, 1)))))
            members[fid].append(uid)
    conn.executemany("INSERT INTO subscriptions VALUES (?,?,?)", rows)
    return members


def _subjects(spec: vocab.ForumSpec, products: dict[str, list[tuple[str, str, float]]]
              ) -> list[tuple[str, str | None, float | None]]:
    """A forum's subjects: (text, store url_key or None, price or None)."""
    if not spec.products:
        return [(s, None, None) for s in spec.subjects]
    categories = list(products) if spec.products == ("*",) else list(spec.products)
    return [p for c in categories for p in products.get(c, [])]


def _link(rng: random.Random, spec: vocab.ForumSpec, title: str, when: datetime,
          url_key: str | None) -> str:
    if url_key is not None:
        return f"__SHOPPING__/{url_key}.html"  # rendered with the shop's URL by the site
    words = [w for w in "".join(c if c.isalnum() else " " for c in title.lower()).split()][:6]
    slug = "-".join(words + [rng.choice(vocab.LINK_SLUG_WORDS)])
    return f"https://{rng.choice(spec.domains)}/{when.year}/{when.month:02d}/{slug}"


_STEPS = (3, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79)


def _votes(rng: random.Random, n_users: int, author: int, up: int,
           down: int) -> list[tuple[int, int]]:
    """``up`` upvotes and ``down`` downvotes from distinct users (ids 1..n_users) other than the
    author: a random walk with a step coprime to the number of users (two draws per item; who
    voted what is only ever shown for the signed-in user)."""
    start, step = rng.randrange(n_users), rng.choice(_STEPS)
    k = min(up + down, n_users - 1)
    voters = [(start + i * step) % n_users + 1 for i in range(k + 1)]
    voters = [v for v in voters if v != author][:k]
    return [(v, 1 if i < up else -1) for i, v in enumerate(voters)]


def _tally(votes: list[tuple[int, int, int]]) -> dict[int, list[int]]:
    """Item id -> [upvotes, downvotes] of ``(user, item, value)`` votes."""
    counts: dict[int, list[int]] = {}
    for _user, item, value in votes:
        counts.setdefault(item, [0, 0])[value < 0] += 1
    return counts


def _posts(conn: sqlite3.Connection, rng: random.Random, users: list[int],
           forums: dict[str, int], members: dict[int, list[int]],
           products: dict[str, list[tuple[str, str, float]]]) -> list[dict]:
    activity = {uid: rng.paretovariate(1.9) for uid in users}
    all_weights = list(accumulate(activity[u] for u in users))
    titles: set[str] = set()
    posts: list[dict] = []
    for spec in vocab.FORUMS:
        fid = forums[spec.name]
        subjects = _subjects(spec, products)
        combos = len(subjects) * len(spec.titles)
        n = min(int(spec.weight * POSTS_PER_WEIGHT * rng.uniform(0.8, 1.2)), int(combos * 0.8))
        pool = members[fid] or users
        pool_weights = list(accumulate(activity[u] for u in pool))
        for _ in range(n):
            for _attempt in range(20):
                subject, url_key, price = rng.choice(subjects)
                title = _sentence(rng.choice(spec.titles), subject)
                if title.lower() not in titles and len(title) <= 140:
                    break
            else:
                continue
            titles.add(title.lower())
            if rng.random() < 0.85:
                author = rng.choices(pool, cum_weights=pool_weights)[0]
            else:
                author = rng.choices(users, cum_weights=all_weights)[0]
            when = _between(rng, FIRST_POST_AT, LAST_POST_AT)
            is_link = rng.random() < spec.link_share and (url_key is not None or spec.domains)
            sentences = rng.sample(spec.bodies, min(len(spec.bodies), rng.randint(1, 3)))
            if rng.random() < 0.3:
                sentences.append(rng.choice(vocab.GENERIC_BODIES))
            if price is not None:
                sentences.insert(0, f"The {subject} is ${price:,.2f} at One Stop Market right now.")
            body = " ".join(_sentence(s, subject) for s in sentences)
            if is_link and rng.random() < 0.6:
                body = ""
            quality = rng.lognormvariate(2.4, 1.1)
            up = min(len(users) - 2, int(quality))
            down = int(up * rng.uniform(0.0, 0.35)) + (rng.random() < 0.1) * rng.randint(1, 8)
            posts.append({
                "forum_id": fid, "forum": spec, "subject": subject, "author": author,
                "title": title, "url": _link(rng, spec, title, when, url_key) if is_link else None,
                "body": body, "created": when, "up": up, "down": down,
                "edited": _ts(when + timedelta(minutes=rng.randint(5, 600)))
                if rng.random() < 0.05 else None,
            })
    posts.sort(key=lambda p: p["created"])
    # The default account's own posts: some of the others' posts in its forums become its own.
    taken = set()
    for name in DEFAULT_POST_FORUMS:
        candidates = [i for i, p in enumerate(posts)
                      if p["forum"].name == name and i not in taken and p["author"] != 1]
        pick = rng.choice(candidates[len(candidates) // 3:])
        taken.add(pick)
        posts[pick]["author"] = 1
    for i, p in enumerate(posts, start=1):
        p["id"] = i
    votes = [(uid, p["id"], value) for p in posts
             for uid, value in _votes(rng, len(users), p["author"], p["up"], p["down"])]
    counts = _tally(votes)
    rows = []
    for p in posts:
        up, down = counts.get(p["id"], (0, 0))
        created = _ts(p["created"])
        rows.append((p["id"], p["forum_id"], p["author"], p["title"], p["url"], p["body"],
                     created, p["edited"], up, down, hot_rank(up - down, created)))
    conn.executemany(
        "INSERT INTO posts (id, forum_id, user_id, title, url, body, created_at, edited_at, "
        "upvotes, downvotes, hot) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
    conn.executemany("INSERT INTO post_votes VALUES (?,?,?)", votes)
    return posts


def _sentence(template: str, subject: str) -> str:
    """A template filled with the subject, starting with a capital letter."""
    text = template.format(s=subject)
    return text[:1].upper() + text[1:]


def _comment_text(rng: random.Random, spec: vocab.ForumSpec, subject: str, reply: bool) -> str:
    parts = []
    if reply and rng.random() < 0.35:
        parts.append(rng.choice(vocab.REPLY_OPENERS))
    pool = spec.comments if rng.random() < 0.6 else vocab.GENERIC_COMMENTS
    parts.append(rng.choice(pool))
    if rng.random() < 0.3:
        extra = rng.choice(vocab.GENERIC_COMMENTS if pool is spec.comments else spec.comments)
        if extra not in parts:
            parts.append(extra)
    return " ".join(_sentence(part, subject) for part in parts)


def _comments(conn: sqlite3.Connection, rng: random.Random, users: list[int],
              posts: list[dict]) -> None:
    activity = list(accumulate(rng.paretovariate(2.0) for _ in users))
    rows: list[tuple] = []
    votes: list[tuple[int, int, int]] = []
    for p in posts:
        n = int(rng.expovariate(1 / (3.5 + min(p["up"], 200) / 10)))
        n = min(n, 70)
        thread: list[tuple[int, int, datetime]] = []  # (id, author, created)
        for _ in range(n):
            author = rng.choices(users, cum_weights=activity)[0]
            parent = None
            start = p["created"]
            if thread and rng.random() < 0.45:
                parent_id, parent_author, parent_at = rng.choice(thread)
                if parent_author != author:
                    parent, start = parent_id, parent_at
            end = min(_NOW - timedelta(hours=2), start + timedelta(days=rng.choice((1, 2, 4, 9))))
            when = _between(rng, start + timedelta(minutes=2), end)
            cid = len(rows) + 1
            text = _comment_text(rng, p["forum"], p["subject"], parent is not None)
            edited = _ts(when + timedelta(minutes=rng.randint(2, 90))) if rng.random() < 0.04 else None
            rows.append([cid, p["id"], parent, author, text, when, edited, 0])
            thread.append((cid, author, when))
            up = int(rng.expovariate(1 / 4.0))
            down = int(rng.expovariate(1 / 1.2)) + (rng.random() < 0.08) * rng.randint(2, 9)
            for uid, value in _votes(rng, len(users), author, up, down):
                votes.append((uid, cid, value))
    # Replies and dates were drawn in thread order; ids follow creation time, as a site's would.
    rows.sort(key=lambda r: (r[5], r[0]))
    new_id = {r[0]: i for i, r in enumerate(rows, start=1)}
    for r in rows:
        r[0] = new_id[r[0]]
        r[2] = new_id[r[2]] if r[2] is not None else None
    votes = [(u, new_id[c], v) for u, c, v in votes]
    _give_default_comments(rng, rows)
    with_replies = {r[2] for r in rows if r[2] is not None}
    for r in rows:  # a few deleted comments whose replies keep them in the thread
        if r[0] in with_replies and r[3] != 1 and rng.random() < 0.01:
            r[4], r[7] = "[deleted]", 1
    owners = {r[0]: r[3] for r in rows}
    votes = [v for v in votes if owners[v[1]] != v[0]]  # nobody votes on their own comment
    counts = _tally(votes)
    conn.executemany("INSERT INTO comments (id, post_id, parent_id, user_id, body, created_at, "
                     "edited_at, deleted, upvotes, downvotes) VALUES (?,?,?,?,?,?,?,?,?,?)",
                     [(*r[:5], _ts(r[5]), *r[6:], *counts.get(r[0], (0, 0))) for r in rows])
    conn.executemany("INSERT INTO comment_votes VALUES (?,?,?)", votes)


def _give_default_comments(rng: random.Random, rows: list[list]) -> None:
    """About 35 comments on others' posts become the default user's (never a reply to itself)."""
    by_id = {r[0]: r for r in rows}
    children: dict[int, list[list]] = {}
    for r in rows:
        if r[2] is not None:
            children.setdefault(r[2], []).append(r)
    candidates = [r for r in rows if r[3] != 1 and r[5] > datetime(2022, 1, 1)]
    for r in rng.sample(candidates, 35):
        parent = by_id.get(r[2]) if r[2] is not None else None
        if (parent is not None and parent[3] == 1) or any(c[3] == 1 for c in children.get(r[0], [])):
            continue
        r[3] = 1


def generate_forum(conn: sqlite3.Connection, seed: int) -> None:
    """Fill an empty ``forum`` database (``schema.sql`` applied) with the data of ``seed``.

    Deterministic: the same seed gives the same rows. Commits when done.
    """
    rng = random.Random(f"forum/{seed}")
    products = _store_products(seed)
    users = _users(conn, rng)
    forums = _forums(conn, rng)
    members = _subscriptions(conn, rng, users, forums)
    posts = _posts(conn, rng, users, forums, members, products)
    _comments(conn, rng, users, posts)
    conn.commit()


def default_user_id(conn: sqlite3.Connection) -> int:
    """The id of the default account (MarvelsGrantMan136) in a generated forum."""
    return conn.execute("SELECT id FROM users WHERE username = ?",
                        (DEFAULT_USERNAME,)).fetchone()[0]
