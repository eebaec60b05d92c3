// Breakout groups as one person sees them: the round planned or running, the calls for help
// they may see, the last round that closed (to keep a group), the host's broadcasts. A
// snapshot, then events, applied by pure functions (no DOM) that node --test covers;
// breakouts.js and breakout-host.js render what they return. A board is never changed in
// place: every function returns a new one, or the same when nothing changed.

/** @typedef {import("../breakout-ops.js").BreakoutRound} BreakoutRound */
/** @typedef {import("../breakout-ops.js").BreakoutGroup} BreakoutGroup */
/** @typedef {import("../breakout-ops.js").BreakoutMode} BreakoutMode */
/** @typedef {import("../breakout-ops.js").HelpRequest} HelpRequest */
/** @typedef {import("../breakout-ops.js").StudyGroup} StudyGroup */
/** @typedef {import("../breakout-ops.js").GroupPlan} GroupPlan */
/** @typedef {import("../protocol-types.js").Person} Person */
/** @typedef {import("../protocol-types.js").RoomEvent} RoomEvent */

/**
 * @typedef {object} Board
 * @property {BreakoutRound | null} round Planned or running.
 * @property {BreakoutRound | null} ended The round that closed last (its groups may be kept).
 * @property {"time" | "host" | null} endedBy
 * @property {HelpRequest[]} help Waiting calls, in the order asked.
 * @property {Map<number, {group: number, helper: {id: string, name: string}}>} claims By call id.
 * @property {Map<number, StudyGroup>} kept By breakout group id.
 * @property {{body: string, author: Person, at: string}[]} broadcasts Of the running round.
 * @property {boolean} warned The one-minute warning was heard (since the last extension).
 */

/** @type {Record<BreakoutMode, string>} */
export const MODE_LABELS = {
  random: "Random, balanced",
  by_hand: "By hand",
  self_select: "People choose",
  interest: "By interest",
  mentor: "Mentor pairing",
};
export const MAX_GROUPS = 100;
export const MAX_NAME = 80;
export const MAX_TOPIC = 40;
export const MAX_MINUTES = 180;
export const WARNING_SECONDS = 60;

/** @returns {Board} */
export function emptyBoard() {
  return { round: null, ended: null, endedBy: null, help: [], claims: new Map(), kept: new Map(), broadcasts: [], warned: false };
}

/**
 * @param {{breakout?: BreakoutRound | null, help?: HelpRequest[]}} snapshot
 * @param {Board} [before] what was known: the last closed round survives a snapshot
 * @returns {Board}
 */
export function boardFromSnapshot(snapshot, before = emptyBoard()) {
  const round = snapshot.breakout ?? null;
  const same = round !== null && before.round?.id === round.id;
  return {
    ...emptyBoard(),
    round,
    ended: round === null ? before.ended : null,
    endedBy: round === null ? before.endedBy : null,
    kept: before.kept,
    help: [...(snapshot.help ?? [])].sort((a, b) => a.id - b.id),
    broadcasts: same ? before.broadcasts : [],
    warned: same && before.warned,
  };
}

/**
 * @param {Board} board
 * @param {RoomEvent} event
 * @returns {Board}
 */
export function applyBreakoutEvent(board, event) {
  switch (event.type) {
    case "breakout.planned":
      return { ...board, round: event.round, ended: null, endedBy: null, help: [], claims: new Map(), broadcasts: [], warned: false, kept: new Map() };
    case "breakout.opened":
      return { ...board, round: event.round, warned: false };
    case "breakout.seated":
      if (!board.round || board.round.id !== event.round) return board;
      return { ...board, round: seatIn(board.round, event.member, event.name, event.group) };
    case "breakout.ending":
      return board.round?.id === event.round ? { ...board, warned: true, round: { ...board.round, ends_at: event.ends_at } } : board;
    case "breakout.extended":
      return board.round?.id === event.round ? { ...board, warned: false, round: { ...board.round, ends_at: event.ends_at } } : board;
    case "breakout.closed":
      if (!board.round || board.round.id !== event.round) return board;
      return { ...board, round: null, ended: { ...board.round, state: "closed" }, endedBy: event.reason, help: [], broadcasts: [], warned: false };
    case "breakout.broadcast":
      return { ...board, broadcasts: [...board.broadcasts, { body: event.body, author: event.author, at: event.at }] };
    case "breakout.kept":
      return { ...board, kept: new Map(board.kept).set(event.group, event.study_group) };
    case "help.asked": {
      const help = board.help.filter((r) => r.id !== event.request.id);
      return { ...board, help: [...help, event.request].sort((a, b) => a.id - b.id) };
    }
    case "help.withdrawn":
      return { ...board, help: board.help.filter((r) => r.id !== event.id) };
    case "help.claimed":
      return {
        ...board,
        help: board.help.filter((r) => r.id !== event.id),
        claims: new Map(board.claims).set(event.id, { group: event.group, helper: event.helper }),
      };
    default:
      return board;
  }
}

/**
 * The round with `member` moved into `group` (and out of any other).
 * @param {BreakoutRound} round
 * @param {string} member
 * @param {string} name
 * @param {number} group
 * @returns {BreakoutRound}
 */
function seatIn(round, member, name, group) {
  return {
    ...round,
    groups: round.groups.map((g) => {
      const rest = g.members.filter((m) => m.id !== member);
      return g.id === group ? { ...g, members: [...rest, { id: member, name }] } : { ...g, members: rest };
    }),
  };
}

