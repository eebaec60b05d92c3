// Presence applied by pure functions: a snapshot, then diffs.

import assert from "node:assert/strict";
import { test } from "node:test";

import { applyPresence, applySnapshot, isStaff, listed } from "../../web/static/room/people.js";

const ada = { id: "m4f9a2c01d3", name: "Ada", role: "attendee" };
const grace = { id: "m0c11d2e9aa", name: "Grace", role: "host" };
const linus = { id: "m77aa01bc4e", name: "Linus", role: "attendee" };

test("applySnapshot keys the people by member id", () => {
  const people = applySnapshot({ people: [ada, grace] });
  assert.deepEqual([...people.keys()], [ada.id, grace.id]);
  assert.deepEqual(people.get(grace.id), grace);
});

test("applyPresence adds who joined and removes who left, leaving the old state alone", () => {
  const before = applySnapshot({ people: [ada, grace] });
  const after = applyPresence(before, { joined: [linus], left: [ada.id] });
  assert.deepEqual([...after.keys()].sort(), [grace.id, linus.id].sort());
  assert.deepEqual([...before.keys()], [ada.id, grace.id], "pure: the input is unchanged");
});

test("a person is present once, however many times they join", () => {
  let people = applySnapshot({ people: [ada] });
  people = applyPresence(people, { joined: [ada], left: [] });
  assert.equal(people.size, 1);
});

test("leaving someone who is not here is harmless", () => {
  const people = applyPresence(applySnapshot({ people: [ada] }), { joined: [], left: ["m000"] });
  assert.deepEqual([...people.keys()], [ada.id]);
});

test("a role change arrives as a join and replaces the details", () => {
  const promoted = { ...ada, role: "moderator" };
  const people = applyPresence(applySnapshot({ people: [ada] }), { joined: [promoted], left: [] });
  assert.equal(people.get(ada.id)?.role, "moderator");
});

test("in one diff, leaves apply before joins (as the server does)", () => {
  const people = applyPresence(applySnapshot({ people: [ada] }), { joined: [ada], left: [ada.id] });
  assert.ok(people.has(ada.id));
});

test("a snapshot replaces diffs applied before it", () => {
  let people = applySnapshot({ people: [ada] });
  people = applyPresence(people, { joined: [linus], left: [] });
  people = applySnapshot({ people: [grace] });
  assert.deepEqual([...people.keys()], [grace.id]);
});

test("missing joined or left lists are treated as empty", () => {
  const people = applyPresence(applySnapshot({ people: [ada] }), {});
  assert.equal(people.size, 1);
});

test("listed puts hosts first, then by name", () => {
  const zed = { id: "m1", name: "Zed", role: "attendee" };
  const people = applySnapshot({ people: [zed, linus, grace, ada] });
  assert.deepEqual(listed(people).map((p) => p.name), ["Grace", "Ada", "Linus", "Zed"]);
});

test("staff are hosts, co-hosts and moderators", () => {
  assert.deepEqual(
    ["host", "co-host", "speaker", "moderator", "attendee"].filter(isStaff),
    ["host", "co-host", "moderator"],
  );
});
