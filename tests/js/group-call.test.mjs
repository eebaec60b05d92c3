// A breakout group's peer-to-peer call when a connection is lost: the side that offers
// calls again on a fresh connection (on failure, after 5 s "disconnected", or when it never
// connects within 15 s), at most three times in a row; the side that answers waits for it.

import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, mock, test } from "node:test";

import { GroupCall } from "../../web/static/room/group-call.js";
import { settle } from "./fakes.mjs";

/** @type {FakePeer[]} */
let peers = [];

class FakePeer {
  connectionState = "new";
  closed = false;
  localDescription = null;
  listeners = {};
  constructor() {
    peers.push(this);
  }
  addTrack() {}
  addEventListener(name, fn) {
    (this.listeners[name] ??= []).push(fn);
  }
  async createOffer() {
    return { type: "offer", sdp: `offer ${peers.indexOf(this)}` };
  }
  async createAnswer() {
    return { type: "answer", sdp: `answer ${peers.indexOf(this)}` };
  }
  async setLocalDescription(description) {
    this.localDescription = description;
  }
  async setRemoteDescription() {}
  async addIceCandidate() {}
  close() {
    this.closed = true;
  }
  /** @param {string} state */
  become(state) {
    this.connectionState = state;
    for (const fn of this.listeners.connectionstatechange ?? []) fn();
  }
}

function fakeClient() {
  const sent = [];
  return {
    sent,
    signals: (type) => sent.filter((f) => f.op === "group.signal" && f.signal.type === type),
    async command(frame) {
      sent.push(frame);
      return frame.op === "group.ice_servers" ? { type: "ack", ice_servers: [] } : { type: "ack" };
    },
  };
}

/** @param {string} me @param {string[]} members */
async function inCall(me, members) {
  const client = fakeClient();
  const call = new GroupCall(/** @type {any} */ (client), me);
  await call.start(members);
  await settle();
  return { client, call };
}

async function tick(ms) {
  mock.timers.tick(ms);
  await settle();
}

describe("a group call's lost connections", () => {
  beforeEach(() => {
    peers = [];
    globalThis.RTCPeerConnection = /** @type {any} */ (FakePeer);
    Object.defineProperty(globalThis, "navigator", {
      value: { mediaDevices: { getUserMedia: async () => ({ getTracks: () => [] }) } },
      configurable: true,
    });
    mock.timers.enable({ apis: ["setTimeout"] });
  });
  afterEach(() => mock.timers.reset());

  test("the side that offers calls again when one fails, stays disconnected or never connects", async () => {
    const { client } = await inCall("m1", ["m1", "m2"]);
    assert.equal(client.signals("offer").length, 1);

    peers[0].become("failed");
    await settle();
    assert.equal(peers.length, 2);
    assert.equal(peers[0].closed, true);

    peers[1].become("connecting"); // and no further
    await tick(14_999);
    assert.equal(peers.length, 2);
    await tick(1);
    assert.equal(peers.length, 3);

    peers[2].become("connecting");
    peers[2].become("connected"); // the count starts over
    peers[2].become("disconnected");
    await tick(4_999);
    assert.equal(peers.length, 3);
    await tick(1);
    assert.equal(peers.length, 4);

    for (const n of [3, 4, 5]) {
      peers[n].become("failed");
      await settle();
    }
    assert.equal(peers.length, 6, "three calls again in a row, then no more");
    await tick(60_000);
    assert.equal(peers.length, 6);
    assert.equal(client.signals("offer").length, 6);
  });

  test("a disconnected connection that comes back by itself is left alone", async () => {
    await inCall("m1", ["m1", "m2"]);
    peers[0].become("connected");
    peers[0].become("disconnected");
    await tick(3_000);
    peers[0].become("connected");
    await tick(60_000);
    assert.equal(peers.length, 1);
  });

  test("the side that answers waits for the new offer, so that two never cross", async () => {
    const { client, call } = await inCall("m2", ["m1", "m2"]);
    assert.equal(client.signals("hello").length, 1);
    call.receive("m1", { type: "offer", sdp: "offer" });
    await settle();
    assert.equal(client.signals("answer").length, 1);
    peers[0].become("failed");
    await tick(60_000);
    assert.equal(peers.length, 1);
    assert.equal(client.signals("hello").length, 1);
  });

  test("someone not in the call yet is offered three times, and afresh when they join", async () => {
    const { call } = await inCall("m1", ["m1", "m2"]);
    for (let n = 0; n < 5; n++) await tick(15_000);
    assert.equal(peers.length, 4);
    call.receive("m2", { type: "hello" });
    await settle();
    assert.equal(peers.length, 5);
    peers[4].become("failed");
    await settle();
    assert.equal(peers.length, 6);
  });
});
