"""Projects: stars, members, forks and new projects."""

from __future__ import annotations

import sqlite3
from typing import Any

from webarena_gym.sandbox.gitlab import queries
from webarena_gym.sandbox.gitlab.queries import MAINTAINER
from webarena_gym.sandbox.gitlab.tasks.common import (
    GITLAB,
    VISIBILITY_LABELS,
    _GitlabTemplate,
    _js,
    _members,
    _pick_project,
    _project_params,
    _text,
    choose,
    control_in,
    default_user,
    element_text,
    open_project,
    sidebar_link,
    tab_link,
    table_after,
    table_rows,
    visible_projects,
)
from webarena_gym.sandbox.gitlab.vocab import DEFAULT_USERNAME, ROLE_NAMES
from webarena_gym.sandbox.templates.base import (
    AnswerTemplate,
    EditTemplate,
    Sample,
    act,
    click,
    expect_text,
    finish,
    html_check,
    search,
    type_text,
)
from webarena_gym.sandbox.templates.page import OracleError

NEW_PROJECT_NAMES = ("Recipe Scraper", "weekend-hackathon", "Team Handbook", "budget-app",
                     "Pixel Art Gallery", "infra-notes", "Book Club", "status-page",
                     "Plant Watering Bot", "link-checker")


def _member_role_locator(username: str) -> str:
    """JS: the role shown on the Members page for ``@username`` ('' when not a member)."""
    return ("[...document.querySelectorAll('table.members tr.member')]"
            f".filter(r => r.querySelector('.username').innerText.trim() === {_js('@' + username)})"
            ".map(r => r.querySelector('.access-level').innerText.trim()).join(' | ')")


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
