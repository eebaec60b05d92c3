// Inside a breakout group: its own chat and its shared notes, for its members and for a host
// who visits. notes-sync.js decides what the notes box holds; this module puts it in the
// textarea, saves a moment after the typing stops, and shows a conflict when there is one.

import * as ops from "../breakout-ops.js";
import { newClientId } from "../protocol.js";
import { h, part } from "./dom.js";
import { describeError } from "./errors.js";
import * as sync from "./notes-sync.js";

/** @typedef {import("../protocol.js").RoomClient} RoomClient */
/** @typedef {import("../protocol-types.js").ErrorFrame} ErrorFrame */
/** @typedef {import("../protocol-types.js").RoomEvent} RoomEvent */
/** @typedef {import("../breakout-ops.js").GroupMessage} GroupMessage */
/** @typedef {import("../breakout-ops.js").GroupWork} Work */

// Saves go out once the typing pauses this long, and when the box loses focus.
const SAVE_AFTER_MS = 800;

export class GroupWork {
  /** @type {number | null} the group shown */
  group = null;
  /** Whether the viewer visits (a host) rather than sits in the group. */
  visiting = false;
  box = sync.notesBox();
  /** @type {ReturnType<typeof setTimeout> | null} */
  timer = null;
  /** @type {Set<number>} message ids shown */
  shown = new Set();

