// RoomClient against a fake WebSocket: ordering, dedup, resume, queueing, reconnecting.

import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";

import { RoomClient, backoffDelay } from "../../web/static/protocol.js";
import { FakeSocket, FakeTimers, settle } from "./fakes.mjs";

const ROOM = 12;
const ME = { id: "m4f9a2c01d3", name: "Ada", role: "attendee" };

function snapshot(seq, extra = {}) {
  return {
    type: "snapshot",
    room: ROOM,
    seq,
    stale: false,
    you: ME,
    people: [ME],
    chat: [],
    hands: [],
    state: { slow_mode: 0 },
    more_chat: false,
    ...extra,
  };
}

function event(seq, type = "hand.raised") {
  return { type, room: ROOM, seq, at: "2027-01-15T18:04:11.203Z", member: ME.id, hands: [ME.id] };
}

function events(...seqs) {
  return { type: "events", room: ROOM, events: seqs.map((s) => event(s)) };
}

/** A client wired to fakes, with everything it reports recorded. */
function makeClient(options = {}) {
  const timers = new FakeTimers();
  const client = new RoomClient({
    url: "ws://studyhall.test/ws",
    room: ROOM,
    WebSocket: FakeSocket,
    timers,
    random: () => 0.5, // no jitter: delays are exactly the base
    ...options,
  });
  const seen = { snapshots: [], events: [], statuses: [], errors: [], reactions: [] };
  client.onSnapshot = (s) => seen.snapshots.push(s);
  client.onEvent = (e) => seen.events.push(e.seq);
  client.onStatus = (status, reason) => seen.statuses.push([status, reason]);
  client.onError = (e) => seen.errors.push(e);
  client.onReactions = (c) => seen.reactions.push(c);
  return { client, timers, seen };
}

/** Connect, join and take a snapshot at `seq`; returns the socket. */
function joinFresh(client, seq = 1042) {
  client.connect();
  const ws = FakeSocket.last;
  ws.open();
  const join = ws.lastSent();
  ws.receive({ type: "ack", ref: join.ref, room: ROOM, seq });
  ws.receive(snapshot(seq));
  return ws;
}

/** After a drop: let the backoff pass, open the new socket, answer its join. */
function rejoin(timers, { ack = true } = {}) {
  const before = FakeSocket.made.length;
  const [delay] = timers.pendingTimeouts();
  timers.advance(delay);
  assert.equal(FakeSocket.made.length, before + 1, "one new socket after the backoff");
  const ws = FakeSocket.last;
  ws.open();
  const join = ws.lastSent();
  if (ack) ws.receive({ type: "ack", ref: join.ref, room: ROOM, seq: 0 });
  return { ws, join };
}

beforeEach(() => FakeSocket.reset());

describe("joining", () => {
  test("joins without since, goes live on the ack and applies the snapshot", () => {
    const { client, seen } = makeClient();
    client.connect();
    assert.deepEqual(seen.statuses, [["connecting", ""]]);
    const ws = FakeSocket.last;
    assert.equal(ws.url, "ws://studyhall.test/ws");
    ws.open();
    const join = ws.lastSent();
    assert.deepEqual(join, { op: "join", ref: join.ref, room: ROOM });
    assert.equal(typeof join.ref, "number");
    ws.receive({ type: "ack", ref: join.ref, room: ROOM, seq: 1042 });
    assert.equal(client.status, "live");
    ws.receive(snapshot(1042));
    assert.equal(seen.snapshots.length, 1);
    assert.equal(client.lastSeq, 1042);
  });

  test("events that come before the snapshot wait for it, and older ones are dropped", () => {
    const { client, seen } = makeClient();
    client.connect();
    const ws = FakeSocket.last;
    ws.open();
    ws.receive({ type: "ack", ref: ws.lastSent().ref, room: ROOM, seq: 10 });
    ws.receive(events(9, 10, 11));
    assert.deepEqual(seen.events, []);
    ws.receive(snapshot(10));
    assert.deepEqual(seen.events, [11]);
    assert.equal(client.lastSeq, 11);
  });

  test("a refused join closes for good and reports the error", () => {
    const { client, seen, timers } = makeClient();
    client.connect();
    const ws = FakeSocket.last;
    ws.open();
    const ref = ws.lastSent().ref;
    const refusal = { type: "error", ref, code: "forbidden", message: "Not registered.", field: null };
    ws.receive(refusal);
    assert.equal(client.status, "closed");
    assert.deepEqual(seen.statuses.at(-1), ["closed", "Not registered."]);
    assert.deepEqual(seen.errors, [refusal]);
    timers.advance(60_000);
    assert.equal(FakeSocket.made.length, 1, "no reconnect after a refusal");
  });

  test("a join left unanswered is given up and tried again", () => {
    const { client, timers } = makeClient();
    client.connect();
    FakeSocket.last.open();
    timers.advance(15_000);
    assert.equal(client.status, "reconnecting");
    assert.equal(FakeSocket.made[0].closedWith?.code, 4000);
    timers.advance(1_000);
    assert.equal(FakeSocket.made.length, 2);
  });
});

