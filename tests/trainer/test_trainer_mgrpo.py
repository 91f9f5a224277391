"""The M-GRPO loss and the group advantages against values computed by hand (DESIGN 4.3)."""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")

from r1_trainer.mgrpo import (  # noqa: E402
    group_advantages,
    k3_kl,
    mgrpo_loss,
    mgrpo_stats,
    mgrpo_weights,
)

EPS = 1e-4
PAD = float("-inf")  # padding may hold anything; the loss must not see it


def test_group_advantages_population_std_by_hand():
    rewards = torch.tensor([1.0, 0, 0, 0, 1, 1, 1, 1, 0, 1, 1])
    groups = torch.tensor([7, 7, 7, 7, 3, 3, 3, 3, 9, 9, 5])
    adv = group_advantages(rewards, groups)
    std0 = math.sqrt(0.75 * 0.25)  # population std of (1, 0, 0, 0): 0.4330
    expected = [0.75 / (std0 + EPS)] + [-0.25 / (std0 + EPS)] * 3
    expected += [0.0] * 4  # all equal: 0
    expected += [-0.5 / (0.5 + EPS), 0.5 / (0.5 + EPS)]  # (0, 1): std 0.5
    expected += [0.0]  # a group of one
    assert adv.tolist() == pytest.approx(expected, abs=1e-6)
    assert adv[0].item() == pytest.approx(1.7317, abs=1e-4)


def test_group_advantages_leave_errored_trajectories_out():
    """An errored trajectory (its env failed) gets 0 and is not in its group's mean or std; a
    group left with fewer than two valid trajectories gets 0."""
    rewards = torch.tensor([1.0, 0, 0, 1, 1, 0, 0])
    groups = torch.tensor([0, 0, 0, 0, 1, 1, 2])
    valid = torch.tensor([True, True, True, False, True, False, True])
    adv = group_advantages(rewards, groups, valid=valid)
    std = math.sqrt(2 / 9)  # population std of the valid (1, 0, 0): mean 1/3
    expected = [(2 / 3) / (std + EPS), (-1 / 3) / (std + EPS), (-1 / 3) / (std + EPS), 0.0]
    expected += [0.0, 0.0]  # one valid trajectory left: no group to compare with
    expected += [0.0]  # a group of one
    assert adv.tolist() == pytest.approx(expected, abs=1e-6)
    # all valid: the same as no mask
    every = torch.ones(7, dtype=torch.bool)
    assert torch.equal(group_advantages(rewards, groups, valid=every),
                       group_advantages(rewards, groups))


def test_group_advantages_sample_std_when_asked():
    adv = group_advantages(torch.tensor([1.0, 0, 0, 0]), torch.zeros(4, dtype=torch.long),
                           unbiased=True)
    # sample std of (1, 0, 0, 0): sqrt((0.5625 + 3 * 0.0625) / 3) = 0.5
    assert adv.tolist() == pytest.approx([0.75 / (0.5 + EPS)] + [-0.25 / (0.5 + EPS)] * 3)


def _batch():
    """Two groups; trajectories of 2 and 1 actions; actions of 1, 2 and 3 tokens.

    Rows (group, trajectory, tokens, A, ratios):
      r0: (0, 0, 2, +1,  [1.5, 0.9])        1.5 is clipped to 1.2 (A > 0)
      r1: (0, 0, 1, +1,  [1.0])
      r2: (0, 1, 3, -1,  [0.5, 1.3, 1.0])   0.5 is clipped to 0.8 (A < 0); 1.3 is not
      r3: (1, 0, 2, +.5, [0.7, 1.1])        trajectory id 0 again, but in another group
      r4: (1, 5, 1, -.5, [2.0])             2.0 with A < 0 is not clipped
    """
    ratios = torch.tensor([
        [1.5, 0.9, 1.0],
        [1.0, 1.0, 1.0],
        [0.5, 1.3, 1.0],
        [0.7, 1.1, 1.0],
        [2.0, 1.0, 1.0],
    ])
    mask = torch.tensor([
        [1, 1, 0],
        [1, 0, 0],
        [1, 1, 1],
        [1, 1, 0],
        [1, 0, 0],
    ], dtype=torch.float32)
    old = torch.full((5, 3), -1.0)
    logps = old + ratios.log()
    old = torch.where(mask.bool(), old, torch.tensor(PAD))
    logps = torch.where(mask.bool(), logps, torch.tensor(PAD))
    advantages = torch.tensor([1.0, 1.0, -1.0, 0.5, -0.5])
    traj = torch.tensor([0, 0, 1, 0, 5])
    group = torch.tensor([0, 0, 0, 1, 1])
    return logps, old, mask, advantages, traj, group


def test_mgrpo_loss_by_hand_without_kl():
    logps, old, mask, adv, traj, group = _batch()
    loss = mgrpo_loss(logps, old, None, mask, adv, traj, group, epsilon=0.2, beta=0.0)
    r0 = (1.2 * 1 + 0.9 * 1) / 2          # per token of the action
    r1 = 1.0
    r2 = (-0.8 + -1.3 + -1.0) / 3
    r3 = (0.7 * 0.5 + 1.1 * 0.5) / 2
    r4 = -0.5 * 2.0
    group0 = ((r0 + r1) / 2 + r2) / 2     # per action of a trajectory, per trajectory of a group
    group1 = (r3 + r4) / 2
    expected = -(group0 + group1) / 2     # mean over groups
    assert loss.item() == pytest.approx(expected, abs=1e-6)
    assert expected == pytest.approx(0.1395833, abs=1e-6)


