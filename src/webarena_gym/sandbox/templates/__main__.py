"""``python -m webarena_gym.sandbox.templates --write``: regenerate the shipped test splits."""

from __future__ import annotations

import argparse

from webarena_gym.sandbox.templates import write_fixed_splits


def main() -> None:
    """Regenerate ``data/test.<version>.json`` and ``data/test_unseen.<version>.json``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="write the files")
    args = parser.parse_args()
    if not args.write:
        parser.error("pass --write to regenerate the files")
    for path in write_fixed_splits():
        print(path)


if __name__ == "__main__":
    main()
