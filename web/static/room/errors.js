// What to tell a person when the room refused something: pure, so that it can be tested.

import { clockTime } from "./mute.js";

/** @typedef {import("../protocol-types.js").ErrorFrame} ErrorFrame */

/**
 * "1 second", "12 seconds", "2 minutes".
 * @param {number} seconds
 */
export function duration(seconds) {
  const s = Math.max(1, Math.ceil(seconds));
  if (s >= 120 && s % 60 === 0) return `${s / 60} minutes`;
  return s === 1 ? "1 second" : `${s} seconds`;
}

/**
 * @param {ErrorFrame | Error | unknown} error
 * @param {number} [now] ms since the epoch
 * @returns {string}
 */
export function describeError(error, now = Date.now()) {
  const frame = /** @type {Partial<ErrorFrame>} */ (error ?? {});
  const wait = typeof frame.retry_after === "number" ? duration(frame.retry_after) : null;
  switch (frame.code) {
    case "slow_mode":
      return wait ? `Slow mode is on: you can send again in ${wait}.` : "Slow mode is on: wait a moment.";
    case "muted":
      // The server's words name the time in UTC; the person's own clock reads better.
      return typeof frame.retry_after === "number"
        ? `A moderator muted you until ${clockTime(now + frame.retry_after * 1000)}.`
        : frame.message || "A moderator muted you for now.";
    case "rate_limited":
      return `${frame.message || "Slow down."}${wait ? ` Try again in ${wait}.` : ""}`;
    case "disconnected":
      return "The connection dropped before the room answered: check, then try again.";
    case "closed":
      return frame.message || "You are not connected to the room.";
    case "queue_full":
      return "Too many actions are waiting for the connection: wait for it to come back.";
    default:
      return frame.message || "Something went wrong. Try again.";
  }
}