  /**
   * @param {HTMLElement} root the breakouts panel
   * @param {RoomClient} client
   */
  constructor(root, client) {
    this.client = client;
    this.chat = part(root, "breakout-chat", HTMLElement);
    this.chatForm = part(root, "breakout-chat-form", HTMLFormElement);
    this.chatBody = part(root, "breakout-chat-body", HTMLTextAreaElement);
    this.chatError = part(root, "breakout-chat-error", HTMLElement);
    this.notes = part(root, "breakout-notes-text", HTMLTextAreaElement);
    this.state = part(root, "breakout-notes-state", HTMLElement);
    this.conflict = part(root, "breakout-notes-conflict", HTMLElement);
    this.theirs = part(root, "breakout-notes-theirs", HTMLTextAreaElement);
    this.leftover = part(root, "breakout-leftover", HTMLElement);
    this.leftoverText = part(root, "breakout-leftover-text", HTMLTextAreaElement);
    part(root, "breakout-leftover-done", HTMLButtonElement).addEventListener("click", () => {
      this.leftover.hidden = true;
    });
    this.chatForm.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#send();
    });
    this.chatBody.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.#send();
      }
    });
    this.notes.addEventListener("input", () => this.#typed());
    this.notes.addEventListener("blur", () => this.#save());
    part(root, "breakout-notes-mine", HTMLButtonElement).addEventListener("click", () => this.#settle("mine"));
    part(root, "breakout-notes-theirs-take", HTMLButtonElement).addEventListener("click", () => this.#settle("theirs"));
  }

  /**
   * Show a group's work: from the snapshot, or from `group.history` (fetched when `work` is
   * not given).
   * @param {number} group
   * @param {boolean} visiting
   * @param {Work | null} [work]
   */
  show(group, visiting, work = null) {
    const changed = group !== this.group;
    if (changed) this.#keepLeftover();
    this.group = group;
    this.visiting = visiting;
    if (work) {
      this.#fill(work, changed);
      return;
    }
    if (changed) this.#fill({ group, chat: [], notes: { version: 0, text: "" } }, true);
    ops.history(this.client, visiting ? group : null).then(
      (ack) => {
        if (this.group !== group || !ack.notes) return;
        this.#fill({ group, chat: ack.chat ?? [], notes: ack.notes }, false);
      },
      (/** @type {ErrorFrame} */ error) => {
        if (this.group === group) this.chatError.textContent = describeError(error);
      },
    );
  }

  /**
   * @param {Work} work
   * @param {boolean} fresh a different group: the box starts over from its notes
   */
  #fill(work, fresh) {
    if (fresh) {
      this.shown.clear();
      this.chat.replaceChildren();
      this.chatError.textContent = "";
    }
    for (const message of work.chat) this.#add(message);
    if (fresh) {
      this.box = sync.notesBox(work.notes);
      this.notes.value = work.notes.text;
      this.#showBox();
    } else {
      this.#heard(work.notes);
    }
  }

  clear() {
    this.#keepLeftover();
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.group = null;
    this.shown.clear();
    this.chat.replaceChildren();
    this.chatError.textContent = "";
  }

  /** @param {RoomEvent} event */
  applyEvent(event) {
    if (event.type === "group.message" && event.group === this.group) this.#add(event.message);
    else if (event.type === "group.notes" && event.group === this.group) this.#heard(event);
  }

  // Leaving a group (moved, or the round closed) with typing not known to be saved (a save
  // still in flight is refused once the person is out of the group): the box is about to
  // start over, so the text is set aside where the person can copy it.
  #keepLeftover() {
    const text = this.notes.value;
    if (this.group === null || text === this.box.baseText || !text.trim()) return;
    this.leftoverText.value = text;
    this.leftover.hidden = false;
  }

  // ---- Chat --------------------------------------------------------------------------------

  /** @param {GroupMessage} message */
  #add(message) {
    if (this.shown.has(message.id)) return;
    this.shown.add(message.id);
    this.chat.append(h("li", { className: "message" }, [
      h("p", { className: "message-head" }, [h("span", { className: "author", text: message.author.name })]),
      h("p", { className: "message-body", text: message.body }),
    ]));
  }

  #send() {
    const body = this.chatBody.value.trim();
    if (!body || this.group === null) return;
    this.chatError.textContent = "";
    const sent = ops.sendToGroup(this.client, newClientId(), body, this.visiting ? this.group : null);
    this.chatBody.value = "";
    sent.catch((/** @type {ErrorFrame} */ error) => {
      // The words come back into the box, unless something new was typed meanwhile.
      if (!this.chatBody.value) this.chatBody.value = body;
      this.chatError.textContent = describeError(error);
    });
  }

  // ---- Notes -------------------------------------------------------------------------------

  #typed() {
    this.state.textContent = "Not saved yet";
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.#save(), SAVE_AFTER_MS);
  }

  #save() {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const group = this.group;
    if (group === null) return;
    const start = sync.startSave(this.box, this.notes.value);
    if (!start) return;
    this.box = start.box;
    this.state.textContent = "Saving…";
    ops.saveNotes(this.client, start.base, start.text, this.visiting ? group : null).then(
      (ack) => {
        if (this.group !== group) return;
        const notes = { version: ack.version ?? 0, text: ack.text ?? start.text, merged: ack.merged ?? false };
        this.#step(sync.saved(this.box, this.notes.value, notes));
        if (!this.box.conflict) this.state.textContent = notes.merged ? "Saved, with others' changes merged in" : "Saved";
        if (this.notes.value !== this.box.baseText) this.#typed();
      },
      (/** @type {ErrorFrame} */ error) => {
        if (this.group !== group) return;
        if (error?.code === "conflict" && error.current) {
          this.#step(sync.refused(this.box, this.notes.value, error.current));
          if (!this.box.conflict) this.#typed();
        } else {
          this.box = sync.failed(this.box);
          this.state.textContent = `Not saved: ${describeError(error)}`;
        }
      },
    );
  }

  /** @param {{version: number, text: string}} notes */
  #heard(notes) {
    this.#step(sync.heardNotes(this.box, this.notes.value, notes));
  }

  /** @param {"mine" | "theirs"} choice */
  #settle(choice) {
    this.#step(sync.settle(this.box, this.notes.value, choice));
    this.notes.focus();
    if (choice === "mine") this.#save();
  }

  /** @param {sync.Step} step */
  #step(step) {
    this.box = step.box;
    if (step.text !== this.notes.value) {
      const before = this.notes.value;
      const focused = document.activeElement === this.notes;
      const caret = this.notes.selectionStart;
      this.notes.value = step.text;
      if (focused) {
        const at = sync.caretAfter(before, step.text, caret);
        this.notes.setSelectionRange(at, at);
      }
    }
    this.#showBox();
  }

  #showBox() {
    const conflict = this.box.conflict;
    this.conflict.hidden = conflict === null;
    if (conflict) {
      this.theirs.value = conflict.text;
      this.state.textContent = "Not saved: see the conflict below";
    }
  }
}
