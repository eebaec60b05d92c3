// Who is muted until when, as this page knows it: pure, so that it can be tested. A person
// hears of their own mute (the snapshot's `you.muted_until`, then member.muted and
// member.unmuted); the staff hear of everyone's. A mute lifts by itself at `until`, with no
// event: every question here takes the time.

/** @typedef {import("../protocol-types.js").RoomEvent} RoomEvent */
/** @typedef {ReadonlyMap<string, number>} Mutes member id -> until, in ms since the epoch */

/**
 * @param {{id: string, muted_until?: string | null}} you
 * @returns {Mutes}
 */
export function mutesFromSnapshot(you) {
  const until = you.muted_until ? Date.parse(you.muted_until) : NaN;
  return Number.isNaN(until) ? new Map() : new Map([[you.id, until]]);
}

/**
 * The mutes after a room event; the same Map when the event changes none.
 * @param {Mutes} mutes
 * @param {RoomEvent} event
 * @returns {Mutes}
 */
export function applyMuteEvent(mutes, event) {
  if (event.type === "member.muted") {
    const until = Date.parse(event.until);
    if (Number.isNaN(until)) return mutes;
    return new Map(mutes).set(event.member, until);
  }
  if (event.type === "member.unmuted" && mutes.has(event.member)) {
    const next = new Map(mutes);
    next.delete(event.member);
    return next;
  }
  return mutes;
}

/**
 * When this person's mute ends, or null when they are not muted now.
 * @param {Mutes} mutes
 * @param {string | undefined} member
 * @param {number} now ms since the epoch
 * @returns {number | null}
 */
export function mutedUntil(mutes, member, now) {
  const until = member === undefined ? undefined : mutes.get(member);
  return until !== undefined && until > now ? until : null;
}

/**
 * "14:05" in the person's own time zone.
 * @param {number} when ms since the epoch
 */
export function clockTime(when) {
  return new Date(when).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/**
 * @param {number} until ms since the epoch
 * @param {(when: number) => string} [clock]
 */
export function muteNotice(until, clock = clockTime) {
  return `A moderator muted you until ${clock(until)}. You can read along; chat, questions, polls and reactions open again then.`;
}
