"""Task templates and oracle solvers for the ``reddit`` site (the Postmill-like forum).

The templates mirror WebArena's Postmill tasks, all as the signed-in default account
(MarvelsGrantMan136): reading forums, posts, comments and profiles (``string_match``), opening
sorted listings, searches and profiles (``url_match``), and changing state through the forum's
forms: votes, subscriptions, posts, comments, edits, deletions and the biography
(``program_html`` on the page that shows the change).

Samplers read the seeded forum through the ``db`` connection they are given and compute the
answer with the same listing rules the site uses (:mod:`webarena_gym.sandbox.reddit.rules`);
they reject instantiations a person could read two ways (ties at the top of a listing, comments
whose text repeats on a post). Oracles act like a careful member: they use the header's links,
the forum list, sort tabs, search, profiles and paging, open what they need by clicking the links
they see, and answer only what the pages they were shown say; the sampler's truth tells them
what to look for and is checked against what they read.

By area: :mod:`.forums` (forums, listings, search, subscriptions), :mod:`.people`
(profiles: counts, biographies) and :mod:`.posting` (posts, comments, votes, edits, deletions);
:mod:`.common` holds what they share (page readers, the samplers' listings, the oracles'
building blocks).
"""

from __future__ import annotations

from webarena_gym.sandbox.reddit.tasks.common import (
    biography,
    comment_item,
    comment_items,
    forum_table,
    post_row,
    post_rows,
    profile_comments,
)
from webarena_gym.sandbox.reddit.tasks.forums import (
    CompareSubscribers,
    ForumSorted,
    ForumSubscribers,
    ForumTopPeriod,
    LatestPostTitle,
    MostCommentedPost,
    PostAuthor,
    PostCommentCount,
    SearchCount,
    SearchFor,
    Subscribe,
    TopPostInForum,
    Unsubscribe,
)
from webarena_gym.sandbox.reddit.tasks.people import (
    AuthorBio,
    AuthorProfile,
    ChangeBio,
    NegativeCommentsOfAuthor,
    UserCommentCount,
    UserPostCount,
)
from webarena_gym.sandbox.reddit.tasks.posting import (
    CreateLinkPost,
    CreatePost,
    DeleteComment,
    DeletePost,
    EditPostBody,
    ReplyMostCommented,
    ReplyToComment,
    ReplyToPost,
    UpvoteTopComment,
    VotePost,
)
from webarena_gym.sandbox.templates.base import TaskTemplate

TEMPLATES: list[type[TaskTemplate]] = [
    # information seeking
    ForumSubscribers,
    LatestPostTitle,
    PostAuthor,
    PostCommentCount,
    TopPostInForum,
    MostCommentedPost,
    UserPostCount,
    UserCommentCount,
    AuthorBio,
    NegativeCommentsOfAuthor,
    CompareSubscribers,
    SearchCount,
    # navigation
    ForumSorted,
    ForumTopPeriod,
    SearchFor,
    AuthorProfile,
    # changes of state
    VotePost,
    UpvoteTopComment,
    Subscribe,
    Unsubscribe,
    CreatePost,
    CreateLinkPost,
    ReplyToPost,
    ReplyToComment,
    ReplyMostCommented,
    EditPostBody,
    DeletePost,
    DeleteComment,
    ChangeBio,
]

__all__ = [
    "TEMPLATES",
    "biography",
    "comment_item",
    "comment_items",
    "forum_table",
    "post_row",
    "post_rows",
    "profile_comments",
]
