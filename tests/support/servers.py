"""Throwaway PostgreSQL and Redis servers on free ports, started by the
tests themselves so the suite never depends on services already running.

PostgreSQL refuses to run as root; when the tests run as root (CI does) the
server runs as the ``postgres`` system user that Debian's package creates.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

INSTALL_HINT = ("Install it with `make test-services` (as root) or "
                "`sudo apt-get install -y postgresql redis-server`.")


class MissingServer(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on port {port} after {timeout}s")


def _postgres_bin(tool: str) -> str:
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{tool}"),
                        key=lambda p: int(p.split("/")[4]), reverse=True)
    found = candidates[0] if candidates else shutil.which(tool)
    if not found:
        raise MissingServer(f"PostgreSQL server binary `{tool}` not found. {INSTALL_HINT}")
    return found


@dataclass
class PostgresServer:
    port: int
    datadir: str
    as_user: str | None

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *argv: str, **kwargs):
        command = list(argv)
        if self.as_user:
            command = ["runuser", "-u", self.as_user, "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)

    @classmethod
    def start(cls) -> PostgresServer:
        initdb, pg_ctl = _postgres_bin("initdb"), _postgres_bin("pg_ctl")
        as_user = None
        root = tempfile.mkdtemp(prefix="cungcau-pg-")
        if os.geteuid() == 0:
            as_user = "postgres"
            try:
                entry = pwd.getpwnam(as_user)
            except KeyError:
                raise MissingServer(f"user `postgres` missing. {INSTALL_HINT}") from None
            os.chmod(root, 0o755)
            os.chown(root, entry.pw_uid, entry.pw_gid)
        server = cls(port=free_port(), datadir=os.path.join(root, "data"), as_user=as_user)
        server._run(initdb, "-D", server.datadir, "-U", "postgres", "--auth=trust",
                    "--encoding=UTF8", "--no-locale", "--no-sync")
        options = (f"-p {server.port} -c listen_addresses=127.0.0.1 -k {root} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                   "-c max_connections=200")
        server._run(pg_ctl, "-D", server.datadir, "-o", options, "-l",
                    os.path.join(root, "server.log"), "-w", "-t", "60", "start")
        return server

    def stop(self) -> None:
        try:
            self._run(_postgres_bin("pg_ctl"), "-D", self.datadir, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(os.path.dirname(self.datadir), ignore_errors=True)


@dataclass
class RedisServer:
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    @classmethod
    def start(cls) -> RedisServer:
        binary = shutil.which("redis-server")
        if not binary:
            raise MissingServer(f"`redis-server` not found. {INSTALL_HINT}")
        port = free_port()
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for_port(port, process)
        return cls(port=port, process=process)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class WorkerProcess:
    """A real ``celery worker`` in its own process (prefork pool)."""

    def __init__(self, env: dict, log_path: Path, queues: str = "celery", concurrency: int = 2):
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "workers.celery_app", "worker",
             "--loglevel=INFO", f"--concurrency={concurrency}", "--pool=prefork", "-Q", queues,
             "--without-gossip", "--without-mingle", "-n", f"test-{os.getpid()}-{id(self)}@%h"],
            cwd=ROOT, env={**os.environ, **env}, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def wait_for(predicate, timeout: float = 60, interval: float = 0.2, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")
