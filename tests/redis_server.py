"""A real `redis-server` for tests: a free port, a temp dir, no persistence.

Tests that need Redis to go away and come back (restarts, kills) use `stop`, `kill` and
`start` on the same port, so clients configured with `url` reconnect to the same address.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

START_TIMEOUT_S = 10.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def answers_ping(port: int, timeout_s: float = 0.5) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout_s) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    def __init__(self, *extra_args: str, binary: str = "redis-server") -> None:
        found = shutil.which(binary)
        if found is None:
            raise RuntimeError(f"{binary} not found on PATH; install redis-server")
        self.binary = found
        self.port = free_port()
        self.extra_args = extra_args
        self._dir = tempfile.TemporaryDirectory(prefix="studyhall-redis-")
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        if self.running:
            return
        args = [
            self.binary,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", self._dir.name,
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--logfile", str(Path(self._dir.name) / "redis.log"),
            *self.extra_args,
        ]  # fmt: skip
        self._process = subprocess.Popen(args, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT_S
        while not answers_ping(self.port):
            if self._process.poll() is not None:
                raise RuntimeError(f"redis-server exited: see {self._dir.name}/redis.log")
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"redis-server did not answer on port {self.port}")
            time.sleep(0.02)

    def stop(self) -> None:
        """Shut down cleanly (SIGTERM): clients see their connections closed."""
        self._end(kill=False)

    def kill(self) -> None:
        """Die at once (SIGKILL), as in a crash."""
        self._end(kill=True)

    def restart(self, down_for_s: float = 0.0) -> None:
        """Stop, stay down a while, start again on the same port. Blocks the caller."""
        self.stop()
        time.sleep(down_for_s)
        self.start()

    def close(self) -> None:
        self.kill()
        self._dir.cleanup()

    def _end(self, kill: bool) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        if kill:
            process.kill()
        else:
            process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
