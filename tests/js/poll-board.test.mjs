// Polls applied by pure functions: the snapshot, the poll events of docs/protocol.md, the
// viewer's answers and quiz score, results as bars, and the checks of a new poll.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  answerable,
  applyPollEvent,
  checkPollDraft,
  cleanWord,
  describeAnswer,
  noteAnswer,
  pollSections,
  pollsFromSnapshot,
  quizOutcome,
  quizScore,
  resultRows,
} from "../../web/static/room/poll-board.js";

const AT = "2027-01-15T18:20:00.000Z";
let seq = 1000;
function event(type, fields) {
  return { type, room: 12, seq: ++seq, at: AT, ...fields };
}

function results(counts, extra = {}) {
  return { voters: counts.reduce((a, b) => a + b, 0), counts, average: null, words: [], ...extra };
}

function poll(id, extra = {}) {
  return {
    id,
    kind: "single",
    question: `Poll ${id}?`,
    options: ["Traits", "Macros"],
    state: "live",
    revealed: false,
    anonymous: true,
    changeable: false,
    correct: null,
    results: null,
    mine: null,
    answers: null,
    ...extra,
  };
}

const apply = (polls, ...events) => events.reduce(applyPollEvent, polls);

describe("events", () => {
  test("the snapshot lists polls by id; none from an older server", () => {
    assert.deepEqual([...pollsFromSnapshot([poll(1), poll(2)]).keys()], [1, 2]);
    assert.equal(pollsFromSnapshot(undefined).size, 0);
  });

  test("the stage's draft: created, launched (keeping what the stage knew), results, closed, revealed", () => {
    const draft = poll(2, { kind: "quiz", options: ["ref", "move", "static"], state: "draft", correct: 1, results: results([0, 0, 0]), anonymous: false, answers: {} });
    let polls = apply(new Map(), event("poll.created", { poll: draft }));
    assert.equal(polls.get(2).state, "draft");
    const launched = { ...draft, state: "live", correct: null, results: null, answers: null };
    polls = apply(polls, event("poll.launched", { poll: launched }));
    assert.equal(polls.get(2).state, "live");
    assert.equal(polls.get(2).correct, 1, "the stage still knows the correct option");
    assert.deepEqual(polls.get(2).results, results([0, 0, 0]));
    polls = apply(polls, event("poll.results", { id: 2, results: results([0, 2, 1]) }));
    assert.deepEqual(polls.get(2).results.counts, [0, 2, 1]);
    polls = apply(polls, event("poll.closed", { id: 2, correct: null }));
    assert.equal(polls.get(2).state, "closed");
    assert.equal(polls.get(2).correct, 1);
    polls = apply(polls, event("poll.revealed", { id: 2, results: results([0, 2, 1]), correct: 1 }));
    assert.equal(polls.get(2).revealed, true);
  });

  test("an attendee: launched without results, then closed, then revealed with results and the answer", () => {
    const launched = poll(2, { kind: "quiz", options: ["ref", "move", "static"] });
    let polls = apply(new Map(), event("poll.launched", { poll: launched }));
    assert.equal(polls.get(2).results, null);
    polls = noteAnswer(polls, 2, 1);
    polls = apply(polls, event("poll.closed", { id: 2, correct: null }));
    assert.equal(quizOutcome(polls.get(2)), null, "not revealed yet");
    polls = apply(polls, event("poll.revealed", { id: 2, results: results([4, 25, 2]), correct: 1 }));
    assert.deepEqual(polls.get(2).results.counts, [4, 25, 2]);
    assert.equal(polls.get(2).correct, 1);
    assert.equal(polls.get(2).mine, 1, "the viewer's answer stays");
    assert.equal(quizOutcome(polls.get(2)), true);
  });

  test("a draft revealed ahead reaches the stage without results; what it had stays", () => {
    const draft = poll(3, { state: "draft", results: results([0, 0]) });
    const polls = apply(new Map(), event("poll.created", { poll: draft }), event("poll.revealed", { id: 3 }));
    assert.equal(polls.get(3).revealed, true);
    assert.deepEqual(polls.get(3).results, results([0, 0]));
  });

  test("events about unknown polls and other features change nothing", () => {
    const polls = pollsFromSnapshot([poll(1)]);
    assert.equal(applyPollEvent(polls, event("poll.results", { id: 9, results: results([1, 0]) })), polls);
    assert.equal(applyPollEvent(polls, event("question.voted", { id: 1, votes: 2 })), polls);
  });

  test("pure: the polls given are left as they were", () => {
    const polls = pollsFromSnapshot([poll(1)]);
    const before = polls.get(1);
    apply(polls, event("poll.closed", { id: 1, correct: null }));
    noteAnswer(polls, 1, 0);
    assert.equal(polls.get(1), before);
    assert.equal(before.state, "live");
    assert.equal(before.mine, null);
  });
});

