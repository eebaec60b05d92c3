// The rules of a breakout group's video call: who offers, what a joiner sends, what each
// signal leads to, and which groups may call at all.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { MAX_PEERS, arrived, gone, greetings, offersTo, onSignal, sizeNote } from "../../web/static/room/group-call-plan.js";

describe("who offers", () => {
  test("exactly one side of every pair offers", () => {
    const ids = ["m4f9a2c01d3", "m2b7f00c19e", "m77aa01bc4e", "m0c1d2e3f4a"];
    for (const a of ids) {
      for (const b of ids) {
        if (a !== b) assert.notEqual(offersTo(a, b), offersTo(b, a), `${a} and ${b}`);
      }
    }
  });

  test("a joiner offers to those after it and says hello to those before", () => {
    assert.deepEqual(greetings("m5", ["m9", "m5", "m1", "m7"]), [
      { to: "m1", type: "hello" },
      { to: "m7", type: "offer" },
      { to: "m9", type: "offer" },
    ]);
    assert.deepEqual(greetings("m5", ["m5"]), []);
  });
});

describe("what a signal leads to", () => {
  const members = ["m1", "m5", "m9"];
  const call = { inCall: true, members, offering: null };

  test("nothing outside the call, from oneself or from someone not in the group", () => {
    assert.equal(onSignal("m5", "m1", "offer", { ...call, inCall: false }), "ignore");
    assert.equal(onSignal("m5", "m5", "offer", call), "ignore");
    assert.equal(onSignal("m5", "m3", "offer", call), "ignore");
  });

  test("offers are answered only from the side that offers", () => {
    assert.equal(onSignal("m5", "m1", "offer", call), "answer");
    assert.equal(onSignal("m5", "m9", "offer", call), "ignore");
  });

  test("a hello is answered with an offer by the side that offers", () => {
    assert.equal(onSignal("m5", "m9", "hello", call), "offer");
    assert.equal(onSignal("m5", "m1", "hello", call), "ignore");
  });

  test("answers, candidates and goodbyes need a connection", () => {
    assert.equal(onSignal("m5", "m9", "answer", { ...call, offering: true }), "accept");
    assert.equal(onSignal("m5", "m1", "answer", { ...call, offering: false }), "ignore");
    assert.equal(onSignal("m5", "m9", "answer", call), "ignore");
    assert.equal(onSignal("m5", "m9", "candidate", { ...call, offering: true }), "add");
    assert.equal(onSignal("m5", "m9", "candidate", call), "ignore");
    assert.equal(onSignal("m5", "m1", "bye", { ...call, offering: false }), "close");
    assert.equal(onSignal("m5", "m1", "bye", call), "ignore");
    assert.equal(onSignal("m5", "m1", "wave", { ...call, offering: false }), "ignore");
  });
});

test("connections to members who left the group close", () => {
  assert.deepEqual(gone(["m1", "m9"], ["m5", "m9"]), ["m1"]);
  assert.deepEqual(gone([], ["m5"]), []);
});

test("groups of up to four call; larger ones are told why not", () => {
  assert.equal(MAX_PEERS, 4);
  assert.equal(sizeNote(2), "");
  assert.equal(sizeNote(4), "");
  assert.match(sizeNote(5), /This group has 5 people, more than the 4 .*through the server/);
});

test("members who came into the group are the ones to greet, never oneself", () => {
  assert.deepEqual(arrived(["m1", "m3"], ["m1", "m2", "m3", "m4"], "m1"), ["m2", "m4"]);
  assert.deepEqual(arrived([], ["m1", "m2"], "m1"), ["m2"]);
  assert.deepEqual(arrived(["m1", "m2"], ["m1"], "m1"), []);
});
