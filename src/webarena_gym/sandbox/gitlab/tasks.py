"""Task templates and oracle solvers for the ``gitlab`` site (code hosting).

The templates mirror WebArena's GitLab tasks, all as the signed-in default user (Byte Blaze,
``byteblaze``): reading projects, issues, merge requests, commits, files and members
(``string_match``), opening filtered lists and files (``url_match``), and changing state through
the site's forms: issues (create, comment, close, label, assign), members (invite, change role),
stars, forks, new projects and the profile (``program_html`` on the page that shows the change).

Samplers read the seeded gitlab database through the ``db`` connection they are given and count
with the site's own rules (:mod:`webarena_gym.sandbox.gitlab.queries`); they reject
instantiations a person could read two ways (ties, titles that appear twice in a project, names
two members share). Oracles act like a careful developer: they search for the project from the
top bar, use the project's sidebar, the list filters, tabs and paging, open what they need by
clicking the links they see, and answer only what the pages say; the sampler's truth tells them
what to look for and is checked against what they read.
"""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

from lxml import html as lxml_html

from webarena_gym.sandbox.gitlab import queries
from webarena_gym.sandbox.gitlab.queries import MAINTAINER, REPORTER
from webarena_gym.sandbox.gitlab.repos import MANIFESTS
from webarena_gym.sandbox.gitlab.vocab import DEFAULT_USERNAME, ROLE_NAMES
from webarena_gym.sandbox.templates.base import (
    RUNNERS_UP,
    AnswerTemplate,
    EditTemplate,
    NavigationTemplate,
    Sample,
    ScriptedTemplate,
    Steps,
    TaskTemplate,
    act,
    click,
    expect_equal,
    expect_text,
    finish,
    html_check,
    search,
    select,
    type_text,
)
from webarena_gym.sandbox.templates.page import OracleError, Page, normalize_space

SITE = "gitlab"
GITLAB = "__GITLAB__"
LIST_PAGE = queries.ISSUES_PER_PAGE
VISIBILITY_LABELS = {"private": "Private", "internal": "Internal", "public": "Public"}

# Text the agent is asked to write (never in the generated data).
NEW_ISSUES = (
    ("Add a keyboard shortcut to open the search", "Pressing / should focus the search box, "
     "like on most code hosting sites."),
    ("Dark mode toggle does not remember my choice", "After a reload the page is light again. "
     "The choice should be saved."),
    ("Document the release process", "Write down the steps we follow to tag and publish a "
     "release, so that anyone can do it."),
    ("Error page shows a stack trace in production", "Users should see a friendly message; the "
     "trace belongs in the logs."),
    ("Support exporting reports as CSV", "Finance asked for a CSV export of the monthly "
     "report."),
    ("Broken image on the about page", "The team photo returns a 404 since the last deploy."),
    ("Upgrade the CI image to Node 20", "Node 16 is end of life; the pipeline should run on "
     "Node 20."),
    ("Flaky test in the checkout suite", "The totals test fails about one run in ten on CI."),
    ("Add alt text to all product images", "Screen reader users hear only the file names."),
    ("Timeouts when uploading large files", "Uploads over 50 MB fail after 30 seconds."),
)
NEW_COMMENTS = (
    "I can reproduce this on the latest main branch.",
    "Thanks for reporting! I will look into it this week.",
    "This is still happening for me, any workaround?",
    "Could we add a regression test for this?",
    "Let's discuss this in the next planning meeting.",
    "I think this is fixed by the latest release, please confirm.",
    "Happy to review a merge request for this.",
    "Adding this to the backlog for the next milestone.",
)
STATUS_MESSAGES = ("Out of office until Monday", "Reviewing merge requests today",
                   "Heads down on the release", "On parental leave", "Travelling, slow replies",
                   "Focusing on accessibility fixes", "At a conference this week")
BIOS = ("Accessibility advocate and front-end developer.",
        "I build developer tools and write about them.",
        "Open source maintainer. Coffee, code and cats.",
        "Full-stack developer who loves good documentation.",
        "Making the web faster, one bundle at a time.")
NEW_PROJECT_NAMES = ("Recipe Scraper", "weekend-hackathon", "Team Handbook", "budget-app",
                     "Pixel Art Gallery", "infra-notes", "Book Club", "status-page",
                     "Plant Watering Bot", "link-checker")


# -- sampling helpers -----------------------------------------------------------------------


def default_user(db: sqlite3.Connection) -> sqlite3.Row:
    """The default user's row (Byte Blaze)."""
    row = queries.user_by_username(db, DEFAULT_USERNAME)
    if row is None:
        raise OracleError(f"the gitlab data has no user {DEFAULT_USERNAME!r}")
    return row


_PROJECT_CACHE: dict[int, tuple[sqlite3.Connection, list[dict[str, Any]]]] = {}


def visible_projects(db: sqlite3.Connection) -> list[dict[str, Any]]:
    """Projects the default user can see, with its role (``access``), the full path and the
    title pages show (``One Stop Market / Storefront``)."""
    cached = _PROJECT_CACHE.get(id(db))
    if cached is not None and cached[0] is db:
        return cached[1]
    me = default_user(db)["id"]
    found = []
    for row in db.execute("SELECT * FROM gl_projects ORDER BY id").fetchall():
        if queries.can_view(db, row, me):
            found.append(dict(row, access=queries.access_level(db, row, me),
                              full_path=queries.full_path(row),
                              title=queries.project_title(db, row)))
    _PROJECT_CACHE[id(db)] = (db, found)
    return found


def _pick_project(rng, db: sqlite3.Connection, *, min_access: int = 0,
                  forks: bool = False) -> dict[str, Any] | None:
    rows = [p for p in visible_projects(db) if p["access"] >= min_access
            and (forks or p["forked_from_id"] is None)]
    return rng.choice(rows) if rows else None


