// RoomClient at the room's door: guidelines to accept, the waiting room, refusals, and
// being sent away by a moderator (close codes 4003 and 4004).

import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";

import { RoomClient } from "../../web/static/protocol.js";
import * as ops from "../../web/static/moderation-ops.js";
import { FakeSocket, FakeTimers, settle } from "./fakes.mjs";

const ROOM = 12;
const ME = { id: "m4f9a2c01d3", name: "Ada", role: "attendee" };

function snapshot(seq) {
  return { type: "snapshot", room: ROOM, seq, stale: false, you: ME, people: [ME], chat: [], hands: [], state: {}, more_chat: false };
}

function makeClient() {
  const timers = new FakeTimers();
  const client = new RoomClient({ url: "ws://studyhall.test/ws", room: ROOM, WebSocket: FakeSocket, timers, random: () => 0.5 });
  const seen = { statuses: [], snapshots: [], errors: [] };
  client.onStatus = (status, reason, code) => seen.statuses.push([status, code]);
  client.onSnapshot = (s) => seen.snapshots.push(s);
  client.onError = (e) => seen.errors.push(e);
  return { client, timers, seen };
}

function refuse(ws, code) {
  ws.receive({ type: "error", ref: ws.lastSent().ref, code, message: `refused: ${code}`, field: null });
}

beforeEach(() => FakeSocket.reset());

describe("guidelines at the door", () => {
  test("a guidelines refusal holds the socket open until they are accepted, then joins", async () => {
    const { client, timers, seen } = makeClient();
    client.connect();
    const ws = FakeSocket.last;
    ws.open();
    refuse(ws, "guidelines");
    assert.equal(client.status, "held");
    assert.deepEqual(seen.statuses.at(-1), ["held", "guidelines"]);
    assert.equal(ws.closedWith, null, "the socket stays open");
    timers.advance(60_000);
    assert.equal(client.status, "held", "no join timeout while the person reads");
    assert.equal(FakeSocket.made.length, 1);

    const accepted = client.acceptGuidelines();
    const accept = ws.lastSent();
    assert.deepEqual(accept, { op: "guidelines.accept", ref: accept.ref, room: ROOM });
    ws.receive({ type: "ack", ref: accept.ref });
    await accepted;
    const join = ws.lastSent();
    assert.equal(join.op, "join");
    ws.receive({ type: "ack", ref: join.ref, room: ROOM, seq: 5 });
    ws.receive(snapshot(5));
    assert.equal(client.status, "live");
    assert.equal(seen.snapshots.length, 1);
  });

  test("acceptGuidelines when the room is not asking is refused", async () => {
    const { client } = makeClient();
    await assert.rejects(client.acceptGuidelines(), { code: "not_in_room" });
  });

  test("commands made while held wait for the join", async () => {
    const { client } = makeClient();
    client.connect();
    const ws = FakeSocket.last;
    ws.open();
    refuse(ws, "guidelines");
    const sent = client.sendChat("hello");
    assert.equal(ws.sentOps("chat.send").length, 0);
    const accepted = client.acceptGuidelines();
    ws.receive({ type: "ack", ref: ws.lastSent().ref });
    await accepted;
    ws.receive({ type: "ack", ref: ws.lastSent().ref, room: ROOM, seq: 1 });
    const chat = ws.sentOps("chat.send");
    assert.equal(chat.length, 1);
    ws.receive({ type: "ack", ref: chat[0].ref, id: 3, seq: 2 });
    assert.equal((await sent).id, 3);
  });
});

describe("the waiting room", () => {
  test("a waiting ack holds without timing out; admitted joins again on the same socket", () => {
    const { client, timers, seen } = makeClient();
    client.connect();
    const ws = FakeSocket.last;
    ws.open();
    ws.receive({ type: "ack", ref: ws.lastSent().ref, room: ROOM, waiting: true });
    assert.equal(client.status, "waiting");
    assert.deepEqual(seen.statuses.at(-1), ["waiting", "waiting"]);
    timers.advance(20_000);
    assert.equal(client.status, "waiting");
    assert.equal(FakeSocket.made.length, 1);
    ws.receive({ type: "admitted", room: 99 });
    assert.equal(ws.sentOps("join").length, 1, "another room's frame is ignored");
    ws.receive({ type: "admitted", room: ROOM });
    const joins = ws.sentOps("join");
    assert.equal(joins.length, 2);
    assert.notEqual(joins[1].ref, joins[0].ref);
    ws.receive({ type: "ack", ref: joins[1].ref, room: ROOM, seq: 8 });
    ws.receive(snapshot(8));
    assert.equal(client.status, "live");
  });
});

