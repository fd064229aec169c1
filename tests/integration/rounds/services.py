"""Throwaway redis-server and PostgreSQL on 127.0.0.1 for the round tests, stopped afterwards.

Both come from Debian's packages (`nox -s tests` installs `redis-server` and `postgresql` when
missing). PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres`
user the package creates and runs under `runuser`. Data and sockets live in a temp folder.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


class ServiceMissing(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(port: int, what: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} within {timeout:g} s")


@contextlib.contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).is_file():
        raise ServiceMissing("redis-server is not installed: apt-get install -y redis-server "
                             "(nox -s tests does it as root)")
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(folder), "--protected-mode", "yes"],
        stdout=(folder / "redis.log").open("wb"), stderr=subprocess.STDOUT,
    )
    try:
        _wait_port(port, "redis-server", proc)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not candidates:
        raise ServiceMissing("PostgreSQL is not installed: apt-get install -y postgresql "
                             "(nox -s tests does it as root)")
    return candidates[-1]


@dataclass(frozen=True)
class Postgres:
    url: str
    data: Path


@contextlib.contextmanager
def postgres_server(folder: Path) -> Iterator[Postgres]:
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    as_user: list[str] = []
    # A short folder of its own: the unix socket path must stay under 107 bytes.
    base = Path(tempfile.mkdtemp(prefix="pe-pg-"))
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            raise ServiceMissing("running as root needs `runuser` to start PostgreSQL as the "
                                 "postgres user")
        try:
            import pwd

            pw = pwd.getpwnam("postgres")
        except KeyError:
            raise ServiceMissing("running as root, PostgreSQL needs the 'postgres' user "
                                 "(created by Debian's postgresql package)") from None
        os.chown(base, pw.pw_uid, pw.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, sock = base / "data", base / "sock"
    port = free_port()
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    # cwd=base: the postgres user may not be allowed into the caller's folder (a root checkout).
    subprocess.run([*as_user, "mkdir", "-p", str(sock)], check=True, cwd=base)
    subprocess.run([*as_user, initdb, "-D", str(data), "-U", "portal", "--auth=trust",
                    "-E", "UTF8", "--no-sync"], check=True, env=env, cwd=base,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {sock} -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off")
    log = base / "postgres.log"
    subprocess.run([*as_user, pg_ctl, "-D", str(data), "-o", options, "-l", str(log), "-w",
                    "-t", "60", "start"], check=True, env=env, cwd=base, stdout=subprocess.DEVNULL)
    try:
        yield Postgres(f"postgresql://portal@127.0.0.1:{port}/postgres", data)
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"],
                       check=False, env=env, cwd=base, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        if folder.exists():
            with contextlib.suppress(OSError):
                shutil.copy(log, folder / "postgres.log")
        shutil.rmtree(base, ignore_errors=True)


def fresh_database(pg: Postgres, name: str) -> str:
    """A new empty database on the cluster: each test gets its own schema."""
    import psycopg

    with psycopg.connect(pg.url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return pg.url.rsplit("/", 1)[0] + f"/{name}"
