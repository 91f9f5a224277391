"""The agent's prompt: system prompts and chat messages with dynamic context compression.

The one place that turns an episode into chat messages (DESIGN 4.1), used by the BC data, the RL
rollouts, the baselines and external agents alike, so that a model sees the same contexts in
training and at test time.

At turn ``t`` the history is ``(s'_1, a_1, ..., s'_{t-1}, a_{t-1}, s_t)``: every earlier
observation ``s'_i`` keeps only its round number, its URL (a path when on the current page's
site) and the first sentence of its action error, its page replaced by the placeholder
:data:`PLACEHOLDER`; every earlier response ``a_i`` keeps its action (its ``<think>`` reasoning
dropped unless ``history_thinking``); the current observation ``s_t`` is shown in full. The
prompt therefore grows by a few dozen tokens per turn, not by one page:
``benchmarks/trainer_cost.py`` measures the longest prompt of a 15-turn episode at under 1.5x
the first turn's.

Example::

    from webarena_gym.prompting import build_messages
    messages = build_messages(observations, responses)          # len(observations) == len(responses) + 1
    text = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit, urlunsplit

from webarena_gym.actions import ACTION_SPECS

#: What an earlier observation's page becomes in the history.
PLACEHOLDER = "** Simplified html **"

#: How much of an earlier action error the compressed history keeps (the current error is
#: shown in full); what it needs is the gist, that the action failed and why.
HISTORY_ERROR_CHARS = 80

#: How much of an earlier page's URL the compressed history keeps.
HISTORY_URL_CHARS = 80

Message = dict[str, str]

_INTRO = """\
You are an autonomous web agent. You operate a real web browser to complete a task for a user.
Each turn you see the task, the page's URL, and the page as simplified HTML in which every \
element you can act on carries a number: <a id="12">Orders</a> is element 12.
{history} If your previous action failed, the error is shown before the page.

Actions (exactly one per turn; element numbers are the ones on the current page):
{actions}

Rules:
- Use only the elements of the current page; numbers change from page to page.
- Strings are in double quotes; element numbers too, as in the examples.
- When the task asks for information, finish with exit(message="...") holding just the answer \
(a number, a name, a short phrase), nothing more. When the task asks you to do something, do it, \
then finish with exit(message="").
- If the task cannot be done, finish with exit(message="N/A")."""

_THINKING = """
Reply in this format, and nothing else:
<think>your reasoning about the page and the next step, briefly</think>
<answer>one action</answer>"""

_NON_THINKING = """
Reply with exactly one action, and nothing else (no explanation)."""


def action_reference() -> str:
    """The action list of the system prompt: one line per action the parser accepts."""
    return "\n".join(f"- {spec.example}: {spec.description}" for spec in ACTION_SPECS)


def system_prompt(
    thinking: bool = True, *, compress: bool = True, history_thinking: bool = False
) -> str:
    """The system prompt: the action grammar (exactly :data:`~webarena_gym.actions.ACTION_SPECS`)
    and the reply format, ``<think>...</think><answer>action</answer>`` when ``thinking``, else
    the action alone. ``compress`` and ``history_thinking`` are :func:`build_messages`'s, so
    that the prompt describes the history the model is actually shown."""
    if not compress:
        history = "Earlier pages of the episode are shown in full, each with your reply to it."
    else:
        history = (
            f'Earlier pages of the episode are shown as "{PLACEHOLDER}", with their URL and the '
            "gist of their error; your earlier actions are shown "
            + ("with their reasoning." if history_thinking else "without their reasoning.")
        )
    intro = _INTRO.format(history=history, actions=action_reference())
    return intro + (_THINKING if thinking else _NON_THINKING)


def observation_message(
    obs: Mapping[str, str],
    round_index: int,
    *,
    compressed: bool = False,
    with_task: bool = False,
    current_url: str | None = None,
) -> str:
    """One observation as a user message's text.

    Args:
        obs: an env observation (``intent``, ``url``, ``html``, ``last_action_error``).
        round_index: the turn's number, from 1.
        compressed: an earlier observation of the history: its page becomes
            :data:`PLACEHOLDER`, its URL and error are clipped (:data:`HISTORY_URL_CHARS`,
            :data:`HISTORY_ERROR_CHARS`).
        with_task: open with the task (the first user message carries it).
        current_url: the current page's URL; a compressed observation on the same site (scheme
            and host) shows its URL as a path (``/customer/account/``), the site being the
            current page's.
    """
    lines = []
    if with_task:
        lines.append(f"Task: {obs.get('intent', '')}")
    lines.append(f"Round {round_index}")
    url = obs.get("url", "")
    if compressed:
        url = _clip(_relative_url(url, current_url), HISTORY_URL_CHARS)
    lines.append(f"URL: {url}")
    error = obs.get("last_action_error") or ""
    if error:
        if compressed:  # its first sentence: what failed, not the advice after it
            error = _clip(_FIRST_SENTENCE.split(error.strip(), maxsplit=1)[0], HISTORY_ERROR_CHARS)
        lines.append(f"Previous action error: {error}")
    lines.append(PLACEHOLDER if compressed else f"Page:\n{obs.get('html', '')}")
    return "\n".join(lines)


_FIRST_SENTENCE = re.compile(r"(?<=[.;!?])\s|\n")


def _relative_url(url: str, current_url: str | None) -> str:
    """``url`` as a path when it is on the same scheme and host as ``current_url``."""
    if not current_url:
        return url
    here, there = urlsplit(current_url), urlsplit(url)
    if not there.netloc or (there.scheme, there.netloc) != (here.scheme, here.netloc):
        return url
    return urlunsplit(("", "", there.path or "/", there.query, there.fragment))


def _clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with ``...`` when it was longer."""
    return text if len(text) <= limit else text[:limit].rstrip() + "..."


