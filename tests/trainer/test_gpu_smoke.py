"""benchmarks/gpu_smoke.py: the micro-batch weighting of the M-GRPO loss, the replayed rows, and
a run of the tiny shape on the CPU with trl, datasets, gymnasium and Playwright unimportable
(as on the GPU machine)."""

from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from r1_trainer.mgrpo import mgrpo_loss  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def _load_gpu_smoke():
    spec = importlib.util.spec_from_file_location("gpu_smoke", ROOT / "benchmarks" / "gpu_smoke.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


gpu_smoke = _load_gpu_smoke()


def test_micro_batch_losses_and_gradients_sum_to_the_whole_batch():
    # trajectories of 5, 2, 3 and 1 rows in one group, cut into micro-batches of at most 3 rows:
    # trajectory 0 in pieces (3 + 2), the others whole (2 | 3 | 1)
    turns = [5, 2, 3, 1]
    trajectories = [i for i, n in enumerate(turns) for _ in range(n)]
    rows = len(trajectories)
    chunks = gpu_smoke.micro_batches(trajectories, 3)
    assert chunks == [[0, 1, 2], [3, 4], [5, 6], [7, 8, 9], [10]]

    generator = torch.Generator().manual_seed(0)
    lengths = [int(n) for n in torch.randint(1, 7, (rows,), generator=generator)]
    mask = (torch.arange(6).unsqueeze(0) < torch.tensor(lengths).unsqueeze(1)).float()
    old = -torch.rand(rows, 6, generator=generator) * 3
    ref = -torch.rand(rows, 6, generator=generator) * 3
    start = (old + 0.3 * torch.randn(rows, 6, generator=generator)).clamp(max=0)
    advantages = torch.tensor([1.5, -0.5, -0.5, -0.5])[trajectories]
    traj, group = torch.tensor(trajectories), torch.zeros(rows, dtype=torch.long)

    whole = start.clone().requires_grad_(True)
    loss = mgrpo_loss(whole, old, ref, mask, advantages, traj, group, epsilon=0.2, beta=0.05)
    loss.backward()

    scales = gpu_smoke.micro_batch_scales(lengths, trajectories, [0] * rows, chunks)
    chunked = start.clone().requires_grad_(True)
    total = 0.0
    for chunk, scale in zip(chunks, scales, strict=True):
        index = torch.tensor(chunk)
        width = max(lengths[i] for i in chunk)  # as completion_logprobs pads a micro-batch
        part = mgrpo_loss(chunked[index, :width], old[index, :width], ref[index, :width],
                          mask[index, :width], advantages[index], traj[index], group[index],
                          epsilon=0.2, beta=0.05) * scale
        part.backward()
        total += float(part.detach())

    assert total == pytest.approx(loss.item(), abs=1e-6)
    torch.testing.assert_close(chunked.grad, whole.grad, atol=1e-6, rtol=1e-5)


def test_a_micro_batch_mixing_a_trajectory_piece_with_other_rows_is_refused():
    trajectories = [0, 0, 0, 1]
    with pytest.raises(ValueError, match="rows 1..3 mixes trajectory pieces"):
        gpu_smoke.micro_batch_scales([2, 3, 4, 2], trajectories, [0] * 4, [[0], [1, 2, 3]])


def test_group_rows_replays_recorded_episodes_into_the_vocabulary():
    recording = gpu_smoke.load_recording()
    longest = max(len(e["rows"]) for e in recording["episodes"])
    assert longest >= 15 and recording["tokenizer"] in ("smollm2-135m", "tiny")
    assert gpu_smoke.DATA.stat().st_size < 2_000_000

    rows = gpu_smoke.group_rows(recording, 3, 15, 4096)
    assert [r.trajectory for r in rows] == [i for i in range(3) for _ in range(15)]
    assert all(0 <= t < 4096 for r in rows for t in r.prompt_ids + r.completion_ids)
    # trajectory 0 is the first episode, the longest (15 rows), turn by turn
    first = recording["episodes"][0]["rows"]
    assert [len(r.prompt_ids) for r in rows[:15]] == [len(r["prompt_ids"]) for r in first[:15]]
    assert sum(len(r.prompt_ids) for r in rows) / len(rows) > 1000  # real pages, not stubs

    cut = gpu_smoke.group_rows(recording, 2, 2, 4096, max_prompt_tokens=100)
    assert all(len(r.prompt_ids) == 100 for r in cut)


def test_tiny_shape_runs_on_the_cpu_without_trl_gymnasium_or_playwright(tmp_path):
    # the GPU machine has none of these: sys.modules[name] = None makes importing them fail
    shim = tmp_path / "shim"
    shim.mkdir()
    blocked = gpu_smoke.BLOCKED_ELSEWHERE
    (shim / "sitecustomize.py").write_text(
        "import sys\n" + "".join(f"sys.modules[{name!r}] = None\n" for name in blocked))
    out, bf16 = tmp_path / "out", tmp_path / "bf16"
    script = (
        "import runpy, sys\n"
        f"for name in {blocked!r}:\n"
        "    try:\n"
        "        __import__(name)\n"
        "    except ImportError:\n"
        "        pass\n"
        "    else:\n"
        "        raise SystemExit(f'{name} is importable: the shim failed')\n"
        "args = ['gpu_smoke.py', '--shape', 'tiny', '--groups', '2', '--turns', '2',\n"
        "        '--max-new-tokens', '4', '--max-prompt-tokens', '256',\n"
        "        '--rows-per-micro-batch', '3', '--device', 'cpu']\n"
        # fp32 master weights (the default), then bf16 weights for contrast
        f"for extra in (['--out', {str(out)!r}], ['--dtype', 'bfloat16', '--out', {str(bf16)!r}]):\n"
        "    sys.argv = args + extra\n"
        f"    runpy.run_path({str(ROOT / 'benchmarks' / 'gpu_smoke.py')!r}, run_name='__main__')\n"
        "assert 'webarena_gym.env' not in sys.modules\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(shim), str(ROOT / "src")]),
           "CUDA_VISIBLE_DEVICES": ""}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]

    results = json.loads((out / "gpu_smoke.json").read_text())
    assert results["shape"] == "tiny" and results["skipped"] == []
    [measured] = results["configurations"]
    assert (measured["groups"], measured["turns"], measured["rows"]) == (2, 2, 4)
    assert measured["rows_measured"] == 4 and measured["micro_batches_measured"] == 2
    assert measured["generate"]["new_tokens"] > 0
    assert math.isfinite(measured["loss_backward"]["loss"])
    assert measured["ref_logps"] is not None  # beta 0.001 by default: a reference model
    # issue 15, 2.3: one AdamW step at lr 1e-6 moves (almost) every fp32 weight, few bf16 ones
    assert measured["optimizer_step"]["weights_changed_fraction"] > 0.99
    in_bf16 = json.loads((bf16 / "gpu_smoke.json").read_text())
    assert in_bf16["weights_dtype"] == "bfloat16"
    assert in_bf16["configurations"][0]["optimizer_step"]["weights_changed_fraction"] < 0.5
    assert "| 2 | 2 | 4 (4) |" in (out / "gpu_smoke.md").read_text()
