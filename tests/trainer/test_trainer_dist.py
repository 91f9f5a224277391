"""M-GRPO on more than one process: every process runs the same forward passes."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import descendant_pids

pytest.importorskip("torch")
pytest.importorskip("trl")

import r1_trainer  # noqa: E402

WORKER = Path(__file__).with_name("trainer_dist_worker.py")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_fsdp2_two_processes_with_uneven_episodes_finish(tmp_path):
    """FSDP2 on gloo (2 CPU processes, the policy sharded at load time): process 0's episodes take 1 turn, process 1's 4, so
    they hold 2 and 8 rows; with one row per log-prob pass and per loss pass, the processes
    would run different numbers of forward passes and the parameter all-gathers would hang
    (before the fix this run never ended). Every process runs as many as the busiest one."""
    env = dict(os.environ, OMP_NUM_THREADS="1", TRL_EXPERIMENTAL_SILENCE="1",
               PYTHONPATH=os.pathsep.join([str(Path(r1_trainer.__file__).parents[1]),
                                           os.environ.get("PYTHONPATH", "")]))
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
               "--master_port", str(_free_port()), str(WORKER), str(tmp_path)]
    launcher = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
    try:
        output, _ = launcher.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        # workers stuck in a collective ignore torchrun's SIGTERM: kill them, then torchrun
        for pid in [*reversed(descendant_pids(launcher.pid)), launcher.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        output, _ = launcher.communicate()
        pytest.fail(f"the 2-process FSDP2 run hung (killed after 120 s):\n{output[-3000:]}")
    assert launcher.returncode == 0, output[-3000:]
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1)]
    assert all(r["fsdp2"] for r in ranks), ranks
    assert [r["rows"] for r in ranks] == [2, 8]  # G = 2 episodes of 1 and of 4 turns
    assert all(r["steps"] == 2 for r in ranks)
    # per step: π_old (recomputed) and the loss, one pass per row of the busiest process
    assert ranks[0]["forwards"] == ranks[1]["forwards"] == 2 * (8 + 8)
    assert ranks[0]["loss"] == pytest.approx(ranks[1]["loss"])


class ServerModeVLLM:
    """TRL's ``vllm_generation.generate`` in server mode as process ``rank`` sees it: the
    processes' prompts are gathered in rank order (the other processes' are ``others``), the
    main process asks the server for all of them, and each process takes the slice
    ``rank * n .. (rank + 1) * n`` of the answers, ``n`` being its own prompt count."""

    def __init__(self, tokenizer, rank, others):
        self.tokenizer, self.rank, self.others = tokenizer, rank, others
        self.sent: list[list[list[int]]] = []

    def reply(self, prompt_ids):
        """The server's completion of a prompt: a function of it, ending with EOS."""
        return self.tokenizer.encode(f"reply {sum(prompt_ids) % 997}") + [
            self.tokenizer.eos_token_id]

    def generate(self, prompts, images, num_generations):
        self.sent.append(list(prompts))
        everyone = [*self.others[:self.rank], list(prompts), *self.others[self.rank:]]
        gathered = [p for process in everyone for p in process]
        completions = [self.reply(p) for p in gathered]
        mine = slice(self.rank * len(prompts), (self.rank + 1) * len(prompts))
        return (gathered[mine], completions[mine],
                [[[-0.25] for _ in c] for c in completions[mine]], None)


def test_vllm_generator_pads_to_the_largest_prompt_count_of_the_processes():
    """Process 1 has one running episode while process 0 has three: without padding it took
    process 0's second answer for its own prompt. It pads to three prompts (the count every
    process reports) and keeps the answer of its own prompt only."""
    from r1_trainer.generation import encode_prompts
    from r1_trainer.models import load_tokenizer
    from r1_trainer.rollout import TRLVLLMGenerator

    tokenizer = load_tokenizer("tiny")

    def page(text):
        return [{"role": "user", "content": text}]

    others = [encode_prompts([page("first page"), page("second page"), page("third")],
                             tokenizer)]
    vllm = ServerModeVLLM(tokenizer, rank=1, others=others)
    gathered = []

    def gather_counts(n):
        gathered.append(n)
        return [3, n]

    generator = TRLVLLMGenerator(vllm, tokenizer, [tokenizer.eos_token_id],
                                 gather_counts=gather_counts)
    [generation] = generator.generate([page("my own page")])
    own = encode_prompts([page("my own page")], tokenizer)[0]
    assert gathered == [1]
    assert len(vllm.sent[0]) == 3 and vllm.sent[0][0] == own  # padded with copies
    assert generation.prompt_ids == own
    assert generation.completion_ids == vllm.reply(own) and generation.finished
    assert generation.logprobs == [-0.25] * len(generation.completion_ids)

    # what happened before: unpadded, process 1 got process 0's answer to "second page"
    unpadded = ServerModeVLLM(tokenizer, rank=1, others=others)
    [wrong] = TRLVLLMGenerator(unpadded, tokenizer, [tokenizer.eos_token_id]).generate(
        [page("my own page")])
    assert wrong.completion_ids == unpadded.reply(others[0][1]) != unpadded.reply(own)

    # one process: nothing gathered, nothing padded
    single = ServerModeVLLM(tokenizer, rank=0, others=[])
    [alone] = TRLVLLMGenerator(single, tokenizer, [tokenizer.eos_token_id]).generate(
        [page("my own page")])
    assert len(single.sent[0]) == 1 and alone.completion_ids == single.reply(own)
