// Breakout study groups, client side (docs/protocol.md, "Breakout study groups"): the frames
// they add and one typed function per command, sent through a RoomClient. No DOM here.

/** @typedef {import("./protocol.js").RoomClient} RoomClient */
/** @typedef {import("./protocol-types.js").AckFrame} AckFrame */
/** @typedef {import("./protocol-types.js").EventBase} EventBase */
/** @typedef {import("./protocol-types.js").Person} Person */

/** @typedef {"random" | "by_hand" | "self_select" | "interest" | "mentor"} BreakoutMode */

/** @typedef {{id: string, name: string}} Seat A person seated in a group. */

/**
 * @typedef {object} BreakoutGroup
 * @property {number} id
 * @property {string} name
 * @property {string | null} topic
 * @property {number | null} capacity
 * @property {Seat[]} members In the order they were seated.
 */

/**
 * A round of breakout groups, planned (`draft`) or running (`open`).
 * @typedef {object} BreakoutRound
 * @property {number} id
 * @property {"draft" | "open" | "closed"} state
 * @property {BreakoutMode} mode
 * @property {number} minutes
 * @property {boolean} [members_may_keep]
 * @property {string | null} opened_at
 * @property {string | null} ends_at
 * @property {BreakoutGroup[]} groups
 */

/**
 * A call for help from inside a group.
 * @typedef {object} HelpRequest
 * @property {number} id
 * @property {string} member
 * @property {string} name
 * @property {number} group
 * @property {string} note
 * @property {string} at
 */

/** @typedef {{id: number, author: Person, body: string, at: string}} GroupMessage */
/** @typedef {{version: number, text: string}} GroupNotes */
/** @typedef {{group: number, chat: GroupMessage[], notes: GroupNotes}} GroupWork */
/** @typedef {{id: number, name: string, meeting: number | null}} StudyGroup */

/** @typedef {EventBase & {type: "breakout.planned" | "breakout.opened", round: BreakoutRound}} BreakoutRoundEvent */
/**
 * @typedef {EventBase & {type: "breakout.seated", round: number, member: string, name: string,
 *   group: number, by: string}} BreakoutSeatedEvent
 */
/**
 * @typedef {EventBase & {type: "breakout.ending", round: number, ends_at: string,
 *   seconds_left: number}} BreakoutEndingEvent
 */
/** @typedef {EventBase & {type: "breakout.extended", round: number, ends_at: string}} BreakoutExtendedEvent */
/** @typedef {EventBase & {type: "breakout.closed", round: number, reason: "time" | "host"}} BreakoutClosedEvent */
/** @typedef {EventBase & {type: "breakout.broadcast", body: string, author: Person}} BreakoutBroadcastEvent */
/** @typedef {EventBase & {type: "breakout.kept", group: number, study_group: StudyGroup}} BreakoutKeptEvent */
/** @typedef {EventBase & {type: "help.asked", request: HelpRequest}} HelpAskedEvent */
/** @typedef {EventBase & {type: "help.withdrawn", id: number}} HelpWithdrawnEvent */
/**
 * @typedef {EventBase & {type: "help.claimed", id: number, group: number,
 *   helper: {id: string, name: string}}} HelpClaimedEvent
 */
/** @typedef {EventBase & {type: "group.message", group: number, message: GroupMessage}} GroupMessageEvent */
/**
 * @typedef {EventBase & {type: "group.notes", group: number, version: number, text: string,
 *   by: {id: string, name: string}}} GroupNotesEvent
 */

/**
 * @typedef {BreakoutRoundEvent | BreakoutSeatedEvent | BreakoutEndingEvent |
 *   BreakoutExtendedEvent | BreakoutClosedEvent | BreakoutBroadcastEvent | BreakoutKeptEvent |
 *   HelpAskedEvent | HelpWithdrawnEvent | HelpClaimedEvent | GroupMessageEvent |
 *   GroupNotesEvent} BreakoutEvent
 */

/** @typedef {{name: string, topic?: string, capacity?: number}} GroupPlan */
/**
 * @typedef {{op: "breakout.plan", ref: number, mode: BreakoutMode, minutes: number,
 *   groups: GroupPlan[], members_may_keep?: boolean}} BreakoutPlanCommand
 */
/** @typedef {{op: "breakout.choose", ref: number, group: number}} BreakoutChooseCommand */
/** @typedef {{op: "breakout.move", ref: number, group: number, member: string}} BreakoutMoveCommand */
/** @typedef {{op: "breakout.open" | "breakout.close", ref: number}} BreakoutRunCommand */
/** @typedef {{op: "breakout.extend", ref: number, minutes: number}} BreakoutExtendCommand */
/** @typedef {{op: "breakout.broadcast", ref: number, body: string}} BreakoutBroadcastCommand */
/** @typedef {{first: string, timezone: string, minutes: number, weeks: number}} Weekly */
/**
 * @typedef {{op: "breakout.keep", ref: number, group: number, name?: string,
 *   weekly?: Weekly}} BreakoutKeepCommand
 */
