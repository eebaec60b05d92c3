// The words shown when the room refuses something.

import assert from "node:assert/strict";
import { test } from "node:test";

import { describeError, duration } from "../../web/static/room/errors.js";

test("slow mode says when to send again", () => {
  const error = { type: "error", ref: 7, code: "slow_mode", message: "Slow mode", retry_after: 4.2 };
  assert.equal(describeError(error), "Slow mode is on: you can send again in 5 seconds.");
});

test("a rate limit keeps the server's words and adds the wait", () => {
  const error = { code: "rate_limited", message: "Slow down: at most 10 messages in 10 seconds.", retry_after: 0.3 };
  assert.equal(describeError(error), "Slow down: at most 10 messages in 10 seconds. Try again in 1 second.");
});

test("other errors show the server's message", () => {
  assert.equal(describeError({ code: "forbidden", message: "Only hosts." }), "Only hosts.");
  assert.match(describeError(undefined), /went wrong/);
});

test("muted names the time on the person's own clock", () => {
  const now = Date.UTC(2027, 0, 15, 18, 29);
  const error = { code: "muted", message: "A moderator muted you until 18:39 UTC.", retry_after: 600 };
  const expected = new Date(now + 600_000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  assert.equal(describeError(error, now), `A moderator muted you until ${expected}.`);
  assert.equal(describeError({ code: "muted", message: "Muted." }), "Muted.");
});

test("durations read naturally", () => {
  assert.equal(duration(1), "1 second");
  assert.equal(duration(30), "30 seconds");
  assert.equal(duration(120), "2 minutes");
  assert.equal(duration(300), "5 minutes");
});
