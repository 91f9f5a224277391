#!/bin/sh
# benchmarks/gpu_smoke.py on the GPU machine (issue 15, part 4). Through the session's `device`
# tool, from the repository root (the working tree travels; Python 3.12 and torch are there):
#
#   run(command="sh benchmarks/gpu_smoke.sh", timeout_s=560)
#
# gpu_smoke.json and gpu_smoke.md come back from $OUT: copy them into benchmarks/results/ and
# commit them. Elsewhere (no $OUT) they go to benchmarks/results/. Extra arguments go to the
# script (e.g. --groups 8,64 --turns 15).
set -eu
cd "$(dirname "$0")/.."
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
PYTHONPATH=src PYTHONUNBUFFERED=1 exec python3 benchmarks/gpu_smoke.py \
    --budget-seconds "${BUDGET_SECONDS:-420}" --out "${OUT:-benchmarks/results}" "$@"
