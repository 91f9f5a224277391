"""Generate the ``forum`` database from a seed. Skeleton: being built for issue 6."""

from __future__ import annotations

import sqlite3


def generate_forum(conn: sqlite3.Connection, seed: int) -> None:
    """Fill an empty ``forum`` database (schema already applied) from ``seed``."""
    conn.execute("INSERT INTO forum_meta VALUES ('seed', ?)", (str(seed),))