describe("event order", () => {
  test("applies events in seq order, each once", () => {
    const { client, seen } = makeClient();
    const ws = joinFresh(client, 100);
    ws.receive(events(101, 102));
    ws.receive(events(102, 103)); // 102 again: dropped
    ws.receive(events(100)); // already covered by the snapshot
    ws.receive(events(106, 104)); // out of order in one frame: sorted
    assert.deepEqual(seen.events, [101, 102, 103, 104, 106]);
    assert.equal(client.lastSeq, 106);
  });

  test("gaps are not losses: a private event elsewhere leaves a hole", () => {
    const { client, seen } = makeClient();
    const ws = joinFresh(client, 1);
    ws.receive(events(2, 5, 9));
    assert.deepEqual(seen.events, [2, 5, 9]);
  });

  test("ignores frames of another room and frames that are not JSON", () => {
    const { client, seen } = makeClient();
    const ws = joinFresh(client, 1);
    ws.receive({ type: "events", room: 99, events: [event(2)] });
    ws.onmessage({ data: "not json" });
    ws.onmessage({ data: new Uint8Array([1, 2]) });
    assert.deepEqual(seen.events, []);
    assert.equal(client.lastSeq, 1);
  });

  test("reactions go to onReactions and do not move seq", () => {
    const { client, seen } = makeClient();
    const ws = joinFresh(client, 7);
    ws.receive({ type: "reactions", room: ROOM, counts: { clap: 1000, heart: 3 } });
    assert.deepEqual(seen.reactions, [{ clap: 1000, heart: 3 }]);
    assert.equal(client.lastSeq, 7);
  });
});

describe("resume", () => {
  test("reconnects after a drop and joins again with since = last applied seq", () => {
    const { client, timers, seen } = makeClient();
    const ws = joinFresh(client, 1042);
    ws.receive(events(1043));
    ws.drop(1006);
    assert.equal(client.status, "reconnecting");
    const { ws: again, join } = rejoin(timers);
    assert.equal(join.since, 1043);
    assert.equal(join.room, ROOM);
    assert.ok(join.ref > 1, "refs keep increasing across sockets");
    assert.equal(client.status, "live");
    // The server's resume frame may overlap what we had: no duplicate reaches the UI.
    again.receive(events(1043, 1044, 1045));
    assert.deepEqual(seen.events, [1043, 1044, 1045]);
    assert.equal(seen.snapshots.length, 1, "a resume is not a reload");
  });

  test("a stale snapshot replaces state, even below the seq we had", () => {
    const { client, timers, seen } = makeClient();
    const ws = joinFresh(client, 500);
    ws.receive(events(501));
    ws.drop();
    const { ws: again } = rejoin(timers);
    again.receive(snapshot(20, { stale: true }));
    assert.equal(seen.snapshots.length, 2);
    assert.equal(seen.snapshots[1].stale, true);
    assert.equal(client.lastSeq, 20);
    again.receive(events(21));
    assert.deepEqual(seen.events, [501, 21]);
  });

  test("frames from an old socket after a reconnect are ignored", () => {
    const { client, timers, seen } = makeClient();
    const old = joinFresh(client, 1);
    const stale = old.onmessage;
    old.drop();
    rejoin(timers);
    stale?.({ data: JSON.stringify(events(2)) }); // handlers were detached: nothing
    assert.equal(old.onmessage, null);
    assert.deepEqual(seen.events, []);
  });

  test("backs off exponentially with a cap, and resets once live", () => {
    const { client, timers } = makeClient();
    joinFresh(client, 1);
    const delays = [];
    FakeSocket.last.drop();
    for (let i = 0; i < 7; i++) {
      delays.push(...timers.pendingTimeouts());
      timers.advance(delays.at(-1));
      FakeSocket.last.drop(); // refused before opening, again and again
    }
    assert.deepEqual(delays, [500, 1000, 2000, 4000, 8000, 15000, 15000]);
    timers.advance(15_000);
    const ws = FakeSocket.last;
    ws.open();
    ws.receive({ type: "ack", ref: ws.lastSent().ref, room: ROOM, seq: 1 });
    ws.drop();
    assert.deepEqual(timers.pendingTimeouts(), [500]);
  });

  test("jitter stays within ±50%", () => {
    const backoff = { initial: 500, max: 15_000 };
    assert.equal(backoffDelay(0, backoff, () => 0), 250);
    assert.equal(backoffDelay(0, backoff, () => 0.5), 500);
    assert.ok(backoffDelay(0, backoff, () => 0.999999) < 750);
    assert.equal(backoffDelay(10, backoff, () => 0), 7500);
    assert.ok(backoffDelay(100, backoff, () => 0.999999) < 22_500);
  });

  test("a session that ended (4001) does not reconnect", () => {
    const { client, timers } = makeClient();
    joinFresh(client, 1);
    FakeSocket.last.drop(4001, "signed out");
    assert.equal(client.status, "closed");
    timers.advance(60_000);
    assert.equal(FakeSocket.made.length, 1);
  });
});

