// A breakout group's shared notes in one person's box: what was typed here, the version it
// was typed on, saves in flight, other people's saves arriving, and conflicts. Pure (no DOM),
// so that node --test covers it; group-work.js puts it in a textarea.
//
// The rule it keeps: the person's text is never replaced by someone else's without their
// edit in it. Another save that touches other lines is merged into the box (line by line,
// as the server merges); one that touches the same lines is shown beside the box as a
// conflict, and the person chooses.

/**
 * @typedef {object} NotesBox
 * @property {number} base The version the box was typed on.
 * @property {string} baseText The notes at that version.
 * @property {string | null} sending The text of a save in flight.
 * @property {{version: number, text: string} | null} conflict Notes that clash with the box.
 * @property {{version: number, text: string} | null} heard Others' notes heard during a save.
 */

/** @typedef {{box: NotesBox, text: string}} Step The box's state and the textarea's text. */

/**
 * @param {{version: number, text: string}} [notes]
 * @returns {NotesBox}
 */
export function notesBox(notes = { version: 0, text: "" }) {
  return { base: notes.version, baseText: notes.text, sending: null, conflict: null, heard: null };
}

/**
 * Lines with their endings, so that joining them gives the text back.
 * @param {string} text
 */
function lines(text) {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** @typedef {[number, number, string[]]} Hunk Base lines [start, end) become these lines. */

/**
 * The changes that turn `base` into `other`, from a longest common subsequence of lines.
 * @param {string[]} base
 * @param {string[]} other
 * @returns {Hunk[]}
 */
function hunks(base, other) {
  let head = 0;
  while (head < base.length && head < other.length && base[head] === other[head]) head++;
  let tail = 0;
  while (tail < base.length - head && tail < other.length - head
    && base[base.length - 1 - tail] === other[other.length - 1 - tail]) tail++;
  const a = base.slice(head, base.length - tail);
  const b = other.slice(head, other.length - tail);
  const width = b.length + 1;
  const common = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i * width + j] = a[i] === b[j]
        ? common[(i + 1) * width + j + 1] + 1
        : Math.max(common[(i + 1) * width + j], common[i * width + j + 1]);
    }
  }
  /** @type {Hunk[]} */
  const out = [];
  let i = 0;
  let j = 0;
  /** @type {Hunk | null} */
  let open = null;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      if (open) out.push(open);
      open = null;
      i++;
      j++;
      continue;
    }
    open ??= [head + i, head + i, []];
    if (j < b.length && (i === a.length || common[i * width + j + 1] >= common[(i + 1) * width + j])) {
      open[2].push(b[j++]);
    } else {
      i++;
      open[1] = head + i;
    }
  }
  if (open) out.push(open);
  return out;
}

/**
 * @param {Hunk} x
 * @param {Hunk} y
 */
function overlap(x, y) {
  if (x[0] === y[0] && (x[0] === x[1] || y[0] === y[1])) return true;
  return x[0] < y[1] && y[0] < x[1];
}

/**
 * @param {Hunk} x
 * @param {Hunk} y
 */
function sameHunk(x, y) {
  return x[0] === y[0] && x[1] === y[1] && x[2].length === y[2].length && x[2].every((l, n) => l === y[2][n]);
}

/**
 * Both edits of `base` applied, or null when they change the same lines.
 * @param {string} base
 * @param {string} ours
 * @param {string} theirs
 * @returns {string | null}
 */
export function mergeLines(base, ours, theirs) {
  if (ours === theirs || theirs === base) return ours;
  if (ours === base) return theirs;
  const original = lines(base);
  const mine = hunks(original, lines(ours));
  const yours = hunks(original, lines(theirs)).filter((y) => !mine.some((x) => sameHunk(x, y)));
  if (mine.some((x) => yours.some((y) => overlap(x, y)))) return null;
  const all = [...mine, ...yours].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  /** @type {string[]} */
  const out = [];
  let at = 0;
  for (const [start, end, replacement] of all) {
    out.push(...original.slice(at, start), ...replacement);
    at = end;
  }
  out.push(...original.slice(at));
  return out.join("");
}

