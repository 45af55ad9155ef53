"""Real servers on loopback for tests and benchmarks: Ceph RGW, moto, Redis.

Each is a context manager that starts the server in a temporary directory on
free ports, waits until it answers, yields how to reach it, and stops it by
its pid files. Nothing here runs at import time. Ceph needs Debian's
``ceph-mon``, ``ceph-osd``, ``radosgw`` and ``ceph-common`` and root (the
daemons run as the calling user; memstore keeps the data in RAM).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CEPH_TOOLS = ("ceph-mon", "ceph-osd", "radosgw", "ceph", "ceph-authtool", "monmaptool")


@dataclass(frozen=True)
class S3Server:
    """How to reach a test S3 server."""

    endpoint: str
    """``host:port``."""
    access_key: str
    secret_key: str
    region: str = "us-east-1"
    ceph_conf: Path | None = None
    """The cluster's ``ceph.conf`` when the server is a local Ceph RGW."""

    def rgw_admin(self, *args: str) -> str:
        """Run ``radosgw-admin`` on this local cluster (users, quotas)."""
        if self.ceph_conf is None:
            raise RuntimeError("not a local Ceph RGW")
        return _run(["radosgw-admin", *args], self.ceph_conf)


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, *, timeout: float, what: str) -> None:
    """Poll until something accepts connections on ``port`` or raise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} within {timeout:.0f}s")


def ceph_available() -> str | None:
    """None if a local RGW can be started here, else the reason why not."""
    missing = [tool for tool in CEPH_TOOLS if shutil.which(tool) is None]
    if missing:
        return f"Ceph tools missing: {', '.join(missing)} (apt install ceph-mon ceph-osd radosgw)"
    if os.geteuid() != 0:
        return "a local Ceph cluster needs root"
    return None


_CEPH_CONF = """\
[global]
fsid = {fsid}
mon host = [v2:127.0.0.1:{mon_port}]
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr1 = false
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = {d}/keyring
run dir = {d}/run
pid file = {d}/run/$name.pid
admin socket = {d}/run/$name.asok
log file = {d}/log/$name.log
mon data = {d}/mon/$cluster-$id
mgr data = {d}/mgr/$cluster-$id
osd data = {d}/osd/$cluster-$id
osd objectstore = memstore
memstore device bytes = {memstore_bytes}
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon data avail crit = 0
mon data avail warn = 0

