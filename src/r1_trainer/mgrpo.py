r"""M-GRPO: multi-turn group relative policy optimisation (WebAgent-R1; DESIGN 4.3).

For each task, G trajectories are rolled out; trajectory i gets a binary reward r_i and the
group-relative advantage

    A_i = (r_i - mean(r)) / (std(r) + 1e-4)          (0 when all rewards of the group are equal)

Every action a_ij (turn j of trajectory i) is one row: the tokens the policy sampled, under the
compressed history it was sampled from. The loss is the paper's, normalised per token of an
action, per action of a trajectory, per trajectory of a group, and averaged over the groups of
the batch:

    L = -1/|groups| Σ_g 1/G_g Σ_{i∈g} 1/|τ_i| Σ_j 1/|a_ij| Σ_t [ min(ρ_ijt A_i,
                                                   clip(ρ_ijt, 1-ε, 1+ε) A_i) - β KL_ijt ]

    ρ_ijt  = π_θ(a_ijt | ·) / π_old(a_ijt | ·)
    KL_ijt = exp(log π_ref - log π_θ) - (log π_ref - log π_θ) - 1     (the k3 estimator)

with π_ref the reference (BC) policy. ``mgrpo_loss`` is that equation over ``[rows, tokens]``
tensors; ``mgrpo_weights`` is its normalisation alone (the weight of every token), so that a
trainer can split a batch into micro-batches and still sum to the same loss.
"""

from __future__ import annotations

from r1_trainer.models import missing_train_extra

try:
    import torch
except ImportError as _exc:
    raise missing_train_extra(_exc) from _exc


def group_advantages(rewards: torch.Tensor, group_index: torch.Tensor, *, eps: float = 1e-4,
                     unbiased: bool = False, valid: torch.Tensor | None = None) -> torch.Tensor:
    """``A_i = (r_i - mean(r)) / (std(r) + eps)`` within each group; 0 where a group's rewards
    are all equal (and for a group of one).

    The std is the **population** standard deviation (divide by G) unless ``unbiased``
    (divide by G - 1, as TRL's GRPOTrainer does): for rewards (1, 0, 0, 0) the population std
    is 0.433 and the advantages are (1.732, -0.577, -0.577, -0.577).

    Args:
        rewards: ``[trajectories]`` rewards.
        group_index: ``[trajectories]`` the group (task) of each trajectory, any integers.
        valid: ``[trajectories]`` bool, False for a trajectory whose env failed: it gets
            advantage 0 and is left out of its group's mean and std (a group with fewer than
            two valid trajectories gets 0). None: all valid.

    Returns:
        ``[trajectories]`` float advantages.
    """
    rewards = rewards.float()
    keep = torch.ones_like(rewards) if valid is None else valid.to(rewards.device).float()
    _, group = torch.unique(group_index.to(rewards.device), return_inverse=True)
    n = int(group.max()) + 1 if group.numel() else 0
    count = rewards.new_zeros(n).index_add_(0, group, keep)
    mean = rewards.new_zeros(n).index_add_(0, group, rewards * keep) / count.clamp(min=1)
    centred = (rewards - mean[group]) * keep
    squares = rewards.new_zeros(n).index_add_(0, group, centred**2)
    std = (squares / (count - 1).clamp(min=1) if unbiased else squares / count.clamp(min=1)).sqrt()
    advantages = centred / (std[group] + eps)
    # equal rewards leave every deviation exactly 0: no signal, no advantage (a group of one too)
    return torch.where((squares[group] > 0) & (keep > 0), advantages, torch.zeros_like(advantages))


def mgrpo_weights(mask: torch.Tensor, traj_index: torch.Tensor, group_index: torch.Tensor
                  ) -> torch.Tensor:
    """The weight of every token in the M-GRPO sum: ``1 / (|groups| G_g |τ_i| |a_ij|)`` on the
    action's tokens, 0 on padding.

    Args:
        mask: ``[rows, tokens]`` 1 for an action's tokens, 0 for padding.
        traj_index: ``[rows]`` the trajectory of each row (ids may repeat across groups: a
            trajectory is a (group, trajectory) pair).
        group_index: ``[rows]`` the group (task) of each row.

    Returns:
        ``[rows, tokens]`` weights; they sum to 1 over the batch (when no row is empty).
    """
    mask = mask.float()
    _, group = torch.unique(group_index.to(mask.device), return_inverse=True)
    pairs = torch.stack([group, traj_index.to(mask.device).long()], dim=1)
    trajectories, traj = torch.unique(pairs, dim=0, return_inverse=True)
    actions_per_traj = torch.bincount(traj).float()                       # |τ_i|
    trajs_per_group = torch.bincount(trajectories[:, 0]).float()          # G_g
    n_groups = trajs_per_group.numel()                                    # |groups|
    tokens = mask.sum(dim=1).clamp(min=1)                                 # |a_ij|
    row = 1.0 / (n_groups * trajs_per_group[group] * actions_per_traj[traj] * tokens)
    return mask * row.unsqueeze(1)


