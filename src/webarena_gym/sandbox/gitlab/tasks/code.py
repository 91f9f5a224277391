"""The repository: commits, files and merge requests."""

from __future__ import annotations

import re

from webarena_gym.sandbox.gitlab import queries
from webarena_gym.sandbox.gitlab.queries import REPORTER
from webarena_gym.sandbox.gitlab.repos import MANIFESTS
from webarena_gym.sandbox.gitlab.tasks.common import (
    _GitlabTemplate,
    _issue_url,
    _item_truth,
    _pick_project,
    _project_params,
    _text,
    _unique_item,
    open_item,
    open_project,
    sidebar_link,
    tab_link,
    table_rows,
)
from webarena_gym.sandbox.templates.base import (
    RUNNERS_UP,
    AnswerTemplate,
    EditTemplate,
    NavigationTemplate,
    Sample,
    act,
    click,
    expect_text,
    finish,
    html_check,
)
from webarena_gym.sandbox.templates.page import OracleError, normalize_space


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
