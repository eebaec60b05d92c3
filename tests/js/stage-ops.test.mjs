// The stage's rules in the browser (who sees which buttons, where videos go) and its
// signaling through a RoomClient, with fake peer connections.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { EMPTY_STAGE, StageMedia, mayInvite, mayPublish, stageLayout, tracksKey } from "../../web/static/stage-ops.js";

const host = { id: "mh", name: "Grace", role: "host" };
const speaker = { id: "ms", name: "Sam", role: "speaker" };
const ada = { id: "ma", name: "Ada", role: "attendee" };

function track(id, member, label) {
  return { id, member, name: member, label, kind: label === "microphone" ? "audio" : "video", muted: false };
}

describe("who presents", () => {
  test("the stage roles present unless removed; an attendee once on the stage", () => {
    assert.equal(mayPublish(host, EMPTY_STAGE, false), true);
    assert.equal(mayPublish(speaker, EMPTY_STAGE, true), false);
    assert.equal(mayPublish(ada, EMPTY_STAGE, false), false);
    assert.equal(mayPublish(ada, { ...EMPTY_STAGE, on_stage: ["ma"] }, false), true);
    assert.equal(mayPublish(null, EMPTY_STAGE, false), false);
  });

  test("hosts invite attendees who are neither on the stage nor invited", () => {
    assert.equal(mayInvite(host, ada, EMPTY_STAGE), true);
    assert.equal(mayInvite(host, speaker, EMPTY_STAGE), false);
    assert.equal(mayInvite(host, host, EMPTY_STAGE), false);
    assert.equal(mayInvite(speaker, ada, EMPTY_STAGE), false);
    assert.equal(mayInvite(host, ada, { ...EMPTY_STAGE, invited: ["ma"] }), false);
    assert.equal(mayInvite(host, ada, { ...EMPTY_STAGE, on_stage: ["ma"] }), false);
  });
});

describe("layout", () => {
  test("a screen share goes large, cameras are tiles, sound apart", () => {
    const tracks = [track("t1", "mh", "camera"), track("t2", "mh", "microphone"), track("t3", "ms", "screen")];
    const layout = stageLayout(tracks);
    assert.equal(layout.large?.id, "t3");
    assert.deepEqual(layout.tiles.map((t) => t.id), ["t1"]);
    assert.deepEqual(layout.audio.map((t) => t.id), ["t2"]);
    assert.equal(stageLayout([track("t1", "mh", "camera")]).large, null);
    assert.equal(tracksKey(tracks), "t1,t2,t3");
  });
});

class FakePeer {
  constructor() {
    this.transceivers = [];
    this.listeners = {};
    this.iceGatheringState = "complete";
    this.localDescription = null;
    this.remote = null;
    this.closed = false;
  }
  addTransceiver(what, init) {
    const t = { what, direction: init.direction, mid: String(this.transceivers.length) };
    this.transceivers.push(t);
    return t;
  }
  addEventListener(name, fn) {
    this.listeners[name] = fn;
  }
  removeEventListener() {}
  async createOffer() {
    return { type: "offer", sdp: `v=0 offer of ${this.transceivers.length}` };
  }
  async setLocalDescription(d) {
    this.localDescription = d;
  }
  async setRemoteDescription(d) {
    this.remote = d;
  }
  close() {
    this.closed = true;
  }
}

function fakeClient(replies) {
  const sent = [];
  return {
    sent,
    async command(frame) {
      sent.push(frame);
      return { type: "ack", ...(replies[frame.op] ?? {}) };
    },
  };
}

describe("StageMedia", () => {
  test("publishing offers each track sendonly, labelled by mid, and applies the answer", async () => {
    const client = fakeClient({ "media.ice_servers": { ice_servers: [{ urls: "stun:x" }], expires_in: 3600 }, "media.offer": { sdp: "v=0 answer" } });
    const peers = [];
    const media = new StageMedia(client, (config) => {
      const pc = new FakePeer();
      pc.config = config;
      peers.push(pc);
      return pc;
    });
    await media.publish(new Map([["camera", "cam"], ["microphone", "mic"]]));
    const offer = client.sent.find((f) => f.op === "media.offer");
    assert.deepEqual(offer.tracks, { 0: "camera", 1: "microphone" });
    assert.deepEqual(peers[0].config.iceServers, [{ urls: "stun:x" }]);
    assert.deepEqual(peers[0].transceivers.map((t) => t.direction), ["sendonly", "sendonly"]);
    assert.equal(peers[0].remote.sdp, "v=0 answer");
    await media.publish(new Map());
    assert.equal(peers[0].closed, true);
    assert.deepEqual(client.sent.at(-1), { op: "media.leave", connection: "publish" });
  });

  test("watching hands each arriving track over with what the answer says it carries", async () => {
    const camera = track("t1", "mh", "camera");
    const client = fakeClient({ "media.offer": { sdp: "v=0 answer", tracks: { 0: camera } } });
    const pc = new FakePeer();
    const media = new StageMedia(client, () => pc);
    const arrived = [];
    media.onTrack = (t, m) => arrived.push([t.id, m]);
    await media.watch([camera]);
    assert.deepEqual(pc.transceivers.map((t) => [t.what, t.direction]), [["video", "recvonly"]]);
    pc.listeners.track({ transceiver: { mid: "0" }, track: "remote video" });
    assert.deepEqual(arrived, [["t1", "remote video"]]);
  });

  test("a failed connection is reported, unless a fresh one has replaced it", async () => {
    const client = fakeClient({ "media.offer": { sdp: "v=0 answer" } });
    const peers = [];
    const media = new StageMedia(client, () => {
      peers.push(new FakePeer());
      return peers.at(-1);
    });
    const failed = [];
    media.onFailed = (which) => failed.push(which);
    await media.publish(new Map([["camera", "cam"]]));
    await media.watch([track("t1", "mh", "camera")]);
    for (const pc of peers) pc.connectionState = "failed";
    peers[1].listeners.connectionstatechange();
    peers[0].listeners.connectionstatechange();
    assert.deepEqual(failed, ["watch", "publish"]);
    await media.publish(new Map([["camera", "cam"]])); // a fresh offer replaces peers[0]
    peers[0].listeners.connectionstatechange();
    assert.deepEqual(failed, ["watch", "publish"]);
  });
});

