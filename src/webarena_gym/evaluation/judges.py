"""Fuzzy judges: decide whether a free-text answer means the same as a reference.

WebArena asks GPT-4 two questions: *is this answer semantically the reference?* (``fuzzy_match``)
and *is the reported reason a task is unachievable the actual one?* (``ua_match``).
:class:`OpenAIJudge` asks them of any OpenAI-compatible ``/chat/completions`` endpoint;
:class:`OfflineJudge` answers them by normalized containment when no endpoint is configured,
and the evaluation result flags its use (``judge_fallback``).
"""

from __future__ import annotations

import asyncio
import os
import re
from typing import Any, Protocol, runtime_checkable

from webarena_gym.chat_api import ChatAPIError, chat_completion
from webarena_gym.evaluation.result import EvaluationError

JUDGE_BASE_URL_ENV = "WEBARENA_GYM_JUDGE_BASE_URL"
JUDGE_MODEL_ENV = "WEBARENA_GYM_JUDGE_MODEL"
JUDGE_API_KEY_ENV = "WEBARENA_GYM_JUDGE_API_KEY"
DEFAULT_JUDGE_MODEL = "gpt-4o"


class JudgeError(EvaluationError):
    """The judge could not be asked (endpoint unreachable, HTTP error, malformed response)."""


class UnclearVerdict(JudgeError):
    """The judge answered, but with neither verdict word; the episode scores 0 with a note."""


@runtime_checkable
class Judge(Protocol):
    """Answers WebArena's two fuzzy questions. ``name`` appears in ``info["eval"]``."""

    name: str

    def fuzzy_match(self, intent: str, reference: str, prediction: str) -> bool:
        """Whether ``prediction`` answers ``intent`` the way ``reference`` does."""
        ...

    def ua_match(self, intent: str, reference: str, prediction: str) -> bool:
        """Whether ``prediction`` gives the same reason as ``reference`` for why ``intent`` is
        unachievable."""
        ...


def normalize_text(text: str) -> str:
    """Lower case, punctuation to spaces, whitespace collapsed."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


class OfflineJudge:
    """Normalized matching, used when no LLM endpoint is configured.

    A reference matches when its normalized words appear, in order and as whole words, in the
    normalized prediction. Stricter than an LLM (no paraphrases), never more lenient.
    """

    name = "offline"
    fallback = True

    def fuzzy_match(self, intent: str, reference: str, prediction: str) -> bool:
        """``reference`` contained in ``prediction`` after normalizing both."""
        ref = normalize_text(reference)
        return bool(ref) and f" {ref} " in f" {normalize_text(prediction)} "

    def ua_match(self, intent: str, reference: str, prediction: str) -> bool:
        """The actual reason (``reference``) contained in the reported one, normalized."""
        return self.fuzzy_match(intent, reference, prediction)


_FUZZY_PROMPT = (
    "Help a teacher grade a student's answer to a question. The student may phrase the answer "
    "differently; decide whether it is semantically equivalent to the reference answer.\n"
    "question: {intent}\n"
    "reference answer: {reference}\n"
    "The string 'N/A' is a special token meaning 'not achievable'.\n"
    "student answer: {prediction}\n"
    "Conclude the judgement with exactly one of: correct, incorrect, partially correct."
)
_UA_PROMPT = (
    "task: {intent}\n"
    "actual unachievable reason: {reference}\n"
    "reported unachievable reason: {prediction}\n"
    "The task above cannot be done, for the actual reason given. Someone attempted it, failed, "
    "and reported a reason. Decide whether the reported reason agrees with the actual one, even "
    "if only implicitly. Answer 'same' if it does and 'different' if it does not."
)


# The harnesses' prompts, word for word (WebArena's helper_functions.py; VAB's differs in the
# fuzzy prompt's last sentence). Both send them after the system message "You are a helpful
# assistant" to gpt-4-1106-preview at temperature 0.
HARNESS_JUDGE_MODEL = "gpt-4-1106-preview"
HARNESS_SYSTEM = "You are a helpful assistant"
_HARNESS_FUZZY_HEAD = (
    "Help a teacher to grade the answer of a student given a question. Keep in mind that the "
    "student may use different phrasing or wording to answer the question. The goal is to "
    "evaluate whether the answer is semantically equivalent to the reference answer.\n"
    "question: {intent}\n"
    "reference answer: {reference}\n"
    "all the string 'N/A' that you see is a special sequence that means 'not achievable'\n"
    "student answer: {prediction}\n"
)
HARNESS_FUZZY_PROMPTS = {
    "webarena": _HARNESS_FUZZY_HEAD + "Conclude the judgement by correct/incorrect/partially correct.",
    "vab": _HARNESS_FUZZY_HEAD + "Conclude the judgement by 'correct', 'incorrect', or 'partially "
    "correct'. Only output one of these options, and nothing else.",
}
HARNESS_UA_PROMPT = (
    "task: {intent}\n"
    "actual unachievable reason: {reference}\n"
    "reported unachievable reason: {prediction}\n"
    "The task described above is inherently unachievable due to the reason specified under "
    "'actual unachievable reason'. An individual previously attempted this task and was unable "
    "to complete it. They provided a reason for their failure, which is listed under 'reported "
    "unachievable reason'. Your role is to review both the actual and reported reasons. "
    "Determine if the reported reason aligns with the actual reason, even if implicitly. If the "
    "stated reason is in line with the actual reason, respond with 'same'. Otherwise, respond "
    "with 'different'."
)


class OpenAIJudge:
    """A judge behind an OpenAI-compatible ``/chat/completions`` endpoint (stdlib HTTP).

    Args:
        base_url: the API root, e.g. ``https://api.openai.com/v1`` or a local vLLM server.
        model: the model name sent in each request.
        api_key: sent as a Bearer token when given.
        timeout_s: per-request timeout.
    """

    fallback = False

    def __init__(
        self, base_url: str, model: str, api_key: str | None = None, timeout_s: float = 60.0
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key
        self.timeout_s = timeout_s
        self.name = f"openai:{model}"

    def __repr__(self) -> str:  # keeps the key out of logs
        return f"OpenAIJudge(base_url={self.base_url!r}, model={self.model!r})"

    #: The evaluation passes its mode (``prompts=``): in "webarena"/"vab" the harness's prompt.
    follows_eval_mode = True

    def fuzzy_match(
        self, intent: str, reference: str, prediction: str, prompts: str | None = None
    ) -> bool:
        """Ask whether the answer is correct; "incorrect"/"partially correct" count as no.
        ``prompts`` "webarena"/"vab": that harness's prompt word for word."""
        template = HARNESS_FUZZY_PROMPTS.get(prompts or "", _FUZZY_PROMPT)
        reply = self.complete(
            template.format(intent=intent, reference=reference, prediction=prediction),
            system=HARNESS_SYSTEM if prompts in HARNESS_FUZZY_PROMPTS else None,
        ).lower()
        if "partially correct" in reply or "incorrect" in reply:
            return False
        if "correct" in reply:
            return True
        raise UnclearVerdict(f"judge {self.name} gave no correct/incorrect verdict: {reply!r:.200}")

    def ua_match(
        self, intent: str, reference: str, prediction: str, prompts: str | None = None
    ) -> bool:
        """Ask whether the reported unachievable reason is the actual one ("same"/"different");
        ``prompts`` "webarena"/"vab": the harnesses' prompt word for word."""
        harness = prompts in HARNESS_FUZZY_PROMPTS
        template = HARNESS_UA_PROMPT if harness else _UA_PROMPT
        reply = self.complete(
            template.format(intent=intent, reference=reference, prediction=prediction),
            system=HARNESS_SYSTEM if harness else None,
        ).lower()
        if "different" in reply:
            return False
        if "same" in reply:
            return True
        raise UnclearVerdict(f"judge {self.name} gave no same/different verdict: {reply!r:.200}")

    def complete(self, prompt: str, system: str | None = None) -> str:
        """One deterministic chat completion; returns the reply text.

        Raises:
            JudgeError: the endpoint is unreachable, answers an HTTP error, or a body without
                ``choices[0].message.content``.
        """
        messages = [
            {"role": "system", "content": system or "You are a helpful assistant."},
            {"role": "user", "content": prompt},
        ]
        try:
            reply = chat_completion(
                self.base_url, self.model, messages, api_key=self.api_key,
                timeout_s=self.timeout_s, temperature=0, max_tokens=768,
            )
        except ChatAPIError as exc:
            hint = "" if exc.status else f"; check {JUDGE_BASE_URL_ENV}"
            raise JudgeError(f"judge endpoint: {exc}{hint}") from None
        return str(reply["content"])