def test_mgrpo_loss_by_hand_with_k3_kl():
    logps, old, mask, adv, traj, group = _batch()
    delta = torch.zeros(5, 3)
    delta[2] = 0.5    # ref - logp on r2's tokens
    delta[4, 0] = -0.3
    ref = torch.where(mask.bool(), logps + delta, torch.tensor(PAD))
    beta = 0.1
    loss = mgrpo_loss(logps, old, ref, mask, adv, traj, group, epsilon=0.2, beta=beta)
    kl_r2 = math.exp(0.5) - 0.5 - 1       # every token of r2
    kl_r4 = math.exp(-0.3) + 0.3 - 1
    # r2 is the only action of trajectory (0, 1), one of 2 in group 0, one of 2 groups: 1/4;
    # r4 likewise in group 1.
    expected = 0.1395833 + beta * (kl_r2 / 4 + kl_r4 / 4)
    assert loss.item() == pytest.approx(expected, abs=1e-6)
    assert k3_kl(torch.tensor([0.0]), torch.tensor([0.5])).item() == pytest.approx(kl_r2)


def test_mgrpo_loss_gradient_is_finite_and_zero_where_clipped():
    logps, old, mask, adv, traj, group = _batch()
    logps = logps.clone().requires_grad_(True)
    mgrpo_loss(logps, old, None, mask, adv, traj, group, epsilon=0.2).backward()
    grad = logps.grad
    assert torch.isfinite(grad).all()
    assert grad[0, 0] == 0 and grad[2, 0] == 0        # clipped tokens pass no gradient
    assert (grad[mask == 0] == 0).all()               # nor does padding
    # an unclipped token: d/dlogp of -w * ratio * A = -w * ratio * A, w = 1/(2*2*2*2) for r0
    assert grad[0, 1].item() == pytest.approx(-(1 / 16) * 0.9 * 1.0, abs=1e-6)


def test_mgrpo_loss_needs_ref_when_beta():
    logps, old, mask, adv, traj, group = _batch()
    with pytest.raises(ValueError, match="ref_logps"):
        mgrpo_loss(logps, old, None, mask, adv, traj, group, beta=0.01)


def test_weights_sum_to_one_and_match_a_naive_loop():
    generator = torch.Generator().manual_seed(0)
    rows, width = 23, 6
    mask = (torch.rand(rows, width, generator=generator) < 0.7).float()
    mask[:, 0] = 1
    group = torch.randint(0, 4, (rows,), generator=generator)
    traj = torch.randint(0, 3, (rows,), generator=generator)
    logps = -torch.rand(rows, width, generator=generator)
    old = logps + 0.3 * torch.randn(rows, width, generator=generator)
    ref = logps + 0.3 * torch.randn(rows, width, generator=generator)
    adv = torch.randn(rows, generator=generator)

    weights = mgrpo_weights(mask, traj, group)
    assert weights.sum().item() == pytest.approx(1.0, abs=1e-6)

    # The equation written as loops.
    total = 0.0
    groups = sorted(set(group.tolist()))
    for g in groups:
        trajectories = sorted({t for t, gg in zip(traj.tolist(), group.tolist(), strict=True)
                               if gg == g})
        per_traj = []
        for t in trajectories:
            per_action = []
            for r in range(rows):
                if group[r] != g or traj[r] != t:
                    continue
                terms = []
                for k in range(width):
                    if mask[r, k] == 0:
                        continue
                    ratio = math.exp(logps[r, k] - old[r, k])
                    a = adv[r].item()
                    surrogate = min(ratio * a, min(max(ratio, 0.8), 1.2) * a)
                    d = (ref[r, k] - logps[r, k]).item()
                    terms.append(surrogate - 0.05 * (math.exp(d) - d - 1))
                per_action.append(sum(terms) / len(terms))
            per_traj.append(sum(per_action) / len(per_action))
        total += sum(per_traj) / len(per_traj)
    expected = -total / len(groups)
    loss = mgrpo_loss(logps, old, ref, mask, adv, traj, group, epsilon=0.2, beta=0.05)
    assert loss.item() == pytest.approx(expected, abs=1e-5)


def test_stats_clip_fraction_and_kl():
    logps, old, mask, adv, traj, group = _batch()
    delta = torch.zeros(5, 3)
    delta[2] = 0.5
    ref = torch.where(mask.bool(), logps + delta, torch.tensor(PAD))
    stats = mgrpo_stats(logps, old, ref, mask, adv, epsilon=0.2)
    # 9 tokens; r0's 1.5 (A > 0) and r2's 0.5 (A < 0) are clipped; r4's 2.0 (A < 0) is not.
    assert stats["clip_fraction"] == pytest.approx(2 / 9)
    assert stats["clip_high_fraction"] == pytest.approx(1 / 9)
    assert stats["clip_low_fraction"] == pytest.approx(1 / 9)
    assert stats["kl"] == pytest.approx(3 * (math.exp(0.5) - 1.5) / 9, abs=1e-6)
    ratio_sum = 1.5 + 0.9 + 1.0 + 0.5 + 1.3 + 1.0 + 0.7 + 1.1 + 2.0
    assert stats["ratio_mean"] == pytest.approx(ratio_sum / 9, abs=1e-6)
    assert mgrpo_stats(logps, old, None, mask, adv)["kl"] == 0.0


def test_config_has_the_papers_defaults(tmp_path):
    pytest.importorskip("trl")
    from r1_trainer.trainer import MGRPOTrainerConfig

    config = MGRPOTrainerConfig(output_dir=str(tmp_path))
    assert (config.num_generations, config.tasks_per_step, config.learning_rate, config.beta,
            config.epsilon, config.max_episode_steps, config.max_completion_length,
            config.temperature) == (4, 16, 1e-6, 0.001, 0.2, 15, 1024, 1.0)
