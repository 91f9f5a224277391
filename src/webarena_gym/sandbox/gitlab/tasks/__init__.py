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

By area: :mod:`.issues`, :mod:`.code` (commits, files, merge requests), :mod:`.projects`
(stars, members, forks, new projects) and :mod:`.profile`; :mod:`.common` holds what they share
(the samplers' picks, page readers, the oracles' building blocks).
"""

from __future__ import annotations

from webarena_gym.sandbox.gitlab.tasks.code import (
    CloseMergeRequest,
    CommitsByAuthor,
    LatestCommit,
    ManifestVersion,
    MergedMergeRequests,
    MergeRequestBranches,
    OpenFile,
)
from webarena_gym.sandbox.gitlab.tasks.common import (
    all_list_rows,
    choose,
    control_in,
    element_text,
    list_rows,
    names_in,
    open_item,
    open_project,
    section_after,
    selected_option,
    sidebar_link,
    tab_count,
    tab_link,
    table_after,
    table_rows,
)
from webarena_gym.sandbox.gitlab.tasks.issues import (
    AddLabel,
    AssignIssue,
    AssignMostCommentedToMe,
    CloseIssue,
    CommentOnIssue,
    CreateIssue,
    FilterIssuesByAssignee,
    FilterIssuesByLabel,
    IssueAssignee,
    MilestoneOpenIssues,
    MostCommentedOpenIssue,
    OpenIssuesWithLabel,
    WhoClosedIssue,
)
from webarena_gym.sandbox.gitlab.tasks.profile import SetStatus, UpdateBio
from webarena_gym.sandbox.gitlab.tasks.projects import (
    ChangeMemberRole,
    CreateProject,
    ForkProject,
    InviteMember,
    MemberRole,
    MostStarredOfUser,
    StarCount,
    StarProject,
)
from webarena_gym.sandbox.templates.base import TaskTemplate

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

__all__ = [
    "TEMPLATES",
    "all_list_rows",
    "choose",
    "control_in",
    "element_text",
    "list_rows",
    "names_in",
    "open_item",
    "open_project",
    "section_after",
    "selected_option",
    "sidebar_link",
    "tab_count",
    "tab_link",
    "table_after",
    "table_rows",
]
