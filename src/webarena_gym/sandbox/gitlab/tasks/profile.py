"""My profile: status and bio."""

from __future__ import annotations

from webarena_gym.sandbox.gitlab.tasks.common import GITLAB, _GitlabTemplate, _text
from webarena_gym.sandbox.gitlab.vocab import DEFAULT_USERNAME
from webarena_gym.sandbox.templates.base import (
    EditTemplate,
    Sample,
    act,
    click,
    expect_text,
    finish,
    html_check,
    type_text,
)

STATUS_MESSAGES = ("Out of office until Monday", "Reviewing merge requests today",
                   "Heads down on the release", "On parental leave", "Travelling, slow replies",
                   "Focusing on accessibility fixes", "At a conference this week")
BIOS = ("Accessibility advocate and front-end developer.",
        "I build developer tools and write about them.",
        "Open source maintainer. Coffee, code and cats.",
        "Full-stack developer who loves good documentation.",
        "Making the web faster, one bundle at a time.")


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
