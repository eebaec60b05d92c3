// The room's polls as one person sees them: a snapshot, then events, applied by pure
// functions (no DOM), so that node --test can cover them; polls.js renders what they return.
// Also the checks of a new poll before it is sent, and what results and answers read as.
//
// Polls are never changed in place: every function returns a new Map, and a poll that did
// not change keeps its object, which lets the panel redraw only what did.

/** @typedef {import("../protocol-types.js").Poll} Poll */
/** @typedef {import("../protocol-types.js").PollKind} PollKind */
/** @typedef {import("../protocol-types.js").PollAnswer} PollAnswer */
/** @typedef {import("../protocol-types.js").PollCreateCommand} PollCreateCommand */
/** @typedef {import("../protocol-types.js").RoomEvent} RoomEvent */
/** @typedef {Map<number, Poll>} Polls by id, oldest first */

/**
 * One bar of a poll's results.
 * @typedef {object} ResultRow
 * @property {string} label An option, a rating ("4") or a word.
 * @property {number} count People who chose it.
 * @property {number} share count / voters, 0 to 1 (with `multiple`, shares add up past 1).
 * @property {boolean} correct A quiz's correct option, when known.
 */

/**
 * What the stage filled in to create a poll. `correct` is the index of the quiz's correct
 * option among `options`, blank rows included, as the form shows them.
 * @typedef {object} PollDraft
 * @property {string} kind
 * @property {string} question
 * @property {string[]} options
 * @property {number | null} correct
 * @property {boolean} anonymous
 * @property {boolean} changeable
 */

/** @typedef {Omit<PollCreateCommand, "op" | "ref">} NewPoll */
/** @typedef {{ok: true, poll: NewPoll} | {ok: false, field: string, message: string}} DraftCheck */

/** @type {Record<PollKind, string>} */
export const KIND_LABELS = {
  single: "Single choice",
  multiple: "Multiple choice",
  rating: "Rating (1–5)",
  word_cloud: "Word cloud",
  quiz: "Quiz",
};
const CHOICE_KINDS = new Set(["single", "multiple", "quiz"]);
export const MAX_QUESTION = 300;
export const MAX_OPTION = 100;
export const MIN_OPTIONS = 2;
export const MAX_OPTIONS = 10;
export const MAX_WORD = 40;
export const RATINGS = [1, 2, 3, 4, 5];

/**
 * @param {PollKind | string} kind
 * @returns {boolean}
 */
export function hasOptions(kind) {
  return CHOICE_KINDS.has(kind);
}

/**
 * The polls of a snapshot: they replace whatever was known. A server without polls sends none.
 * @param {Poll[] | undefined} polls
 * @returns {Polls}
 */
export function pollsFromSnapshot(polls) {
  return new Map((polls ?? []).map((poll) => [poll.id, poll]));
}

/**
 * The polls after one room event; events of other features leave them as they were.
 * @param {Polls} polls
 * @param {RoomEvent} event
 * @returns {Polls}
 */
export function applyPollEvent(polls, event) {
  switch (event.type) {
    case "poll.created":
      return put(polls, event.poll);
    case "poll.launched": {
      // Sent to the whole room as an attendee sees it: the stage keeps what it knew of the
      // draft (the correct option, the results, who answered).
      const before = polls.get(event.poll.id);
      const poll = event.poll;
      if (!before) return put(polls, poll);
      return put(polls, {
        ...poll,
        correct: poll.correct ?? before.correct,
        results: poll.results ?? before.results,
        answers: poll.answers ?? before.answers,
        mine: poll.mine ?? before.mine,
      });
    }
    case "poll.closed":
      return change(polls, event.id, (poll) => ({ ...poll, state: "closed", correct: event.correct ?? poll.correct }));
    case "poll.revealed":
      return change(polls, event.id, (poll) => ({
        ...poll,
        revealed: true,
        results: event.results ?? poll.results,
        correct: event.correct ?? poll.correct,
      }));
    case "poll.results":
      return change(polls, event.id, (poll) => ({ ...poll, results: event.results }));
    default:
      return polls;
  }
}

/**
 * The polls once the server acknowledged the viewer's answer (`mine` as the ack has it).
 * @param {Polls} polls
 * @param {number} id
 * @param {PollAnswer} mine
 * @returns {Polls}
 */
export function noteAnswer(polls, id, mine) {
  return change(polls, id, (poll) => ({ ...poll, mine }));
}

/**
 * @param {Polls} polls
 * @param {Poll} poll
 * @returns {Polls}
 */
function put(polls, poll) {
  const next = new Map(polls);
  next.set(poll.id, poll);
  return next;
}

/**
 * @param {Polls} polls
 * @param {number} id
 * @param {(poll: Poll) => Poll} fn
 * @returns {Polls}
 */
function change(polls, id, fn) {
  const poll = polls.get(id);
  return poll ? put(polls, fn(poll)) : polls;
}

/**
 * Polls the way the panel lists them: live ones (newest first), the stage's drafts (in the
 * order made), then closed ones (newest first).
 * @param {Polls} polls
 * @returns {{live: Poll[], drafts: Poll[], closed: Poll[]}}
 */
