// A group's shared notes in one person's box: merges, saves in flight, conflicts. The
// person's text is never replaced without their edit in it.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  caretAfter,
  failed,
  heardNotes,
  mergeLines,
  notesBox,
  refused,
  saved,
  settle,
  startSave,
} from "../../web/static/room/notes-sync.js";

const BASE = "Goals:\n- traits\n\nQuestions:\n";

describe("mergeLines", () => {
  test("edits of different lines both survive, as the server merges them", () => {
    const ours = "Goals:\n- traits and generics\n\nQuestions:\n";
    const theirs = "Goals:\n- traits\n\nQuestions:\n- what is dyn?\n";
    assert.equal(mergeLines(BASE, ours, theirs), "Goals:\n- traits and generics\n\nQuestions:\n- what is dyn?\n");
    assert.equal(mergeLines(BASE, theirs, ours), "Goals:\n- traits and generics\n\nQuestions:\n- what is dyn?\n");
  });

  test("edits of the same line clash; the same edit twice does not", () => {
    const a = BASE.replace("traits", "a trait object");
    const b = BASE.replace("traits", "impl Trait");
    assert.equal(mergeLines(BASE, a, b), null);
    assert.equal(mergeLines(BASE, a, a), a);
    assert.equal(mergeLines("", "one\n", "two\n"), null); // two insertions at one place
  });

  test("one side unchanged gives the other; a last line without newline is a line", () => {
    assert.equal(mergeLines(BASE, BASE, "x"), "x");
    assert.equal(mergeLines("a\nb", "a\nB", "A\nb"), "A\nB");
  });
});

test("edits of parts apart, made at random, always merge into both", () => {
  let seed = 7;
  const random = (n) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let round = 0; round < 300; round++) {
    const base = Array.from({ length: 4 + random(20) }, (_, i) => `line ${i}\n`);
    // Two stretches with at least one untouched line between them.
    const cut = 1 + random(base.length - 2);
    const edit = (from, to, who) => {
      const start = from + random(Math.max(1, to - from));
      const end = start + random(Math.min(3, to - start) + 1);
      const added = Array.from({ length: random(3) }, (_, i) => `${who} ${round}.${i}\n`);
      return [start, end, added];
    };
    const [s1, e1, a1] = edit(0, cut - 1, "ours");
    const [s2, e2, a2] = edit(cut + 1, base.length, "theirs");
    const apply = (lines, hunks) => {
      const out = [];
      let at = 0;
      for (const [start, end, added] of hunks) {
        out.push(...lines.slice(at, start), ...added);
        at = end;
      }
      return [...out, ...lines.slice(at)].join("");
    };
    const ours = apply(base, [[s1, e1, a1]]);
    const theirs = apply(base, [[s2, e2, a2]]);
    const both = apply(base, [[s1, e1, a1], [s2, e2, a2]]);
    assert.equal(mergeLines(base.join(""), ours, theirs), both, `round ${round}`);
    assert.equal(mergeLines(base.join(""), theirs, ours), both, `round ${round}`);
  }
});

describe("the box", () => {
  test("a save on the current version, then typing on while it flies", () => {
    let box = notesBox({ version: 4, text: BASE });
    assert.equal(startSave(box, BASE), null, "nothing to save");
    const typed = BASE + "- lifetimes?\n";
    const save = startSave(box, typed);
    assert.deepEqual([save.base, save.text], [4, typed]);
    box = save.box;
    assert.equal(startSave(box, typed + "more\n"), null, "one save at a time");
    const step = saved(box, typed + "- more\n", { version: 5, text: typed, merged: false });
    assert.equal(step.text, typed + "- more\n", "the typing in flight is kept");
    assert.deepEqual([step.box.base, step.box.baseText, step.box.sending], [5, typed, null]);
    assert.ok(startSave(step.box, step.text), "and saved next");
  });

  test("a merged save comes back with the other edit; later typing goes on top", () => {
    const typed = BASE.replace("traits", "traits and generics");
    const { box } = startSave(notesBox({ version: 1, text: BASE }), typed);
    const merged = typed + "- what is dyn?\n";
    const later = "Notes\n" + typed;
    const step = saved(box, later, { version: 3, text: merged, merged: true });
    assert.equal(step.text, "Notes\n" + merged);
    assert.equal(step.box.base, 3);
  });

  test("someone else's save: taken as is into an untouched box, merged into a typed one", () => {
    const box = notesBox({ version: 1, text: BASE });
    const theirs = { version: 2, text: BASE + "- what is dyn?\n" };
    assert.equal(heardNotes(box, BASE, theirs).text, theirs.text);
    const mine = BASE.replace("traits", "traits and generics");
    const step = heardNotes(box, mine, theirs);
    assert.equal(step.text, mine + "- what is dyn?\n");
    assert.deepEqual([step.box.base, step.box.conflict], [2, null]);
    assert.ok(startSave(step.box, step.text), "the box still has the person's edit to save");
    assert.equal(heardNotes(step.box, step.text, { version: 1, text: "old" }).text, step.text, "older notes are ignored");
  });

  test("a clash never replaces the box: the conflict shows, and the person chooses", () => {
    const box = notesBox({ version: 1, text: BASE });
    const mine = BASE.replace("traits", "a trait object");
    const theirs = { version: 2, text: BASE.replace("traits", "impl Trait") };
    const step = heardNotes(box, mine, theirs);
    assert.equal(step.text, mine);
    assert.deepEqual(step.box.conflict, theirs);
    assert.equal(startSave(step.box, step.text), null, "no save over it unasked");
    const kept = settle(step.box, step.text, "mine");
    assert.equal(kept.text, mine);
    assert.deepEqual([kept.box.base, kept.box.conflict], [2, null]);
    assert.equal(startSave(kept.box, kept.text).base, 2, "saved on the notes the person saw");
    assert.equal(settle(step.box, step.text, "theirs").text, theirs.text);
  });

  test("a refused save keeps the text; it merges when it can, else it is a conflict", () => {
    const mine = BASE.replace("traits", "a trait object");
    const { box } = startSave(notesBox({ version: 1, text: BASE }), mine);
    const clash = refused(box, mine, { version: 2, text: BASE.replace("traits", "impl Trait") });
    assert.equal(clash.text, mine);
    assert.equal(clash.box.conflict.version, 2);
    const fine = refused(box, mine, { version: 70, text: BASE + "- far away\n" });
    assert.equal(fine.text, mine + "- far away\n");
    assert.deepEqual([fine.box.base, fine.box.conflict, fine.box.sending], [70, null, null]);
    assert.equal(failed(box).sending, null);
  });

  test("notes heard during a save wait for its answer", () => {
    const mine = BASE + "- mine\n";
    const { box } = startSave(notesBox({ version: 1, text: BASE }), mine);
    const heard = heardNotes(box, mine, { version: 3, text: "Top\n" + BASE + "- mine\n" });
    assert.equal(heard.text, mine);
    const step = saved(heard.box, mine, { version: 2, text: mine, merged: false });
    assert.equal(step.text, "Top\n" + BASE + "- mine\n");
    assert.equal(step.box.base, 3);
  });
});

test("the caret stays by the text before it", () => {
  assert.equal(caretAfter("abc\ndef", "abc\ndef\nxyz", 2), 2);
  assert.equal(caretAfter("abc\ndef", "new\nabc\ndef", 5), 9);
});
