"""Group rollouts on the vector env: K tasks x G trajectories, one batched generation per turn.

For the K tasks of a training step, ``K * G`` envs of a
:class:`~webarena_gym.vector.WebArenaVectorEnv` are reset, G on each task (env ``k * G + g`` runs
rollout g of task k). Every turn, the prompt of each running episode is built with
:func:`webarena_gym.prompting.build_messages` (dynamic context compression), all of them are
sampled in **one** ``generate`` call, and the envs step concurrently. An env whose episode ended
waits (the vector env's autoreset is off) while the others go on.

For every action the rollout keeps exactly what generation produced: the prompt's token ids, the
sampled completion ids (EOS included when the model stopped) and their log-probs. Nothing is
re-tokenized from decoded text, so the M-GRPO ratio compares the tokens that were sampled, under
the context they were sampled in. A response that does not parse as an action is still stepped:
the env answers with the parser's message as the next observation's ``last_action_error``.

The episode loop is :func:`webarena_gym.episodes.run_episodes` (the one demos and evaluation
use too); the generator is its policy. Output (:class:`RolloutBatch`): the trajectories (reward,
responses, generations) and one :class:`ActionRow` per action, with its trajectory's
group-relative advantage (:func:`r1_trainer.mgrpo.group_advantages`). Env failures are per
trajectory: one whose env failed is kept (``error``, counted in ``env_errors``) but gets no
rows, and its group's advantages are normalised over the others.

Example::

    venv = make_sandbox_vector_env(K * G, task_configs=configs, max_episode_steps=15)
    batch = rollout_groups(venv, HFGenerator(model, tokenizer), configs[:K], num_generations=G,
                           max_episode_steps=15, sampling=SamplingSettings(max_new_tokens=1024))
    batch.rows[0].prompt_ids, batch.rows[0].completion_ids, batch.rows[0].old_logps
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from r1_trainer.generation import Generation, SamplingSettings, cut_at_eos, encode_prompts
from r1_trainer.mgrpo import group_advantages
from r1_trainer.models import missing_train_extra
from webarena_gym.episodes import Episode, run_episodes
from webarena_gym.prompting import build_messages

try:
    import torch
except ImportError as _exc:
    raise missing_train_extra(_exc) from _exc

if TYPE_CHECKING:
    from webarena_gym.vector import WebArenaVectorEnv

Message = Mapping[str, str]


class Generator(Protocol):
    """What a rollout samples with: :class:`~r1_trainer.generation.HFGenerator`,
    :class:`~r1_trainer.generation.VLLMGenerator`, or :class:`TRLVLLMGenerator`."""

    def generate(self, prompts: Sequence[Sequence[Message]],
                 sampling: SamplingSettings | None = None, **overrides: Any) -> list[Generation]:
        """One :class:`~r1_trainer.generation.Generation` per prompt, in order."""
        ...


@dataclass
class RolloutTrajectory:
    """One episode of a group rollout.

    Attributes:
        task_id: the task.
        group_index: the task's index among the step's K tasks (its GRPO group).
        traj_index: the trajectory's index in the batch (``group_index * G + g``).
        observations: every observation, the reset's first (one more than ``responses`` unless
            the rollout stopped at ``max_episode_steps``).
        responses: the decoded responses, as stepped.
        generations: per response, what generation produced (prompt ids, completion ids,
            log-probs).
        parse_errors: responses the action parser rejected.
        reward: the episode's reward (binary on WebArena tasks).
        terminated: the episode ended by the agent's ``exit`` (or the env's success check).
        truncated: it hit the turn limit (or the env failed: see ``error``).
        error: an env failure (a reset that failed every retry, a step that raised, a crashed
            browser): such a trajectory gets no rows and no say in its group's advantages.
        unscored: its task has no evaluators (``needs_outcome_judge``) and no outcome judge
            scored it: its reward 0 is a placeholder, so, like an errored one, it gets no rows.
    """

    task_id: str
    group_index: int
    traj_index: int
    observations: list[dict[str, str]] = field(default_factory=list)
    responses: list[str] = field(default_factory=list)
    generations: list[Generation] = field(default_factory=list)
    parse_errors: int = 0
    reward: float = 0.0
    terminated: bool = False
    truncated: bool = False
    error: str | None = None
    unscored: bool = False

    @property
    def counts(self) -> bool:
        """Whether its reward is a verdict on the policy (no env failure, and scored)."""
        return self.error is None and not self.unscored

    @property
    def interactions(self) -> int:
        """The number of actions taken."""
        return len(self.responses)

    @property
    def response_tokens(self) -> list[int]:
        """Completion tokens per action."""
        return [len(g.completion_ids) for g in self.generations]

    @property
    def prompt_tokens(self) -> list[int]:
        """Prompt tokens per action (the compressed history plus the current page)."""
        return [len(g.prompt_ids) for g in self.generations]

    @property
    def trajectory_tokens(self) -> int:
        """The length of the whole (compressed) trajectory in tokens: the last prompt, which
        holds every earlier action and the current page, plus the last response."""
        if not self.generations:
            return 0
        last = self.generations[-1]
        return len(last.prompt_ids) + len(last.completion_ids)


@dataclass
class ActionRow:
    """One action, the unit of the M-GRPO loss.

    Attributes:
        prompt_ids: ``[prompt_len]`` the ids the completion was sampled under.
        completion_ids: ``[completion_len]`` the sampled ids (EOS included when it stopped).
        old_logps: ``[completion_len]`` log π_old of each sampled id, as generation returned them.
        traj_index: the trajectory (index into :attr:`RolloutBatch.trajectories`).
        group_index: the group (task) of the trajectory.
        advantage: the trajectory's group-relative advantage A_i.
        turn: the action's turn in its episode, from 0.
    """

    prompt_ids: list[int]
    completion_ids: list[int]
    old_logps: list[float]
    traj_index: int
    group_index: int
    advantage: float
    turn: int


@dataclass
class RolloutBatch:
    """The trajectories of a group rollout and one row per action.

    Attributes:
        trajectories: ``K * G`` trajectories, task-major (``traj_index`` order).
        rows: every action of every trajectory, trajectory by trajectory, turn by turn.
        num_generations: G.
        seconds: wall time of the rollout.
        generate_seconds: of which spent generating.
        env_seconds: of which not generating (resetting and stepping the envs, building prompts).
        rounds: batched generation calls (turns of the longest episode).
    """

    trajectories: list[RolloutTrajectory]
    rows: list[ActionRow]
    num_generations: int
    seconds: float = 0.0
    generate_seconds: float = 0.0
    env_seconds: float = 0.0
    rounds: int = 0

    def metrics(self) -> dict[str, float]:
        """What the trainer logs about the rollout (means over trajectories unless said).

        ``reward``, ``reward_std``, ``success_rate`` and ``groups_with_signal`` leave out the
        trajectories whose env failed (``env_errors`` counts those) and the unscored ones
        (tasks without evaluators and no outcome judge; ``unscored`` counts those).
        """
        trajs = self.trajectories
        # Rewards of errored or unscored trajectories say nothing about the policy.
        valid = [t for t in trajs if t.counts]
        rewards = np.array([t.reward for t in valid], dtype=np.float64)
        by_group: dict[int, list[float]] = {}
        for t in valid:
            by_group.setdefault(t.group_index, []).append(t.reward)
        groups = len({t.group_index for t in trajs})
        actions = sum(t.interactions for t in trajs)
        response_tokens = [n for t in trajs for n in t.response_tokens]
        prompt_tokens = [n for t in trajs for n in t.prompt_tokens]
        unfinished = sum(not g.finished for t in trajs for g in t.generations)
        return {
            "reward": float(rewards.mean()) if len(valid) else 0.0,
            "reward_std": float(rewards.std()) if len(valid) else 0.0,
            "success_rate": float((rewards == 1.0).mean()) if len(valid) else 0.0,
            "groups_with_signal": sum(max(r) > min(r) for r in by_group.values()) / max(1, groups),
            "interactions": actions / max(1, len(trajs)),
            "trajectory_tokens": float(np.mean([t.trajectory_tokens for t in trajs])) if trajs else 0.0,
            "response_tokens": float(np.mean(response_tokens)) if response_tokens else 0.0,
            "prompt_tokens": float(np.mean(prompt_tokens)) if prompt_tokens else 0.0,
            "prompt_tokens_max": float(max(prompt_tokens, default=0)),
            "parse_error_rate": sum(t.parse_errors for t in trajs) / max(1, actions),
            "truncated_response_rate": unfinished / max(1, actions),
            "turn_limit_rate": float(np.mean([t.truncated for t in trajs])) if trajs else 0.0,
            "env_errors": float(sum(t.error is not None for t in trajs)),
            "unscored": float(sum(t.unscored and t.error is None for t in trajs)),
            "rollout_seconds": self.seconds,
            "turns_per_second": actions / self.seconds if self.seconds > 0 else 0.0,
        }


def rollout_groups(
    venv: WebArenaVectorEnv,
    generator: Generator,
    tasks: Sequence[Mapping[str, Any] | str],
    num_generations: int,
    *,
    max_episode_steps: int = 15,
    sampling: SamplingSettings | None = None,
    thinking: bool = True,
    compress: bool = True,
    seed: int | None = None,
    sync: Callable[[bool], bool] | None = None,
    outcome_judge: Callable[[Episode], float] | None = None,
) -> RolloutBatch:
    """Roll out G trajectories of each task on ``venv``, all episodes at once
    (:func:`webarena_gym.episodes.run_episodes`, with ``generator`` as the policy).

    Args:
        venv: a vector env with at least ``len(tasks) * num_generations`` envs, all holding
            the tasks; envs beyond that stay idle.
        generator: samples the responses (one call per turn for every running episode).
        tasks: the K tasks, as configs (with ``task_id``) or ids.
        num_generations: G, trajectories per task.
        max_episode_steps: actions per episode; an episode still running then ends truncated with
            reward 0 (build the env with ``max_episode_steps`` equal so the env agrees).
        sampling: temperature, top-p, tokens per turn (default
            :class:`~r1_trainer.generation.SamplingSettings`).
        thinking: the thinking or non-thinking prompt.
        compress: dynamic context compression (False keeps every page, for comparison).
        seed: reset seed (env ``i`` gets ``seed + i``).
        sync: for several processes whose generation runs collectives (ZeRO-3, FSDP): called
            every turn with "this process has running episodes", returns whether any process
            has; a process whose episodes all ended keeps generating (a throw-away prompt)
            until every process is done, so that all processes make the same ``generate``
            calls.
        outcome_judge: scores the episodes of tasks without evaluators (instruction-only
            lists such as WebRL's; ``needs_outcome_judge``) from the episode record
            (observations, responses, answer): a reward in [0, 1]. Without one, such
            trajectories are ``unscored`` and get no rows (their 0 is no verdict).

    Returns:
        The trajectories and one :class:`ActionRow` per action, advantages filled in. A
        trajectory whose env failed (``error``) has no rows and is left out of its group's
        advantage normalisation; the others keep their rewards.

    Raises:
        ValueError: the env has too few envs for ``K * G`` rollouts.
    """
    started = time.perf_counter()
    ids = [str(t["task_id"]) if isinstance(t, Mapping) else str(t) for t in tasks]
    n = len(ids) * num_generations
    if num_generations < 1 or not ids:
        raise ValueError("rollout_groups needs at least one task and num_generations >= 1")
    if venv.num_envs < n:
        raise ValueError(
            f"{len(ids)} tasks x {num_generations} generations need {n} envs; the vector env has "
            f"{venv.num_envs}: make it with num_envs={n}"
        )
    sampling = sampling or SamplingSettings()
    batch = RolloutBatch([], [], num_generations)
    generations: list[list[Generation]] = [[] for _ in range(n)]

    def respond(episodes: Sequence[Episode]) -> list[str]:
        if sync is not None:
            sync(True)  # this process's turn; the others' answers matter once it is done
        prompts = [build_messages(e.observations, e.responses, thinking=thinking,
                                  compress=compress) for e in episodes]
        clock = time.perf_counter()
        sampled = generator.generate(prompts, sampling)
        batch.generate_seconds += time.perf_counter() - clock
        batch.rounds += 1
        for episode, generation in zip(episodes, sampled, strict=True):
            generations[episode.index].append(generation)
        return [g.text for g in sampled]

    episodes = run_episodes(venv, [ids[k // num_generations] for k in range(n)], respond,
                            max_episode_steps=max_episode_steps, seed=seed)
    batch.env_seconds = time.perf_counter() - started - batch.generate_seconds
    while sync is not None and sync(False):
        # Another process still generates: match its generate call, discard the result.
        generator.generate([build_messages([_IDLE_OBSERVATION], [], thinking=thinking)],
                           sampling)
    for e in episodes:
        reward, unscored = e.reward, e.unscored and e.error is None
        if unscored and outcome_judge is not None:
            reward, unscored = float(outcome_judge(e)), False
        batch.trajectories.append(RolloutTrajectory(
            task_id=e.task_id, group_index=e.index // num_generations, traj_index=e.index,
            observations=e.observations, responses=e.responses, generations=generations[e.index],
            parse_errors=e.parse_errors, reward=reward, terminated=e.terminated,
            truncated=e.truncated, error=e.error, unscored=unscored,
        ))
    trajs = batch.trajectories

    # the advantages come from the loss module's function, on tensors
    advantages = group_advantages(
        torch.tensor([t.reward for t in trajs], dtype=torch.float32),
        torch.tensor([t.group_index for t in trajs]),
        valid=torch.tensor([t.counts for t in trajs]),
    ).tolist()
    for traj, advantage in zip(trajs, advantages, strict=True):
        if not traj.counts:
            continue  # its env failed, or nothing scored it: no verdict on the policy
        for turn, g in enumerate(traj.generations):
            batch.rows.append(ActionRow(
                prompt_ids=list(g.prompt_ids), completion_ids=list(g.completion_ids),
                old_logps=list(g.logprobs), traj_index=traj.traj_index,
                group_index=traj.group_index, advantage=float(advantage), turn=turn,
            ))
    batch.seconds = time.perf_counter() - started
    return batch


# The prompt of a process's throw-away generate calls (``sync``): short, its output unused.
_IDLE_OBSERVATION = {"intent": "", "url": "", "html": "", "last_action_error": ""}


class TRLVLLMGenerator:
    """Sampling through a TRL ``GRPOTrainer``'s vLLM engine (``use_vllm=True``; server or
    colocate mode), with the same interface as :class:`~r1_trainer.generation.HFGenerator`.

    The trainer syncs the policy's weights into vLLM before a rollout; this class only templates
    and fits the prompts (exactly as the HF path does) and asks vLLM for one completion per
    prompt with the sampled tokens' log-probs.

    TRL's ``vllm_generation.generate`` gathers every process's prompts (server mode, or the
    tensor-parallel group in colocate mode) and hands process ``r`` the completions
    ``r * n .. (r + 1) * n - 1``, ``n`` being that process's own prompt count: right only when
    every process sends as many prompts. Episodes end unevenly, so with ``gather_counts`` each
    process pads its prompts to the largest count (repeating its shortest prompt) and drops the
    padding's completions.

    Args:
        vllm_generation: the trainer's ``trl.generation.vllm_generation.VLLMGeneration``.
        tokenizer: the policy's tokenizer.
        eos_ids: ids that end a completion.
        max_prompt_tokens: the prompt budget (:func:`r1_trainer.data.fit_prompt`); None: no cut.
        gather_counts: ``n -> [n of every process]`` (a collective every process calls on each
            ``generate``); None: one process, no padding.
    """

    def __init__(self, vllm_generation: Any, tokenizer: Any, eos_ids: Sequence[int],
                 max_prompt_tokens: int | None = None, *,
                 gather_counts: Callable[[int], Sequence[int]] | None = None) -> None:
        self.vllm_generation = vllm_generation
        self.tokenizer = tokenizer
        self.eos_ids = list(eos_ids)
        self.max_prompt_tokens = max_prompt_tokens
        self.gather_counts = gather_counts

    def generate(self, prompts: Sequence[Sequence[Message]],
                 sampling: SamplingSettings | None = None, **overrides: Any) -> list[Generation]:
        """One completion per prompt (sampling settings are the trainer's vLLM settings)."""
        prompt_ids = encode_prompts(prompts, self.tokenizer, self.max_prompt_tokens)
        own = len(prompt_ids)
        padded = list(prompt_ids)
        if self.gather_counts is not None:
            most = max(self.gather_counts(own))
            filler = (min(prompt_ids, key=len) if prompt_ids else
                      encode_prompts([[{"role": "user", "content": ""}]], self.tokenizer, None)[0])
            padded += [filler] * (most - own)
        _, completion_ids, logprobs, _ = self.vllm_generation.generate(
            prompts=padded, images=None, num_generations=1)
        results = []
        for ids, completion, lps in zip(prompt_ids, completion_ids[:own], logprobs[:own],
                                        strict=True):
            tokens, finished = cut_at_eos(list(completion), self.eos_ids)
            top1 = [lp[0] if isinstance(lp, (list, tuple)) else lp for lp in lps][: len(tokens)]
            results.append(Generation(
                prompt_ids=list(ids), completion_ids=tokens, logprobs=[float(x) for x in top1],
                text=self.tokenizer.decode(tokens, skip_special_tokens=True), finished=finished,
            ))
        return results
