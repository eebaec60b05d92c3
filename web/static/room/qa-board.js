// The room's questions as one person sees them: a snapshot, then events, applied by pure
// functions (no DOM), so that node --test can cover them. qa.js renders what they return.
//
// A board is never changed in place: every function returns a new one, and a question that
// did not change keeps its object, which lets the panel redraw only what did.

import { isStage, isStaff } from "./people.js";

/** @typedef {import("../protocol-types.js").Question} Question */
/** @typedef {import("../protocol-types.js").QaSnapshot} QaSnapshot */
/** @typedef {import("../protocol-types.js").RoomEvent} RoomEvent */

/**
 * @typedef {object} QaBoard
 * @property {string | null} me The viewer's member id.
 * @property {boolean} premoderation
 * @property {boolean} hideAuthorsFromStaff
 * @property {Map<number, Question>} questions Every question the viewer has been shown,
 *   including those gone from view (dismissed), which staff may restore.
 * @property {Set<number>} mine Ids of the viewer's own questions (anonymous ones included:
 *   the broadcast of those names nobody, so they are learned from the ask's ack).
 * @property {Set<number>} voted Ids of the questions the viewer voted for.
 */

/**
 * What a viewer can do to a question, as the protocol's table allows their role.
 * @typedef {"vote" | "edit" | "withdraw" | "approve" | "hide" | "merge" | "restore" |
 *   "answering" | "answered" | "write" | "reopen" | "dismiss"} QuestionAction
 */

/**
 * @typedef {object} QaSections
 * @property {Question | null} answering The one the stage is answering now.
 * @property {Question[]} queue Open questions, in queue order.
 * @property {Question[]} pending Waiting for screening, in the order they were asked.
 * @property {Question[]} answered In the order they were asked.
 * @property {Question[]} dismissed Hidden or dismissed, which staff may restore.
 */

const PUBLIC = new Set(["open", "answering", "answered"]);
const VOTABLE = new Set(["open", "answering"]);
const RESTORABLE = new Set(["hidden", "dismissed"]);

// Events that carry the whole question: each replaces what the board had of it.
const WHOLE = new Set([
  "question.asked",
  "question.edited",
  "question.withdrawn",
  "question.approved",
  "question.hidden",
  "question.restored",
  "question.merged",
  "question.answering",
  "question.answered",
  "question.reopened",
  "question.dismissed",
]);

/**
 * @param {string | null} [me]
 * @returns {QaBoard}
 */
export function emptyBoard(me = null) {
  return {
    me,
    premoderation: false,
    hideAuthorsFromStaff: false,
    questions: new Map(),
    mine: new Set(),
    voted: new Set(),
  };
}

/**
 * The board of a snapshot: it replaces whatever was known. A server without Q&A sends none.
 * @param {QaSnapshot | undefined} qa
 * @param {string} me
 * @returns {QaBoard}
 */
export function boardFromSnapshot(qa, me) {
  const board = emptyBoard(me);
  if (!qa) return board;
  for (const view of qa.questions ?? []) {
    const { mine, voted, ...question } = view;
    board.questions.set(question.id, question);
    if (mine) board.mine.add(question.id);
    if (voted) board.voted.add(question.id);
  }
  board.premoderation = Boolean(qa.premoderation);
  board.hideAuthorsFromStaff = Boolean(qa.hide_authors_from_staff);
  return board;
}

/**
 * The board after one room event; events of other features leave it as it was.
 * @param {QaBoard} board
 * @param {RoomEvent} event
 * @returns {QaBoard}
 */
export function applyQaEvent(board, event) {
  if (WHOLE.has(event.type) && "question" in event) {
    return withQuestion(board, event.question, event.type);
  }
  switch (event.type) {
    case "question.author": {
      const question = board.questions.get(event.id);
      if (!question) return board;
      return put(board, { ...question, author: event.author, author_name: event.author_name ?? null });
    }
    case "question.voted": {
      const question = board.questions.get(event.id);
      if (!question || question.votes === event.votes) return board;
      return put(board, { ...question, votes: event.votes });
    }
    case "question.removed": {
      // Gone from everyone's view. Staff and the author also get the whole question right
      // after (hidden, withdrawn…); until then it is kept as dismissed, so that what is only
      // known here (the author of an anonymous question) survives for that event.
      const question = board.questions.get(event.id);
      if (!question || question.state === "dismissed") return board;
      return put(board, { ...question, state: "dismissed" });
    }
    case "qa.configured":
      return {
        ...board,
        premoderation: event.premoderation,
        hideAuthorsFromStaff: event.hide_authors_from_staff,
      };
    default:
      return board;
  }
}

/**
 * @param {QaBoard} board
 * @param {Question} incoming
 * @param {string} type
 * @returns {QaBoard}
 */