def default_judge(eval_mode: str = "gym") -> Judge:
    """:class:`OpenAIJudge` when ``WEBARENA_GYM_JUDGE_BASE_URL`` is set, else :class:`OfflineJudge`.

    The model comes from ``WEBARENA_GYM_JUDGE_MODEL``; without it, the harness's own model in
    the ``"webarena"`` and ``"vab"`` modes (``gpt-4-1106-preview``) and ``gpt-4o`` in ``"gym"``.
    The key comes from ``WEBARENA_GYM_JUDGE_API_KEY`` or ``OPENAI_API_KEY``.
    """
    base_url = os.environ.get(JUDGE_BASE_URL_ENV, "").strip()
    if not base_url:
        return OfflineJudge()
    fallback_model = DEFAULT_JUDGE_MODEL if eval_mode == "gym" else HARNESS_JUDGE_MODEL
    model = os.environ.get(JUDGE_MODEL_ENV, "").strip() or fallback_model
    api_key = os.environ.get(JUDGE_API_KEY_ENV) or os.environ.get("OPENAI_API_KEY")
    return OpenAIJudge(base_url, model, api_key=api_key)


class JudgeCalls:
    """One evaluation's use of a judge: runs it off the event loop and records that it was used.

    Judges block (HTTP); the evaluation runs on the browser's shared event loop, so each call
    goes to a worker thread to keep other environments' steps moving.
    """

    def __init__(self, judge: Judge, mode: str | None = None) -> None:
        self.judge = judge
        self.used = False
        self.mode = mode

    @property
    def fallback(self) -> bool:
        """Whether the judge is the offline fallback rather than an LLM."""
        return bool(getattr(self.judge, "fallback", False))

    async def fuzzy_match(
        self, intent: str, reference: str, prediction: str, notes: list[str]
    ) -> bool:
        """The judge's ``fuzzy_match``; an unclear verdict is False with a note."""
        return await self._ask(self.judge.fuzzy_match, intent, reference, prediction, notes)

    async def ua_match(
        self, intent: str, reference: str, prediction: str, notes: list[str]
    ) -> bool:
        """The judge's ``ua_match``; an unclear verdict is False with a note."""
        return await self._ask(self.judge.ua_match, intent, reference, prediction, notes)

    async def _ask(
        self, method: Any, intent: str, reference: str, prediction: str, notes: list[str]
    ) -> bool:
        self.used = True
        try:
            if self.mode and getattr(self.judge, "follows_eval_mode", False):
                return bool(await asyncio.to_thread(
                    method, intent, reference, prediction, prompts=self.mode
                ))
            return bool(await asyncio.to_thread(method, intent, reference, prediction))
        except UnclearVerdict as exc:
            notes.append(str(exc))
            return False