/**
 * Someone's save arrived (a `group.notes` event, or a refusal's current notes).
 * @param {NotesBox} box
 * @param {string} text what the textarea holds
 * @param {{version: number, text: string}} notes
 * @returns {Step}
 */
export function heardNotes(box, text, notes) {
  if (notes.version <= box.base) return { box, text };
  if (box.sending !== null) {
    // The save's answer comes first; look again once it is here.
    const heard = box.heard && box.heard.version > notes.version ? box.heard : notes;
    return { box: { ...box, heard }, text };
  }
  const merged = mergeLines(box.baseText, text, notes.text);
  if (merged === null) return { box: { ...box, conflict: { version: notes.version, text: notes.text } }, text };
  return { box: { ...box, base: notes.version, baseText: notes.text, conflict: null }, text: merged };
}

/**
 * Whether the box has something to save now; the frame's fields when it has.
 * @param {NotesBox} box
 * @param {string} text
 * @returns {{box: NotesBox, base: number, text: string} | null}
 */
export function startSave(box, text) {
  if (box.sending !== null || box.conflict !== null || text === box.baseText) return null;
  return { box: { ...box, sending: text }, base: box.base, text };
}

/**
 * The server kept the save (maybe with someone else's edit merged into it).
 * @param {NotesBox} box
 * @param {string} text what the textarea holds now (the person may have typed on)
 * @param {{version: number, text: string, merged: boolean}} ack
 * @returns {Step}
 */
export function saved(box, text, ack) {
  const sent = box.sending ?? text;
  const heard = box.heard;
  const done = { ...box, sending: null, heard: null };
  // Typed on while the save was in flight: that typing goes on top of what was kept, line
  // by line (when nothing was merged in, what was kept is what was sent).
  const next = text === sent ? ack.text : mergeLines(sent, text, ack.text);
  /** @type {Step} */
  const step = next === null
    ? { box: { ...done, conflict: { version: ack.version, text: ack.text } }, text }
    : { box: { ...done, base: ack.version, baseText: ack.text }, text: next };
  return heard ? heardNotes(step.box, step.text, heard) : step;
}

/**
 * The save was refused: someone changed the same lines, and here are the notes now. When
 * the box still merges with them (the server no longer had our base), it does; else the
 * conflict shows.
 * @param {NotesBox} box
 * @param {string} text
 * @param {{version: number, text: string}} current
 * @returns {Step}
 */
export function refused(box, text, current) {
  const done = { ...box, sending: null, heard: null };
  const merged = mergeLines(box.baseText, text, current.text);
  if (merged === null || current.version <= box.base) {
    return { box: { ...done, conflict: { version: current.version, text: current.text } }, text };
  }
  return { box: { ...done, base: current.version, baseText: current.text }, text: merged };
}

/**
 * A save that failed for another reason (the connection): try again later.
 * @param {NotesBox} box
 * @returns {NotesBox}
 */
export function failed(box) {
  return { ...box, sending: null };
}

/**
 * The person settles a conflict: keep their own text (saved over the current notes, which
 * they have seen) or take the current notes in place of theirs.
 * @param {NotesBox} box
 * @param {string} text
 * @param {"mine" | "theirs"} choice
 * @returns {Step}
 */
export function settle(box, text, choice) {
  const current = box.conflict;
  if (current === null) return { box, text };
  const next = { ...box, base: current.version, baseText: current.text, conflict: null };
  return { box: next, text: choice === "mine" ? text : current.text };
}

/**
 * Where the caret goes when the text around it changed: it keeps its place in the text
 * before it when the change came after it, else it moves by what was added or removed.
 * @param {string} before
 * @param {string} after
 * @param {number} caret
 */
export function caretAfter(before, after, caret) {
  let same = 0;
  while (same < before.length && same < after.length && before[same] === after[same]) same++;
  return caret <= same ? caret : Math.max(same, caret + after.length - before.length);
}