describe("the door across a dropped socket", () => {
  test("held, then dropped: the next socket is held again and accepting still joins", async () => {
    const { client, timers } = makeClient();
    client.connect();
    FakeSocket.last.open();
    refuse(FakeSocket.last, "guidelines");
    FakeSocket.last.drop(1006);
    assert.equal(client.status, "reconnecting");
    timers.advance(1_000);
    const ws = FakeSocket.last;
    assert.equal(FakeSocket.made.length, 2);
    ws.open();
    refuse(ws, "guidelines");
    assert.equal(client.status, "held");
    const accepted = client.acceptGuidelines();
    ws.receive({ type: "ack", ref: ws.lastSent().ref });
    await accepted;
    assert.equal(ws.lastSent().op, "join");
  });

  test("waiting, then dropped: the next socket joins again and waits again", () => {
    const { client, timers } = makeClient();
    client.connect();
    FakeSocket.last.open();
    FakeSocket.last.receive({ type: "ack", ref: FakeSocket.last.lastSent().ref, room: ROOM, waiting: true });
    FakeSocket.last.drop(1006);
    timers.advance(1_000);
    const ws = FakeSocket.last;
    ws.open();
    assert.equal(ws.lastSent().op, "join");
    ws.receive({ type: "ack", ref: ws.lastSent().ref, room: ROOM, waiting: true });
    assert.equal(client.status, "waiting");
  });

  test("an accept in flight when the socket drops is not repeated", async () => {
    const { client } = makeClient();
    client.connect();
    FakeSocket.last.open();
    refuse(FakeSocket.last, "guidelines");
    const accepted = client.acceptGuidelines();
    FakeSocket.last.drop(1006);
    await assert.rejects(accepted, { code: "disconnected" });
  });
});

describe("refusals and being sent away", () => {
  for (const code of ["banned", "room_locked"]) {
    test(`a ${code} refusal closes for good and says why`, () => {
      const { client, timers, seen } = makeClient();
      client.connect();
      const ws = FakeSocket.last;
      ws.open();
      refuse(ws, code);
      assert.deepEqual(seen.statuses.at(-1), ["closed", code]);
      assert.equal(seen.errors[0].code, code);
      timers.advance(60_000);
      assert.equal(FakeSocket.made.length, 1);
    });
  }

  test("removed (4003): closed without reconnecting, and connect() comes back with since", () => {
    const { client, timers, seen } = makeClient();
    client.connect();
    let ws = FakeSocket.last;
    ws.open();
    ws.receive({ type: "ack", ref: ws.lastSent().ref, room: ROOM, seq: 5 });
    ws.receive(snapshot(5));
    ws.drop(4003, "removed");
    assert.deepEqual(seen.statuses.at(-1), ["closed", "removed"]);
    timers.advance(60_000);
    assert.equal(FakeSocket.made.length, 1);
    client.connect();
    ws = FakeSocket.last;
    ws.open();
    assert.equal(FakeSocket.made.length, 2);
    assert.equal(ws.lastSent().since, 5);
  });

  test("banned (4004): closed without reconnecting", () => {
    const { client, timers, seen } = makeClient();
    client.connect();
    const ws = FakeSocket.last;
    ws.open();
    ws.receive({ type: "ack", ref: ws.lastSent().ref, room: ROOM, seq: 5 });
    ws.drop(4004, "banned");
    assert.deepEqual(seen.statuses.at(-1), ["closed", "banned"]);
    timers.advance(60_000);
    assert.equal(FakeSocket.made.length, 1);
  });
});

describe("moderation ops", () => {
  test("each op sends the documented frame", async () => {
    const { client } = makeClient();
    client.connect();
    const ws = FakeSocket.last;
    ws.open();
    ws.receive({ type: "ack", ref: ws.lastSent().ref, room: ROOM, seq: 1 });
    const calls = [
      [() => ops.report(client, { kind: "message", id: 311 }, "Rude"), { op: "report", kind: "message", id: 311, reason: "Rude" }],
      [() => ops.report(client, { kind: "name", member: "m7" }, "Name"), { op: "report", kind: "name", member: "m7", reason: "Name" }],
      [() => ops.block(client, "m7", true), { op: "block", member: "m7" }],
      [() => ops.block(client, "m7", false), { op: "unblock", member: "m7" }],
      [() => ops.list(client, "mod.reports"), { op: "mod.reports" }],
      [() => ops.resolveReport(client, 7, "dismissed"), { op: "report.resolve", id: 7, outcome: "dismissed" }],
      [() => ops.restoreMessage(client, 311), { op: "chat.restore", id: 311 }],
      [() => ops.mute(client, "m7", 10, "Cool down"), { op: "mod.mute", member: "m7", minutes: 10, reason: "Cool down" }],
      [() => ops.unmute(client, "m7"), { op: "mod.unmute", member: "m7" }],
      [() => ops.sendAway(client, "mod.ban", "m7", "Spam"), { op: "mod.ban", member: "m7", reason: "Spam" }],
      [() => ops.sendAway(client, "mod.remove", "m7"), { op: "mod.remove", member: "m7" }],
      [() => ops.setDoor(client, "locked", true), { op: "room.lock", locked: true }],
      [() => ops.setDoor(client, "waiting_room", false), { op: "room.waiting_room", enabled: false }],
      [() => ops.admit(client), { op: "door.admit" }],
      [() => ops.admit(client, "m2"), { op: "door.admit", member: "m2" }],
    ];
    for (const [call, expected] of calls) {
      const done = call();
      const { ref, ...frame } = ws.lastSent();
      assert.deepEqual(frame, expected);
      ws.receive({ type: "ack", ref });
      await done;
    }
    await settle();
  });
});
