"""Media node processes (`studyhall media-node`) beside a cluster of web workers on Redis."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from redis.asyncio import Redis

from tests.live.cluster import Cluster
from tests.media.stage_peers import STAGE_ENV


class MediaNode:
    """`python -m server.cli media-node` in its own process, as the Procfile's `media:` runs it."""

    def __init__(self, folder: Path, cluster: Cluster, env: dict[str, str]) -> None:
        self.folder = folder
        self.env = {**os.environ, "STUDYHALL_ENV": "test", "STUDYHALL_DATA": str(folder),
                    "REDIS_URL": cluster.redis.url, "DATABASE_URL": cluster.db_url,
                    **env}  # fmt: skip
        self.log_path = folder / "media-node.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30) -> MediaNode:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "media-node"],
            env=self.env,
            stdout=self.log_path.open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"media node exited early:\n{self.log()}")
            if "is up" in self.log():
                return self
            time.sleep(0.05)
        raise RuntimeError(f"media node did not start within {timeout}s:\n{self.log()}")

    @property
    def id(self) -> str:
        """The id the node announced (`media node <id> is up`)."""
        for line in self.log().splitlines():
            if line.endswith(" is up"):
                return line.split("media node ", 1)[1].removesuffix(" is up")
        raise RuntimeError("the media node has not announced itself")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


async def start_nodes(
    cluster: Cluster, count: int, env: dict[str, str] | None = None
) -> list[MediaNode]:
    """`count` media nodes; aiortc peers reach them on 127.0.0.1 unless `env` says otherwise."""
    made = [MediaNode(cluster.root / f"media{n}", cluster, STAGE_ENV if env is None else env)
            for n in range(count)]  # fmt: skip
    return await asyncio.gather(*[asyncio.to_thread(node.start) for node in made])


async def node_of_room(cluster: Cluster, room_id: int) -> str | None:
    """Which node the bus says runs the room's stage."""
    redis = Redis.from_url(cluster.redis.url)
    try:
        raw = await redis.get(f"media:room:{room_id}")
    finally:
        await redis.aclose()
    return raw.decode() if isinstance(raw, bytes) else raw