describe("StageMedia, pressed twice in a moment", () => {
  /** A StageMedia whose peers are kept in `peers`, on a client whose offers wait for `answer`. */
  function racing({ gathering = false } = {}) {
    const sent = [];
    const waiting = [];
    const client = {
      sent,
      async command(frame) {
        sent.push(frame);
        if (frame.op !== "media.offer") return { type: "ack" };
        return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
      },
    };
    const peers = [];
    const media = new StageMedia(client, () => {
      peers.push(new FakePeer());
      if (gathering) peers.at(-1).iceGatheringState = "gathering";
      return peers.at(-1);
    });
    return { media, sent, waiting, peers };
  }
  /** The peer's candidates are all in: its offer may go. */
  function gathered(pc) {
    pc.iceGatheringState = "complete";
    pc.listeners.icegatheringstatechange();
  }
  const offers = (sent) => sent.filter((f) => f.op === "media.offer");
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

  test("a second publish before the first has a connection sends one offer, the last", async () => {
    const { media, sent, waiting, peers } = racing();
    const first = media.publish(new Map([["camera", "cam"]]));
    const second = media.publish(new Map([["camera", "cam"], ["microphone", "mic"]]));
    await settle();
    assert.equal(peers.length, 1);
    assert.deepEqual(offers(sent).map((f) => f.tracks), [{ 0: "camera", 1: "microphone" }]);
    waiting[0].resolve({ type: "ack", sdp: "v=0 answer" });
    await Promise.all([first, second]);
    assert.equal(peers[0].remote.sdp, "v=0 answer");
  });

  test("a publish replaced while it offers sends nothing, and closes its connection", async () => {
    const { media, sent, waiting, peers } = racing({ gathering: true });
    const first = media.publish(new Map([["camera", "cam"]]));
    while (!peers[0]?.listeners.icegatheringstatechange) await settle();
    const second = media.publish(new Map([["screen", "share"]]));
    while (!peers[1]?.listeners.icegatheringstatechange) await settle();
    assert.equal(peers[0].closed, true);
    gathered(peers[0]);
    gathered(peers[1]);
    await settle();
    assert.deepEqual(offers(sent).map((f) => f.tracks), [{ 0: "screen" }]);
    waiting[0].resolve({ type: "ack", sdp: "v=0 answer" });
    await Promise.all([first, second]);
  });

  test("an offer refused after a newer one replaced it is not the page's error", async () => {
    const { media, sent, waiting } = racing();
    const first = media.watch([track("t1", "mh", "camera")]);
    while (offers(sent).length === 0) await settle();
    const second = media.watch([track("t1", "mh", "camera"), track("t2", "mh", "microphone")]);
    while (offers(sent).length === 1) await settle();
    waiting[0].reject({ code: "invalid", message: "sdp: stale" });
    await first; // resolves: the refusal was of a connection already replaced
    waiting[1].reject({ code: "rate_limited", message: "Slow down" });
    await assert.rejects(second, { code: "rate_limited" });
  });

  test("closing ends a publish still on its way", async () => {
    const { media, sent, peers } = racing();
    const publishing = media.publish(new Map([["camera", "cam"]]));
    media.close();
    await publishing;
    assert.equal(peers.length, 0);
    assert.equal(offers(sent).length, 0);
  });
});

describe("a host's stage buttons in the people list", () => {
  test("invite an attendee; mute and take off someone presenting; never a host", async () => {
    const { hostActions } = await import("../../web/static/stage-ops.js");
    const cohost = { id: "mc", name: "Cora", role: "co-host" };
    assert.deepEqual(hostActions(host, ada, EMPTY_STAGE), ["stage.invite"]);
    assert.deepEqual(hostActions(host, cohost, EMPTY_STAGE), []);
    assert.deepEqual(hostActions(ada, speaker, EMPTY_STAGE), []);
    assert.deepEqual(hostActions(host, speaker, EMPTY_STAGE), ["stage.remove"]);
    const speaking = { ...EMPTY_STAGE, on_stage: ["ms"], tracks: [track("t1", "ms", "microphone")] };
    assert.deepEqual(hostActions(host, speaker, speaking), ["stage.mute", "stage.remove"]);
    assert.deepEqual(hostActions(host, speaker, { ...speaking, muted: ["ms"] }), ["stage.remove"]);
    assert.deepEqual(hostActions(host, ada, { ...EMPTY_STAGE, on_stage: ["ma"] }), ["stage.remove"]);
  });
});
