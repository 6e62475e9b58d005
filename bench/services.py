"""What the benchmarks share: their throwaway PostgreSQL databases and free loopback ports."""

from __future__ import annotations

import socket
from collections.abc import Mapping
from typing import Any


def create_database(database: Mapping[str, Any], *, drop: bool = False) -> None:
    """Create the database of these Django settings on its server if it is missing (after dropping it)."""
    import psycopg
    from psycopg import conninfo, sql

    server = {
        key.lower(): str(database[key]) for key in ("HOST", "PORT", "USER", "PASSWORD") if database.get(key)
    }
    name = sql.Identifier(database["NAME"])
    with psycopg.connect(conninfo.make_conninfo(dbname="postgres", **server), autocommit=True) as admin:
        if drop:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database["NAME"]]).fetchone():
            admin.execute(sql.SQL("CREATE DATABASE {}").format(name))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
