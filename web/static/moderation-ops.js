// The moderation and safety part of the room protocol, client side (docs/protocol.md,
// "Moderation and safety"): the frames it adds and one typed function per command, sent
// through a RoomClient. No DOM here either.

/** @typedef {import("./protocol.js").RoomClient} RoomClient */
/** @typedef {import("./protocol-types.js").AckFrame} AckFrame */
/** @typedef {import("./protocol-types.js").ChatMessage} ChatMessage */
/** @typedef {import("./protocol-types.js").RoomState} RoomState */

/** @typedef {"message" | "question" | "name" | "person"} ReportKind */

/**
 * A report as the staff sees it: never who filed it.
 * @typedef {object} Report
 * @property {number} id
 * @property {number} room The room it was filed in (the queue is the community's).
 * @property {ReportKind} kind
 * @property {number | string | null} item The message or question id, or the member id.
 * @property {string | null} name The name of the person reported (or who wrote the item).
 * @property {string | null} excerpt The start of the reported text.
 * @property {string} reason
 * @property {"open" | "actioned" | "dismissed"} status
 * @property {string} at
 */

/**
 * @typedef {object} Waiting Someone in the waiting room.
 * @property {string} id Member id.
 * @property {string} name
 * @property {string} since
 */

/** @typedef {import("./protocol-types.js").EventBase} EventBase */
/** @typedef {EventBase & {type: "report.filed", report: Report}} ReportFiledEvent */
/** @typedef {EventBase & {type: "report.handled", id: number}} ReportHandledEvent */
/** @typedef {EventBase & {type: "chat.restored", message: ChatMessage}} ChatRestoredEvent */
/**
 * @typedef {EventBase & {type: "member.muted", member: string, until: string,
 *   reason?: string | null}} MemberMutedEvent
 */
/** @typedef {EventBase & {type: "member.unmuted", member: string}} MemberUnmutedEvent */
/**
 * @typedef {EventBase & {type: "member.removed" | "member.banned", member: string,
 *   reason?: string | null}} MemberSentAwayEvent
 */
/** @typedef {EventBase & {type: "door.waiting", waiting: Waiting[], admitted: string[]}} DoorWaitingEvent */

/**
 * @typedef {ReportFiledEvent | ReportHandledEvent | ChatRestoredEvent | MemberMutedEvent |
 *   MemberUnmutedEvent | MemberSentAwayEvent | DoorWaitingEvent} ModerationEvent
 */

/**
 * @typedef {{op: "report", ref: number, kind: ReportKind, id?: number, member?: string,
 *   reason: string}} ReportCommand
 */
/** @typedef {{op: "block" | "unblock", ref: number, member: string}} BlockCommand */
/** @typedef {{op: "guidelines.accept", ref: number, room: number}} GuidelinesAcceptCommand */
/** @typedef {{op: "mod.reports" | "mod.deleted", ref: number}} ModListCommand */
/**
 * @typedef {{op: "report.resolve", ref: number, id: number, outcome: "actioned" | "dismissed",
 *   note?: string}} ReportResolveCommand
 */
/** @typedef {{op: "chat.restore", ref: number, id: number}} ChatRestoreCommand */
/**
 * @typedef {{op: "mod.mute", ref: number, member: string, minutes: number, reason?: string}} ModMuteCommand
 */
/** @typedef {{op: "mod.unmute", ref: number, member: string}} ModUnmuteCommand */
/**
 * @typedef {{op: "mod.remove" | "mod.ban", ref: number, member: string, reason?: string}} ModSendAwayCommand
 */
/** @typedef {{op: "room.lock", ref: number, locked: boolean}} RoomLockCommand */
/** @typedef {{op: "room.waiting_room", ref: number, enabled: boolean}} RoomWaitingCommand */
/** @typedef {{op: "door.admit", ref: number, member?: string}} DoorAdmitCommand */

/**
 * @typedef {ReportCommand | BlockCommand | GuidelinesAcceptCommand | ModListCommand |
 *   ReportResolveCommand | ChatRestoreCommand | ModMuteCommand | ModUnmuteCommand |
 *   ModSendAwayCommand | RoomLockCommand | RoomWaitingCommand | DoorAdmitCommand} ModerationCommand
 */

/**
 * What a report is about: a message or question by its id, a person or their name by
 * member id.
 * @typedef {{kind: "message" | "question", id: number} | {kind: "name" | "person", member: string}} ReportTarget
 */

/**
 * @param {RoomClient} client
 * @param {ReportTarget} target
 * @param {string} reason 1-500 characters
 * @returns {Promise<AckFrame>} The ack carries the report's `id`.
 */
export function report(client, target, reason) {
  return client.command({ op: "report", ...target, reason });
}

/**
 * Block (or unblock) a person; the ack carries `blocked`, everyone you block here.
 * @param {RoomClient} client
 * @param {string} member
 * @param {boolean} blocking
 */
export function block(client, member, blocking) {
  return client.command({ op: blocking ? "block" : "unblock", member });
}

/**
 * The community's open reports (`reports`, oldest first) or the room's deleted messages
 * (`messages`, newest first).
 * @param {RoomClient} client
 * @param {"mod.reports" | "mod.deleted"} op
 */
export function list(client, op) {
  return client.command({ op });
}

/**
 * @param {RoomClient} client
 * @param {number} id
 * @param {"actioned" | "dismissed"} outcome
 * @param {string} [note]
 */
export function resolveReport(client, id, outcome, note) {
  /** @type {Omit<ReportResolveCommand, "ref">} */
  const frame = { op: "report.resolve", id, outcome };
  if (note) frame.note = note;
  return client.command(frame);
}

/**
 * @param {RoomClient} client
 * @param {number} id a deleted chat message
 */
export function restoreMessage(client, id) {
  return client.command({ op: "chat.restore", id });
}

/**
 * @param {RoomClient} client
 * @param {string} member
 * @param {number} minutes 1-1,440
 * @param {string} [reason]
 */
export function mute(client, member, minutes, reason) {
  /** @type {Omit<ModMuteCommand, "ref">} */
  const frame = { op: "mod.mute", member, minutes };
  if (reason) frame.reason = reason;
  return client.command(frame);
}

/**
 * @param {RoomClient} client
 * @param {string} member
 */
export function unmute(client, member) {
  return client.command({ op: "mod.unmute", member });
}

/**
 * Remove a person from the room (they may come back), or ban them from the community
 * (a ban needs a reason).
 * @param {RoomClient} client
 * @param {"mod.remove" | "mod.ban"} op
 * @param {string} member
 * @param {string} [reason]
 */
export function sendAway(client, op, member, reason) {
  /** @type {Omit<ModSendAwayCommand, "ref">} */
  const frame = { op, member };
  if (reason) frame.reason = reason;
  return client.command(frame);
}

/**
 * @param {RoomClient} client
 * @param {"locked" | "waiting_room"} setting
 * @param {boolean} on
 */
export function setDoor(client, setting, on) {
  return setting === "locked"
    ? client.command({ op: "room.lock", locked: on })
    : client.command({ op: "room.waiting_room", enabled: on });
}

/**
 * Let one person in from the waiting room, or everyone waiting without `member`.
 * @param {RoomClient} client
 * @param {string} [member]
 */
export function admit(client, member) {
  /** @type {Omit<DoorAdmitCommand, "ref">} */
  const frame = { op: "door.admit" };
  if (member) frame.member = member;
  return client.command(frame);
}