/**
 * The group a person sits in, in this round.
 * @param {BreakoutRound | null} round
 * @param {string | undefined} member
 * @returns {BreakoutGroup | null}
 */
export function groupOf(round, member) {
  if (!round || member === undefined) return null;
  return round.groups.find((g) => g.members.some((m) => m.id === member)) ?? null;
}

/**
 * @param {BreakoutRound | null} round
 * @param {number | null} id
 * @returns {BreakoutGroup | null}
 */
export function groupById(round, id) {
  return round?.groups.find((g) => g.id === id) ?? null;
}

/**
 * One's own waiting call for help, and its place in the line (1 for the first).
 * @param {Board} board
 * @param {string | undefined} member
 * @returns {{request: HelpRequest, place: number} | null}
 */
export function myCall(board, member) {
  const at = board.help.findIndex((r) => r.member === member);
  return at < 0 ? null : { request: board.help[at], place: at + 1 };
}

/**
 * The calls one may answer: everyone else's that one sees (hosts and mentors see them all).
 * @param {Board} board
 * @param {string | undefined} member
 */
export function callsToAnswer(board, member) {
  return board.help.filter((r) => r.member !== member);
}

/**
 * Who is coming to answer one's call, once someone claimed it.
 * @param {Board} board
 * @param {number | null} callId
 */
export function helperFor(board, callId) {
  return callId === null ? null : board.claims.get(callId)?.helper ?? null;
}

/**
 * Seconds left in the running round, by the person's clock corrected by `skew` (ms the
 * server's clock is ahead of this one).
 * @param {BreakoutRound | null} round
 * @param {number} now ms since the epoch
 * @param {number} [skew]
 */
export function secondsLeft(round, now, skew = 0) {
  if (!round || round.state !== "open" || !round.ends_at) return null;
  return Math.max(0, Math.ceil((Date.parse(round.ends_at) - (now + skew)) / 1000));
}

/**
 * "12:05", "0:59".
 * @param {number} seconds
 */
export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/**
 * What a screen reader hears for the time left: "12 minutes left", "45 seconds left".
 * @param {number} seconds
 */
export function timeLeftWords(seconds) {
  if (seconds >= 120) return `${Math.ceil(seconds / 60)} minutes left`;
  if (seconds > 60) return "less than 2 minutes left";
  return seconds === 1 ? "1 second left" : `${seconds} seconds left`;
}

/**
 * People present who sit in no group of the draft or running round; hosts run the groups
 * and are never seated.
 * @param {BreakoutRound | null} round
 * @param {Iterable<Person>} people
 * @returns {Person[]}
 */
export function unseated(round, people) {
  const seated = new Set(round?.groups.flatMap((g) => g.members.map((m) => m.id)) ?? []);
  return [...people].filter((p) => p.role !== "host" && p.role !== "co-host" && !seated.has(p.id));
}

/**
 * Which groups of the last closed round this person may keep as study groups.
 * @param {Board} board
 * @param {Person | null} me
 * @returns {BreakoutGroup[]}
 */
export function keepable(board, me) {
  const round = board.ended;
  if (!round || !me) return [];
  const host = me.role === "host" || me.role === "co-host";
  return round.groups.filter((g) => !board.kept.has(g.id)
    && (host || (round.members_may_keep === true && g.members.some((m) => m.id === me.id))));
}

/**
 * @typedef {object} PlanDraft What the host filled in.
 * @property {string} mode
 * @property {string} minutes
 * @property {boolean} membersMayKeep
 * @property {{name: string, topic: string, capacity: string}[]} groups
 */

/**
 * @typedef {{ok: true, plan: Omit<import("../breakout-ops.js").BreakoutPlanCommand, "op" | "ref">} |
 *   {ok: false, field: string, message: string}} PlanCheck
 */

/**
 * The host's plan, checked as the server would, before it is sent.
 * @param {PlanDraft} draft
 * @returns {PlanCheck}
 */
export function checkPlan(draft) {
  if (!(draft.mode in MODE_LABELS)) return { ok: false, field: "mode", message: "Choose how people are placed." };
  const minutes = Number(draft.minutes);
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_MINUTES) {
    return { ok: false, field: "minutes", message: `Minutes: a whole number from 1 to ${MAX_MINUTES}.` };
  }
  if (draft.groups.length < 1 || draft.groups.length > MAX_GROUPS) {
    return { ok: false, field: "groups", message: `From 1 to ${MAX_GROUPS} groups.` };
  }
  /** @type {GroupPlan[]} */
  const groups = [];
  for (const [n, g] of draft.groups.entries()) {
    const name = g.name.replace(/\s+/g, " ").trim();
    const topic = g.topic.trim();
    if (!name || name.length > MAX_NAME) return { ok: false, field: `name-${n}`, message: `Group ${n + 1}: a name of 1 to ${MAX_NAME} characters.` };
    if (topic.length > MAX_TOPIC) return { ok: false, field: `topic-${n}`, message: `Group ${n + 1}: a topic of at most ${MAX_TOPIC} characters.` };
    /** @type {GroupPlan} */
    const group = { name };
    if (topic) group.topic = topic;
    if (g.capacity.trim()) {
      const capacity = Number(g.capacity);
      if (!Number.isInteger(capacity) || capacity < 1) return { ok: false, field: `capacity-${n}`, message: `Group ${n + 1}: a capacity of at least 1, or none.` };
      group.capacity = capacity;
    }
    groups.push(group);
  }
  const mode = /** @type {BreakoutMode} */ (draft.mode);
  return { ok: true, plan: { mode, minutes, groups, members_may_keep: draft.membersMayKeep } };
}
