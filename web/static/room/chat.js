// The chat panel: lists messages (chat-message.js draws each) and sends what the person
// writes through the RoomClient.

import { EDIT_WINDOW_MS, excerpt, fillMessage, replyQuote } from "./chat-message.js";
import { h, part } from "./dom.js";
import { describeError, duration } from "./errors.js";
import { isStaff } from "./people.js";

/** @typedef {import("../protocol.js").RoomClient} RoomClient */
/** @typedef {import("../protocol-types.js").ChatMessage} ChatMessage */
/** @typedef {import("../protocol-types.js").Person} Person */
/** @typedef {import("../protocol-types.js").Snapshot} Snapshot */
/** @typedef {import("../protocol-types.js").RoomEvent} RoomEvent */
/** @typedef {import("../protocol-types.js").ErrorFrame} ErrorFrame */
/** @typedef {import("../moderation-ops.js").ChatRestoredEvent} ChatRestoredEvent */
/** @typedef {{kind: "new"} | {kind: "reply", id: number} | {kind: "edit", id: number}} Mode */

const HISTORY_PAGE = 50;
// Past this many messages the oldest leave the page; "Load earlier messages" brings them back.
const MAX_RENDERED = 500;
const NEAR_BOTTOM_PX = 80;

export class ChatPanel {
  /** @type {Person | null} */
  me = null;
  /** @type {Map<number, ChatMessage>} */
  messages = new Map();
  /** @type {Map<number, HTMLLIElement>} */
  items = new Map();
  /** @type {Map<number, HTMLLIElement>} sent, acked, waiting for their chat.message event */
  pendingById = new Map();
  /** @type {Map<number, ReturnType<typeof setTimeout>>} */
  editTimers = new Map();
  /** @type {Mode} */
  mode = { kind: "new" };
  more = false;
  loadingEarlier = false;
  slowMode = 0;
  /** @type {ReadonlySet<string>} member ids whose messages this person does not want to see */
  blocked = new Set();
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  errorTimer = undefined;

