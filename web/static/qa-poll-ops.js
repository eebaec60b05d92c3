// Questions and polls, client side (docs/protocol.md, "Questions and answers" and "Polls
// and quizzes"): one typed function per command, sent through a RoomClient. No DOM here.

/** @typedef {import("./protocol.js").RoomClient} RoomClient */
/** @typedef {import("./protocol-types.js").AckFrame} AckFrame */
/** @typedef {import("./protocol-types.js").QaAskCommand} QaAskCommand */
/** @typedef {import("./protocol-types.js").QaAnsweredCommand} QaAnsweredCommand */
/** @typedef {import("./protocol-types.js").QaQuestionCommand} QaQuestionCommand */
/** @typedef {import("./protocol-types.js").PollCreateCommand} PollCreateCommand */
/** @typedef {import("./protocol-types.js").PollStepCommand} PollStepCommand */
/** @typedef {import("./protocol-types.js").PollAnswer} PollAnswer */

// ---- Questions and answers -------------------------------------------------------------

/**
 * @param {RoomClient} client
 * @param {string} body 1-1,000 characters after trimming.
 * @param {{anonymous?: boolean}} [options]
 * @returns {Promise<AckFrame>} The ack carries the question's `id`.
 */
export function ask(client, body, { anonymous = false } = {}) {
  /** @type {Omit<QaAskCommand, "ref">} */
  const frame = { op: "qa.ask", body };
  if (anonymous) frame.anonymous = true;
  return client.command(frame);
}

/**
 * Your own question, while pending or open.
 * @param {RoomClient} client
 * @param {number} id
 * @param {string} body
 * @returns {Promise<AckFrame>}
 */
export function editQuestion(client, id, body) {
  return client.command({ op: "qa.edit", id, body });
}

/**
 * One of the ops that take a question id only: withdraw (your own), vote, unvote, approve,
 * hide, restore, answering, reopen, dismiss.
 * @param {RoomClient} client
 * @param {QaQuestionCommand["op"]} op
 * @param {number} id
 * @returns {Promise<AckFrame>}
 */
export function questionCommand(client, op, id) {
  return client.command({ op, id });
}

/**
 * Fold a duplicate into another question (its voters join the target's).
 * @param {RoomClient} client
 * @param {number} id
 * @param {number} into
 * @returns {Promise<AckFrame>}
 */
export function mergeQuestion(client, id, into) {
  return client.command({ op: "qa.merge", id, into });
}

/**
 * Answered live, or with a typed answer (which may also be added to an answered question).
 * @param {RoomClient} client
 * @param {number} id
 * @param {string} [text] up to 2,000 characters
 * @returns {Promise<AckFrame>}
 */
export function markAnswered(client, id, text) {
  /** @type {Omit<QaAnsweredCommand, "ref">} */
  const frame = { op: "qa.answered", id };
  if (text) frame.text = text;
  return client.command(frame);
}

/**
 * @param {RoomClient} client
 * @param {{premoderation: boolean, hideAuthorsFromStaff: boolean}} settings
 * @returns {Promise<AckFrame>}
 */
export function configureQa(client, { premoderation, hideAuthorsFromStaff }) {
  const hide_authors_from_staff = hideAuthorsFromStaff;
  return client.command({ op: "qa.configure", premoderation, hide_authors_from_staff });
}

// ---- Polls ----------------------------------------------------------------------------

/**
 * A draft, seen by the stage only.
 * @param {RoomClient} client
 * @param {Omit<PollCreateCommand, "op" | "ref">} poll
 * @returns {Promise<AckFrame>} The ack carries the poll's `id`.
 */
export function createPoll(client, poll) {
  return client.command({ op: "poll.create", ...poll });
}

/**
 * @param {RoomClient} client
 * @param {PollStepCommand["op"]} op launch, close or reveal
 * @param {number} id
 * @returns {Promise<AckFrame>}
 */
export function pollStep(client, op, id) {
  return client.command({ op, id });
}

/**
 * @param {RoomClient} client
 * @param {number} id
 * @param {PollAnswer} answer
 * @returns {Promise<AckFrame>} The ack carries `mine`, the answer as kept.
 */
export function answerPoll(client, id, answer) {
  return client.command({ op: "poll.answer", id, answer });
}
