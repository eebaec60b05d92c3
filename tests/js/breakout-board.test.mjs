// Breakout groups applied by pure functions: the snapshot, the breakout and help events of
// docs/protocol.md, the countdown, who may keep a group, and the checks of a plan.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  applyBreakoutEvent,
  boardFromSnapshot,
  callsToAnswer,
  checkPlan,
  clock,
  emptyBoard,
  groupOf,
  helperFor,
  keepable,
  myCall,
  secondsLeft,
  timeLeftWords,
  unseated,
} from "../../web/static/room/breakout-board.js";

const AT = "2027-01-15T18:40:00.000Z";
let seq = 1100;
function event(type, fields) {
  return { type, room: 12, seq: ++seq, at: AT, ...fields };
}

const ADA = { id: "m-ada", name: "Ada", role: "attendee" };
const TIM = { id: "m-tim", name: "Tim", role: "attendee" };
const LINUS = { id: "m-linus", name: "Linus", role: "attendee" };
const GRACE = { id: "m-grace", name: "Grace", role: "host" };

function round(extra = {}) {
  return {
    id: 3,
    state: "draft",
    mode: "mentor",
    minutes: 15,
    members_may_keep: false,
    opened_at: null,
    ends_at: null,
    groups: [
      { id: 7, name: "Traits", topic: "rust", capacity: null, members: [{ id: ADA.id, name: "Ada" }, { id: TIM.id, name: "Tim" }] },
      { id: 8, name: "Macros", topic: "rust", capacity: 4, members: [{ id: LINUS.id, name: "Linus" }] },
    ],
    ...extra,
  };
}

const apply = (board, ...events) => events.reduce(applyBreakoutEvent, board);
const OPEN = { state: "open", opened_at: AT, ends_at: "2027-01-15T18:55:00.000Z" };

describe("events", () => {
  test("planned, seated, opened, ending, extended, closed", () => {
    let board = apply(emptyBoard(), event("breakout.planned", { round: round() }));
    assert.equal(board.round.state, "draft");
    board = apply(board, event("breakout.seated", { round: 3, member: LINUS.id, name: "Linus", group: 7, by: GRACE.id }));
    assert.deepEqual(board.round.groups.map((g) => g.members.map((m) => m.name)), [["Ada", "Tim", "Linus"], []]);
    assert.equal(groupOf(board.round, LINUS.id).name, "Traits");
    board = apply(board, event("breakout.opened", { round: round(OPEN) }));
    assert.equal(groupOf(board.round, LINUS.id).name, "Macros", "the opened round is the truth");
    board = apply(board, event("breakout.ending", { round: 3, ends_at: OPEN.ends_at, seconds_left: 60 }));
    assert.equal(board.warned, true);
    board = apply(board, event("breakout.extended", { round: 3, ends_at: "2027-01-15T19:00:00.000Z" }));
    assert.deepEqual([board.warned, board.round.ends_at], [false, "2027-01-15T19:00:00.000Z"]);
    board = apply(board, event("breakout.broadcast", { body: "Five minutes", author: GRACE }));
    assert.equal(board.broadcasts[0].body, "Five minutes");
    board = apply(board, event("breakout.closed", { round: 3, reason: "time" }));
    assert.deepEqual([board.round, board.ended.state, board.endedBy, board.broadcasts], [null, "closed", "time", []]);
    assert.equal(apply(board, event("breakout.seated", { round: 3, member: ADA.id, name: "Ada", group: 8, by: GRACE.id })), board);
  });

  test("the help line: in order, withdrawn, claimed with who is coming", () => {
    const call = (id, who) => ({ id, member: who.id, name: who.name, group: 7, note: "", at: AT });
    let board = boardFromSnapshot({ breakout: round(OPEN), help: [call(2, TIM), call(1, ADA)] });
    assert.deepEqual(board.help.map((r) => r.id), [1, 2]);
    board = apply(board, event("help.asked", { request: call(3, LINUS) }), event("help.asked", { request: { ...call(1, ADA), note: "again" } }));
    assert.deepEqual(board.help.map((r) => r.id), [1, 2, 3], "asking again keeps one's place");
    assert.deepEqual(myCall(board, TIM.id).place, 2);
    assert.deepEqual(callsToAnswer(board, TIM.id).map((r) => r.id), [1, 3]);
    board = apply(board, event("help.withdrawn", { id: 2 }), event("help.claimed", { id: 1, group: 7, helper: { id: LINUS.id, name: "Linus" } }));
    assert.deepEqual(board.help.map((r) => r.id), [3]);
    assert.deepEqual(helperFor(board, 1), { id: LINUS.id, name: "Linus" });
    assert.equal(helperFor(board, 2), null);
  });

  test("a snapshot replaces the round and the calls, and keeps the last closed round", () => {
    let board = apply(emptyBoard(), event("breakout.opened", { round: round(OPEN) }), event("breakout.closed", { round: 3, reason: "host" }));
    board = boardFromSnapshot({ breakout: null, help: [] }, board);
    assert.equal(board.ended.id, 3);
    assert.equal(boardFromSnapshot({}).round, null, "a server without breakouts");
  });
});