  /**
   * @param {HTMLElement} root the panel's section
   * @param {RoomClient} client
   */
  constructor(root, client) {
    this.client = client;
    this.scroller = part(root, "chat-scroll", HTMLElement);
    this.list = part(root, "chat-messages", HTMLOListElement);
    this.pending = part(root, "chat-pending", HTMLOListElement);
    this.earlier = part(root, "chat-earlier", HTMLButtonElement);
    this.form = part(root, "chat-form", HTMLFormElement);
    this.body = part(root, "chat-body", HTMLTextAreaElement);
    this.toHosts = part(root, "chat-to-hosts", HTMLInputElement);
    this.context = part(root, "chat-context", HTMLElement);
    this.contextText = part(root, "chat-context-text", HTMLElement);
    this.contextCancel = part(root, "chat-context-cancel", HTMLButtonElement);
    this.error = part(root, "chat-error", HTMLElement);
    this.slowNote = part(root, "chat-slow-note", HTMLElement);

    this.body.addEventListener("keydown", (event) => this.#onKey(event));
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#submit();
    });
    this.contextCancel.addEventListener("click", () => this.#setMode({ kind: "new" }));
    this.earlier.addEventListener("click", () => this.#loadEarlier());
    this.list.addEventListener("click", (event) => this.#onAction(event));
  }

  // ---- From the room -----------------------------------------------------------------------

  /** @param {Snapshot} snapshot */
  showSnapshot(snapshot) {
    this.me = snapshot.you;
    for (const timer of this.editTimers.values()) clearTimeout(timer);
    this.editTimers.clear();
    this.messages.clear();
    this.items.clear();
    this.list.setAttribute("aria-busy", "true");
    this.list.replaceChildren();
    for (const message of snapshot.chat) this.#add(message, "end");
    this.list.setAttribute("aria-busy", "false");
    this.more = snapshot.more_chat;
    this.earlier.hidden = !this.more;
    this.#setSlowMode(snapshot.state?.slow_mode ?? 0);
    if (this.mode.kind !== "new" && !this.messages.has(this.mode.id)) this.#setMode({ kind: "new" });
    this.#scrollToBottom();
  }

  /**
   * The person's own details changed (a new role): redraw what depends on them.
   * @param {Person} me
   */
  setMe(me) {
    this.me = me;
    this.#setSlowMode(this.slowMode);
    for (const [id, li] of this.items) fillMessage(li, /** @type {ChatMessage} */ (this.messages.get(id)), this);
  }

  /**
   * Hide the messages of the people blocked, show those of people unblocked.
   * @param {ReadonlySet<string>} blocked
   */
  setBlocked(blocked) {
    this.blocked = blocked;
    for (const [id, li] of this.items) li.hidden = blocked.has(this.messages.get(id)?.author.id ?? "");
  }

  /** @param {RoomEvent | ChatRestoredEvent} event */
  applyEvent(event) {
    switch (event.type) {
      case "chat.message": {
        const stick = this.#nearBottom() || event.message.author.id === this.me?.id;
        this.#add(event.message, "end");
        this.#trim();
        if (stick) this.#scrollToBottom();
        break;
      }
      case "chat.edited": {
        const message = this.messages.get(event.id);
        const li = this.items.get(event.id);
        if (!message || !li) break;
        message.body = event.body;
        message.edited_at = event.edited_at;
        fillMessage(li, message, this);
        break;
      }
      case "chat.deleted":
        this.#remove(event.id);
        break;
      case "chat.restored": {
        // Back in its place among the messages shown (ids grow with time).
        const later = [...this.items.keys()].filter((id) => id > event.message.id).sort((a, b) => a - b)[0];
        if (later === undefined && this.more && this.items.size) break; // older than what is shown
        this.#add(event.message, later === undefined ? "end" : "start", later === undefined ? null : this.items.get(later));
        break;
      }
      case "room.updated":
        if (typeof event.state?.slow_mode === "number") this.#setSlowMode(event.state.slow_mode);
        break;
      default:
        break;
    }
  }

  // ---- Rendering ---------------------------------------------------------------------------

  /**
   * @param {ChatMessage} message
   * @param {"start" | "end"} where
   * @param {Node | null} [before] with "start": the first message already shown
   */
  #add(message, where, before = null) {
    if (this.items.has(message.id)) return;
    const li = h("li", { className: "message", attrs: { id: `msg-${message.id}` } });
    li.dataset.id = String(message.id);
    li.hidden = this.blocked.has(message.author.id);
    this.messages.set(message.id, message);
    this.items.set(message.id, li);
    fillMessage(li, message, this);
    if (where === "end") this.list.append(li);
    else this.list.insertBefore(li, before);
    const pending = this.pendingById.get(message.id);
    if (pending) {
      pending.remove();
      this.pendingById.delete(message.id);
    }
    this.#scheduleEditExpiry(message);
  }

  // Own messages lose their Edit button when the window closes (the server enforces it too).
  /** @param {ChatMessage} message */
  #scheduleEditExpiry(message) {
    if (!this.me || message.author.id !== this.me.id) return;
    const left = Date.parse(message.at) + EDIT_WINDOW_MS - Date.now();
    if (!(left > 0)) return;
    this.editTimers.set(
      message.id,
      setTimeout(() => {
        this.editTimers.delete(message.id);
        const li = this.items.get(message.id);
        if (li) fillMessage(li, message, this);
      }, left + 50),
    );
  }