describe("commands", () => {
  test("an ack resolves the command's promise, an error rejects it", async () => {
    const { client } = makeClient();
    const ws = joinFresh(client, 1);
    const sent = client.editChat(311, "Hello, all!");
    const edit = ws.lastSent();
    assert.deepEqual(edit, { op: "chat.edit", ref: edit.ref, id: 311, body: "Hello, all!" });
    ws.receive({ type: "ack", ref: edit.ref, seq: 1050 });
    assert.deepEqual(await sent, { type: "ack", ref: edit.ref, seq: 1050 });

    const slow = client.sendChat("again");
    const ref = ws.lastSent().ref;
    const error = { type: "error", ref, code: "slow_mode", message: "Slow mode.", field: null, retry_after: 4.2 };
    ws.receive(error);
    await assert.rejects(slow, (e) => {
      assert.deepEqual(e, error);
      return true;
    });
  });

  test("refs are increasing integers", () => {
    const { client } = makeClient();
    const ws = joinFresh(client, 1);
    client.raiseHand();
    client.react("clap");
    client.history(310, 50);
    const refs = ws.sent.map((f) => f.ref);
    assert.ok(refs.every((r) => Number.isInteger(r)));
    assert.deepEqual(refs, [...refs].sort((a, b) => a - b));
    assert.equal(new Set(refs).size, refs.length);
  });

  test("chat.send carries a client id and only the fields asked for", () => {
    const { client } = makeClient();
    const ws = joinFresh(client, 1);
    client.sendChat("Hello!");
    client.sendChat("A question", { replyTo: 305, toHosts: true });
    const [plain, reply] = ws.sentOps("chat.send");
    assert.match(plain.client_id, /^c-[0-9a-f]{24}$/);
    assert.deepEqual(Object.keys(plain).sort(), ["body", "client_id", "op", "ref"]);
    assert.equal(reply.reply_to, 305);
    assert.equal(reply.to_hosts, true);
    assert.notEqual(plain.client_id, reply.client_id);
  });

  test("commands made while down are queued and sent in order after the re-join", async () => {
    const { client, timers } = makeClient();
    const ws = joinFresh(client, 1);
    ws.drop();
    const chat = client.sendChat("while down");
    const hand = client.raiseHand();
    assert.equal(FakeSocket.made.length, 1);
    const { ws: again, join } = rejoin(timers, { ack: false });
    assert.deepEqual(again.sent, [join], "nothing before the join is answered");
    again.receive({ type: "ack", ref: join.ref, room: ROOM, seq: 1 });
    const [send, raise] = again.sent.slice(1);
    assert.equal(send.op, "chat.send");
    assert.equal(raise.op, "hand.raise");
    again.receive({ type: "ack", ref: send.ref, id: 311, seq: 2 });
    again.receive({ type: "ack", ref: raise.ref, seq: 3 });
    assert.equal((await chat).id, 311);
    assert.equal((await hand).seq, 3);
  });

  test("a chat message in flight when the socket drops is sent again with the same client id", async () => {
    const { client, timers } = makeClient();
    const ws = joinFresh(client, 1);
    const sent = client.sendChat("Hello!");
    const first = ws.lastSent();
    ws.drop();
    const { ws: again } = rejoin(timers);
    const retry = again.sentOps("chat.send");
    assert.equal(retry.length, 1);
    assert.equal(retry[0].client_id, first.client_id);
    assert.notEqual(retry[0].ref, first.ref);
    again.receive({ type: "ack", ref: retry[0].ref, id: 311, seq: 2 });
    assert.equal((await sent).id, 311);
  });

  test("what was in flight goes before what was queued while down", () => {
    const { client, timers } = makeClient();
    const ws = joinFresh(client, 1);
    client.sendChat("first");
    ws.drop();
    client.sendChat("second");
    const { ws: again } = rejoin(timers);
    assert.deepEqual(
      again.sentOps("chat.send").map((f) => f.body),
      ["first", "second"],
    );
  });

  test("hand.next in flight is not repeated; a reaction is not queued", async () => {
    const { client, timers } = makeClient();
    const ws = joinFresh(client, 1);
    const next = client.nextHand();
    ws.drop();
    await assert.rejects(next, { code: "disconnected" });
    await assert.rejects(client.react("clap"), { code: "disconnected" });
    const { ws: again } = rejoin(timers);
    assert.deepEqual(again.sentOps("hand.next"), []);
    assert.deepEqual(again.sentOps("react"), []);
  });

  test("an error nobody waits for goes to onError", () => {
    const { client, seen } = makeClient();
    const ws = joinFresh(client, 1);
    const error = { type: "error", ref: 999, code: "invalid", message: "?", field: null };
    ws.receive(error);
    assert.deepEqual(seen.errors, [error]);
  });

  test("close() stops for good and rejects what was waiting", async () => {
    const { client, timers, seen } = makeClient();
    const ws = joinFresh(client, 1);
    const waiting = client.raiseHand();
    client.close();
    assert.equal(ws.closedWith?.code, 1000);
    assert.deepEqual(seen.statuses.at(-1), ["closed", "closed"]);
    await assert.rejects(waiting, { code: "closed" });
    await assert.rejects(client.sendChat("too late"), { code: "closed" });
    timers.advance(60_000);
    assert.equal(FakeSocket.made.length, 1);
  });

  test("the queue is bounded", async () => {
    const { client } = makeClient({ maxQueue: 2 });
    client.sendChat("1");
    client.sendChat("2");
    await assert.rejects(client.sendChat("3"), { code: "queue_full" });
  });
});

