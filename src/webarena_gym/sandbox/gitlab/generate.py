"""Generate the ``gitlab`` database from a seed. Skeleton: being built for issue 6."""

from __future__ import annotations

import sqlite3


def generate_gitlab(conn: sqlite3.Connection, seed: int) -> None:
    """Fill an empty ``gitlab`` database (schema already applied) from ``seed``."""
    conn.execute("INSERT INTO gitlab_meta VALUES ('seed', ?)", (str(seed),))
