// The questions board: a snapshot, then every Q&A event of docs/protocol.md, applied by pure
// functions; the queue's order; what each role may do.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  actions,
  applyQaEvent,
  boardFromSnapshot,
  emptyBoard,
  mergeTargets,
  noteAsked,
  noteVote,
  queueOrder,
  sections,
} from "../../web/static/room/qa-board.js";

const ADA = "m4f9a2c01d3";
const LINUS = "m77aa01bc4e";
const GRACE = "m0c11d2e9aa";
const AT = "2027-01-15T18:10:00.000Z";

/** A question as the server sends it in events. */
function question(id, extra = {}) {
  return {
    id,
    body: `Question ${id}?`,
    author: ADA,
    author_name: "Ada",
    anonymous: false,
    state: "open",
    reason: null,
    votes: 0,
    answer: null,
    merged_into: null,
    edited: false,
    ...extra,
  };
}

let seq = 1000;
function event(type, fields) {
  return { type, room: 12, seq: ++seq, at: AT, ...fields };
}

/** Apply events in order to a board. */
function apply(board, ...events) {
  return events.reduce(applyQaEvent, board);
}

function snapshotQa(questions, extra = {}) {
  return { premoderation: false, hide_authors_from_staff: false, answering: null, questions, ...extra };
}

describe("the snapshot", () => {
  test("keeps the questions and the viewer's mine and voted flags apart from them", () => {
    const board = boardFromSnapshot(
      snapshotQa([
        { ...question(4, { votes: 12 }), mine: true, voted: false },
        { ...question(5, { author: LINUS }), mine: false, voted: true },
      ], { premoderation: true, hide_authors_from_staff: true }),
      ADA,
    );
    assert.deepEqual([...board.questions.keys()], [4, 5]);
    assert.equal("mine" in board.questions.get(4), false);
    assert.deepEqual([...board.mine], [4]);
    assert.deepEqual([...board.voted], [5]);
    assert.equal(board.premoderation, true);
    assert.equal(board.hideAuthorsFromStaff, true);
    assert.equal(board.me, ADA);
  });

  test("a snapshot without qa (an older server) is an empty board", () => {
    const board = boardFromSnapshot(undefined, ADA);
    assert.equal(board.questions.size, 0);
    assert.equal(board.premoderation, false);
  });
});