describe("keeping a group", () => {
  test("hosts keep any group; members their own when the round allows it", () => {
    let board = apply(emptyBoard(), event("breakout.opened", { round: round(OPEN) }), event("breakout.closed", { round: 3, reason: "time" }));
    assert.deepEqual(keepable(board, GRACE).map((g) => g.name), ["Traits", "Macros"]);
    assert.deepEqual(keepable(board, ADA), []);
    board = apply(emptyBoard(), event("breakout.opened", { round: round({ ...OPEN, members_may_keep: true }) }), event("breakout.closed", { round: 3, reason: "time" }));
    assert.deepEqual(keepable(board, ADA).map((g) => g.name), ["Traits"]);
    board = apply(board, event("breakout.kept", { group: 7, study_group: { id: 1, name: "Traits", meeting: null } }));
    assert.deepEqual(keepable(board, ADA), []);
    assert.deepEqual(keepable(board, GRACE).map((g) => g.name), ["Macros"]);
  });
});

describe("the clock and the people", () => {
  test("seconds left, by the server's clock, never below zero", () => {
    const open = round(OPEN);
    const now = Date.parse("2027-01-15T18:54:00.500Z");
    assert.equal(secondsLeft(open, now), 60);
    assert.equal(secondsLeft(open, now, 30_000), 30);
    assert.equal(secondsLeft(open, now + 3_600_000), 0);
    assert.equal(secondsLeft(round(), now), null);
    assert.deepEqual([clock(725), clock(59), clock(0)], ["12:05", "0:59", "0:00"]);
    assert.deepEqual([timeLeftWords(725), timeLeftWords(45), timeLeftWords(1)], ["13 minutes left", "45 seconds left", "1 second left"]);
  });

  test("who is not seated yet: never the hosts", () => {
    const cy = { id: "m-cy", name: "Cy", role: "moderator" };
    assert.deepEqual(unseated(round(), [ADA, GRACE, cy, LINUS]).map((p) => p.name), ["Cy"]);
    assert.deepEqual(unseated(null, [ADA, GRACE]).map((p) => p.name), ["Ada"]);
  });
});

describe("checkPlan", () => {
  const draft = (extra = {}) => ({
    mode: "mentor",
    minutes: "15",
    membersMayKeep: true,
    groups: [{ name: "  Traits  ", topic: "rust", capacity: "" }, { name: "Macros", topic: "", capacity: "4" }],
    ...extra,
  });

  test("a good plan becomes the command's fields", () => {
    assert.deepEqual(checkPlan(draft()), {
      ok: true,
      plan: { mode: "mentor", minutes: 15, members_may_keep: true, groups: [{ name: "Traits", topic: "rust" }, { name: "Macros", capacity: 4 }] },
    });
  });

  test("bad fields are named", () => {
    assert.equal(checkPlan(draft({ mode: "alphabetical" })).field, "mode");
    assert.equal(checkPlan(draft({ minutes: "0" })).field, "minutes");
    assert.equal(checkPlan(draft({ minutes: "1.5" })).field, "minutes");
    assert.equal(checkPlan(draft({ groups: [] })).field, "groups");
    assert.equal(checkPlan(draft({ groups: [{ name: " ", topic: "", capacity: "" }] })).field, "name-0");
    assert.equal(checkPlan(draft({ groups: [{ name: "A", topic: "", capacity: "0" }] })).field, "capacity-0");
  });
});