function withQuestion(board, incoming, type) {
  const before = board.questions.get(incoming.id);
  let question = incoming;
  // Events never name an anonymous author; what the board learned of it stays.
  if (question.author === null && before?.author) {
    question = { ...question, author: before.author, author_name: before.author_name ?? null };
  }
  let next = put(board, question);
  if (type === "question.asked" && board.me !== null && question.author === board.me) {
    next = { ...next, mine: new Set(next.mine).add(question.id) };
  }
  // A merge moves the duplicate's votes to its target: a vote here is now a vote there.
  if (type === "question.merged" && question.merged_into !== null && board.voted.has(question.id)) {
    const voted = new Set(board.voted);
    voted.delete(question.id);
    voted.add(question.merged_into);
    next = { ...next, voted };
  }
  // At most one question is answered at a time; the server says so with its own event, and
  // this keeps the board true to that even if an event were missing.
  if (type === "question.answering") {
    for (const other of next.questions.values()) {
      if (other.id !== question.id && other.state === "answering") {
        next = put(next, { ...other, state: "answered" });
      }
    }
  }
  return next;
}

/**
 * @param {QaBoard} board
 * @param {Question} question
 * @returns {QaBoard}
 */
function put(board, question) {
  const questions = new Map(board.questions);
  questions.set(question.id, question);
  return { ...board, questions };
}

/**
 * The board once the server acknowledged the viewer's question `id`.
 * @param {QaBoard} board
 * @param {number} id
 * @returns {QaBoard}
 */
export function noteAsked(board, id) {
  if (board.mine.has(id)) return board;
  return { ...board, mine: new Set(board.mine).add(id) };
}

/**
 * The board once the server acknowledged the viewer's vote (or un-vote) on `id`.
 * @param {QaBoard} board
 * @param {number} id
 * @param {boolean} voted
 * @returns {QaBoard}
 */
export function noteVote(board, id, voted) {
  if (board.voted.has(id) === voted) return board;
  const next = new Set(board.voted);
  if (voted) next.add(id);
  else next.delete(id);
  return { ...board, voted: next };
}

/**
 * The queue's order: most voted first; among equal votes, the one asked first (lower id).
 * @param {Question} a
 * @param {Question} b
 */
export function queueOrder(a, b) {
  return b.votes - a.votes || a.id - b.id;
}

/**
 * @param {Question} a
 * @param {Question} b
 */
function askedOrder(a, b) {
  return a.id - b.id;
}

/**
 * The board split the way the panel shows it.
 * @param {QaBoard} board
 * @returns {QaSections}
 */
export function sections(board) {
  /** @type {QaSections} */
  const out = { answering: null, queue: [], pending: [], answered: [], dismissed: [] };
  for (const question of board.questions.values()) {
    switch (question.state) {
      case "answering":
        if (!out.answering || question.id < out.answering.id) out.answering = question;
        break;
      case "open":
        out.queue.push(question);
        break;
      case "pending":
        out.pending.push(question);
        break;
      case "answered":
        out.answered.push(question);
        break;
      case "dismissed":
        if (question.reason && RESTORABLE.has(question.reason)) out.dismissed.push(question);
        break;
      default:
        break;
    }
  }
  out.queue.sort(queueOrder);
  out.pending.sort(askedOrder);
  out.answered.sort(askedOrder);
  out.dismissed.sort(askedOrder);
  return out;
}

/**
 * What the viewer, with `role`, may do to `question` now.
 * @param {QaBoard} board
 * @param {Question} question
 * @param {string | undefined} role
 * @returns {QuestionAction[]}
 */
export function actions(board, question, role) {
  const state = question.state;
  /** @type {QuestionAction[]} */
  const out = [];
  if (VOTABLE.has(state)) out.push("vote");
  if (board.mine.has(question.id) && (state === "pending" || state === "open")) out.push("edit", "withdraw");
  if (isStage(role)) {
    if (state === "open") out.push("answering", "answered", "write", "dismiss");
    else if (state === "answering") out.push("answered", "write", "reopen", "dismiss");
    else if (state === "answered") out.push("write", "reopen");
  }
  if (isStaff(role)) {
    if (state === "pending") out.push("approve");
    if (state !== "dismissed") out.push("hide");
    if ((state === "pending" || state === "open") && mergeTargets(board, question.id).length) out.push("merge");
    if (state === "dismissed" && question.reason && RESTORABLE.has(question.reason)) out.push("restore");
  }
  return out;
}

/**
 * The questions a duplicate may be folded into: those in public view but itself, queue first.
 * @param {QaBoard} board
 * @param {number} id
 * @returns {Question[]}
 */
export function mergeTargets(board, id) {
  return [...board.questions.values()]
    .filter((q) => q.id !== id && PUBLIC.has(q.state))
    .sort((a, b) => Number(a.state === "answered") - Number(b.state === "answered") || queueOrder(a, b));
}
