"""Issues: counting, reading and filtering them; creating, commenting on, closing, labelling
and assigning them."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from webarena_gym.sandbox.gitlab import queries
from webarena_gym.sandbox.gitlab.queries import REPORTER
from webarena_gym.sandbox.gitlab.tasks.common import (
    _GitlabTemplate,
    _issue_url,
    _item_truth,
    _members,
    _people_near,
    _pick_project,
    _project_params,
    _text,
    _unique_item,
    all_list_rows,
    choose,
    default_user,
    list_rows,
    names_in,
    open_item,
    open_project,
    section_after,
    sidebar_link,
    tab_count,
)
from webarena_gym.sandbox.gitlab.vocab import DEFAULT_USERNAME
from webarena_gym.sandbox.templates.base import (
    RUNNERS_UP,
    AnswerTemplate,
    EditTemplate,
    NavigationTemplate,
    Sample,
    act,
    click,
    expect_equal,
    expect_text,
    finish,
    html_check,
    search,
    type_text,
)
from webarena_gym.sandbox.templates.page import OracleError, normalize_space

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