def mgrpo_loss(
    logps: torch.Tensor,
    old_logps: torch.Tensor,
    ref_logps: torch.Tensor | None,
    mask: torch.Tensor,
    advantages: torch.Tensor,
    traj_index: torch.Tensor,
    group_index: torch.Tensor,
    epsilon: float = 0.2,
    beta: float = 0.0,
    weights: torch.Tensor | None = None,
) -> torch.Tensor:
    """The M-GRPO loss (module docstring), a scalar to minimise.

    Args:
        logps: ``[rows, tokens]`` log π_θ of the sampled tokens (with gradients).
        old_logps: ``[rows, tokens]`` log π_old, the sampling policy's (no gradients).
        ref_logps: ``[rows, tokens]`` log π_ref of the reference policy; None when ``beta == 0``.
        mask: ``[rows, tokens]`` 1 on an action's tokens, 0 on padding.
        advantages: ``[rows]`` the advantage A_i of each row's trajectory.
        traj_index: ``[rows]`` each row's trajectory.
        group_index: ``[rows]`` each row's group (task).
        epsilon: the clip range ε.
        beta: the KL weight β.
        weights: ``[rows, tokens]`` each token's weight in the sum; None:
            ``mgrpo_weights(mask, traj_index, group_index)``. A chunk of a batch passes its
            rows of the whole batch's weights, so that the chunks' losses sum to the batch's.
    """
    if beta != 0 and ref_logps is None:
        raise ValueError("mgrpo_loss needs ref_logps when beta != 0")
    tokens = mask.bool()
    logps, old_logps = _padded_zero(logps, tokens), _padded_zero(old_logps.detach(), tokens)
    advantage = advantages.float().unsqueeze(1)                             # A_i per row
    ratio = torch.exp(logps - old_logps)                                    # ρ_ijt
    surrogate = torch.min(ratio * advantage,
                          torch.clamp(ratio, 1 - epsilon, 1 + epsilon) * advantage)
    if beta != 0:
        ref = _padded_zero(ref_logps.detach(), tokens)  # type: ignore[union-attr]
        surrogate = surrogate - beta * k3_kl(logps, ref)
    if weights is None:
        weights = mgrpo_weights(mask, traj_index, group_index)
    return -(weights * surrogate).sum()


def _padded_zero(values: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
    # Padding may hold anything (-inf included); 0 there keeps the sums and gradients finite.
    return torch.where(tokens, values, torch.zeros_like(values))


def k3_kl(logps: torch.Tensor, ref_logps: torch.Tensor) -> torch.Tensor:
    """Per-token k3 estimate of KL(π_θ || π_ref): ``exp(ref - logp) - (ref - logp) - 1`` (>= 0)."""
    delta = ref_logps - logps
    return torch.exp(delta) - delta - 1


@torch.no_grad()
def mgrpo_stats(
    logps: torch.Tensor,
    old_logps: torch.Tensor,
    ref_logps: torch.Tensor | None,
    mask: torch.Tensor,
    advantages: torch.Tensor,
    epsilon: float = 0.2,
) -> dict[str, float]:
    """What to log beside the loss, as token means over ``mask`` (same tensors as
    :func:`mgrpo_loss`).

    Returns:
        ``clip_fraction``: tokens whose clipped term is active (no gradient): ρ > 1+ε with
        A > 0, or ρ < 1-ε with A < 0; ``clip_high_fraction`` / ``clip_low_fraction``: those two
        cases apart; ``ratio_mean``; ``kl``: the mean k3 KL to the reference (0 without one).
    """
    present = mask.bool()
    mask = mask.float()
    tokens = mask.sum().clamp(min=1)
    logps, old_logps = _padded_zero(logps, present), _padded_zero(old_logps, present)
    if ref_logps is not None:
        ref_logps = _padded_zero(ref_logps, present)
    ratio = torch.exp(logps - old_logps)
    advantage = advantages.float().unsqueeze(1)
    high = ((ratio > 1 + epsilon) & (advantage > 0)).float() * mask
    low = ((ratio < 1 - epsilon) & (advantage < 0)).float() * mask
    kl = (k3_kl(logps, ref_logps) * mask).sum() / tokens if ref_logps is not None else 0.0
    return {
        "clip_fraction": float((high.sum() + low.sum()) / tokens),
        "clip_high_fraction": float(high.sum() / tokens),
        "clip_low_fraction": float(low.sum() / tokens),
        "ratio_mean": float((ratio * mask).sum() / tokens),
        "kl": float(kl),
    }
