"""The settings of each ``r1-train`` command as dataclasses; the command line is generated from them.

A command is a few dataclasses parsed by one parser (as TRL's ``trl/scripts/sft.py`` and
``grpo.py``): its script arguments (what to train, on what) and its training config.

| command | dataclasses |
| --- | --- |
| ``r1-train bc`` | :class:`BCArguments`, :class:`r1_trainer.bc.BCConfig` (TRL's ``SFTConfig``), :class:`LoraArguments` |
| ``r1-train rl`` | :class:`RLArguments`, :class:`r1_trainer.trainer.MGRPOTrainerConfig` (TRL's ``GRPOConfig``), :class:`LoraArguments` |
| ``r1-train eval`` | :class:`EvalArguments` |

Every field is a flag (``--max_episode_steps`` and ``--max-episode-steps``) whose help is the field's
``metadata["help"]``; :func:`help_from_docstring` fills a missing one from the class
docstring's ``Attributes:`` section, so a field documented there needs no second copy of its
text. Importing this module imports no torch.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import types
from dataclasses import dataclass, field
from typing import Any, TypeVar

from r1_trainer.evaluate import LITE_ENV, SANDBOX_ENV
from r1_trainer.models import DTYPE_NAMES, LoraSettings
from webarena_gym.commandline import SITE_CHOICES, check_choices, split_list
from webarena_gym.sandbox.templates import SPLITS

T = TypeVar("T")

VARIANTS_BC = ("r1", "r1-cot")
VARIANTS_RL = ("r1", "r1-zero", "r1-cot")
ENV_IDS = (SANDBOX_ENV, LITE_ENV)
_ENV_CHOICES = {"choices": ENV_IDS, "metavar": "ENV"}  # the help names both
SHARED_SITES_NOTE = (
    "WebArenaLite-v0 runs on your live WebArena sites, shared by every rollout and episode: "
    "tasks that change site state (require_reset, program_html) see each other's writes")


# ------------------------------------------------------------------------------------------------
# help text from the docstring
# ------------------------------------------------------------------------------------------------

_ENTRY = re.compile(r"^(\w+(?:\s*,\s*\w+)*)\s*:\s*(.*)$")
_ROLE = re.compile(r":\w+:`~?([^`]+)`")


def docstring_attributes(cls: type) -> dict[str, str]:
    """The ``Attributes:`` section of ``cls``'s own docstring (Google style) as ``{name: text}``.

    An entry is ``name: text`` (or ``a, b: text`` for several names) with continuation lines
    indented below it; the text comes back on one line, Sphinx roles and double backticks
    reduced to single backticks.
    """
    lines = inspect.cleandoc(cls.__dict__.get("__doc__") or "").splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == "Attributes:"), None)
    if start is None:
        return {}
    section = lines[start].index("A")
    entries: dict[str, list[str]] = {}
    names: list[str] = []
    entry_indent = None
    for line in lines[start + 1:]:
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        if indent <= section:
            break  # the next section
        entry_indent = indent if entry_indent is None else entry_indent
        match = _ENTRY.match(line.strip()) if indent == entry_indent else None
        if match:
            names = [n.strip() for n in match.group(1).split(",")]
            for name in names:
                entries[name] = [match.group(2)]
        else:
            for name in names:
                entries[name].append(line.strip())
    return {name: _plain(" ".join(parts)) for name, parts in entries.items()}


def _plain(text: str) -> str:
    """Docstring markup as a terminal shows it; ``%`` escaped for argparse's help formatting."""
    text = _ROLE.sub(r"`\1`", text).replace("``", "`")
    return re.sub(r"\s+", " ", text).strip().replace("%", "%%")


def site_list(sites: list[str] | str | None) -> list[str] | None:
    """``--sites`` as given, space- or comma-separated, checked against the site names.

    Raises:
        ValueError: an unknown site (the message lists the valid ones).
    """
    names = split_list(sites)
    check_choices(names, SITE_CHOICES, "--sites")
    return names


def help_from_docstring(cls: type[T]) -> type[T]:
    """Give every field that ``cls`` declares a ``metadata["help"]``, for the generated CLI.

    A field keeps its own help; else it takes its entry in ``cls``'s docstring ``Attributes:``;
    else (a field overriding a parent's default) the parent field's help. Use it above
    ``@dataclass``. Fields inherited unchanged are left alone (TRL's fields have their help).
    """
    documented = docstring_attributes(cls)
    own = cls.__dict__.get("__annotations__", {})
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name not in own or f.metadata.get("help"):
            continue
        text = documented.get(f.name) or _parent_help(cls, f.name)
        if text:
            f.metadata = types.MappingProxyType({**f.metadata, "help": text})
    return cls


def _parent_help(cls: type, name: str) -> str | None:
    for parent in cls.__mro__[1:]:
        found = getattr(parent, "__dataclass_fields__", {}).get(name)
        if found is not None and found.metadata.get("help"):
            return str(found.metadata["help"])
    return None


# ------------------------------------------------------------------------------------------------
# script arguments
# ------------------------------------------------------------------------------------------------


@help_from_docstring
@dataclass
class BCArguments:
    """What ``r1-train bc`` trains, on what (the training settings: :class:`r1_trainer.bc.BCConfig`).

    Attributes:
        model: ``tiny``, ``smollm2-135m``, a Hugging Face model name, or a local folder.
        demos: trajectory JSONL file(s) from ``webarena-gym demos``.
        variant: ``r1``: the demos as they are; ``r1-cot``: demos with long reasoning (recorded
            in the run; needs the thinking format).
    """

    model: str
    demos: list[str]
    variant: str = field(default="r1", metadata={"choices": VARIANTS_BC})


