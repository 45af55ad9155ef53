"""A throwaway PostgreSQL server (Debian's binaries) in a temporary directory.

``initdb`` refuses to run as root, so as root the server runs as the
``postgres`` system user that Debian's package creates.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.harness.net import free_port, wait_for_port


def _bindir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    if not candidates:
        raise RuntimeError("PostgreSQL server binaries not found: install Debian's postgresql")
    return Path(candidates[0])


@dataclass
class PostgresServer:
    """A running server; ``url(dbname)`` gives a SQLAlchemy URL."""

    root: Path
    port: int
    bindir: Path
    run_as: list[str]

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return self.url(name)

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self.run_as, str(self.bindir / tool), *args],
            check=True,
            capture_output=True,
            cwd=self.root,
        )

    def stop(self) -> None:
        subprocess.run(
            [
                *self.run_as,
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.root / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            cwd=self.root,
        )

    def start(self) -> None:
        self._run(
            "pg_ctl", "-D", str(self.root / "data"), "-l", str(self.root / "log"), "-w", "start"
        )
        wait_for_port(self.port)


def start_postgres() -> PostgresServer:
    """Create a cluster in a temp dir, start it on a free loopback port."""
    bindir = _bindir()
    root = Path(tempfile.mkdtemp(prefix="eforms-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    server = PostgresServer(root=root, port=port, bindir=bindir, run_as=run_as)
    server._run(
        "initdb",
        "-D",
        str(root / "data"),
        "-U",
        "postgres",
        "-A",
        "trust",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
    )
    conf = root / "data" / "postgresql.conf"
    with conf.open("a") as fh:
        fh.write(
            f"\nlisten_addresses = '127.0.0.1'\nport = {port}\n"
            f"unix_socket_directories = '{root}'\nfsync = off\nfull_page_writes = off\n"
            "synchronous_commit = off\n"
        )
    server.start()
    return server


def remove(server: PostgresServer) -> None:
    server.stop()
    shutil.rmtree(server.root, ignore_errors=True)