  /** @param {number} id */
  #remove(id) {
    const li = this.items.get(id);
    if (li?.contains(document.activeElement)) this.body.focus();
    li?.remove();
    this.items.delete(id);
    this.messages.delete(id);
    clearTimeout(this.editTimers.get(id));
    this.editTimers.delete(id);
    for (const quote of this.list.querySelectorAll(`.reply-quote[data-reply-to="${id}"]`)) {
      quote.textContent = "Replying to a removed message";
    }
    if (this.mode.kind !== "new" && this.mode.id === id) this.#setMode({ kind: "new" });
  }

  #trim() {
    while (this.items.size > MAX_RENDERED) {
      const [oldest] = this.items.keys();
      this.items.get(oldest)?.remove();
      this.items.delete(oldest);
      this.messages.delete(oldest);
      this.more = true;
    }
    this.earlier.hidden = !this.more;
  }

  /** @param {number} seconds */
  #setSlowMode(seconds) {
    this.slowMode = seconds;
    if (seconds > 0) {
      const exempt = isStaff(this.me?.role) ? " (hosts and moderators are exempt)" : "";
      this.slowNote.textContent = `Slow mode: one message every ${duration(seconds)}${exempt}.`;
    } else {
      this.slowNote.textContent = "";
    }
    this.slowNote.hidden = seconds <= 0;
  }

  #nearBottom() {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < NEAR_BOTTOM_PX;
  }

  #scrollToBottom() {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  // ---- From the person ---------------------------------------------------------------------

  /** @param {KeyboardEvent} event */
  #onKey(event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && !event.altKey) {
      event.preventDefault();
      if (this.body.value.trim()) this.form.requestSubmit();
    } else if (event.key === "Escape" && this.mode.kind !== "new") {
      event.preventDefault();
      this.#setMode({ kind: "new" });
    }
  }

  #submit() {
    const text = this.body.value.trim();
    if (!text) return;
    this.#clearError();
    const mode = this.mode;
    this.body.value = "";
    this.#setMode({ kind: "new" }, false);
    if (mode.kind === "edit") {
      this.client.editChat(mode.id, text).catch((error) => {
        if (!this.body.value) this.body.value = text;
        if (this.messages.has(mode.id)) this.#setMode(mode, false);
        this.#showError(error);
      });
      return;
    }
    const replyTo = mode.kind === "reply" ? mode.id : null;
    const toHosts = this.toHosts.checked;
    const pending = h("li", { className: "message pending" }, [
      h("p", { className: "message-head meta", text: toHosts ? "Sending privately to the hosts…" : "Sending…" }),
      h("p", { className: "message-body", text }),
    ]);
    this.pending.append(pending);
    this.#scrollToBottom();
    this.client.sendChat(text, { replyTo, toHosts }).then(
      (ack) => {
        if (typeof ack.id !== "number" || this.items.has(ack.id)) pending.remove();
        else this.pendingById.set(ack.id, pending);
      },
      (error) => {
        pending.remove();
        if (!this.body.value) this.body.value = text;
        this.#showError(error);
      },
    );
  }

  /**
   * @param {Mode} mode
   * @param {boolean} [focus]
   */
  #setMode(mode, focus = true) {
    this.mode = mode;
    const target = mode.kind === "new" ? undefined : this.messages.get(mode.id);
    if (mode.kind === "new" || !target) {
      this.context.hidden = true;
      this.contextText.textContent = "";
      this.toHosts.disabled = false;
    } else if (mode.kind === "reply") {
      this.context.hidden = false;
      this.contextText.textContent = `Replying to ${target.author.name}: ${excerpt(target.body, 60)}`;
      this.toHosts.disabled = false;
    } else {
      this.context.hidden = false;
      this.contextText.textContent = "Editing your message";
      this.toHosts.disabled = true;
    }
    if (focus) this.body.focus();
  }

  /** @param {MouseEvent} event */
  #onAction(event) {
    const button = /** @type {HTMLElement} */ (event.target).closest("button[data-action]");
    const li = button?.closest("li.message");
    if (!(button instanceof HTMLButtonElement) || !(li instanceof HTMLLIElement)) return;
    const id = Number(li.dataset.id);
    const message = this.messages.get(id);
    if (!message) return;
    switch (button.dataset.action) {
      case "reply":
        this.#setMode({ kind: "reply", id });
        break;
      case "edit":
        this.body.value = message.body;
        this.#setMode({ kind: "edit", id });
        break;
      case "delete":
        if (!confirm("Delete this message for everyone?")) return;
        this.client.deleteChat(id).catch((/** @type {ErrorFrame} */ error) => {
          // A retried delete that had already gone through answers not_found: nothing to say.
          if (error?.code !== "not_found") this.#showError(error);
        });
        break;
      default:
        break;
    }
  }

  #loadEarlier() {
    if (this.loadingEarlier) return;
    const [oldest] = this.items.keys();
    if (oldest === undefined) return;
    this.loadingEarlier = true;
    this.earlier.setAttribute("aria-busy", "true");
    this.client.history(oldest, HISTORY_PAGE).then(
      (ack) => {
        const first = this.list.firstChild;
        const before = this.scroller.scrollHeight;
        const messages = (ack.messages ?? []).filter((m) => !this.items.has(m.id));
        for (const message of messages) this.#add(message, "start", first);
        for (const li of this.items.values()) {
          const quote = li.querySelector(".reply-quote");
          if (quote instanceof HTMLElement) quote.replaceWith(replyQuote(Number(quote.dataset.replyTo), this));
        }
        this.scroller.scrollTop += this.scroller.scrollHeight - before;
        this.more = Boolean(ack.more);
        this.earlier.hidden = !this.more;
        if (!this.more) this.scroller.focus();
      },
      (error) => this.#showError(error),
    ).finally(() => {
      this.loadingEarlier = false;
      this.earlier.removeAttribute("aria-busy");
    });
  }

  /** @param {unknown} error */
  #showError(error) {
    this.#clearError();
    this.error.textContent = describeError(error);
    const retry = /** @type {Partial<ErrorFrame>} */ (error ?? {}).retry_after;
    if (typeof retry === "number" && retry > 0) {
      this.errorTimer = setTimeout(() => this.#clearError(), Math.ceil(retry) * 1000);
    }
  }

  #clearError() {
    clearTimeout(this.errorTimer);
    this.error.textContent = "";
  }
}