describe("events", () => {
  test("question.asked adds it; the viewer's own question is marked mine", () => {
    const board = apply(
      emptyBoard(ADA),
      event("question.asked", { question: question(1) }),
      event("question.asked", { question: question(2, { author: LINUS, author_name: "Linus" }) }),
    );
    assert.deepEqual([...board.questions.keys()], [1, 2]);
    assert.deepEqual([...board.mine], [1]);
  });

  test("an anonymous question of one's own is mine by its ack, whichever comes first", () => {
    const anon = question(3, { author: null, author_name: null, anonymous: true });
    const eventFirst = noteAsked(apply(emptyBoard(ADA), event("question.asked", { question: anon })), 3);
    const ackFirst = apply(noteAsked(emptyBoard(ADA), 3), event("question.asked", { question: anon }));
    for (const board of [eventFirst, ackFirst]) {
      assert.deepEqual([...board.mine], [3]);
      assert.equal(board.questions.get(3).author, null);
    }
  });

  test("question.author names an anonymous question's author for staff, and later events keep it", () => {
    const anon = question(5, { author: null, author_name: null, anonymous: true });
    let board = apply(
      emptyBoard(GRACE),
      event("question.asked", { question: anon }),
      event("question.author", { id: 5, author: LINUS, author_name: "Linus" }),
    );
    assert.equal(board.questions.get(5).author, LINUS);
    assert.equal(board.questions.get(5).author_name, "Linus");
    board = apply(board, event("question.answering", { question: { ...anon, state: "answering" } }));
    assert.equal(board.questions.get(5).state, "answering");
    assert.equal(board.questions.get(5).author, LINUS, "the whole-question event names nobody");
  });

  test("question.author without author_name (the server sends only the member id)", () => {
    const anon = question(5, { author: null, author_name: null, anonymous: true });
    const board = apply(emptyBoard(GRACE), event("question.asked", { question: anon }), event("question.author", { id: 5, author: LINUS }));
    assert.equal(board.questions.get(5).author, LINUS);
    assert.equal(board.questions.get(5).author_name, null);
  });

  test("question.voted sets the count; the voted flag comes from the viewer's own acks", () => {
    let board = apply(emptyBoard(ADA), event("question.asked", { question: question(4) }));
    board = apply(board, event("question.voted", { id: 4, votes: 13 }));
    assert.equal(board.questions.get(4).votes, 13);
    assert.equal(board.voted.has(4), false);
    board = noteVote(board, 4, true);
    assert.equal(board.voted.has(4), true);
    board = noteVote(board, 4, false);
    assert.equal(board.voted.has(4), false);
  });

  test("an event that changes nothing returns the same board", () => {
    const board = apply(emptyBoard(ADA), event("question.asked", { question: question(4, { votes: 2 }) }));
    assert.equal(applyQaEvent(board, event("question.voted", { id: 4, votes: 2 })), board);
    assert.equal(applyQaEvent(board, event("question.voted", { id: 99, votes: 2 })), board);
    assert.equal(applyQaEvent(board, event("chat.deleted", { id: 4, by: ADA })), board);
    assert.equal(noteVote(board, 4, false), board);
  });

  test("pure: the board given is left as it was", () => {
    const before = apply(emptyBoard(ADA), event("question.asked", { question: question(4) }));
    const kept = before.questions.get(4);
    apply(before, event("question.voted", { id: 4, votes: 3 }), event("question.removed", { id: 4 }));
    assert.equal(before.questions.get(4), kept);
    assert.equal(kept.votes, 0);
    assert.equal(kept.state, "open");
  });

  test("edited, approved, answering, answered, reopened, dismissed: each replaces the question", () => {
    let board = apply(emptyBoard(GRACE), event("question.asked", { question: question(6, { state: "pending" }) }));
    const steps = [
      ["question.edited", { state: "pending", body: "Better?", edited: true }],
      ["question.approved", { state: "open", body: "Better?", edited: true }],
      ["question.answering", { state: "answering", body: "Better?", edited: true }],
      ["question.answered", { state: "answered", answer: "Yes.", body: "Better?", edited: true }],
      ["question.reopened", { state: "open", body: "Better?", edited: true }],
      ["question.dismissed", { state: "dismissed", reason: "dismissed", body: "Better?", edited: true }],
      ["question.restored", { state: "open", body: "Better?", edited: true }],
    ];
    for (const [type, fields] of steps) {
      board = apply(board, event(type, { question: question(6, fields) }));
      assert.equal(board.questions.get(6).state, fields.state, type);
    }
    assert.equal(board.questions.get(6).body, "Better?");
  });

  test("question.removed takes it out of view; the whole event that follows for staff keeps it", () => {
    const asked = apply(emptyBoard(ADA), event("question.asked", { question: question(7, { author: LINUS }) }));
    const removed = apply(asked, event("question.removed", { id: 7 }));
    assert.equal(sections(removed).queue.length, 0);
    assert.equal(sections(removed).dismissed.length, 0, "no reason known: not restorable from here");
    const hidden = apply(removed, event("question.hidden", { question: question(7, { author: LINUS, state: "dismissed", reason: "hidden" }) }));
    assert.deepEqual(sections(hidden).dismissed.map((q) => q.id), [7]);
  });

  test("a withdrawn question leaves the queue and is not offered for restoring", () => {
    const board = apply(
      emptyBoard(ADA),
      event("question.asked", { question: question(8) }),
      event("question.removed", { id: 8 }),
      event("question.withdrawn", { question: question(8, { state: "dismissed", reason: "withdrawn" }) }),
    );
    const parts = sections(board);
    assert.equal(parts.queue.length + parts.dismissed.length, 0);
  });

  test("question.merged moves the viewer's vote to the target", () => {
    let board = apply(
      emptyBoard(ADA),
      event("question.asked", { question: question(4, { author: LINUS }) }),
      event("question.asked", { question: question(7, { author: LINUS }) }),
    );
    board = noteVote(board, 7, true);
    board = apply(
      board,
      event("question.removed", { id: 7 }),
      event("question.merged", { question: question(7, { author: LINUS, state: "dismissed", reason: "merged", merged_into: 4 }) }),
      event("question.voted", { id: 4, votes: 1 }),
    );
    assert.deepEqual([...board.voted], [4]);
    assert.equal(board.questions.get(4).votes, 1);
  });

  test("question.answering leaves one question answering at a time", () => {
    const board = apply(
      emptyBoard(ADA),
      event("question.asked", { question: question(1) }),
      event("question.asked", { question: question(2) }),
      event("question.answering", { question: question(1, { state: "answering" }) }),
      event("question.answering", { question: question(2, { state: "answering" }) }),
    );
    assert.equal(sections(board).answering?.id, 2);
    assert.equal(board.questions.get(1).state, "answered");
  });

  test("qa.configured sets screening and staff-blind anonymity", () => {
    const board = apply(emptyBoard(ADA), event("qa.configured", { premoderation: true, hide_authors_from_staff: true }));
    assert.equal(board.premoderation, true);
    assert.equal(board.hideAuthorsFromStaff, true);
  });
});