def _project_params(project: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The intent names a project by its full path; the oracle looks for its title."""
    return {"project": project["full_path"]}, {"title": project["title"],
                                               "path": project["full_path"]}


def _unique_item(rng, db: sqlite3.Connection, table: str, project_id: int,
                 where: str = "1", args: tuple = ()) -> sqlite3.Row | None:
    """An issue or merge request (matching ``where``) whose title no other item of its project
    has (so a title names one item)."""
    rows = db.execute(f"SELECT * FROM {table} WHERE project_id = ? AND ({where}) ORDER BY iid",
                      (project_id, *args)).fetchall()
    if not rows:
        return None
    row = rng.choice(rows)
    same = db.execute(f"SELECT count(*) FROM {table} WHERE project_id = ? AND "
                      "lower(title) = lower(?)", (project_id, row["title"])).fetchone()[0]
    return row if same == 1 else None


def _people_near(db: sqlite3.Connection, project: dict[str, Any], kind: str,
                 item: sqlite3.Row, person: Any) -> list[str]:
    """Wrong candidates for a question about one ``person`` of an issue or merge request: the
    names and usernames of its author, of the people in its activity and of the project's
    members, ``person`` left out."""
    ids = [item["author_id"], *(r[0] for r in db.execute(
        "SELECT author_id FROM gl_notes WHERE noteable_type = ? AND noteable_id = ? ORDER BY id",
        (kind, item["id"])))]
    people = [db.execute("SELECT name, username FROM gl_users WHERE id = ?", (i,)).fetchone()
              for i in dict.fromkeys(ids)]
    people += _members(db, project)
    found: dict[str, None] = {}
    for other in people:
        if other is not None and other["username"] != person["username"]:
            found.update({other["name"]: None, other["username"]: None})
    return list(found)[:2 * RUNNERS_UP]


def _item_truth(project: dict[str, Any], item: sqlite3.Row) -> dict[str, Any]:
    return {"title": project["title"], "path": project["full_path"], "iid": item["iid"],
            "state": item["state"]}


def _js(text: str) -> str:
    return json.dumps(text)


# -- reading pages --------------------------------------------------------------------------


def sidebar_link(page: Page, name: str) -> str:
    """A project sidebar link by its title (``Issues``, ``Members``, ...)."""
    return page.find(None, "a", title=name)


def tab_link(page: Page, name: str) -> str:
    """A state tab (``Open 12``, ``All 40``) by its name."""
    pattern = re.compile(rf"^{re.escape(name)} \d+$")
    for element in page.elements("a"):
        if pattern.match(normalize_space(element.text_content())):
            return str(element.get("id"))
    raise OracleError(f"no {name!r} tab on {page.url}")


def tab_count(page: Page, name: str) -> int:
    """The number on a state tab."""
    pattern = re.compile(rf"^{re.escape(name)} (\d+)$")
    for element in page.elements("a"):
        match = pattern.match(normalize_space(element.text_content()))
        if match:
            return int(match.group(1))
    raise OracleError(f"no {name!r} tab on {page.url}")


def element_text(page: Page, element_id: str) -> str:
    """The text of a numbered element."""
    for element in page.elements():
        if element.get("id") == element_id:
            return normalize_space(element.text_content())
    raise OracleError(f"no element {element_id} on {page.url}")


def selected_option(page: Page, element_id: str) -> str:
    """The label of the option a numbered ``<select>`` shows as chosen."""
    for element in page.elements("select"):
        if element.get("id") == element_id:
            for option in element.iter("option"):
                if option.get("selected") in ("true", "selected", ""):
                    return normalize_space(option.text_content())
            first = next(element.iter("option"), None)
            return "" if first is None else normalize_space(first.text_content())
    raise OracleError(f"element {element_id} is not a select on {page.url}")


def choose(page: Page, element_id: str, option: str, why: str) -> Steps:
    """Select ``option`` unless the list already shows it (as a person would not touch it);
    returns the page it leads to (``page`` itself when nothing was done)."""
    if selected_option(page, element_id) == option:
        return page
    page = yield act(select(element_id, option), why)
    return page


def table_rows(page: Page, first_header: str) -> list[dict[str, Any]]:
    """The rows of the table whose first header cell is ``first_header``: cell texts by
    header, plus ``_link`` and ``_link_text`` (the first link) and ``_element`` (the row)."""
    found = []
    for table in page.root.iter("table"):
        rows = list(table.iter("tr"))
        if not rows:
            continue
        header = [normalize_space(c.text_content()) for c in rows[0] if c.tag in ("th", "td")]
        if not header or header[0] != first_header:
            continue
        for tr in rows[1:]:
            cells = [c for c in tr if c.tag == "td"]
            if len(cells) != len(header):
                raise OracleError(f"a row of the {first_header!r} table on {page.url} has "
                                  f"{len(cells)} cells, not {len(header)}")
            row: dict[str, Any] = {h: normalize_space(c.text_content())
                                   for h, c in zip(header, cells, strict=True)}
            link = next((a for a in tr.iter("a") if a.get("id")), None)
            row["_link"] = None if link is None else str(link.get("id"))
            row["_link_text"] = "" if link is None else normalize_space(link.text_content())
            row["_element"] = tr
            found.append(row)
    return found


def section_after(page: Page, heading: str) -> lxml_html.HtmlElement:
    """The element holding the ``<h2>`` ``heading`` (a sidebar section)."""
    for h2 in page.root.iter("h2"):
        if normalize_space(h2.text_content()) == heading:
            return h2.getparent()
    raise OracleError(f"no {heading!r} section on {page.url}")


def table_after(page: Page, heading: str) -> lxml_html.HtmlElement | None:
    """The first table after the ``<h2>`` ``heading`` (None when the section has none)."""
    seen = False
    for element in page.root.iter():
        if element.tag == "h2":
            if seen:
                return None
            seen = normalize_space(element.text_content()) == heading
        elif seen and element.tag == "table":
            return element
    return None


def control_in(element: lxml_html.HtmlElement, tag: str, text: str | None = None) -> str:
    """The number of the ``tag`` element (with ``text`` in its text or aria-label) inside
    ``element``."""
    for child in element.iter(tag):
        label = normalize_space(child.text_content()) + " " + (child.get("aria-label") or "")
        if child.get("id") is not None and (text is None or text.lower() in label.lower()):
            return str(child.get("id"))
    raise OracleError(f"no {tag} {text!r} in {normalize_space(element.text_content())[:200]!r}")


# -- oracle building blocks -----------------------------------------------------------------


def open_project(page: Page, truth: dict[str, Any]) -> Steps:
    """Search the project's path from the top bar and open it from the results."""
    page = yield act(search(page.find("Search GitLab", "input"), truth["path"]),
                     f"Search GitLab for the project {truth['path']}.")
    page = yield act(click(page.link(truth["title"], exact=True)),
                     f"Open {truth['title']} from the search results.")
    return page


def open_item(page: Page, truth: dict[str, Any], title: str, *, kind: str = "Issues") -> Steps:
    """From any page: open the project, its issue (merge request) list, and the item titled
    ``title`` (searching the list; all states when the item is not open)."""
    page = yield from open_project(page, truth)
    page = yield act(click(sidebar_link(page, kind)), f"Open the project's {kind.lower()}.")
    if truth["state"] != "opened":
        page = yield act(click(tab_link(page, "All")), f"It is not open: list all {kind.lower()}.")
    page = yield act(search(page.find("Search or filter results", "input"), title),
                     f"Search the list for \"{title}\".")
    page = yield act(click(page.link(title, exact=True)), "Open it.")
    return page


def list_rows(page: Page) -> list[dict[str, Any]]:
    """The rows of an issue or merge request list (``#``/``!`` column first)."""
    return table_rows(page, "#") or table_rows(page, "!")


def all_list_rows(page: Page, what: str) -> Steps:
    """Every row of a paginated list, following Next; returns ``(rows, the last page)``."""
    rows = list_rows(page)
    while page.maybe("Next", "a", exact=True):
        page = yield act(click(page.link("Next", exact=True)), f"See the next page of {what}.")
        rows += list_rows(page)
    return rows, page


def names_in(section: lxml_html.HtmlElement) -> list[str]:
    """The people (``@username``) a sidebar section lists (its items, not its form)."""
    return [name for li in section.iter("li")
            for name in re.findall(r"@([\w.-]+)", normalize_space(li.text_content()))]


# -- evaluation helpers ---------------------------------------------------------------------


def _text(selector: str) -> str:
    """JS: the text of the first element matching ``selector`` ('' when there is none)."""
    return f"(document.querySelector({_js(selector)}) || {{innerText: ''}}).innerText"


def _member_role_locator(username: str) -> str:
    """JS: the role shown on the Members page for ``@username`` ('' when not a member)."""
    return ("[...document.querySelectorAll('table.members tr.member')]"
            f".filter(r => r.querySelector('.username').innerText.trim() === {_js('@' + username)})"
            ".map(r => r.querySelector('.access-level').innerText.trim()).join(' | ')")


def _issue_url(truth: dict[str, Any], segment: str = "issues") -> str:
    return f"{GITLAB}/{truth['path']}/-/{segment}/{truth['iid']}"


# -- the templates --------------------------------------------------------------------------


class _GitlabTemplate(ScriptedTemplate):
    """A gitlab task as the signed-in default user, from the dashboard."""

    sites = (SITE,)


# ---- information seeking (string_match) ----


class OpenIssuesWithLabel(_GitlabTemplate, AnswerTemplate):
    """Count a project's open issues with a label (the label filter and the Open tab)."""

    id = "gitlab/open_issues_with_label"
    intent_template = "How many open issues labeled \"{{label}}\" does the project {{project}} have?"
    difficulty = "easy"

    def sample(self, rng, db):
        project = _pick_project(rng, db)
        labels = db.execute("SELECT name FROM gl_labels WHERE project_id = ? ORDER BY id",
                            (project["id"],)).fetchall() if project else []
        if not labels:
            return None
        label = rng.choice(labels)["name"]
        where, args = queries.issue_filter(project["id"], labels=[label])
        count = db.execute(f"SELECT count(*) FROM gl_issues i WHERE {where}", args).fetchone()[0]
        if count == 0:
            return None
        params, truth = _project_params(project)
        return Sample({**params, "label": label}, {**truth, "answer": str(count)})

    def steps(self, sample, page):
        label = sample.params["label"]
        page = yield from open_project(page, sample.truth)
        page = yield act(click(sidebar_link(page, "Issues")), "Open the project's issues.")
        page = yield from choose(page, page.find("Label", "select", exact=True), label,
                                 f"Choose the label {label} in the filter bar.")
        page = yield act(click(page.button("Filter", exact=True)), "Apply the filter.")
        count = tab_count(page, "Open")
        yield self.reply(sample, str(count),
                         f"With the {label} filter, the Open tab counts {count}.")


class IssueAssignee(_GitlabTemplate, AnswerTemplate):
    """Who an issue is assigned to (the issue's sidebar)."""

    id = "gitlab/issue_assignee"
    intent_template = "Who is assigned to the issue \"{{issue}}\" in {{project}}?"
    difficulty = "easy"

    def sample(self, rng, db):
        project = _pick_project(rng, db)
        if project is None:
            return None
        issue = _unique_item(rng, db, "gl_issues", project["id"], "(SELECT count(*) FROM "
                             "gl_issue_assignees a WHERE a.issue_id = gl_issues.id) = 1")
        if issue is None:
            return None
        person = db.execute("SELECT u.* FROM gl_issue_assignees a JOIN gl_users u ON u.id = "
                            "a.user_id WHERE a.issue_id = ?", (issue["id"],)).fetchone()
        params, _ = _project_params(project)
        return Sample({**params, "issue": issue["title"]},
                      {**_item_truth(project, issue), "answer": person["name"],
                       "username": person["username"],
                       "distractors": _people_near(db, project, "issue", issue, person)})

    def reference(self, sample):
        return [f"{sample.truth['answer']} |OR| {sample.truth['username']}"]

    def steps(self, sample, page):
        page = yield from open_item(page, sample.truth, sample.params["issue"])
        section = section_after(page, "Assignees")
        usernames = names_in(section)
        expect_equal(usernames, [sample.truth["username"]], "assignees")
        name = normalize_space(next(section.iter("a")).text_content())
        yield self.reply(sample, name, f"The Assignees section lists {name} (@{usernames[0]}).")


class LatestCommit(_GitlabTemplate, AnswerTemplate):
    """The message or the author of a project's latest commit (the Commits page)."""

    id = "gitlab/latest_commit"
    intent_template = ("What is the {{what}} of the latest commit on the default branch of "
                       "{{project}}?")
    difficulty = "easy"

    def sample(self, rng, db):
        project = _pick_project(rng, db)
        if project is None:
            return None
        rows = db.execute("SELECT * FROM gl_commits WHERE project_id = ? AND branch = ? ORDER BY "
                          "committed_at DESC, id DESC LIMIT ?",
                          (project["id"], project["default_branch"], 1 + RUNNERS_UP)).fetchall()
        if len(rows) < 2 or rows[0]["committed_at"] == rows[1]["committed_at"]:
            return None
        what = rng.choice(("message", "author's name"))
        column = "title" if what == "message" else "author_name"
        params, truth = _project_params(project)
        return Sample({**params, "what": what},
                      {**truth, "answer": rows[0][column],
                       "distractors": list(dict.fromkeys(r[column] for r in rows[1:]))})

    def steps(self, sample, page):
        page = yield from open_project(page, sample.truth)
        page = yield act(click(sidebar_link(page, "Commits")),
                         "The Commits page lists the newest commit first.")
        first = table_rows(page, "Message")[0]
        answer = first["Message"] if sample.params["what"] == "message" else first["Author"]
        yield self.reply(sample, answer, f"The newest commit is \"{first['Message']}\" by "
                         f"{first['Author']}.")


class StarCount(_GitlabTemplate, AnswerTemplate):
    """How many stars a project has (its overview)."""

    id = "gitlab/star_count"
    intent_template = "How many stars does the project {{project}} have?"
    difficulty = "easy"

    def sample(self, rng, db):
        project = _pick_project(rng, db, forks=True)
        if project is None:
            return None
        params, truth = _project_params(project)
        return Sample(params, {**truth, "answer": str(queries.star_count(db, project["id"]))})

    def steps(self, sample, page):
        page = yield from open_project(page, sample.truth)
        shown = element_text(page, page.find(None, "a", title="Starrers"))
        count = shown.split(" ")[0]
        yield self.reply(sample, count, f"The project header says {shown}.")


def _personal_projects(db: sqlite3.Connection, user_id: int) -> list[dict[str, Any]]:
    ids = {p["id"] for p in visible_projects(db)}
    rows = db.execute("SELECT * FROM gl_projects WHERE owner_id = ? ORDER BY id",
                      (user_id,)).fetchall()
    return [dict(r, stars=queries.star_count(db, r["id"])) for r in rows if r["id"] in ids]


def _unique_user_name(db: sqlite3.Connection, name: str) -> bool:
    """Whether searching users for ``name`` finds exactly one user."""
    return db.execute("SELECT count(*) FROM gl_users WHERE lower(name) LIKE ? OR "
                      "lower(username) LIKE ?", (f"%{name.lower()}%",) * 2).fetchone()[0] == 1


class MostStarredOfUser(_GitlabTemplate, AnswerTemplate):
    """A user's most starred personal project (search the user, read the profile)."""

    id = "gitlab/most_starred_of_user"
    intent_template = "Which of {{user}}'s personal projects has the most stars?"
    difficulty = "medium"

    def sample(self, rng, db):
        owners = [r[0] for r in db.execute("SELECT DISTINCT owner_id FROM gl_projects WHERE "
                                           "owner_id IS NOT NULL ORDER BY owner_id")]
        person = db.execute("SELECT * FROM gl_users WHERE id = ?",
                            (rng.choice(owners),)).fetchone()
        projects = sorted(_personal_projects(db, person["id"]), key=lambda p: -p["stars"])
        if len(projects) < 2 or projects[0]["stars"] == projects[1]["stars"]:
            return None
        if not _unique_user_name(db, person["name"]):
            return None
        return Sample({"user": person["name"]}, {"answer": projects[0]["name"],
                                                 "username": person["username"],
                                                 "distractors": [p["name"] for p in projects[1:]]})

    def steps(self, sample, page):
        name = sample.params["user"]
        page = yield act(search(page.find("Search GitLab", "input"), name),
                         f"Search GitLab for {name}.")
        page = yield act(click(tab_link(page, "Users")), "Show the users found.")
        page = yield act(click(page.link(name, exact=True)), f"Open {name}'s profile.")
        table = table_after(page, "Personal projects")
        if table is None:
            raise OracleError(f"no personal projects on {page.url}")
        rows = [r for r in table_rows(page, "Project") if table in r["_element"].iterancestors()]
        best = max(rows, key=lambda r: int(r["Stars"]))
        project = best["_link_text"].split(" / ", 1)[1]
        yield self.reply(sample, project, f"Among {name}'s personal projects, {project} has the "
                         f"most stars ({best['Stars']}).")


class MergeRequestBranches(_GitlabTemplate, AnswerTemplate):
    """The source and target branches of a merge request (its page)."""

    id = "gitlab/mr_branches"
    intent_template = ("What are the source and target branches of the merge request "
                       "\"{{mr}}\" in {{project}}?")
    difficulty = "medium"

    def sample(self, rng, db):
        project = _pick_project(rng, db)
        if project is None:
            return None
        mr = _unique_item(rng, db, "gl_merge_requests", project["id"])
        if mr is None:
            return None
        params, _ = _project_params(project)
        branches = [r[0] for r in db.execute("SELECT name FROM gl_branches WHERE project_id = ? "
                                             "ORDER BY created_at DESC, name", (project["id"],))]
        answer = [mr["source_branch"], mr["target_branch"]]
        return Sample({**params, "mr": mr["title"]},
                      {**_item_truth(project, mr), "answer": answer,
                       "distractors": [b for b in branches if b not in answer][:RUNNERS_UP]})

    def steps(self, sample, page):
        page = yield from open_item(page, sample.truth, sample.params["mr"],
                                    kind="Merge requests")
        match = next((m for p in page.root.iter("p") if (m := re.search(
            r"requested to merge (\S+) into (\S+)$", normalize_space(p.text_content())))), None)
        if match is None:
            raise OracleError(f"no branches on {page.url}")
        source, target = match.group(1), match.group(2)
        yield self.reply(sample, [source, target],
                         f"The merge request asks to merge {source} into {target}.",
                         say=f"source: {source}, target: {target}")


class MostCommentedOpenIssue(_GitlabTemplate, AnswerTemplate):
    """The open issue with the most comments (every page of the open issues)."""

    id = "gitlab/most_commented_open_issue"
    intent_template = "Which open issue of the project {{project}} has the most comments?"
    difficulty = "hard"

    def sample(self, rng, db):
        project = _pick_project(rng, db)
        if project is None:
            return None
        rows = _open_issue_comments(db, project["id"])
        if len(rows) < 6 or rows[0][1] == rows[1][1]:
            return None
        params, truth = _project_params(project)
        return Sample(params, {**truth, "answer": rows[0][0]["title"],
                               "distractors": [r["title"] for r, _ in rows[1:1 + RUNNERS_UP]]})

    def steps(self, sample, page):
        page = yield from open_project(page, sample.truth)
        page = yield act(click(sidebar_link(page, "Issues")),
                         "The open issues list shows each issue's comment count.")
        rows, _ = yield from all_list_rows(page, "open issues")
        best = max(rows, key=lambda r: int(r["Comments"]))
        yield self.reply(sample, best["Title"], f"Of {len(rows)} open issues, "
                         f"\"{best['Title']}\" has the most comments ({best['Comments']}).")


def _open_issue_comments(db: sqlite3.Connection, project_id: int) -> list[tuple[sqlite3.Row, int]]:
    """Open issues with their comment counts, most commented first."""
    rows = db.execute("SELECT * FROM gl_issues WHERE project_id = ? AND state = 'opened' "
                      "ORDER BY iid", (project_id,)).fetchall()
    counts = queries.comment_counts(db, "issue", [r["id"] for r in rows])
    return sorted(((r, counts[r["id"]]) for r in rows), key=lambda x: -x[1])


class MilestoneOpenIssues(_GitlabTemplate, AnswerTemplate):
    """How many open issues a milestone has (the milestone's page)."""

    id = "gitlab/milestone_open_issues"
    intent_template = "How many open issues does the milestone \"{{milestone}}\" of {{project}} have?"
    difficulty = "medium"

    def sample(self, rng, db):
        project = _pick_project(rng, db)
        rows = db.execute("SELECT m.*, (SELECT count(*) FROM gl_issues i WHERE i.milestone_id = "
                          "m.id AND i.state = 'opened') AS open FROM gl_milestones m WHERE "
                          "m.project_id = ? ORDER BY m.id", (project["id"],)).fetchall() \
            if project else []
        rows = [r for r in rows if r["open"] > 0]
        if not rows:
            return None
        milestone = rng.choice(rows)
        params, truth = _project_params(project)
        return Sample({**params, "milestone": milestone["title"]},
                      {**truth, "answer": str(milestone["open"])})

    def steps(self, sample, page):
        title = sample.params["milestone"]
        page = yield from open_project(page, sample.truth)
        page = yield act(click(sidebar_link(page, "Milestones")), "Open the milestones.")
        page = yield act(click(page.link("All", exact=True)),
                         "Show open and closed milestones.")
        page = yield act(click(page.link(title, exact=True)), f"Open the milestone {title}.")
        match = re.search(r"(\d+) open, (\d+) closed issues", page.text)
        if match is None:
            raise OracleError(f"no issue counts on {page.url}")
        yield self.reply(sample, match.group(1), f"The milestone has {match.group(1)} open and "
                         f"{match.group(2)} closed issues.")


def _members(db: sqlite3.Connection, project: dict[str, Any]) -> list[dict[str, Any]]:
    row = db.execute("SELECT * FROM gl_projects WHERE id = ?", (project["id"],)).fetchone()
    return queries.members(db, row)


class MemberRole(_GitlabTemplate, AnswerTemplate):
    """A member's role in a project (the Members page)."""

    id = "gitlab/member_role"
    intent_template = "What is {{user}}'s role in the project {{project}}?"
    difficulty = "easy"

    def sample(self, rng, db):
        project = _pick_project(rng, db)
        if project is None:
            return None
        members = _members(db, project)
        member = rng.choice(members)
        if member["username"] == DEFAULT_USERNAME or \
                [m["name"] for m in members].count(member["name"]) > 1:
            return None
        params, truth = _project_params(project)
        return Sample({**params, "user": member["name"]},
                      {**truth, "answer": ROLE_NAMES[member["access_level"]],
                       "username": member["username"]})

    def distractors(self, sample):
        return [role for role in ROLE_NAMES.values() if role != sample.truth["answer"]]

    def steps(self, sample, page):
        name = sample.params["user"]
        page = yield from open_project(page, sample.truth)
        page = yield act(click(sidebar_link(page, "Members")), "Open the project's members.")
        row = next((r for r in table_rows(page, "Account")
                    if r["Account"].startswith(name + " @")), None)
        if row is None:
            raise OracleError(f"{name} is not on the members page")
        role = row["Role"].split(" ")[0]
        yield self.reply(sample, role, f"The members page gives {name} the role {role}.")


class ManifestVersion(_GitlabTemplate, AnswerTemplate):
    """The version a project's manifest declares (browse the files, open the manifest)."""

    id = "gitlab/manifest_version"
    intent_template = "Which version does the {{manifest}} file of {{project}} declare?"
    difficulty = "medium"

    def sample(self, rng, db):
        project = _pick_project(rng, db)
        if project is None:
            return None
        found = None
        for manifest in dict.fromkeys(MANIFESTS.values()):
            row = db.execute("SELECT content FROM gl_files WHERE project_id = ? AND path = ?",
                             (project["id"], manifest)).fetchone()
            if row is not None:
                found = (manifest, _declared_version(row["content"]))
        if found is None or found[1] is None:
            return None
        params, truth = _project_params(project)
        return Sample({**params, "manifest": found[0]}, {**truth, "answer": found[1]})

    def steps(self, sample, page):
        manifest = sample.params["manifest"]
        page = yield from open_project(page, sample.truth)
        page = yield act(click(page.link(manifest, exact=True)),
                         f"Open {manifest} from the file list.")
        version = _declared_version(page.text)
        yield self.reply(sample, version, f"{manifest} declares version {version}.", say=version or "")


def _declared_version(text: str) -> str | None:
    """The first ``"version": "x"`` or ``version = "x"`` of a manifest's text."""
    match = re.search(r'"?version"?\s*[:=]\s*"([^"]+)"', text)
    return match.group(1) if match else None


class CommitsByAuthor(_GitlabTemplate, AnswerTemplate):
    """Count one author's commits on the default branch (every page of the commits)."""

    id = "gitlab/commits_by_author"
    intent_template = "How many commits has {{author}} made to the default branch of {{project}}?"
    difficulty = "hard"
    unseen = True

    def sample(self, rng, db):
        project = _pick_project(rng, db)
        if project is None:
            return None
        rows = db.execute("SELECT author_name, count(*) AS n FROM gl_commits WHERE project_id = ? "
                          "AND branch = ? GROUP BY author_name ORDER BY author_name",
                          (project["id"], project["default_branch"])).fetchall()
        total = sum(r["n"] for r in rows)
        if not 2 * queries.COMMITS_PER_PAGE < total <= 3 * queries.COMMITS_PER_PAGE:
            return None
        author = rng.choice(rows)
        if author["n"] < 2:
            return None
        params, truth = _project_params(project)
        return Sample({**params, "author": author["author_name"]},
                      {**truth, "answer": str(author["n"])})

    def steps(self, sample, page):
        author = sample.params["author"]
        page = yield from open_project(page, sample.truth)
        page = yield act(click(sidebar_link(page, "Commits")), "Open the commits.")
        count = sum(1 for r in table_rows(page, "Message") if r["Author"] == author)
        while page.maybe("Next", "a", exact=True):
            page = yield act(click(page.link("Next", exact=True)),
                             f"{count} commits by {author} so far; see the next page.")
            count += sum(1 for r in table_rows(page, "Message") if r["Author"] == author)
        yield self.reply(sample, str(count), f"{author} authored {count} of the commits.")


class WhoClosedIssue(_GitlabTemplate, AnswerTemplate):
    """Who closed an issue (the issue's activity)."""

    id = "gitlab/who_closed_issue"
    intent_template = "Who closed the issue \"{{issue}}\" in {{project}}?"
    difficulty = "medium"
    unseen = True

    def sample(self, rng, db):
        project = _pick_project(rng, db)
        if project is None:
            return None
        issue = _unique_item(rng, db, "gl_issues", project["id"], "state = 'closed'")
        if issue is None:
            return None
        closers = db.execute("SELECT u.name, u.username FROM gl_notes n JOIN gl_users u ON "
                             "u.id = n.author_id WHERE n.noteable_type = 'issue' AND "
                             "n.noteable_id = ? AND n.system = 1 AND n.body = 'closed'",
                             (issue["id"],)).fetchall()
        if len(closers) != 1:
            return None
        params, _ = _project_params(project)
        return Sample({**params, "issue": issue["title"]},
                      {**_item_truth(project, issue), "answer": closers[0]["name"],
                       "username": closers[0]["username"],
                       "distractors": _people_near(db, project, "issue", issue, closers[0])})

    def reference(self, sample):
        return [f"{sample.truth['answer']} |OR| {sample.truth['username']}"]

    def steps(self, sample, page):
        page = yield from open_item(page, sample.truth, sample.params["issue"])
        notes = [normalize_space(li.text_content()) for li in section_after(
            page, "Activity").iter("li")]
        closed = [n for n in notes if re.search(r" closed · ", n)]
        if not closed:
            raise OracleError(f"no 'closed' note on {page.url}")
        name = closed[-1].split(" closed · ")[0]
        yield self.reply(sample, name, f"The activity says {name} closed the issue.")


# ---- navigation (url_match) ----


class FilterIssuesByLabel(_GitlabTemplate, NavigationTemplate):
    """Open a project's issue list filtered by a label."""

    id = "gitlab/filter_issues_by_label"
    intent_template = "Show me the open issues of {{project}} that have the label \"{{label}}\"."
    difficulty = "easy"

    def sample(self, rng, db):
        project = _pick_project(rng, db)
        labels = [r["name"] for r in db.execute("SELECT name FROM gl_labels WHERE project_id = ? "
                                                "ORDER BY id", (project["id"],))] \
            if project else []
        if not labels:
            return None
        params, truth = _project_params(project)
        return Sample({**params, "label": rng.choice(labels)}, truth)

    def target(self, sample):
        return self.url(f"/{sample.truth['path']}/-/issues",
                        **{"label_name[]": sample.params["label"]})

    def steps(self, sample, page):
        label = sample.params["label"]
        page = yield from open_project(page, sample.truth)
        page = yield act(click(sidebar_link(page, "Issues")), "Open the project's issues.")
        page = yield from choose(page, page.find("Label", "select", exact=True), label,
                                 f"Choose the label {label}.")
        page = yield act(click(page.button("Filter", exact=True)), "Apply the filter.")
        expect_text(page, "Clear filters")
        yield finish(f"The open issues labeled {label} are listed.")


class FilterIssuesByAssignee(_GitlabTemplate, NavigationTemplate):
    """Open a project's issue list filtered by an assignee."""

    id = "gitlab/filter_issues_by_assignee"
    intent_template = "Open the list of issues in {{project}} that are assigned to {{user}}."
    difficulty = "medium"

    def sample(self, rng, db):
        project = _pick_project(rng, db)
        if project is None:
            return None
        members = _members(db, project)
        member = rng.choice(members)
        if [m["name"] for m in members].count(member["name"]) > 1:
            return None
        params, truth = _project_params(project)
        return Sample({**params, "user": member["name"]},
                      {**truth, "username": member["username"],
                       "option": f"{member['name']} (@{member['username']})"})

    def target(self, sample):
        return self.url(f"/{sample.truth['path']}/-/issues",
                        assignee_username=sample.truth["username"])

    def steps(self, sample, page):
        page = yield from open_project(page, sample.truth)
        page = yield act(click(sidebar_link(page, "Issues")), "Open the project's issues.")
        page = yield from choose(page, page.find("Assignee", "select", exact=True),
                                 sample.truth["option"],
                                 f"Choose {sample.params['user']} as the assignee filter.")
        page = yield act(click(page.button("Filter", exact=True)), "Apply the filter.")
        expect_text(page, "Clear filters")
        yield finish(f"The issues assigned to {sample.params['user']} are listed.")


class MergedMergeRequests(_GitlabTemplate, NavigationTemplate):
    """Open a project's merged merge requests (the Merged tab)."""

    id = "gitlab/merged_merge_requests"
    intent_template = "Show me the merge requests of {{project}} that have been merged."
    difficulty = "easy"

    def sample(self, rng, db):
        project = _pick_project(rng, db)
        if project is None or not db.execute("SELECT 1 FROM gl_merge_requests WHERE project_id = ? "
                                             "AND state = 'merged'", (project["id"],)).fetchone():
            return None
        params, truth = _project_params(project)
        return Sample(params, truth)

    def target(self, sample):
        return self.url(f"/{sample.truth['path']}/-/merge_requests", state="merged")

    def steps(self, sample, page):
        page = yield from open_project(page, sample.truth)
        page = yield act(click(sidebar_link(page, "Merge requests")),
                         "Open the project's merge requests.")
        page = yield act(click(tab_link(page, "Merged")), "Switch to the Merged tab.")
        yield finish("The merged merge requests are listed.")


class OpenFile(_GitlabTemplate, NavigationTemplate):
    """Open a file deep in a project's repository (click through the folders)."""

    id = "gitlab/open_file"
    intent_template = "Open the file {{file}} in the repository of {{project}}."
    difficulty = "medium"
    unseen = True

    def sample(self, rng, db):
        project = _pick_project(rng, db)
        if project is None:
            return None
        paths = [r[0] for r in db.execute("SELECT path FROM gl_files WHERE project_id = ? AND "
                                          "path LIKE '%/%' ORDER BY path", (project["id"],))]
        if not paths:
            return None
        params, truth = _project_params(project)
        return Sample({**params, "file": rng.choice(paths)},
                      {**truth, "branch": project["default_branch"]})

    def target(self, sample):
        return self.url(f"/{sample.truth['path']}/-/blob/{sample.truth['branch']}/"
                        f"{sample.params['file']}")

    def steps(self, sample, page):
        parts = sample.params["file"].split("/")
        page = yield from open_project(page, sample.truth)
        for index, part in enumerate(parts):
            what = "file" if index == len(parts) - 1 else "folder"
            page = yield act(click(page.link(part, exact=True)), f"Open the {what} {part}.")
        expect_text(page, "bytes")
        yield finish(f"{sample.params['file']} is open.")


# ---- changes of state (program_html) ----


def _issue_for_change(rng, db: sqlite3.Connection, *, state: str = "opened",
                      min_access: int = REPORTER) -> tuple[dict[str, Any], sqlite3.Row] | None:
    project = _pick_project(rng, db, min_access=min_access)
    if project is None:
        return None
    issue = _unique_item(rng, db, "gl_issues", project["id"], "state = ?", (state,))
    return None if issue is None else (project, issue)


class CreateIssue(_GitlabTemplate, EditTemplate):
    """Open a new issue with a title and a description (the New issue form)."""

    id = "gitlab/create_issue"
    intent_template = ("Open an issue in {{project}} titled \"{{title}}\" with the description "
                       "\"{{description}}\".")
    difficulty = "medium"

    def sample(self, rng, db):
        project = _pick_project(rng, db)
        if project is None:
            return None
        title, description = rng.choice(NEW_ISSUES)
        iid = db.execute("SELECT coalesce(max(iid), 0) + 1 FROM gl_issues WHERE project_id = ?",
                         (project["id"],)).fetchone()[0]
        params, truth = _project_params(project)
        return Sample({**params, "title": title, "description": description},
                      {**truth, "iid": iid})

    def checks(self, sample):
        url = _issue_url(sample.truth)
        return [
            html_check(url, _text(".issuable-title"), exact_match=sample.params["title"]),
            html_check(url, _text(".issuable-description"),
                       must_include=[sample.params["description"]])]

    def steps(self, sample, page):
        p = sample.params
        page = yield from open_project(page, sample.truth)
        page = yield act(click(sidebar_link(page, "Issues")), "Open the project's issues.")
        page = yield act(click(page.link("New issue", exact=True)), "Start a new issue.")
        page = yield act(type_text(page.field("issue[title]"), p["title"]), "Type the title.")
        page = yield act(type_text(page.field("issue[description]"), p["description"]),
                         "Type the description.")
        page = yield act(click(page.button("Create issue")), "Create the issue.")
        expect_text(page, f"Issue #{sample.truth['iid']} was created")
        yield finish(f"Issue #{sample.truth['iid']} is open.")


class CommentOnIssue(_GitlabTemplate, EditTemplate):
    """Comment on an issue (the comment form)."""

    id = "gitlab/comment_on_issue"
    intent_template = "Post the comment \"{{comment}}\" on the issue \"{{issue}}\" of {{project}}."
    difficulty = "medium"

    def sample(self, rng, db):
        project = _pick_project(rng, db)
        if project is None:
            return None
        issue = _unique_item(rng, db, "gl_issues", project["id"])
        if issue is None:
            return None
        params, _ = _project_params(project)
        return Sample({**params, "issue": issue["title"], "comment": rng.choice(NEW_COMMENTS)},
                      _item_truth(project, issue))

    def checks(self, sample):
        return [html_check(_issue_url(sample.truth), _text(".notes"),
                           must_include=[sample.params["comment"]])]

    def steps(self, sample, page):
        page = yield from open_item(page, sample.truth, sample.params["issue"])
        page = yield act(type_text(page.find("Comment", "textarea"),
                                   sample.params["comment"]), "Write the comment.")
        page = yield act(click(page.button("Comment", exact=True)), "Post it.")
        expect_text(page, "Your comment was added")
        yield finish("The comment is posted.")


class CloseIssue(_GitlabTemplate, EditTemplate):
    """Close an open issue."""

    id = "gitlab/close_issue"
    intent_template = "Close the issue \"{{issue}}\" in {{project}}."
    difficulty = "easy"

    def sample(self, rng, db):
        found = _issue_for_change(rng, db)
        if found is None:
            return None
        project, issue = found
        params, _ = _project_params(project)
        return Sample({**params, "issue": issue["title"]}, _item_truth(project, issue))

    def checks(self, sample):
        return [html_check(_issue_url(sample.truth), _text(".issuable-state"),
                           exact_match="Closed")]

    def steps(self, sample, page):
        page = yield from open_item(page, sample.truth, sample.params["issue"])
        page = yield act(click(page.button("Close issue")), "Close the issue.")
        expect_text(page, "The issue was closed")
        yield finish("The issue is closed.")


class AddLabel(_GitlabTemplate, EditTemplate):
    """Add a label to an issue (the sidebar's label form)."""

    id = "gitlab/add_label"
    intent_template = "Add the label \"{{label}}\" to the issue \"{{issue}}\" in {{project}}."
    difficulty = "medium"

    def sample(self, rng, db):
        found = _issue_for_change(rng, db, state=rng.choice(("opened", "opened", "closed")))
        if found is None:
            return None
        project, issue = found
        labels = [r[0] for r in db.execute(
            "SELECT name FROM gl_labels WHERE project_id = ? AND id NOT IN (SELECT label_id FROM "
            "gl_issue_labels WHERE issue_id = ?) ORDER BY id", (project["id"], issue["id"]))]
        if not labels:
            return None
        params, _ = _project_params(project)
        return Sample({**params, "issue": issue["title"], "label": rng.choice(labels)},
                      _item_truth(project, issue))

    def checks(self, sample):
        return [html_check(_issue_url(sample.truth), _text(".issuable-labels"),
                           must_include=[sample.params["label"]])]

    def steps(self, sample, page):
        label = sample.params["label"]
        page = yield from open_item(page, sample.truth, sample.params["issue"])
        page = yield from choose(page, page.find("Select label", "select"), label,
                                 f"Choose the label {label}.")
        page = yield act(click(page.button("Add label")), "Add it to the issue.")
        labels = [normalize_space(li.text_content()).rstrip("×").strip()
                  for li in section_after(page, "Labels").iter("li")]
        if label not in labels:
            raise OracleError(f"the label {label} was not added: {labels}")
        yield finish(f"The issue now has the label {label}.")


class AssignIssue(_GitlabTemplate, EditTemplate):
    """Assign an issue to a project member (the sidebar's assignee form)."""

    id = "gitlab/assign_issue"
    intent_template = "Assign the issue \"{{issue}}\" in {{project}} to {{user}}."
    difficulty = "medium"

    def sample(self, rng, db):
        found = _issue_for_change(rng, db)
        if found is None:
            return None
        project, issue = found
        members = _members(db, project)
        member = rng.choice(members)
        assigned = {r[0] for r in db.execute("SELECT user_id FROM gl_issue_assignees WHERE "
                                             "issue_id = ?", (issue["id"],))}
        if member["id"] in assigned or member["username"] == DEFAULT_USERNAME or \
                [m["name"] for m in members].count(member["name"]) > 1:
            return None
        params, _ = _project_params(project)
        return Sample({**params, "issue": issue["title"], "user": member["name"]},
                      {**_item_truth(project, issue), "username": member["username"],
                       "option": f"{member['name']} (@{member['username']})"})

    def checks(self, sample):
        return [html_check(_issue_url(sample.truth), _text(".issuable-assignees"),
                           must_include=["@" + sample.truth["username"]])]

    def steps(self, sample, page):
        page = yield from open_item(page, sample.truth, sample.params["issue"])
        page = yield from choose(page, page.find("Select assignee", "select"),
                                 sample.truth["option"],
                                 f"Choose {sample.params['user']} as the assignee.")
        page = yield act(click(page.button("Assign", exact=True)), "Assign the issue.")
        if sample.truth["username"] not in names_in(section_after(page, "Assignees")):
            raise OracleError("the assignee was not added")
        yield finish(f"The issue is assigned to {sample.params['user']}.")


class InviteMember(_GitlabTemplate, EditTemplate):
    """Invite a user to a project with a role (the Members page)."""

    id = "gitlab/invite_member"
    intent_template = "Invite the user {{username}} to the project {{project}} as a {{role}}."
    difficulty = "medium"

    def sample(self, rng, db):
        project = _pick_project(rng, db, min_access=MAINTAINER)
        if project is None:
            return None
        members = {m["id"] for m in _members(db, project)}
        users = [r for r in db.execute("SELECT * FROM gl_users ORDER BY id") if r["id"] not in members]
        person = rng.choice(users)
        role = rng.choice(("Guest", "Reporter", "Developer", "Maintainer"))
        params, truth = _project_params(project)
        return Sample({**params, "username": person["username"], "role": role},
                      {**truth, "name": person["name"]})

    def checks(self, sample):
        return [html_check(f"{GITLAB}/{sample.truth['path']}/-/project_members",
                           _member_role_locator(sample.params["username"]),
                           exact_match=sample.params["role"])]

    def steps(self, sample, page):
        p = sample.params
        page = yield from open_project(page, sample.truth)
        page = yield act(click(sidebar_link(page, "Members")), "Open the project's members.")
        page = yield act(type_text(page.field("user"), p["username"]),
                         f"Enter the username {p['username']} in the invite form.")
        page = yield from choose(page, page.field("access_level"), p["role"],
                                 f"Choose the role {p['role']}.")
        page = yield act(click(page.button("Invite", exact=True)), "Invite the user.")
        expect_text(page, "Members were successfully added")
        yield finish(f"{p['username']} is a {p['role']} of the project.")


class ChangeMemberRole(_GitlabTemplate, EditTemplate):
    """Change a direct member's role (the Members page's role form)."""

    id = "gitlab/change_member_role"
    intent_template = "Change the role of {{user}} in the project {{project}} to {{role}}."
    difficulty = "medium"

    def sample(self, rng, db):
        project = _pick_project(rng, db, min_access=MAINTAINER)
        if project is None:
            return None
        members = _members(db, project)
        direct = [m for m in members if m["source"] == "direct" and m["id"] != project["owner_id"]
                  and m["username"] != DEFAULT_USERNAME]
        if not direct:
            return None
        member = rng.choice(direct)
        role = rng.choice([r for level, r in ROLE_NAMES.items()
                           if level <= MAINTAINER and level != member["access_level"]])
        if [m["name"] for m in members].count(member["name"]) > 1:
            return None
        params, truth = _project_params(project)
        return Sample({**params, "user": member["name"], "role": role},
                      {**truth, "username": member["username"],
                       "old": ROLE_NAMES[member["access_level"]]})

    def checks(self, sample):
        return [html_check(f"{GITLAB}/{sample.truth['path']}/-/project_members",
                           _member_role_locator(sample.truth["username"]),
                           exact_match=sample.params["role"])]

    def steps(self, sample, page):
        p = sample.params
        page = yield from open_project(page, sample.truth)
        page = yield act(click(sidebar_link(page, "Members")), "Open the project's members.")
        row = next((r for r in table_rows(page, "Account")
                    if r["Account"].startswith(p["user"] + " @")), None)
        if row is None:
            raise OracleError(f"{p['user']} is not on the members page")
        page = yield from choose(page, control_in(row["_element"], "select"), p["role"],
                                 f"Choose {p['role']} in {p['user']}'s row.")
        row = next(r for r in table_rows(page, "Account")
                   if r["Account"].startswith(p["user"] + " @"))
        page = yield act(click(control_in(row["_element"], "button", "Update role")),
                         "Save the new role.")
        expect_text(page, f"was updated to {p['role']}")
        yield finish(f"{p['user']} is now a {p['role']}.")


class StarProject(_GitlabTemplate, EditTemplate):
    """Star a project (its overview's Star button)."""

    id = "gitlab/star_project"
    intent_template = "Star the project {{project}}."
    difficulty = "easy"

    def sample(self, rng, db):
        project = _pick_project(rng, db, forks=True)
        me = default_user(db)["id"]
        if project is None or db.execute("SELECT 1 FROM gl_stars WHERE user_id = ? AND "
                                         "project_id = ?", (me, project["id"])).fetchone():
            return None
        params, truth = _project_params(project)
        return Sample(params, truth)

    def checks(self, sample):
        return [html_check(f"{GITLAB}/{sample.truth['path']}/-/starrers",
                           _text("table.starrers"),
                           must_include=["@" + DEFAULT_USERNAME])]

    def steps(self, sample, page):
        page = yield from open_project(page, sample.truth)
        page = yield act(click(page.button("Star", exact=True)), "Star the project.")
        if page.maybe("Unstar", "button", exact=True) is None:
            raise OracleError("the project is not starred")
        yield finish("The project is starred.")


class ForkProject(_GitlabTemplate, EditTemplate):
    """Fork a project into the user's namespace (the fork form)."""

    id = "gitlab/fork_project"
    intent_template = "Fork the project {{project}} into my personal namespace."
    difficulty = "medium"

    def sample(self, rng, db):
        project = _pick_project(rng, db)
        if project is None or project["namespace"] == DEFAULT_USERNAME:
            return None
        if queries.project_by_path(db, DEFAULT_USERNAME, project["path"]) is not None:
            return None
        params, truth = _project_params(project)
        return Sample(params, {**truth, "slug": project["path"]})

    def checks(self, sample):
        return [html_check(f"{GITLAB}/{DEFAULT_USERNAME}/{sample.truth['slug']}",
                           _text(".forked-from"),
                           must_include=[sample.truth["path"]])]

    def steps(self, sample, page):
        page = yield from open_project(page, sample.truth)
        page = yield act(click(page.link("Fork", exact=True)), "Fork the project.")
        namespace = page.field("namespace")
        option = next(o for o in page.options(namespace) if f"(@{DEFAULT_USERNAME})" in o)
        page = yield from choose(page, namespace, option,
                                 "Fork into my personal namespace.")
        page = yield act(click(page.button("Fork project")), "Create the fork.")
        expect_text(page, "The project was successfully forked")
        yield finish(f"The fork {DEFAULT_USERNAME}/{sample.truth['slug']} exists.")


class CreateProject(_GitlabTemplate, EditTemplate):
    """Create a blank project with a visibility (the New project form)."""

    id = "gitlab/create_project"
    intent_template = "Create a new {{visibility}} project named \"{{name}}\" in my namespace."
    difficulty = "medium"

    def sample(self, rng, db):
        name = rng.choice(NEW_PROJECT_NAMES)
        slug = queries.slugify(name)
        if queries.project_by_path(db, DEFAULT_USERNAME, slug) is not None:
            return None
        return Sample({"name": name, "visibility": rng.choice(("private", "public", "internal"))},
                      {"slug": slug})

    def checks(self, sample):
        url = f"{GITLAB}/{DEFAULT_USERNAME}/{sample.truth['slug']}"
        return [
            html_check(url, _text(".project-title"), must_include=[sample.params["name"]]),
            html_check(url, _text(".visibility-badge"),
                       exact_match=VISIBILITY_LABELS[sample.params["visibility"]])]

    def steps(self, sample, page):
        p = sample.params
        page = yield act(click(page.link("New project", exact=True)), "Start a new project.")
        page = yield act(type_text(page.field("project[name]"), p["name"]),
                         f"Name it {p['name']}.")
        radio = next((e.get("id") for e in page.elements("input", name="project[visibility]")
                      if e.get("value") == p["visibility"]), None)
        if radio is None:
            raise OracleError(f"no {p['visibility']} visibility option")
        page = yield act(click(str(radio)), f"Make it {p['visibility']}.")
        page = yield act(click(page.button("Create project")), "Create the project.")
        expect_text(page, "was successfully created")
        yield finish(f"The {p['visibility']} project {p['name']} exists.")


class SetStatus(_GitlabTemplate, EditTemplate):
    """Set the user's status message (Edit profile)."""

    id = "gitlab/set_status"
    intent_template = "Set my GitLab status to \"{{message}}\"."
    difficulty = "easy"

    def sample(self, rng, db):
        return Sample({"message": rng.choice(STATUS_MESSAGES)})

    def checks(self, sample):
        return [html_check(f"{GITLAB}/{DEFAULT_USERNAME}", _text(".status-message"),
                           exact_match=sample.params["message"])]

    def steps(self, sample, page):
        page = yield act(click(page.link("Edit profile", exact=True)), "Open Edit profile.")
        page = yield act(type_text(page.field("user[status][message]"),
                                   sample.params["message"]), "Type the status message.")
        page = yield act(click(page.button("Update profile settings")), "Save the profile.")
        expect_text(page, "Profile was successfully updated")
        yield finish("The status is set.")


class UpdateBio(_GitlabTemplate, EditTemplate):
    """Change the user's bio (Edit profile)."""

    id = "gitlab/update_bio"
    intent_template = "Change the bio on my GitLab profile to \"{{bio}}\"."
    difficulty = "easy"
    unseen = True

    def sample(self, rng, db):
        return Sample({"bio": rng.choice(BIOS)})

    def checks(self, sample):
        return [html_check(f"{GITLAB}/{DEFAULT_USERNAME}", _text(".bio"),
                           exact_match=sample.params["bio"])]

    def steps(self, sample, page):
        page = yield act(click(page.link("Edit profile", exact=True)), "Open Edit profile.")
        page = yield act(type_text(page.field("user[bio]"), sample.params["bio"]),
                         "Replace the bio.")
        page = yield act(click(page.button("Update profile settings")), "Save the profile.")
        expect_text(page, "Profile was successfully updated")
        yield finish("The bio is updated.")


class CloseMergeRequest(_GitlabTemplate, EditTemplate):
    """Close an open merge request."""

    id = "gitlab/close_merge_request"
    intent_template = "Close the merge request \"{{mr}}\" in {{project}} without merging it."
    difficulty = "medium"
    unseen = True

    def sample(self, rng, db):
        project = _pick_project(rng, db, min_access=REPORTER)
        if project is None:
            return None
        mr = _unique_item(rng, db, "gl_merge_requests", project["id"], "state = 'opened'")
        if mr is None:
            return None
        params, _ = _project_params(project)
        return Sample({**params, "mr": mr["title"]}, _item_truth(project, mr))

    def checks(self, sample):
        return [html_check(_issue_url(sample.truth, "merge_requests"),
                           _text(".issuable-state"), exact_match="Closed")]

    def steps(self, sample, page):
        page = yield from open_item(page, sample.truth, sample.params["mr"],
                                    kind="Merge requests")
        page = yield act(click(page.button("Close merge request")),
                         "Close the merge request.")
        expect_text(page, "The merge request was closed")
        yield finish("The merge request is closed.")


class AssignMostCommentedToMe(_GitlabTemplate, EditTemplate):
    """Find the open issue with the most comments and assign it to myself (list + issue)."""

    id = "gitlab/assign_most_commented_to_me"
    intent_template = ("Find the open issue with the most comments in {{project}} and assign "
                       "it to me.")
    difficulty = "hard"

    def sample(self, rng, db):
        project = _pick_project(rng, db, min_access=REPORTER)
        if project is None:
            return None
        rows = _open_issue_comments(db, project["id"])
        if len(rows) < 4 or rows[0][1] == rows[1][1]:
            return None
        issue = rows[0][0]
        me = default_user(db)["id"]
        if db.execute("SELECT 1 FROM gl_issue_assignees WHERE issue_id = ? AND user_id = ?",
                      (issue["id"], me)).fetchone():
            return None
        params, _ = _project_params(project)
        return Sample(params, {**_item_truth(project, issue), "answer": issue["title"]})

    def checks(self, sample):
        return [html_check(_issue_url(sample.truth), _text(".issuable-assignees"),
                           must_include=["@" + DEFAULT_USERNAME])]

    def steps(self, sample, page):
        page = yield from open_project(page, sample.truth)
        page = yield act(click(sidebar_link(page, "Issues")),
                         "The open issues list shows each issue's comment count.")
        rows, last = yield from all_list_rows(page, "open issues")
        best = max(rows, key=lambda r: int(r["Comments"]))
        expect_equal(best["Title"], sample.truth["answer"], "most commented issue")
        here = list_rows(last)
        if all(r["Title"] != best["Title"] for r in here):  # on an earlier page: search it
            page = last
            page = yield act(search(page.find("Search or filter results", "input"),
                                    best["Title"]), f"Search for \"{best['Title']}\".")
            here = list_rows(page)
        best = next(r for r in here if r["Title"] == best["Title"])
        page = yield act(click(best["_link"]), f"\"{best['Title']}\" has the most comments "
                         f"({best['Comments']}); open it.")
        page = yield act(click(page.button("Assign yourself")), "Assign it to myself.")
        if DEFAULT_USERNAME not in names_in(section_after(page, "Assignees")):
            raise OracleError("the issue was not assigned to me")
        yield finish("The most commented open issue is assigned to me.")


TEMPLATES: list[type[TaskTemplate]] = [
    # information seeking
    OpenIssuesWithLabel,
    IssueAssignee,
    LatestCommit,
    StarCount,
    MostStarredOfUser,
    MergeRequestBranches,
    MostCommentedOpenIssue,
    MilestoneOpenIssues,
    MemberRole,
    ManifestVersion,
    CommitsByAuthor,
    WhoClosedIssue,
    # navigation
    FilterIssuesByLabel,
    FilterIssuesByAssignee,
    MergedMergeRequests,
    OpenFile,
    # changes of state
    CreateIssue,
    CommentOnIssue,
    CloseIssue,
    AddLabel,
    AssignIssue,
    InviteMember,
    ChangeMemberRole,
    StarProject,
    ForkProject,
    CreateProject,
    SetStatus,
    UpdateBio,
    CloseMergeRequest,
    AssignMostCommentedToMe,
]