@help_from_docstring
@dataclass
class RLArguments:
    """What ``r1-train rl`` trains, on which tasks (the training settings:
    :class:`r1_trainer.trainer.MGRPOTrainerConfig`).

    Attributes:
        model: the BC checkpoint (WebAgent-R1), or the base model (R1-Zero): ``tiny``,
            ``smollm2-135m``, a Hugging Face model name, or a local folder.
        env_id: ``WebArenaSandbox-v0`` (a tenant per rollout), or ``WebArenaLite-v0``: your
            WebArena sites (the ``WA_*`` variables); G > 1 there only on tasks that do not change
            site state, unless ``--sites_reset``.
        sites: train on tasks of these sites only (space- or comma-separated).
        tasks: WebArena task configs (a JSON file or folder) to train on with
            ``WebArenaLite-v0`` (default: ``WEBARENA_LITE_CONFIG`` or the
            ``browsergym-webarenalite`` package's).
        variant: ``r1`` / ``r1-cot``: RL from a BC checkpoint; ``r1-zero``: RL from the base
            model.
    """

    model: str
    env_id: str = field(default=SANDBOX_ENV, metadata=_ENV_CHOICES)
    sites: list[str] | None = None
    tasks: str | None = None
    variant: str = field(default="r1", metadata={"choices": VARIANTS_RL})

    def __post_init__(self) -> None:
        self.sites = site_list(self.sites)


@help_from_docstring
@dataclass
class LoraArguments:
    """A PEFT LoRA adapter instead of training all weights (:class:`r1_trainer.models.LoraSettings`).

    Attributes:
        lora: train a LoRA adapter.
        lora_r: the adapter's rank.
        lora_alpha: LoRA's scaling numerator (``lora_alpha``).
        lora_dropout: dropout on the adapter's input.
        lora_target_modules: module names, or ``all-linear`` (every linear layer but the LM head).
    """

    lora: bool = False
    lora_r: int = LoraSettings.r
    lora_alpha: int = LoraSettings.alpha
    lora_dropout: float = LoraSettings.dropout
    lora_target_modules: list[str] = field(
        default_factory=lambda: [str(LoraSettings.target_modules)])

    def settings(self) -> LoraSettings | None:
        """The adapter's :class:`~r1_trainer.models.LoraSettings`, or None without ``lora``."""
        if not self.lora:
            return None
        targets = self.lora_target_modules
        return LoraSettings(r=self.lora_r, alpha=self.lora_alpha, dropout=self.lora_dropout,
                            target_modules=targets[0] if targets == ["all-linear"] else targets)


@help_from_docstring
@dataclass
class EvalArguments:
    """The settings of ``r1-train eval``: success rate of a model on a sandbox split or on
    WebArena-Lite tasks (the baselines table).

    Attributes:
        model: ``tiny``, ``smollm2-135m``, a Hugging Face model name, or a local folder.
        env_id: the sandbox's ``--split``, or WebArena-Lite configs (shared live sites: run
            those with ``--num_envs 1``).
        tasks: ``WebArenaLite-v0``: task configs (a JSON file or folder; default
            ``WEBARENA_LITE_CONFIG`` or ``browsergym-webarenalite``'s 165).
        split: the sandbox split.
        sites: only tasks of these sites (space- or comma-separated).
        num_tasks: at most this many tasks (sandbox ``train``: 100 unless given).
        max_episode_steps: actions per episode, one budget or several comma-separated (test-time
            scaling: ``15,30,50``).
        thinking: the ``<think>..</think><answer>..</answer>`` prompt (``--no-thinking``: the
            action alone); default: the model's own (its ``r1_trainer.json``), else on.
        max_new_tokens: tokens per turn.
        temperature: sampling temperature (0: greedy).
        num_envs: episodes run at once.
        seed: the sandbox's site-data seed.
        dtype: the weights' dtype; ``auto``: bf16 on a GPU that has it, else fp32.
        name: the row's name in the table (default: the model's).
        out: write every episode to this JSON file.
    """

    model: str
    env_id: str = field(default=SANDBOX_ENV, metadata=_ENV_CHOICES)
    tasks: str | None = None
    split: str = field(default="test", metadata={"choices": SPLITS})
    sites: list[str] | None = None
    num_tasks: int | None = None
    max_episode_steps: str = "30"
    thinking: bool | None = None
    max_new_tokens: int = 1024
    temperature: float = 0.0
    num_envs: int = 4
    seed: int = 0
    dtype: str = field(default="auto", metadata={"choices": DTYPE_NAMES})
    name: str | None = None
    out: str | None = None

    def __post_init__(self) -> None:
        self.sites = site_list(self.sites)
        try:
            budgets = self.budgets()
        except ValueError:
            budgets = []
        if not budgets or min(budgets) < 1:
            raise ValueError(f"max_episode_steps={self.max_episode_steps!r}: give positive step "
                             "limits, "
                             "comma-separated (15 or 15,30,50)")

    def budgets(self) -> list[int]:
        """The step limits of ``max_episode_steps`` (``"15,30"`` -> ``[15, 30]``)."""
        return [int(x) for x in str(self.max_episode_steps).split(",") if x.strip()]


def field_names(cls: Any) -> list[str]:
    """The names of the fields a dataclass takes in ``__init__`` (the flags of the CLI)."""
    return [f.name for f in dataclasses.fields(cls) if f.init]
