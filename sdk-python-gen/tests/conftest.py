"""Fixtures: the packaged Vermilion server, started once per test session, and a fresh tenant per test.

The server is service/target/quarkus-app/quarkus-run.jar (or $VERMILION_SERVER_JAR), run with the JDK of
$JAVA_HOME on a free port over a temporary data folder (embedded PostgreSQL included), and stopped with SIGTERM.
"""

from __future__ import annotations

import contextlib
import os
import random
import shlex
import socket
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

import vermilion

MODULE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_JAR = MODULE_DIR.parent / "service" / "target" / "quarkus-app" / "quarkus-run.jar"
DEFAULT_JVM_FLAGS = (
    "--add-modules jdk.incubator.vector --add-opens=java.base/java.nio=ALL-UNNAMED "
    "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED --enable-native-access=ALL-UNNAMED"
)
STARTUP_TIMEOUT_S = 120


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    admin_key: str | None = None

    def client(self, tenant: str = vermilion.DEFAULT_TENANT, database: str = vermilion.DEFAULT_DATABASE):
        return vermilion.Client(host=self.host, port=self.port, tenant=tenant, database=database)


def _free_port() -> int:
    """A free port below the ephemeral range (32768+ on Linux, 49152+ elsewhere). The server's embedded PostgreSQL
    takes an ephemeral port of its own while starting, and could otherwise be handed the very port chosen here."""
    for _ in range(100):
        port = random.randrange(20000, 32000)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("No free port in 20000-31999")


def _java() -> str:
    home = os.environ.get("JAVA_HOME")
    return str(Path(home) / "bin" / "java") if home else "java"


def _heartbeat_ok(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def _running_server(tmp_path_factory: pytest.TempPathFactory, env: Mapping[str, str]) -> Iterator[Server]:
    jar = Path(os.environ.get("VERMILION_SERVER_JAR", DEFAULT_JAR))
    if not jar.is_file():
        pytest.fail(f"No packaged server at {jar}: build it first (./mvnw -pl engine,service package -DskipTests)")
    flags = shlex.split(os.environ.get("VERMILION_JVM_FLAGS", DEFAULT_JVM_FLAGS))
    port = _free_port()
    data = tmp_path_factory.mktemp("vermilion-data")
    log_path = data.parent / f"{data.name}-server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [_java(), *flags, f"-Dquarkus.http.port={port}", f"-Dvermilion.path={data}", "-jar", str(jar)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env},
        )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not _heartbeat_ok(port):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-4000:]
                pytest.fail(f"Server did not start (exit code {process.poll()}); log tail:\n{tail}")
            time.sleep(0.2)
        yield Server("127.0.0.1", port, env.get("VERMILION_ADMIN_KEY") or None)
    finally:
        process.terminate()  # SIGTERM: the server stops its embedded PostgreSQL too
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The server as it runs by default: auth off."""
    with _running_server(tmp_path_factory, {"VERMILION_ADMIN_KEY": ""}) as running:
        yield running


@pytest.fixture(scope="session")
def auth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A second server with auth on: every route but the public ones needs a key (``admin_key`` to begin with)."""
    with _running_server(tmp_path_factory, {"VERMILION_ADMIN_KEY": f"admin-{uuid.uuid4()}"}) as running:
        yield running


@pytest.fixture
def tenant(server: Server) -> str:
    """A new tenant `sdk-<random>` with a database `main`; the name is printed for re-runs against a live server."""
    name = f"sdk-{uuid.uuid4().hex[:12]}"
    print(f"tenant: {name}")
    admin = server.client()
    admin.create_tenant(name)
    admin.create_database("main", tenant=name)
    return name


def pytest_report_header() -> str:
    return f"vermilion {vermilion.__version__} from {Path(vermilion.__file__).parent}"