[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:{rgw_port}
rgw data = {d}/rgw
"""


def _run(args: list[str], conf: Path, *, timeout: float = 60) -> str:
    env = dict(os.environ, CEPH_CONF=str(conf))
    done = subprocess.run(
        args, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


def _keyrings(d: Path, conf: Path) -> None:
    auth = ["ceph-authtool"]
    _run([*auth, "--create-keyring", f"{d}/mon.keyring", "--gen-key", "-n", "mon.",
          "--cap", "mon", "allow *"], conf)  # fmt: skip
    _run([*auth, "--create-keyring", f"{d}/keyring", "--gen-key", "-n", "client.admin",
          "--cap", "mon", "allow *", "--cap", "osd", "allow *", "--cap", "mgr", "allow *",
          "--cap", "mds", "allow *"], conf)  # fmt: skip
    _run([*auth, f"{d}/keyring", "--gen-key", "-n", "osd.0", "--cap", "mon", "allow profile osd",
          "--cap", "mgr", "allow profile osd", "--cap", "osd", "allow *"], conf)  # fmt: skip
    _run([*auth, f"{d}/keyring", "--gen-key", "-n", "client.rgw", "--cap", "mon", "allow rw",
          "--cap", "osd", "allow rwx"], conf)  # fmt: skip
    _run([*auth, f"{d}/mon.keyring", "--import-keyring", f"{d}/keyring"], conf)


def _stop_by_pid_files(run_dir: Path) -> None:
    pids = []
    for pid_file in run_dir.glob("*.pid"):
        with contextlib.suppress(ValueError, OSError):
            pids.append(int(pid_file.read_text().strip()))
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
        time.sleep(0.1)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@contextlib.contextmanager
def ceph_rgw(*, memstore_bytes: int = 2 * 1024**3, timeout: float = 90) -> Iterator[S3Server]:
    """A one-node Ceph cluster (mon, one memstore OSD, RGW) on loopback.

    Ready in about 15 s; everything lives in a temporary directory that is
    removed, with the daemons stopped, when the block ends.
    """
    d = Path(tempfile.mkdtemp(prefix="eforms-storage-ceph-"))
    conf = d / "ceph.conf"
    for sub in ("run", "log", "mon", "mgr", "osd", "rgw"):
        (d / sub).mkdir()
    rgw_port = free_port()
    conf.write_text(
        _CEPH_CONF.format(
            fsid=uuid.uuid4(),
            mon_port=free_port(),
            rgw_port=rgw_port,
            d=d,
            memstore_bytes=memstore_bytes,
        )
    )
    try:
        _keyrings(d, conf)
        mon_addr = conf.read_text().split("mon host = ")[1].split("\n")[0]
        fsid = conf.read_text().split("fsid = ")[1].split("\n")[0]
        _run(["monmaptool", "--create", "--addv", "a", mon_addr, "--fsid", fsid,
              f"{d}/monmap"], conf)  # fmt: skip
        _run(["ceph-mon", "--mkfs", "-i", "a", "--monmap", f"{d}/monmap",
              "--keyring", f"{d}/mon.keyring"], conf)  # fmt: skip
        _run(["ceph-mon", "-i", "a"], conf)
        osd_uuid = str(uuid.uuid4())
        osd_id = _run(["ceph", "osd", "new", osd_uuid], conf).strip()
        (d / "osd" / f"ceph-{osd_id}").mkdir()
        _run(["ceph-osd", "-i", osd_id, "--mkfs", "--osd-uuid", osd_uuid], conf)
        _run(["ceph-osd", "-i", osd_id], conf)
        _run(["radosgw", "-n", "client.rgw"], conf)
        wait_for_port(rgw_port, timeout=timeout, what="radosgw")
        access, secret = secrets.token_hex(10).upper(), secrets.token_hex(20)
        _run(["radosgw-admin", "user", "create", "--uid=eforms", "--display-name=eforms",
              f"--access-key={access}", f"--secret-key={secret}"], conf)  # fmt: skip
        yield S3Server(
            endpoint=f"127.0.0.1:{rgw_port}", access_key=access, secret_key=secret, ceph_conf=conf
        )
    finally:
        _stop_by_pid_files(d / "run")
        shutil.rmtree(d, ignore_errors=True)


@contextlib.contextmanager
def moto_s3() -> Iterator[S3Server]:
    """moto's S3 server in a thread of this process, on a free loopback port."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        wait_for_port(port, timeout=20, what="moto")
        yield S3Server(endpoint=f"127.0.0.1:{port}", access_key="testing", secret_key="testing")
    finally:
        server.stop()


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A throw-away ``redis-server`` on loopback; yields its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (apt install redis-server)")
    d = Path(tempfile.mkdtemp(prefix="eforms-storage-redis-"))
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(d),
         "--save", "", "--appendonly", "no", "--daemonize", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port, timeout=20, what="redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(d, ignore_errors=True)


@dataclass(frozen=True)
class PostgresServer:
    """A throw-away PostgreSQL cluster on loopback."""

    host: str
    port: int
    user: str
    run_as: str | None
    bin_dir: Path

    def url(self, database: str) -> str:
        """SQLAlchemy URL of ``database`` on this server (trust auth, no password)."""
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create an empty database and return its URL."""
        subprocess.run(
            [str(self.bin_dir / "createdb"), "-h", self.host, "-p", str(self.port),
             "-U", self.user, name],
            check=True, capture_output=True, user=self.run_as,
        )  # fmt: skip
        return self.url(name)


def postgres_bin_dir() -> Path | None:
    """The newest ``/usr/lib/postgresql/<major>/bin`` with initdb, or None."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
    )
    return candidates[-1].parent if candidates else None


@contextlib.contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """initdb + pg_ctl in a temporary directory; as root the server runs as ``postgres``."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL server binaries not found (apt install postgresql)")
    run_as = "postgres" if os.geteuid() == 0 else None
    d = Path(tempfile.mkdtemp(prefix="eforms-storage-pg-"))
    if run_as:
        shutil.chown(d, user=run_as)
    port = free_port()

    def pg(*args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, user=run_as, timeout=60)

    try:
        pg(str(bin_dir / "initdb"), "-D", f"{d}/data", "-U", "eforms", "-A", "trust",
           "-E", "UTF8", "--no-sync")  # fmt: skip
        pg(str(bin_dir / "pg_ctl"), "start", "-w", "-D", f"{d}/data", "-l", f"{d}/log",
           "-o", f"-p {port} -k {d} -c listen_addresses=127.0.0.1 -c fsync=off")  # fmt: skip
        yield PostgresServer("127.0.0.1", port, "eforms", run_as, bin_dir)
    finally:
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            pg(str(bin_dir / "pg_ctl"), "stop", "-D", f"{d}/data", "-m", "immediate")
        shutil.rmtree(d, ignore_errors=True)
