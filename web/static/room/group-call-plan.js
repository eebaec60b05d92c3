// Who calls whom in a breakout group's video call: pure rules, no WebRTC and no DOM, so
// that node tests check them (docs/protocol.md, "Video in a group").
//
// Every pair of members has one connection, and one side of it offers: the member whose id
// sorts first. Someone joining a call sends an offer to each member after them and a
// `hello` to each member before them, asking to be offered to; a member not in the call
// ignores both and does the same when they join.

/** Peer to peer for groups this size or smaller; larger groups call through the server's SFU. */
export const MAX_PEERS = 4;

/**
 * @param {string} me
 * @param {string} other
 * @returns {boolean} whether `me` offers on the connection between the two
 */
export function offersTo(me, other) {
  return me < other;
}

/**
 * What to send each other member on joining the call.
 * @param {string} me
 * @param {Iterable<string>} members the group's members, `me` among them
 * @returns {{to: string, type: "offer" | "hello"}[]}
 */
export function greetings(me, members) {
  return [...new Set(members)].filter((m) => m !== me).sort()
    .map((to) => ({ to, type: offersTo(me, to) ? "offer" : "hello" }));
}

/**
 * @typedef {"answer" | "offer" | "accept" | "add" | "close" | "ignore"} SignalAction
 * `answer`: a fresh connection that answers the offer; `offer`: a fresh connection that
 * offers; `accept`: take the answer on our offer; `add`: add the candidate; `close`: hang up.
 */

/**
 * What a call does with a signal from another member.
 * @param {string} me
 * @param {string} from
 * @param {string} type the signal's type
 * @param {{inCall: boolean, members: Iterable<string>, offering: boolean | null}} state
 *   `offering`: whether our connection with `from` is ours to offer (null: none yet)
 * @returns {SignalAction}
 */
export function onSignal(me, from, type, { inCall, members, offering }) {
  if (!inCall || from === me || ![...members].includes(from)) return "ignore";
  switch (type) {
    case "offer":
      return offersTo(from, me) ? "answer" : "ignore";
    case "hello":
      return offersTo(me, from) ? "offer" : "ignore";
    case "answer":
      return offering === true ? "accept" : "ignore";
    case "candidate":
      return offering === null ? "ignore" : "add";
    case "bye":
      return offering === null ? "ignore" : "close";
    default:
      return "ignore";
  }
}

/**
 * The connections to close when the group's members change.
 * @param {Iterable<string>} connected the members we have a connection with
 * @param {Iterable<string>} members the group's members now
 * @returns {string[]}
 */
export function gone(connected, members) {
  const now = new Set(members);
  return [...connected].filter((m) => !now.has(m));
}

/**
 * The members who came into the group since `before` (not oneself).
 * @param {Iterable<string>} before
 * @param {Iterable<string>} members the group's members now
 * @param {string} me
 * @returns {string[]}
 */
export function arrived(before, members, me) {
  const was = new Set(before);
  return [...new Set(members)].filter((m) => m !== me && !was.has(m));
}

/**
 * What to tell a group's members about how their video goes.
 * @param {number} size the group's members
 * @returns {string} empty when they call each other directly
 */
export function sizeNote(size) {
  if (size <= MAX_PEERS) return "";
  return `This group has ${size} people, more than the ${MAX_PEERS} that call each other directly, `
    + "so its video goes through the server.";
}