describe("the queue and sections", () => {
  test("queue order: most votes first, then the one asked first", () => {
    const qs = [question(3, { votes: 2 }), question(1, { votes: 2 }), question(2, { votes: 5 }), question(4)];
    assert.deepEqual(qs.sort(queueOrder).map((q) => q.id), [2, 1, 3, 4]);
  });

  test("sections: answering on top, the open queue, pending, answered", () => {
    const board = boardFromSnapshot(
      snapshotQa([
        { ...question(1, { votes: 1 }), mine: false, voted: false },
        { ...question(2, { votes: 3 }), mine: false, voted: false },
        { ...question(3, { state: "answering" }), mine: false, voted: false },
        { ...question(4, { state: "pending" }), mine: true, voted: false },
        { ...question(5, { state: "answered", answer: "Yes." }), mine: false, voted: false },
        { ...question(6, { state: "answered" }), mine: false, voted: false },
        { ...question(7, { state: "dismissed", reason: "hidden" }), mine: false, voted: false },
      ]),
      ADA,
    );
    const parts = sections(board);
    assert.equal(parts.answering?.id, 3);
    assert.deepEqual(parts.queue.map((q) => q.id), [2, 1]);
    assert.deepEqual(parts.pending.map((q) => q.id), [4]);
    assert.deepEqual(parts.answered.map((q) => q.id), [5, 6]);
    assert.deepEqual(parts.dismissed.map((q) => q.id), [7]);
  });

  test("a vote that reorders the queue", () => {
    let board = apply(emptyBoard(ADA), event("question.asked", { question: question(1) }), event("question.asked", { question: question(2) }));
    assert.deepEqual(sections(board).queue.map((q) => q.id), [1, 2]);
    board = apply(board, event("question.voted", { id: 2, votes: 1 }));
    assert.deepEqual(sections(board).queue.map((q) => q.id), [2, 1]);
  });
});

describe("what each role may do", () => {
  const board = boardFromSnapshot(
    snapshotQa([
      { ...question(1), mine: true, voted: false },
      { ...question(2, { author: LINUS }), mine: false, voted: false },
      { ...question(3, { state: "pending", author: LINUS }), mine: false, voted: false },
      { ...question(4, { state: "answering", author: LINUS }), mine: false, voted: false },
      { ...question(5, { state: "answered", author: LINUS }), mine: false, voted: false },
      { ...question(6, { state: "dismissed", reason: "hidden", author: LINUS }), mine: false, voted: false },
    ]),
    ADA,
  );
  const of = (id, role) => actions(board, board.questions.get(id), role);

  test("attendees vote, and edit or withdraw their own while open or pending", () => {
    assert.deepEqual(of(1, "attendee"), ["vote", "edit", "withdraw"]);
    assert.deepEqual(of(2, "attendee"), ["vote"]);
    assert.deepEqual(of(5, "attendee"), []);
  });

  test("the stage takes questions: answer now, mark answered, type an answer, reopen, dismiss", () => {
    assert.deepEqual(of(2, "speaker"), ["vote", "answering", "answered", "write", "dismiss"]);
    assert.deepEqual(of(4, "speaker"), ["vote", "answered", "write", "reopen", "dismiss"]);
    assert.deepEqual(of(5, "speaker"), ["write", "reopen"]);
    assert.deepEqual(of(3, "speaker"), [], "speakers do not screen");
  });

  test("moderators screen but do not take questions", () => {
    assert.deepEqual(of(3, "moderator"), ["approve", "hide", "merge"]);
    assert.deepEqual(of(2, "moderator"), ["vote", "hide", "merge"]);
    assert.deepEqual(of(5, "moderator"), ["hide"]);
    assert.deepEqual(of(6, "moderator"), ["restore"]);
  });

  test("hosts do both", () => {
    assert.deepEqual(of(2, "host"), ["vote", "answering", "answered", "write", "dismiss", "hide", "merge"]);
    assert.deepEqual(of(3, "co-host"), ["approve", "hide", "merge"]);
  });

  test("merge targets: questions in view but the duplicate, open ones first", () => {
    assert.deepEqual(mergeTargets(board, 3).map((q) => q.id), [1, 2, 4, 5]);
    assert.deepEqual(mergeTargets(board, 2).map((q) => q.id), [1, 4, 5]);
  });
});
