"""The stage on media nodes, in Chromium: a host presents from a page on one web worker, an
attendee watches from a page on the other, and when the media node running the room dies,
both pages offer their connections to the node that takes the room over, by themselves."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, expect

from tests.browser.conftest import Browsing
from tests.browser.test_stage import enter
from tests.databases import Postgres
from tests.live.cluster import Cluster, sqlite_url
from tests.media.media_nodes import node_of_room, start_nodes

A, B = 0, 1
MARK_BEFORE = """() => { window.__before = document.querySelector("#stage-tiles video"); }"""
# The newest stage video, once it is another element than the one marked before.
DECODING_ANEW = """(least) => {
  const video = document.querySelector("#stage-tiles video");
  return video !== null && video !== window.__before
      && video.getVideoPlaybackQuality().totalVideoFrames > least;
}"""


async def test_pages_follow_the_stage_to_another_media_node(
    browser: Browser, tmp_path: Path, postgres: Postgres | None
) -> None:
    db_url = await postgres.fresh() if postgres is not None else await sqlite_url(tmp_path / "db")
    cluster = await Cluster.start(tmp_path, db_url, attendees=1)
    at_a, at_b = Browsing(browser, cluster.workers[A]), Browsing(browser, cluster.workers[B])
    nodes = await start_nodes(cluster, 2, env={})  # Chromium reaches them as it finds them
    try:
        host = await at_a.page(await at_a.context(cluster.room_host.cookie))
        ada = await at_b.page(await at_b.context(cluster.people[0].cookie))
        for page in (host, ada):
            await enter(page, cluster.event_id)
        await host.get_by_role("button", name="Camera", exact=True).click()
        await ada.wait_for_function(DECODING_ANEW, arg=15)

        await ada.evaluate(MARK_BEFORE)
        running = await node_of_room(cluster, cluster.event_id)
        next(n for n in nodes if n.id == running).kill()
        # Nobody clicks anything: the host's page publishes to the new node and Ada's page
        # watches there, in a new video element that decodes.
        await ada.wait_for_function(DECODING_ANEW, arg=15, timeout=30_000)
        assert await node_of_room(cluster, cluster.event_id) != running
        tile = ada.get_by_role("list", name="People presenting").locator("video")
        await expect(tile).to_have_count(1)
        assert at_a.uncaught_errors() == [] and at_b.uncaught_errors() == []
    finally:
        await at_a.close()
        await at_b.close()
        for node in nodes:
            node.kill()
        await cluster.close()