def build_messages(
    observations: Sequence[Mapping[str, str]],
    responses: Sequence[str],
    *,
    thinking: bool = True,
    compress: bool = True,
    system: bool = True,
    history_thinking: bool = False,
) -> list[Message]:
    """The chat messages of turn ``len(observations)``: the prompt the next response answers.

    Args:
        observations: the episode's observations so far, oldest first, the current one last.
        responses: the responses given to all but the current observation
            (``len(responses) == len(observations) - 1``); their actions are kept in full.
        thinking: the thinking or non-thinking system prompt.
        compress: replace every earlier page by :data:`PLACEHOLDER` (dynamic context
            compression); ``False`` keeps every page (for comparison: the prompt then grows by
            one page per turn).
        system: start with the system message.
        history_thinking: keep the ``<think>`` reasoning of earlier responses. By default a
            compressed history drops it, each earlier response becoming
            ``<answer>action</answer>`` (:func:`history_response`); ``compress=False`` keeps
            every response as it was.

    Returns:
        ``[{"role": "system"|"user"|"assistant", "content": str}, ...]``, ending with the user
        message of the current observation.
    """
    if not observations:
        raise ValueError("build_messages needs at least one observation (the current page)")
    if len(responses) != len(observations) - 1:
        raise ValueError(
            f"build_messages got {len(observations)} observations and {len(responses)} "
            "responses; give one response per observation except the current (last) one"
        )
    messages: list[Message] = []
    if system:
        messages.append({"role": "system", "content": system_prompt(
            thinking, compress=compress, history_thinking=history_thinking)})
    last = len(observations) - 1
    for i, obs in enumerate(observations):
        content = observation_message(
            obs, i + 1, compressed=compress and i < last, with_task=i == 0,
            current_url=observations[last].get("url"),
        )
        messages.append({"role": "user", "content": content})
        if i < last:
            response = responses[i]
            if compress and not history_thinking:
                response = history_response(response)
            messages.append({"role": "assistant", "content": response})
    return messages


def history_response(response: str) -> str:
    """An earlier response as the compressed history keeps it: its action without its reasoning
    (``<answer>action</answer>`` when it has an answer, else the text without ``<think>``)."""
    action = to_reply_format(response, thinking=False)
    return f"<answer>{action}</answer>" if _ANSWER.search(response) else action


_ANSWER = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL)


def to_reply_format(response: str, thinking: bool) -> str:
    """A response rewritten for the given reply format (to train one format on the other's data).

    Thinking keeps the response when it has ``<answer>``, else wraps it as
    ``<think></think><answer>...</answer>``; non-thinking keeps only the action (the
    ``<answer>`` content, or the text without its ``<think>`` block).
    """
    match = _ANSWER.search(response)
    if thinking:
        if match:
            return response
        return f"<think></think><answer>{response.strip()}</answer>"
    if match:
        return match.group(1).strip()
    return _THINK.sub("", response).strip()
