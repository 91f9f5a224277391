"""What the gitlab templates share: the samplers' picks of projects, issues and people, page
readers (sidebar, tabs, tables, sections), the oracles' building blocks (open a project, an
issue or merge request; choose an option) and their base class.
"""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

from lxml import html as lxml_html

from webarena_gym.sandbox.gitlab import queries
from webarena_gym.sandbox.gitlab.vocab import DEFAULT_USERNAME
from webarena_gym.sandbox.templates.base import (
    RUNNERS_UP,
    ScriptedTemplate,
    Steps,
    act,
    click,
    search,
    select,
)
from webarena_gym.sandbox.templates.page import OracleError, Page, normalize_space

SITE = "gitlab"
GITLAB = "__GITLAB__"
LIST_PAGE = queries.ISSUES_PER_PAGE
VISIBILITY_LABELS = {"private": "Private", "internal": "Internal", "public": "Public"}


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


def _issue_url(truth: dict[str, Any], segment: str = "issues") -> str:
    return f"{GITLAB}/{truth['path']}/-/{segment}/{truth['iid']}"


# -- the base class of the site's templates -------------------------------------------------------


class _GitlabTemplate(ScriptedTemplate):
    """A gitlab task as the signed-in default user, from the dashboard."""

    sites = (SITE,)


def _members(db: sqlite3.Connection, project: dict[str, Any]) -> list[dict[str, Any]]:
    row = db.execute("SELECT * FROM gl_projects WHERE id = ?", (project["id"],)).fetchone()
    return queries.members(db, row)