describe("keeping alive", () => {
  test("pings every 25 s with a ref", () => {
    const { client, timers } = makeClient();
    const ws = joinFresh(client, 1);
    timers.advance(25_000);
    const [ping] = ws.sentOps("ping");
    assert.deepEqual(ping, { op: "ping", ref: ping.ref });
    ws.receive({ type: "pong", ref: ping.ref });
    timers.advance(25_000);
    assert.equal(ws.sentOps("ping").length, 2);
  });

  test("a server silent for two intervals is given up on, then resumed", () => {
    const { client, timers } = makeClient();
    const ws = joinFresh(client, 5);
    timers.advance(25_000 * 3);
    assert.equal(ws.closedWith?.code, 4000);
    assert.equal(client.status, "reconnecting");
    const { join } = rejoin(timers);
    assert.equal(join.since, 5);
  });
});

describe("guests", () => {
  test("each attempt gets a fresh ticket in the query string", async () => {
    let n = 0;
    const { client, timers } = makeClient({ ticketProvider: async () => `t${++n}/x` });
    client.connect();
    await settle();
    assert.equal(FakeSocket.last.url, "ws://studyhall.test/ws?ticket=t1%2Fx");
    FakeSocket.last.drop();
    timers.advance(1_000);
    await settle();
    assert.equal(FakeSocket.made.length, 2);
    assert.equal(FakeSocket.last.url, "ws://studyhall.test/ws?ticket=t2%2Fx");
  });

  test("a failing ticket request is retried; a permanent refusal stops", async () => {
    let calls = 0;
    const { client, timers, seen } = makeClient({
      ticketProvider: async () => {
        calls++;
        if (calls === 1) throw new Error("503");
        throw Object.assign(new Error("This join link is not valid."), { permanent: true });
      },
    });
    client.connect();
    await settle();
    assert.equal(client.status, "reconnecting");
    timers.advance(1_000);
    await settle();
    assert.equal(client.status, "closed");
    assert.deepEqual(seen.statuses.at(-1), ["closed", "This join link is not valid."]);
    assert.equal(FakeSocket.made.length, 0);
  });

  test("close() while a ticket is on its way opens nothing", async () => {
    /** @type {(t: string) => void} */
    let give = () => {};
    const { client } = makeClient({ ticketProvider: () => new Promise((r) => (give = r)) });
    client.connect();
    client.close();
    give("late");
    await settle();
    assert.equal(FakeSocket.made.length, 0);
  });
});