describe("answers and scores", () => {
  test("answerable: live, and not answered yet unless answers may change", () => {
    assert.equal(answerable(poll(1)), true);
    assert.equal(answerable(poll(1, { mine: 0 })), false);
    assert.equal(answerable(poll(1, { mine: 0, changeable: true })), true);
    assert.equal(answerable(poll(1, { state: "closed" })), false);
    assert.equal(answerable(poll(1, { state: "draft" })), false);
  });

  test("answers read as words", () => {
    assert.equal(describeAnswer(poll(1), 1), "Macros");
    assert.equal(describeAnswer(poll(1, { kind: "multiple" }), [0, 1]), "Traits, Macros");
    assert.equal(describeAnswer(poll(1, { kind: "rating", options: [] }), 4), "4 of 5");
    assert.equal(describeAnswer(poll(1, { kind: "word_cloud", options: [] }), "ownership"), "ownership");
  });

  test("the quiz score counts closed and revealed quizzes answered correctly", () => {
    const quiz = (id, extra) => poll(id, { kind: "quiz", state: "closed", revealed: true, correct: 1, ...extra });
    const polls = pollsFromSnapshot([
      quiz(1, { mine: 1 }),
      quiz(2, { mine: 0 }),
      quiz(3, { mine: null }),
      quiz(4, { mine: 1, revealed: false, correct: null }),
      quiz(5, { mine: 1, state: "live", correct: null }),
      poll(6, { state: "closed", revealed: true, mine: 1 }),
    ]);
    assert.deepEqual(quizScore(polls), { score: 1, quizzes: 3 });
    assert.equal(quizOutcome(polls.get(2)), false);
    assert.equal(quizOutcome(polls.get(3)), null);
    assert.deepEqual(quizScore(new Map()), { score: 0, quizzes: 0 });
  });

  test("sections: live newest first, drafts in order made, closed newest first", () => {
    const polls = pollsFromSnapshot([
      poll(1, { state: "closed" }),
      poll(2, { state: "draft" }),
      poll(3),
      poll(4, { state: "closed" }),
      poll(5, { state: "draft" }),
      poll(6),
    ]);
    const parts = pollSections(polls);
    assert.deepEqual(parts.live.map((p) => p.id), [6, 3]);
    assert.deepEqual(parts.drafts.map((p) => p.id), [2, 5]);
    assert.deepEqual(parts.closed.map((p) => p.id), [4, 1]);
  });
});

describe("results", () => {
  test("choice results: one bar per option, shares of the people who answered", () => {
    const rows = resultRows(poll(1, { kind: "quiz", correct: 1, results: results([1, 3]) }));
    assert.deepEqual(rows, [
      { label: "Traits", count: 1, share: 0.25, correct: false },
      { label: "Macros", count: 3, share: 0.75, correct: true },
    ]);
  });

  test("ratings: five bars; word clouds: one per word; nothing while hidden", () => {
    const rating = poll(1, { kind: "rating", options: [], results: results([0, 0, 1, 1, 0], { average: 3.5 }) });
    assert.deepEqual(resultRows(rating).map((r) => [r.label, r.count]), [["1", 0], ["2", 0], ["3", 1], ["4", 1], ["5", 0]]);
    const words = poll(1, { kind: "word_cloud", options: [], results: { voters: 3, counts: [], average: null, words: [{ word: "ownership", count: 2 }, { word: "traits", count: 1 }] } });
    assert.deepEqual(resultRows(words).map((r) => [r.label, r.count]), [["ownership", 2], ["traits", 1]]);
    assert.deepEqual(resultRows(poll(1)), []);
  });

  test("no voters yet: shares are zero, not NaN", () => {
    assert.deepEqual(resultRows(poll(1, { results: results([0, 0]) })).map((r) => r.share), [0, 0]);
  });
});

describe("a new poll", () => {
  const draft = (extra) => ({ kind: "single", question: " Which topic next? ", options: ["Traits", "Macros"], correct: null, anonymous: true, changeable: false, ...extra });

  test("a single-choice poll: trimmed question and options", () => {
    assert.deepEqual(checkPollDraft(draft({ options: [" Traits ", "Macros", ""] })), {
      ok: true,
      poll: { kind: "single", question: "Which topic next?", options: ["Traits", "Macros"], anonymous: true, changeable: false },
    });
  });

  test("a quiz's correct option is counted among the options kept", () => {
    const checked = checkPollDraft(draft({ kind: "quiz", options: ["ref", "", "move", "static"], correct: 2 }));
    assert.equal(checked.ok, true);
    assert.deepEqual(checked.poll.options, ["ref", "move", "static"]);
    assert.equal(checked.poll.correct, 1);
  });

  test("ratings and word clouds have no options", () => {
    const checked = checkPollDraft(draft({ kind: "rating" }));
    assert.equal(checked.ok, true);
    assert.equal("options" in checked.poll, false);
  });

  test("what the server would refuse is caught first, naming the field", () => {
    const field = (extra) => {
      const checked = checkPollDraft(draft(extra));
      return checked.ok ? null : checked.field;
    };
    assert.equal(field({ question: "  " }), "question");
    assert.equal(field({ question: "x".repeat(301) }), "question");
    assert.equal(field({ options: ["Only one", " "] }), "options");
    assert.equal(field({ options: Array.from({ length: 11 }, (_, i) => `o${i}`) }), "options");
    assert.equal(field({ options: ["Traits", "TRAITS"] }), "options");
    assert.equal(field({ options: ["x".repeat(101), "y"] }), "options");
    assert.equal(field({ kind: "quiz", correct: null }), "correct");
    assert.equal(field({ kind: "quiz", options: ["a", "", "b"], correct: 1 }), "correct");
    assert.equal(field({ kind: "poll" }), "kind");
  });

  test("word-cloud answers: spaces tidied, 1 to 40 characters", () => {
    assert.equal(cleanWord("  borrow   checker "), "borrow checker");
    assert.equal(cleanWord("   "), null);
    assert.equal(cleanWord("x".repeat(41)), null);
  });
});
