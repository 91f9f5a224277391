"""Generate the ``gitlab`` database (users, groups, projects, repositories, issues, merge
requests, stars and forks) from a seed.

:func:`generate_gitlab` fills a connection on which ``gitlab/schema.sql`` has been run. The same
seed always gives the same rows (one seeded RNG, no clock, no set iteration). The default user
(``byteblaze``) always exists: it owns several projects, belongs to a few groups with different
roles, and is a direct member of other projects, so that signed-in tasks have work to do. The
shop's engineering group (``onestopmarket/storefront``) files issues about the store's real
products and orders, read from the store database of the same seed.
"""

from __future__ import annotations

import hashlib
import random
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from webarena_gym.sandbox.gitlab import repos, vocab
from webarena_gym.sandbox.gitlab.queries import DATE_FORMAT, DEVELOPER, MAINTAINER, OWNER, slugify

#: bump when the generated data changes for a given seed (tasks' fixed splits depend on it)
GENERATOR_VERSION = "gitlab-1"

N_USERS = 100
FIRST_DAY = datetime(2019, 3, 1)
FIRST_ISSUE_DAY = datetime(2021, 1, 4)  # issues and merge requests are from 2021-2023
LAST_ACTIVITY = datetime(2023, 5, 31, 18, 0)

# byteblaze's groups and direct memberships (group path / project path -> role)
DEFAULT_USER_GROUPS = {"a11y-guild": OWNER, "onestopmarket": MAINTAINER, "pixelwerk": DEVELOPER,
                       "toolsmiths": 20}
DEFAULT_USER_PROJECTS = {("openroute", "route-planner"): MAINTAINER,
                         ("datawise", "dashboards"): DEVELOPER,
                         ("greenleaf", "plant-tracker"): DEVELOPER,
                         ("gamejam", "sprite-editor"): MAINTAINER,
                         ("docs-collective", "api-style-guide"): 20}

_ROLE_WEIGHTS = ((10, 1), (20, 2), (30, 5), (40, 2))


def _ts(dt: datetime) -> str:
    return dt.isoformat(" ")  # DATE_FORMAT, faster (times are whole seconds)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    if end <= start:
        return start
    return start + timedelta(seconds=int(rng.random() * (end - start).total_seconds()))


def _sha(rng: random.Random) -> str:
    return hashlib.sha1(rng.getrandbits(64).to_bytes(8, "big")).hexdigest()


@dataclass
class _Project:
    id: int
    namespace: str
    path: str
    name: str
    description: str
    kind: str
    popularity: int
    visibility: str
    created: datetime
    group_id: int | None
    owner_id: int | None
    creator_id: int
    default_branch: str = "main"
    forked_from: _Project | None = None
    members: dict[int, int] = field(default_factory=dict)  # effective roles, direct + group
    direct: dict[int, int] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    last_activity: datetime | None = None
    labels: dict[str, int] = field(default_factory=dict)
    milestones: list[tuple[int, str]] = field(default_factory=list)
    branches: dict[str, datetime] = field(default_factory=dict)

    def developers(self) -> list[int]:
        return [u for u, level in sorted(self.members.items()) if level >= DEVELOPER]

    def touch(self, when: datetime) -> None:
        if self.last_activity is None or when > self.last_activity:
            self.last_activity = when


