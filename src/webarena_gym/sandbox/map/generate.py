"""Generate the ``map`` database from a seed. Skeleton: being built for issue 6."""

from __future__ import annotations

import sqlite3


def generate_map(conn: sqlite3.Connection, seed: int) -> None:
    """Fill an empty ``map`` database (schema already applied) from ``seed``."""
    conn.execute("INSERT INTO map_meta VALUES ('seed', ?)", (str(seed),))
