// The mute state of the room page: who is muted until when, and mutes that lift by themselves.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { applyMuteEvent, muteNotice, mutedUntil, mutesFromSnapshot } from "../../web/static/room/mute.js";

const UNTIL = "2027-01-15T18:39:00.000Z";
const at = Date.parse(UNTIL);

function event(type, extra = {}) {
  return { type, room: 12, seq: 1, at: "2027-01-15T18:29:00.000Z", member: "m1", ...extra };
}

describe("mutes", () => {
  test("the snapshot says whether I am muted", () => {
    assert.equal(mutesFromSnapshot({ id: "m1", muted_until: null }).size, 0);
    assert.equal(mutesFromSnapshot({ id: "m1" }).size, 0);
    assert.equal(mutesFromSnapshot({ id: "m1", muted_until: UNTIL }).get("m1"), at);
  });

  test("member.muted sets, member.unmuted lifts, other events change nothing", () => {
    let mutes = mutesFromSnapshot({ id: "me" });
    mutes = applyMuteEvent(mutes, event("member.muted", { until: UNTIL }));
    assert.equal(mutedUntil(mutes, "m1", at - 60_000), at);
    const same = applyMuteEvent(mutes, event("hand.raised", { hands: [] }));
    assert.equal(same, mutes);
    assert.equal(applyMuteEvent(mutes, event("member.unmuted", { member: "m9" })), mutes);
    const lifted = applyMuteEvent(mutes, event("member.unmuted"));
    assert.equal(mutedUntil(lifted, "m1", at - 60_000), null);
    assert.equal(mutedUntil(mutes, "m1", at - 60_000), at, "the old state is left as it was");
  });

  test("a mute lifts by itself at until", () => {
    const mutes = applyMuteEvent(new Map(), event("member.muted", { until: UNTIL }));
    assert.equal(mutedUntil(mutes, "m1", at - 1), at);
    assert.equal(mutedUntil(mutes, "m1", at), null);
    assert.equal(mutedUntil(mutes, undefined, 0), null);
  });

  test("an until that is not a time is ignored", () => {
    const mutes = new Map();
    assert.equal(applyMuteEvent(mutes, event("member.muted", { until: "soon" })), mutes);
  });

  test("the notice names the time", () => {
    assert.match(muteNotice(at, () => "18:39"), /^A moderator muted you until 18:39\./);
  });
});