class _Generator:
    """The generator's state: the RNG, the connection and the rows made so far."""

    def __init__(self, conn: sqlite3.Connection, seed: int) -> None:
        self.conn = conn
        self.seed = seed
        self.rng = random.Random(f"gitlab/{seed}")
        self.users: list[tuple] = []  # (id, username, name, email, created)
        self.groups: dict[str, tuple[int, dict[int, int], datetime]] = {}
        self.projects: list[_Project] = []
        self.note_rows: list[tuple] = []
        self.commit_rows: list[tuple] = []

    # -- people ---------------------------------------------------------------------------
    def make_users(self) -> None:
        rng = self.rng
        rows = [(1, vocab.DEFAULT_USERNAME, vocab.DEFAULT_NAME, "byteblaze@example.com",
                 vocab.DEFAULT_PASSWORD, "Developer advocate. I make small tools and write "
                 "about accessible web development.", "Pittsburgh, PA", "Full-stack Developer",
                 "", "", 0, _ts(datetime(2019, 4, 2, 10, 12)))]
        names: set[tuple[str, str]] = set()
        usernames = {vocab.DEFAULT_USERNAME}
        handles = list(vocab.HANDLES)
        rng.shuffle(handles)
        domains = ("gmail.com", "proton.me", "outlook.com", "example.org", "fastmail.com")
        while len(rows) < N_USERS:
            first, last = rng.choice(vocab.FIRST_NAMES), rng.choice(vocab.LAST_NAMES)
            if (first, last) in names:
                continue
            names.add((first, last))
            plain = last.lower().replace(" ", "")
            style = rng.random()
            if style < 0.15 and handles:
                username = handles.pop()
            elif style < 0.4:
                username = f"{first.lower()}.{plain}"
            elif style < 0.6:
                username = f"{first[0].lower()}{plain}"
            elif style < 0.8:
                username = f"{first.lower()}{plain}"
            else:
                username = f"{first.lower()}{rng.randint(1, 99)}"
            if username in usernames or username in vocab.RESERVED_PATHS:
                continue
            usernames.add(username)
            created = _between(rng, FIRST_DAY - timedelta(days=400), datetime(2021, 6, 1))
            status = rng.choice(vocab.STATUSES) if rng.random() < 0.15 else ("", "")
            rows.append((len(rows) + 1, username, f"{first} {last}",
                         f"{username.replace('.', '_')}@{rng.choice(domains)}",
                         vocab.USER_PASSWORD, rng.choice(vocab.BIOS), rng.choice(vocab.LOCATIONS),
                         rng.choice(vocab.JOB_TITLES), status[0], status[1], 0, _ts(created)))
        self.conn.executemany("INSERT INTO gl_users VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        self.users = [(r[0], r[1], r[2], r[3], datetime.strptime(r[11], DATE_FORMAT))
                      for r in rows]

    def user(self, user_id: int) -> tuple:
        return self.users[user_id - 1]

    def role(self) -> int:
        levels, weights = zip(*_ROLE_WEIGHTS, strict=True)
        return self.rng.choices(levels, weights)[0]

    def others(self, exclude: set[int], k: int) -> list[int]:
        pool = [u[0] for u in self.users if u[0] not in exclude and u[0] != 1]
        return self.rng.sample(pool, min(k, len(pool)))

    # -- groups and projects --------------------------------------------------------------
    def make_groups(self) -> None:
        rng = self.rng
        rows, member_rows = [], []
        for gid, spec in enumerate(vocab.GROUPS, start=1):
            created = _between(rng, FIRST_DAY, datetime(2020, 9, 1))
            rows.append((gid, spec.path, spec.name, spec.description, spec.visibility, _ts(created)))
            roles: dict[int, int] = {}
            owner = self.others({1}, 1)[0]
            roles[owner] = OWNER
            for uid in self.others({owner}, rng.randint(4, 11)):
                roles[uid] = self.role()
            if spec.path in DEFAULT_USER_GROUPS:
                roles[1] = DEFAULT_USER_GROUPS[spec.path]
            for uid, level in sorted(roles.items()):
                member_rows.append((gid, uid, level, _ts(_between(rng, created, datetime(2022, 6, 1)))))
            self.groups[spec.path] = (gid, roles, created)
        self.conn.executemany("INSERT INTO gl_groups VALUES (?,?,?,?,?,?)", rows)
        self.conn.executemany("INSERT INTO gl_group_members VALUES (?,?,?,?)", member_rows)

    def new_project(self, namespace: str, spec: vocab.ProjectSpec, created: datetime,
                    group: str | None, owner_id: int | None, fork_of: _Project | None = None
                    ) -> _Project:
        rng = self.rng
        group_id = self.groups[group][0] if group else None
        members: dict[int, int] = dict(self.groups[group][1]) if group else {owner_id: OWNER}
        direct: dict[int, int] = {} if group else {owner_id: OWNER}
        creators = [u for u, level in sorted(members.items()) if level >= MAINTAINER]
        project = _Project(
            id=len(self.projects) + 1, namespace=namespace, path=spec.path, name=spec.name,
            description=spec.description, kind=spec.kind, popularity=spec.popularity,
            visibility=spec.visibility, created=created, group_id=group_id, owner_id=owner_id,
            creator_id=owner_id if owner_id else rng.choice(creators),
            default_branch="master" if created.year < 2021 and rng.random() < 0.3 else "main",
            members=members, direct=direct)
        if fork_of is not None:  # a fork copies the repository, not the people
            project.forked_from, project.default_branch = fork_of, fork_of.default_branch
            project.files = dict(fork_of.files)
            self.projects.append(project)
            return project
        for uid in self.others(set(members), rng.randint(0, 2 + spec.popularity)):
            project.direct[uid] = project.members[uid] = self.role()
        key = (namespace, spec.path)
        if key in DEFAULT_USER_PROJECTS:
            level = max(project.members.get(1, 0), DEFAULT_USER_PROJECTS[key])
            project.direct[1] = project.members[1] = level
        owner_name = self.user(owner_id)[2] if owner_id else self.groups_name(group)
        project.files = repos.repository(rng, spec.kind, spec.name, spec.path, spec.description,
                                         owner_name, created.year)
        self.projects.append(project)
        return project

    def groups_name(self, group: str | None) -> str:
        return next(g.name for g in vocab.GROUPS if g.path == group)

    def make_projects(self) -> None:
        rng = self.rng
        for spec in vocab.GROUPS:
            gcreated = self.groups[spec.path][2]
            for pspec in spec.projects:
                created = _between(rng, gcreated + timedelta(days=10), datetime(2022, 3, 1))
                self.new_project(spec.path, pspec, created, spec.path, None)
        for pspec in vocab.DEFAULT_USER_PROJECTS:
            created = _between(rng, datetime(2020, 1, 1), datetime(2022, 6, 1))
            self.new_project(vocab.DEFAULT_USERNAME, pspec, created, None, 1)
        owners = self.others({1}, 28)
        for index, uid in enumerate(owners):
            taken: set[str] = set()
            for _ in range(2 if index % 5 == 0 else 1):
                path, description, kind = rng.choice(vocab.PERSONAL_PROJECTS)
                if path in taken:
                    continue
                taken.add(path)
                start = max(self.user(uid)[4], datetime(2020, 1, 1))
                created = _between(rng, start, datetime(2022, 10, 1))
                spec = vocab.ProjectSpec(path, path, description, kind,
                                         rng.choice((0, 0, 0, 1, 1, 2)),
                                         "private" if rng.random() < 0.15 else "public")
                self.new_project(self.user(uid)[1], spec, created, None, uid)

    def make_forks(self) -> None:
        rng = self.rng
        sources = [p for p in self.projects if p.visibility == "public" and p.popularity >= 2
                   and p.owner_id != 1]
        taken = {(p.namespace, p.path) for p in self.projects}
        for source in sources[:]:
            for uid in self.others({1}, rng.randint(0, source.popularity)):
                username = self.user(uid)[1]
                if (username, source.path) in taken:
                    continue
                taken.add((username, source.path))
                created = _between(rng, source.created + timedelta(days=30), datetime(2023, 3, 1))
                spec = vocab.ProjectSpec(source.path, source.name, source.description,
                                         source.kind, 0)
                self.new_project(username, spec, created, None, uid, fork_of=source)

    # -- repository -----------------------------------------------------------------------
    def topic_text(self, template: str, kind: str, **fixed: str) -> str:
        """``template`` with its slots filled from the kind's vocabulary (``fixed`` wins)."""
        topic = vocab.TOPICS[kind]
        pools = {"component": topic.components, "feature": topic.features, "dep": topic.deps,
                 "doc": topic.docs, "browser": vocab.BROWSERS, "os": vocab.SYSTEMS,
                 "screen_reader": vocab.SCREEN_READERS, "symptom": vocab.SYMPTOMS}
        # only the slots the template uses draw from the RNG
        return template.format(**{k: fixed[k] if k in fixed else self.rng.choice(v)
                                  for k, v in pools.items() if "{" + k + "}" in template})

    def author_weights(self, project: _Project) -> tuple[list[int], list[float]]:
        devs = project.developers() or [project.creator_id]
        weights = [3.0 if u == project.creator_id else 1.0 + (u * 7 % 5) for u in devs]
        return devs, weights

    def make_commits(self, project: _Project, merges: list[tuple[datetime, str, int]]) -> None:
        rng = self.rng
        end = LAST_ACTIVITY if project.popularity else _between(
            rng, project.created + timedelta(days=20), LAST_ACTIVITY)
        n = rng.randint(*((3, 10), (6, 25), (15, 40), (30, 70))[project.popularity])
        devs, weights = self.author_weights(project)
        times = sorted(_between(rng, project.created, end) for _ in range(n - 1))
        entries = [(project.created, "Initial commit", project.creator_id)]
        for when in times:
            title = self.topic_text(rng.choice(vocab.COMMIT_TITLES), project.kind)
            entries.append((when, title, rng.choices(devs, weights)[0]))
        entries += merges
        entries.sort(key=lambda e: e[0])
        for when, title, uid in entries:
            user = self.user(uid)
            body = title if rng.random() < 0.7 else (
                f"{title}\n\n" + self.topic_text(rng.choice(vocab.BUG_INTROS), project.kind))
            self.commit_rows.append((project.id, _sha(rng), project.default_branch, uid, user[2],
                                     user[3], title, body, _ts(when)))
            project.touch(when)
        project.branches[project.default_branch] = project.created

    def copy_commits(self, fork: _Project) -> None:
        source = fork.forked_from
        assert source is not None
        for row in self.commit_rows:
            if row[0] == source.id and row[8] <= _ts(fork.created):
                self.commit_rows.append((fork.id, *row[1:]))
        fork.branches[fork.default_branch] = fork.created
        fork.touch(fork.created)

    # -- labels, milestones, issues, merge requests ----------------------------------------
    def make_labels(self, project: _Project, label_id: int) -> int:
        rng = self.rng
        extra = [label for label in vocab.LABELS if label[0] not in vocab.CORE_LABELS]
        chosen = set(vocab.CORE_LABELS)
        chosen |= {label[0] for label in rng.sample(extra, rng.randint(1, 3 + 2 * project.popularity))}
        if project.kind in ("docs", "design") or project.namespace == "a11y-guild":
            chosen.add("accessibility")
        rows = []
        for name, color, description in vocab.LABELS:
            if name in chosen:
                label_id += 1
                project.labels[name] = label_id
                rows.append((label_id, project.id, name, color, description))
        self.conn.executemany("INSERT INTO gl_labels VALUES (?,?,?,?,?)", rows)
        return label_id

    def make_milestones(self, project: _Project, milestone_id: int) -> int:
        rng = self.rng
        if project.popularity == 0:
            return milestone_id
        count = rng.randint(1, 1 + project.popularity)
        start = rng.randrange(len(vocab.MILESTONES) - count)
        rows = []
        for index, title in enumerate(vocab.MILESTONES[start:start + count]):
            milestone_id += 1
            due = datetime(2022, 3, 31) + timedelta(days=100 * index + rng.randint(0, 60))
            state = "closed" if due < datetime(2022, 12, 1) and rng.random() < 0.6 else "active"
            rows.append((milestone_id, project.id, title, f"Goals for {title}.",
                         due.strftime("%Y-%m-%d"), state))
            project.milestones.append((milestone_id, title))
        self.conn.executemany("INSERT INTO gl_milestones VALUES (?,?,?,?,?,?)", rows)
        return milestone_id

    def issue_text(self, project: _Project) -> tuple[str, str, list[str], str]:
        """A title, a description, the labels it naturally gets, and its component."""
        rng = self.rng
        kind = project.kind
        same = {"component": rng.choice(vocab.TOPICS[kind].components)}  # one subject per issue
        if rng.random() < 0.55:
            title = self.topic_text(rng.choice(vocab.BUG_TITLES), kind, **same)
            intro = self.topic_text(rng.choice(vocab.BUG_INTROS), kind, **same)
            expected = self.topic_text(rng.choice(vocab.EXPECTED), kind, **same)
            body = (f"### Summary\n\n{intro}\n\n### Steps to reproduce\n\n1. Open the project\n"
                    f"2. Use the feature described above\n3. See the problem\n\n"
                    f"### Expected behavior\n\n{expected}\n\n### Environment\n\n"
                    f"- {rng.choice(vocab.SYSTEMS)}\n- {rng.choice(vocab.BROWSERS)}\n")
            labels = ["bug"]
        else:
            title = self.topic_text(rng.choice(vocab.FEATURE_TITLES), kind, **same)
            body = (f"{rng.choice(vocab.FEATURE_MOTIVATIONS)}\n\n### Proposal\n\n"
                    + self.topic_text(rng.choice(vocab.FEATURE_PROPOSALS), kind, **same) + "\n")
            labels = ["documentation" if title.startswith("Document") else "enhancement"]
        if title.startswith(("Typo", "Broken link")):
            labels = ["documentation"]
        if title.startswith("Update"):
            labels.append("dependencies")
        if any(w in title for w in ("focus", "contrast", "announce", "keyboard")):
            labels.append("accessibility")
        if any(w in title.lower() for w in ("slow", "performance", "memory")):
            labels.append("performance")
        title = title[0].upper() + title[1:]
        return title, body, labels, same["component"]

    def shop_issues(self) -> list[tuple[str, str, list[str], str]]:
        """Storefront issues naming the store's products and orders (same seed)."""
        from webarena_gym.sandbox.db import template_connection

        rng = self.rng
        store = template_connection("store", self.seed)
        products = [r[0] for r in store.execute(
            "SELECT name FROM products WHERE status = 1 ORDER BY id")]
        orders = [(r[0], r[1]) for r in store.execute(
            "SELECT increment_id, grand_total FROM orders ORDER BY id")]
        store.close()
        found = []
        for title, body in vocab.SHOP_ISSUES * 2:
            product = rng.choice(products)
            order, total = rng.choice(orders)
            values = {"product": product, "order": order, "total": f"${total:,.2f}"}
            labels = ["bug"] if "Add" not in title else ["enhancement"]
            found.append((title.format(**values), body.format(**values), labels, "product page"))
        return found

    def notes(self, kind: str, item_id: int, start: datetime, end: datetime, count: int,
              people: list[int], project: _Project, pool: tuple[str, ...],
              **fixed: str) -> datetime:
        """Add ``count`` comments between ``start`` and ``end``; return the last one's time."""
        last = start
        times = sorted(_between(self.rng, start, end) for _ in range(count))
        for when in times:
            body = self.topic_text(self.rng.choice(pool), project.kind, **fixed)
            self.note_rows.append((kind, item_id, self.rng.choice(people), body, 0, _ts(when)))
            last = when
        return last

    def make_issues(self, project: _Project, issue_id: int) -> int:
        rng = self.rng
        if project.forked_from is not None:
            return issue_id
        n = rng.randint(*((0, 4), (4, 14), (12, 26), (24, 40))[project.popularity])
        texts: list[tuple[str, str, list[str], str]] = []
        if (project.namespace, project.path) == (vocab.SHOP_GROUP, vocab.SHOP_PROJECT):
            texts = self.shop_issues()
        titles = {t[0] for t in texts}
        target = len(texts) + n
        while len(texts) < target:
            text = self.issue_text(project)
            if text[0] not in titles:
                titles.add(text[0])
                texts.append(text)
        rng.shuffle(texts)
        members = sorted(project.members)
        devs = project.developers() or [project.creator_id]
        reporters = members + [u[0] for u in self.users[1:] if u[0] % 3 == project.id % 3]
        start = max(project.created + timedelta(days=7), FIRST_ISSUE_DAY)
        times = sorted(_between(rng, start, LAST_ACTIVITY - timedelta(days=2)) for _ in texts)
        issue_rows, label_rows, assignee_rows = [], [], []
        for iid, ((title, body, labels, component), created) in enumerate(
                zip(texts, times, strict=True), 1):
            issue_id += 1
            author = rng.choice(reporters)
            closed = created < datetime(2023, 2, 1) and rng.random() < 0.5
            closed_at = _between(rng, created, min(created + timedelta(days=200), LAST_ACTIVITY)) \
                if closed else None
            end = closed_at or LAST_ACTIVITY
            comments = rng.choices((0, 1, 2, 3, 4, 5, 6, 8), (18, 22, 18, 14, 10, 8, 6, 4))[0]
            people = members + [author]
            last = self.notes("issue", issue_id, created, end, comments, people, project,
                              vocab.COMMENTS, component=component)
            if closed_at:
                self.note_rows.append(("issue", issue_id, rng.choice(devs), "closed", 1,
                                       _ts(closed_at)))
                last = closed_at
            extra = [name for name in project.labels
                     if name not in labels and name not in vocab.CORE_LABELS]
            wanted = [name for name in labels if name in project.labels]
            if extra and rng.random() < 0.45:
                wanted += rng.sample(extra, 1 if rng.random() < 0.8 else min(2, len(extra)))
            for name in dict.fromkeys(wanted):
                label_rows.append((issue_id, project.labels[name]))
            if rng.random() < (0.7 if closed else 0.55):
                k = 1 if rng.random() < 0.85 or len(devs) < 2 else 2
                for uid in rng.sample(devs, k):
                    assignee_rows.append((issue_id, uid))
            milestone = None
            if project.milestones and rng.random() < 0.35:
                milestone = rng.choice(project.milestones)[0]
            issue_rows.append((issue_id, project.id, iid, title, body, author,
                               "closed" if closed else "opened", milestone, _ts(created),
                               _ts(last), _ts(closed_at) if closed_at else None))
            project.touch(last)
        self.conn.executemany("INSERT INTO gl_issues VALUES (?,?,?,?,?,?,?,?,?,?,?)", issue_rows)
        self.conn.executemany("INSERT INTO gl_issue_labels VALUES (?,?)", label_rows)
        self.conn.executemany("INSERT INTO gl_issue_assignees VALUES (?,?)", assignee_rows)
        return issue_id

    def make_merge_requests(self, project: _Project, mr_id: int) -> tuple[int, list]:
        """Merge requests of a project; returns the last id and the merge commits to add."""
        rng = self.rng
        merges: list[tuple[datetime, str, int]] = []
        if project.forked_from is not None:
            return mr_id, merges
        n = rng.randint(*((0, 2), (1, 6), (4, 12), (8, 16))[project.popularity])
        devs, weights = self.author_weights(project)
        titles: set[str] = set()
        rows, reviewer_rows, assignee_rows, label_rows = [], [], [], []
        start = max(project.created + timedelta(days=5), FIRST_ISSUE_DAY)
        times = sorted(_between(rng, start, LAST_ACTIVITY - timedelta(days=1)) for _ in range(n))
        for iid, created in enumerate(times, 1):
            same = {"component": rng.choice(vocab.TOPICS[project.kind].components)}
            title = self.topic_text(rng.choice(vocab.COMMIT_TITLES), project.kind, **same)
            if title in titles:
                continue
            titles.add(title)
            mr_id += 1
            prefix = "fix" if title.startswith("Fix") else rng.choice(("feature", "feat", "chore"))
            branch = f"{prefix}/{slugify(title)[:40].rstrip('-.')}"
            if rng.random() < 0.2:
                branch = f"{iid + 10}-{slugify(title)[:30].rstrip('-.')}"
            author = rng.choices(devs, weights)[0]
            state = rng.choices(("opened", "merged", "closed"), (40, 45, 15))[0]
            if created > datetime(2023, 4, 15):
                state = "opened"
            if state == "opened" and rng.random() < 0.2:
                title = f"Draft: {title}"
            done = _between(rng, created, min(created + timedelta(days=40), LAST_ACTIVITY)) \
                if state != "opened" else None
            people = [u for u in devs if u != author]
            reviewers = rng.sample(people, min(len(people), rng.choice((0, 1, 1, 2))))
            end = done or LAST_ACTIVITY
            last = self.notes("merge_request", mr_id, created, end, rng.choice((0, 0, 1, 2, 3, 4)),
                              devs, project, vocab.MR_COMMENTS)
            if done:
                self.note_rows.append(("merge_request", mr_id, author if state == "closed" else
                                       rng.choice(reviewers or devs), state, 1, _ts(done)))
                last = done
            if state == "merged":
                merges.append((done, f"Merge branch '{branch}' into '{project.default_branch}'",
                               rng.choice(reviewers or [author])))
            else:
                project.branches[branch] = created
            rows.append((mr_id, project.id, len(rows) + 1, title,
                         self.topic_text(rng.choice(vocab.FEATURE_PROPOSALS), project.kind, **same)
                         + f"\n\nThis merge request changes the {same['component']}.",
                         author, branch, project.default_branch, state, _ts(created), _ts(last),
                         _ts(done) if state == "merged" else None,
                         _ts(done) if state == "closed" else None))
            reviewer_rows += [(mr_id, u) for u in reviewers]
            if rng.random() < 0.75:
                assignee_rows.append((mr_id, author))
            names = [n for n in project.labels if n in ("bug", "enhancement", "documentation",
                                                        "dependencies")]
            if names and rng.random() < 0.5:
                label_rows.append((mr_id, project.labels[rng.choice(names)]))
            project.touch(last)
        self.conn.executemany("INSERT INTO gl_merge_requests VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                              rows)
        self.conn.executemany("INSERT INTO gl_mr_reviewers VALUES (?,?)", reviewer_rows)
        self.conn.executemany("INSERT INTO gl_mr_assignees VALUES (?,?)", assignee_rows)
        self.conn.executemany("INSERT INTO gl_mr_labels VALUES (?,?)", label_rows)
        return mr_id, merges

    def make_stars(self) -> None:
        rng = self.rng
        rows = []
        everyone = [u[0] for u in self.users]
        for project in self.projects:
            if project.visibility != "public":
                continue
            low, high = ((0, 2), (1, 8), (8, 26), (25, 60))[project.popularity]
            starrers = rng.sample(everyone[1:], rng.randint(low, high))
            if project.owner_id == 1 and rng.random() < 0.5:
                starrers.append(1)
            for uid in sorted(set(starrers)):
                if uid == project.owner_id and uid != 1:
                    continue
                when = _between(rng, max(project.created, self.user(uid)[4]), LAST_ACTIVITY)
                rows.append((uid, project.id, _ts(when)))
        for project in rng.sample([p for p in self.projects if p.visibility == "public"
                                   and p.owner_id != 1 and p.popularity >= 1], 6):
            if not any(r[0] == 1 and r[1] == project.id for r in rows):
                rows.append((1, project.id, _ts(_between(rng, project.created, LAST_ACTIVITY))))
        self.conn.executemany("INSERT INTO gl_stars VALUES (?,?,?)", rows)

    # -- the whole database ---------------------------------------------------------------
    def run(self) -> None:
        self.make_users()
        self.make_groups()
        self.make_projects()
        self.make_forks()
        label_id = milestone_id = issue_id = mr_id = 0
        for project in self.projects:
            if project.forked_from is not None:
                continue
            label_id = self.make_labels(project, label_id)
            milestone_id = self.make_milestones(project, milestone_id)
            issue_id = self.make_issues(project, issue_id)
            mr_id, merges = self.make_merge_requests(project, mr_id)
            self.make_commits(project, merges)
            for _ in range(self.rng.choice((0, 0, 1, 2)) if project.popularity else 0):
                name = self.rng.choice(("develop", "release/1.x", "experiment/new-layout",
                                        "gh-pages", "staging"))
                project.branches.setdefault(name, _between(self.rng, project.created,
                                                           LAST_ACTIVITY))
        for project in self.projects:
            if project.forked_from is not None:
                self.copy_commits(project)
        self.write_projects()
        self.make_stars()
        self.conn.executemany(
            "INSERT INTO gl_commits (project_id, sha, branch, author_id, author_name, "
            "author_email, title, message, committed_at) VALUES (?,?,?,?,?,?,?,?,?)",
            self.commit_rows)
        self.conn.executemany(
            "INSERT INTO gl_notes (noteable_type, noteable_id, author_id, body, system, "
            "created_at) VALUES (?,?,?,?,?,?)", self.note_rows)

    def write_projects(self) -> None:
        rng = self.rng
        rows, member_rows, file_rows, branch_rows = [], [], [], []
        for p in self.projects:
            last = p.last_activity or p.created
            rows.append((p.id, p.namespace, p.path, p.name, p.description, p.visibility,
                         p.group_id, p.owner_id, p.creator_id, p.default_branch,
                         p.forked_from.id if p.forked_from else None, _ts(p.created), _ts(last)))
            for uid, level in sorted(p.direct.items()):
                member_rows.append((p.id, uid, level, _ts(_between(rng, p.created, last))))
            file_rows += [(p.id, path, text) for path, text in p.files.items()]
            branch_rows += [(p.id, name, _ts(when)) for name, when in sorted(p.branches.items())]
        self.conn.executemany("INSERT INTO gl_projects VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        self.conn.executemany("INSERT INTO gl_project_members VALUES (?,?,?,?)", member_rows)
        self.conn.executemany("INSERT INTO gl_files VALUES (?,?,?)", file_rows)
        self.conn.executemany("INSERT INTO gl_branches VALUES (?,?,?)", branch_rows)


def generate_gitlab(conn: sqlite3.Connection, seed: int) -> None:
    """Fill an empty ``gitlab`` database (``schema.sql`` applied) with the data of ``seed``.

    Deterministic: the same seed gives the same rows. Commits when done.
    """
    _Generator(conn, seed).run()
    conn.commit()


def default_user_id(conn: sqlite3.Connection) -> int:
    """The id of the default user (``byteblaze``) in a generated database."""
    return conn.execute("SELECT id FROM gl_users WHERE username = ?",
                        (vocab.DEFAULT_USERNAME,)).fetchone()[0]