/** @typedef {{op: "help.ask", ref: number, note?: string}} HelpAskCommand */
/** @typedef {{op: "help.withdraw", ref: number}} HelpWithdrawCommand */
/** @typedef {{op: "help.claim", ref: number, id: number}} HelpClaimCommand */
/**
 * @typedef {{op: "group.send", ref: number, client_id: string, body: string,
 *   group?: number}} GroupSendCommand
 */
/** @typedef {{op: "group.notes", ref: number, base: number, text: string, group?: number}} GroupNotesCommand */
/** @typedef {{op: "group.history", ref: number, group?: number}} GroupHistoryCommand */

/**
 * @typedef {BreakoutPlanCommand | BreakoutChooseCommand | BreakoutMoveCommand |
 *   BreakoutRunCommand | BreakoutExtendCommand | BreakoutBroadcastCommand |
 *   BreakoutKeepCommand | HelpAskCommand | HelpWithdrawCommand | HelpClaimCommand |
 *   GroupSendCommand | GroupNotesCommand | GroupHistoryCommand} BreakoutCommand
 */

/**
 * A draft round (hosts); the ack carries its `round` id.
 * @param {RoomClient} client
 * @param {Omit<BreakoutPlanCommand, "op" | "ref">} plan
 */
export function plan(client, plan) {
  return client.command({ op: "breakout.plan", ...plan });
}

/**
 * Seat yourself (self-select, before the groups open), or, for a host, anyone.
 * @param {RoomClient} client
 * @param {number} group
 * @param {string} [member] someone else: a host's move
 */
export function seat(client, group, member) {
  return member === undefined
    ? client.command({ op: "breakout.choose", group })
    : client.command({ op: "breakout.move", group, member });
}

/**
 * @param {RoomClient} client
 * @param {"breakout.open" | "breakout.close"} op
 */
export function run(client, op) {
  return client.command({ op });
}

/**
 * @param {RoomClient} client
 * @param {number} minutes 1-180
 */
export function extend(client, minutes) {
  return client.command({ op: "breakout.extend", minutes });
}

/**
 * @param {RoomClient} client
 * @param {string} body
 */
export function broadcast(client, body) {
  return client.command({ op: "breakout.broadcast", body });
}

/**
 * Keep a group as a study group; the ack carries `study_group`.
 * @param {RoomClient} client
 * @param {number} group
 * @param {{name?: string, weekly?: Weekly}} [options]
 */
export function keep(client, group, { name, weekly } = {}) {
  /** @type {Omit<BreakoutKeepCommand, "ref">} */
  const frame = { op: "breakout.keep", group };
  if (name) frame.name = name;
  if (weekly) frame.weekly = weekly;
  return client.command(frame);
}

/**
 * Ask for help from inside one's group (again: keeps one's place); the ack has the `id`.
 * @param {RoomClient} client
 * @param {string} [note]
 */
export function askHelp(client, note) {
  /** @type {Omit<HelpAskCommand, "ref">} */
  const frame = { op: "help.ask" };
  if (note) frame.note = note;
  return client.command(frame);
}

/** @param {RoomClient} client */
export function withdrawHelp(client) {
  return client.command({ op: "help.withdraw" });
}

/**
 * "On my way": a host visits the group, a mentor is moved into it.
 * @param {RoomClient} client
 * @param {number} id
 */
export function claimHelp(client, id) {
  return client.command({ op: "help.claim", id });
}

/**
 * A message in one's group, or in the group a host visits.
 * @param {RoomClient} client
 * @param {string} clientId makes a retry harmless
 * @param {string} body
 * @param {number | null} group
 */
export function sendToGroup(client, clientId, body, group) {
  /** @type {Omit<GroupSendCommand, "ref">} */
  const frame = { op: "group.send", client_id: clientId, body };
  if (group !== null) frame.group = group;
  return client.command(frame);
}

/**
 * Save the notes typed on version `base`; the ack has `version`, `merged` and `text`; a
 * refusal (`conflict`) has `current`.
 * @param {RoomClient} client
 * @param {number} base
 * @param {string} text
 * @param {number | null} group
 */
export function saveNotes(client, base, text, group) {
  /** @type {Omit<GroupNotesCommand, "ref">} */
  const frame = { op: "group.notes", base, text };
  if (group !== null) frame.group = group;
  return client.command(frame);
}

/**
 * A group's latest chat and its notes: the ack has `group`, `chat` and `notes`.
 * @param {RoomClient} client
 * @param {number | null} group
 */
export function history(client, group) {
  return client.command(group === null ? { op: "group.history" } : { op: "group.history", group });
}
