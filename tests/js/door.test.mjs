// What the room page says once the room stopped it, and which staff controls it offers.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { closedNotice } from "../../web/static/room/door.js";
import { mayModerate } from "../../web/static/room/person-actions.js";

describe("the closed banner", () => {
  test("a removal may be undone by the person, a ban may not", () => {
    assert.deepEqual(closedNotice("", "removed").button, "join");
    assert.match(closedNotice("", "removed").text, /removed you/);
    assert.equal(closedNotice("", "banned").button, null);
    assert.match(closedNotice("", "banned").text, /banned/);
  });

  test("a locked room may open later; a lost connection joins again", () => {
    assert.equal(closedNotice("", "room_locked").button, "retry");
    assert.deepEqual(closedNotice("Connection lost (1006).", ""), {
      text: "Disconnected: Connection lost (1006).",
      button: "join",
    });
  });

  test("a refusal that will not change says the server's words, with no button", () => {
    assert.deepEqual(closedNotice("Register for this event to join its room.", "forbidden"), {
      text: "Register for this event to join its room.",
      button: null,
    });
  });
});

describe("who the staff may act on", () => {
  const table = [
    // actor, target, allowed
    ["moderator", "attendee", true],
    ["moderator", "speaker", true],
    ["moderator", "moderator", false],
    ["moderator", "host", false],
    ["host", "moderator", true],
    ["co-host", "moderator", true],
    ["co-host", "co-host", false],
    ["host", "host", false],
    ["attendee", "attendee", false],
    ["speaker", "attendee", false],
  ];
  for (const [actor, target, allowed] of table) {
    test(`${actor} on ${target}: ${allowed ? "yes" : "no"}`, () => {
      assert.equal(mayModerate(actor, target, false), allowed);
    });
  }
  test("nobody on themselves", () => {
    assert.equal(mayModerate("host", "attendee", true), false);
  });
});
