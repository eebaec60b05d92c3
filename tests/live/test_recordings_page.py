"""Stage recordings after the session: only the event's hosts list and download them."""

from __future__ import annotations

import secrets

from server.media.recording import folder_of
from tests.clients import Visitor
from tests.live.support import Seeded, Someone
from tests.servers import Server


def _visitor(server: Server, someone: Someone) -> Visitor:
    v = Visitor(server.url)
    v.http.cookies.set("studyhall_session", someone.cookie)
    return v


async def test_hosts_download_recordings_and_no_one_else_sees_them(
    server: Server, room: Seeded
) -> None:
    folder = folder_of(server.data_dir, room.event_id)
    folder.mkdir(parents=True)
    content = secrets.token_bytes(5000)
    (folder / "20270115T180000Z-1.webm").write_bytes(content)
    (folder / "notes.txt").write_text("not a recording")
    base = f"/events/{room.event_id}/recordings"
    for someone in (room.host, room.co_host):
        async with _visitor(server, someone) as host:
            event_page = await host.get(f"/events/{room.event_id}")
            assert f'href="{base}"' in event_page.text
            page = await host.get(base)
            assert page.status_code == 200
            assert "20270115T180000Z-1.webm" in page.text and "notes.txt" not in page.text
            file = await host.get(f"{base}/20270115T180000Z-1.webm")
            assert file.status_code == 200 and file.content == content
            assert file.headers["content-type"] == "video/webm"
            assert "attachment" in file.headers["content-disposition"]
            for name in ("notes.txt", "..%2F..%2Fsecret_key", "20270115T180000Z-2.webm"):
                assert (await host.get(f"{base}/{name}")).status_code == 404, name
    for someone in (room.attendees[0], room.speaker, room.moderator, room.outsider):
        async with _visitor(server, someone) as other:
            assert (await other.get(base)).status_code == 404, someone.name
            assert f'href="{base}"' not in (await other.get(f"/events/{room.event_id}")).text
            file = await other.get(f"{base}/20270115T180000Z-1.webm")
            assert file.status_code == 404, someone.name
    async with Visitor(server.url) as stranger:
        assert (await stranger.get(base)).status_code == 303