export function pollSections(polls) {
  const all = [...polls.values()];
  const newest = (/** @type {Poll} */ a, /** @type {Poll} */ b) => b.id - a.id;
  return {
    live: all.filter((p) => p.state === "live").sort(newest),
    drafts: all.filter((p) => p.state === "draft").sort((a, b) => a.id - b.id),
    closed: all.filter((p) => p.state === "closed").sort(newest),
  };
}

/**
 * Whether the viewer may answer now: the poll is live, and they have not answered yet or
 * the poll lets answers change.
 * @param {Poll} poll
 */
export function answerable(poll) {
  return poll.state === "live" && (poll.mine == null || poll.changeable);
}

/**
 * The bars of a poll's results; empty while the viewer may not see them.
 * @param {Poll} poll
 * @returns {ResultRow[]}
 */
export function resultRows(poll) {
  const results = poll.results;
  if (!results) return [];
  const voters = results.voters;
  /** @param {string} label @param {number} count @param {boolean} [correct] */
  const row = (label, count, correct = false) => ({ label, count, share: voters > 0 ? count / voters : 0, correct });
  if (poll.kind === "word_cloud") return results.words.map((w) => row(w.word, w.count));
  if (poll.kind === "rating") return RATINGS.map((r, i) => row(String(r), results.counts[i] ?? 0));
  return poll.options.map((label, i) => row(label, results.counts[i] ?? 0, poll.correct === i));
}

/**
 * An answer in words: "Traits", "Traits, Macros", "4 of 5", "ownership".
 * @param {Poll} poll
 * @param {PollAnswer} answer
 * @returns {string}
 */
export function describeAnswer(poll, answer) {
  const option = (/** @type {number} */ i) => poll.options[i] ?? `Option ${i + 1}`;
  if (Array.isArray(answer)) return answer.map(option).join(", ");
  if (typeof answer === "string") return answer;
  if (poll.kind === "rating") return `${answer} of 5`;
  return option(answer);
}

/**
 * Whether the viewer got a quiz right; null until it is closed and revealed (or not a quiz,
 * or not answered).
 * @param {Poll} poll
 * @returns {boolean | null}
 */
export function quizOutcome(poll) {
  if (poll.kind !== "quiz" || poll.state !== "closed" || !poll.revealed) return null;
  if (poll.correct == null || poll.mine == null) return null;
  return poll.mine === poll.correct;
}

/**
 * The viewer's quiz score: correct answers across the closed and revealed quizzes, and how
 * many such quizzes there are.
 * @param {Polls} polls
 * @returns {{score: number, quizzes: number}}
 */
export function quizScore(polls) {
  let score = 0;
  let quizzes = 0;
  for (const poll of polls.values()) {
    if (poll.kind !== "quiz" || poll.state !== "closed" || !poll.revealed || poll.correct == null) continue;
    quizzes++;
    if (poll.mine === poll.correct) score++;
  }
  return { score, quizzes };
}

/**
 * Options count as the same when they differ only in case, width or spacing (as the
 * server's check does).
 * @param {string} text
 */
function sameKey(text) {
  return text.normalize("NFKC").toLowerCase().split(/\s+/).filter(Boolean).join(" ");
}

/**
 * Check what the stage filled in, and turn it into a poll.create command's fields. Blank
 * option rows are left out.
 * @param {PollDraft} draft
 * @returns {DraftCheck}
 */
export function checkPollDraft(draft) {
  if (!(draft.kind in KIND_LABELS)) return { ok: false, field: "kind", message: "Choose a kind of poll." };
  const kind = /** @type {PollKind} */ (draft.kind);
  const question = draft.question.trim();
  if (!question) return { ok: false, field: "question", message: "Write the question." };
  if (question.length > MAX_QUESTION) {
    return { ok: false, field: "question", message: `The question can be at most ${MAX_QUESTION} characters.` };
  }
  /** @type {NewPoll} */
  const poll = { kind, question, anonymous: draft.anonymous, changeable: draft.changeable };
  if (!hasOptions(kind)) return { ok: true, poll };

  const rows = draft.options.map((text, index) => ({ text: text.trim(), index })).filter((o) => o.text);
  if (rows.length < MIN_OPTIONS || rows.length > MAX_OPTIONS) {
    return { ok: false, field: "options", message: `Give ${MIN_OPTIONS} to ${MAX_OPTIONS} options.` };
  }
  if (rows.some((o) => o.text.length > MAX_OPTION)) {
    return { ok: false, field: "options", message: `Each option can be at most ${MAX_OPTION} characters.` };
  }
  if (new Set(rows.map((o) => sameKey(o.text))).size < rows.length) {
    return { ok: false, field: "options", message: "Each option must be different." };
  }
  poll.options = rows.map((o) => o.text);
  if (kind === "quiz") {
    const correct = rows.findIndex((o) => o.index === draft.correct);
    if (correct === -1) return { ok: false, field: "correct", message: "Choose the correct option." };
    poll.correct = correct;
  }
  return { ok: true, poll };
}

/**
 * Check a word-cloud answer: 1 to 40 characters once spaces are tidied.
 * @param {string} text
 * @returns {string | null} the word to send, or null when it does not fit
 */
export function cleanWord(text) {
  const word = text.split(/\s+/).filter(Boolean).join(" ");
  return word && word.length <= MAX_WORD ? word : null;
}
