// Questions and answers: ask (optionally anonymously), vote, edit or withdraw your own; the
// stage takes questions from the queue, staff screen them, hosts turn screening on and off.
// qa-board.js keeps the state; this module only renders it and sends what the person does.

import * as ops from "../qa-poll-ops.js";
import { h, keepFocus, part } from "./dom.js";
import { describeError } from "./errors.js";
import { isHost, isStaff } from "./people.js";
import * as qa from "./qa-board.js";
import { questionContent } from "./qa-item.js";

/** @typedef {import("../protocol.js").RoomClient} RoomClient */
/** @typedef {import("../protocol-types.js").Person} Person */
/** @typedef {import("../protocol-types.js").Snapshot} Snapshot */
/** @typedef {import("../protocol-types.js").RoomEvent} RoomEvent */
/** @typedef {import("../protocol-types.js").Question} Question */
/** @typedef {import("../protocol-types.js").ErrorFrame} ErrorFrame */
/** @typedef {import("./qa-board.js").QuestionAction} QuestionAction */
/** @typedef {import("./qa-item.js").Open} Open */

/** @type {Partial<Record<QuestionAction, import("../protocol-types.js").QaQuestionCommand["op"]>>} */
const ONE_STEP = {
  withdraw: "qa.withdraw",
  approve: "qa.approve",
  hide: "qa.hide",
  restore: "qa.restore",
  answering: "qa.answering",
  reopen: "qa.reopen",
  dismiss: "qa.dismiss",
};
export class QaPanel {
  /** @type {Person | null} */
  me = null;
  board = qa.emptyBoard();
  /** @type {Open | null} */
  open = null;
  /** @type {Map<string, string>} what was typed in inline forms, kept across redraws */
  drafts = new Map();
  /** @type {Map<number, {question: Question, sig: string, li: HTMLLIElement}>} */
  items = new Map();
  /** @type {number | null} */
  answeringShown = null;
  scheduled = false;
  /** @type {ReadonlySet<string>} member ids whose questions this person does not want to see */
  blocked = new Set();

  /**
   * @param {HTMLElement} root the panel's section
   * @param {RoomClient} client
   * @param {(member: string) => string | undefined} nameOf the name of someone present
   */
  constructor(root, client, nameOf) {
    this.root = root;
    this.client = client;
    this.nameOf = nameOf;
    this.news = part(root, "qa-news", HTMLElement);
    this.settings = part(root, "qa-settings", HTMLElement);
    this.premoderation = part(root, "qa-premoderation", HTMLInputElement);
    this.hideAuthors = part(root, "qa-hide-authors", HTMLInputElement);
    this.answeringBox = part(root, "qa-answering", HTMLElement);
    this.answeringList = part(root, "qa-answering-list", HTMLOListElement);
    this.form = part(root, "qa-form", HTMLFormElement);
    this.body = part(root, "qa-body", HTMLTextAreaElement);
    this.anonymous = part(root, "qa-anonymous", HTMLInputElement);
    this.screeningNote = part(root, "qa-screening-note", HTMLElement);
    this.error = part(root, "qa-error", HTMLElement);
    this.queue = part(root, "qa-queue", HTMLOListElement);
    this.queueCount = part(root, "qa-queue-count", HTMLElement);
    this.queueEmpty = part(root, "qa-queue-empty", HTMLElement);
    this.pendingBox = part(root, "qa-pending-box", HTMLElement);
    this.pendingTitle = part(root, "qa-pending-title", HTMLElement);
    this.pending = part(root, "qa-pending", HTMLOListElement);
    this.answeredBox = part(root, "qa-answered-box", HTMLElement);
    this.answered = part(root, "qa-answered", HTMLOListElement);
    this.dismissedBox = part(root, "qa-dismissed-box", HTMLDetailsElement);
    this.dismissedCount = part(root, "qa-dismissed-count", HTMLElement);
    this.dismissed = part(root, "qa-dismissed", HTMLOListElement);

    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#ask();
    });
    this.body.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.isComposing) {
        event.preventDefault();
        this.form.requestSubmit();
      }
    });
    this.premoderation.addEventListener("change", () => this.#configure());
    this.hideAuthors.addEventListener("change", () => this.#configure());
    root.addEventListener("click", (event) => this.#onClick(event));
    root.addEventListener("submit", (event) => this.#onInlineSubmit(event));
    root.addEventListener("input", (event) => this.#onInput(event));
    root.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.open && event.target instanceof Element && event.target.closest(".inline-form")) {
        event.preventDefault();
        this.#closeForm(true);
      }
    });
  }

  // ---- From the room -----------------------------------------------------------------------

  /** @param {Snapshot} snapshot */
  showSnapshot(snapshot) {
    this.me = snapshot.you;
    this.board = qa.boardFromSnapshot(snapshot.qa, snapshot.you.id);
    this.items.clear();
    this.answeringShown = qa.sections(this.board).answering?.id ?? null;
    this.news.textContent = "";
    this.render();
  }

  /** @param {Person} me */
  setMe(me) {
    this.me = me;
    this.#schedule();
  }

  /** @param {RoomEvent} event */
  applyEvent(event) {
    const next = qa.applyQaEvent(this.board, event);
    if (next === this.board) return;
    this.board = next;
    this.#schedule();
  }

  /**
   * Hide the questions of the people blocked (but the one the stage is answering).
   * @param {ReadonlySet<string>} blocked
   */
  setBlocked(blocked) {
    this.blocked = blocked;
    this.#schedule();
  }

  /** People came or went: redraw the questions whose author is named from who is here. */
  refresh() {
    let stale = false;
    for (const [id, item] of this.items) {
      if (item.question.author && item.question.author_name == null) {
        this.items.delete(id);
        stale = true;
      }
    }
    if (stale) this.#schedule();
  }

  // A frame of events changes the board many times; draw once after the last.
  #schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.render();
    });
  }

  // ---- Rendering ---------------------------------------------------------------------------

  render() {
    const role = this.me?.role;
    const board = this.board;
    const parts = qa.sections(board);
    for (const name of /** @type {const} */ (["queue", "pending", "answered", "dismissed"])) {
      parts[name] = parts[name].filter((q) => !q.author || !this.blocked.has(q.author));
    }
    // A form for a question that moved on (answered, merged by someone else) has no point.
    const opened = this.open && board.questions.get(this.open.id);
    if (this.open && (!opened || !qa.actions(board, opened, role).includes(this.open.action))) this.open = null;

    this.settings.hidden = !isHost(role);
    this.premoderation.checked = board.premoderation;
    this.hideAuthors.checked = board.hideAuthorsFromStaff;
    this.screeningNote.hidden = !board.premoderation || isStaff(role);

    keepFocus(this.root, () => {
      this.#fill(this.answeringList, parts.answering ? [parts.answering] : []);
      this.#fill(this.queue, parts.queue);
      this.#fill(this.pending, parts.pending);
      this.#fill(this.answered, parts.answered);
      this.#fill(this.dismissed, isStaff(role) ? parts.dismissed : []);
    });
    this.answeringBox.hidden = !parts.answering;
    this.queueCount.textContent = parts.queue.length ? `(${parts.queue.length})` : "";
    this.queueEmpty.hidden = parts.queue.length > 0;
    this.pendingBox.hidden = parts.pending.length === 0;
    this.pendingTitle.textContent = isStaff(role) ? "Waiting for approval" : "Your questions waiting for approval";
    this.answeredBox.hidden = parts.answered.length === 0;
    this.dismissedBox.hidden = !isStaff(role) || parts.dismissed.length === 0;
    this.dismissedCount.textContent = `(${parts.dismissed.length})`;

    const answering = parts.answering?.id ?? null;
    if (answering !== this.answeringShown) {
      this.answeringShown = answering;
      if (parts.answering) this.news.textContent = `Now answering: ${parts.answering.body}`;
    }
    for (const id of this.items.keys()) {
      if (!board.questions.has(id)) this.items.delete(id);
    }
  }

  /**
   * Put these questions in `list`, reusing the items of questions that did not change.
   * @param {HTMLOListElement} list
   * @param {Question[]} questions
   */
  #fill(list, questions) {
    const lis = questions.map((q) => this.#item(q));
    const same = lis.length === list.children.length && lis.every((li, i) => list.children[i] === li);
    if (!same) list.replaceChildren(...lis);
  }

  /** @returns {import("./qa-item.js").QuestionView} */
  #view() {
    return { board: this.board, role: this.me?.role, open: this.open, drafts: this.drafts, nameOf: this.nameOf };
  }

  /** @param {Question} question */
  #item(question) {
    const board = this.board;
    const open = this.open?.id === question.id ? this.open.action : "";
    const sig = [board.mine.has(question.id), board.voted.has(question.id), this.me?.role, open].join("|");
    const cached = this.items.get(question.id);
    if (cached && cached.question === question && cached.sig === sig) return cached.li;
    const li = h("li", {
      className: `question state-${question.state}`,
      attrs: { id: `question-${question.id}`, tabindex: "-1" },
    });
    li.classList.toggle("mine", board.mine.has(question.id));
    li.dataset.id = String(question.id);
    li.append(...questionContent(question, this.#view()));
    this.items.set(question.id, { question, sig, li });
    return li;
  }

  // ---- From the person ---------------------------------------------------------------------

  #ask() {
    const text = this.body.value.trim();
    if (!text) return;
    const anonymous = this.anonymous.checked;
    this.#clearError();
    this.body.value = "";
    ops.ask(this.client, text, { anonymous }).then(
      (ack) => {
        if (typeof ack.id === "number") this.#update(qa.noteAsked(this.board, ack.id));
      },
      (error) => {
        if (!this.body.value) this.body.value = text;
        this.#showError(error);
      },
    );
  }

  /** @param {MouseEvent} event */
  #onClick(event) {
    const target = /** @type {Element} */ (event.target);
    if (target.closest("[data-cancel]")) {
      this.#closeForm(true);
      return;
    }
    const button = target.closest("button[data-action]");
    if (!(button instanceof HTMLButtonElement)) return;
    const id = Number(button.dataset.id);
    const question = this.board.questions.get(id);
    const action = /** @type {QuestionAction} */ (button.dataset.action);
    if (!question) return;
    this.#clearError();
    if (action === "vote") {
      this.#vote(question);
    } else if (action === "answered") {
      this.#run(ops.markAnswered(this.client, id));
    } else if (action === "edit" || action === "write" || action === "merge") {
      this.open = { action, id };
      this.render();
      this.root.querySelector(`#qa-field-${id}`)?.closest("form")?.querySelector("textarea, select")?.focus();
    } else if (action === "withdraw") {
      if (confirm("Withdraw your question?")) this.#run(ops.questionCommand(this.client, "qa.withdraw", id));
    } else {
      const op = ONE_STEP[action];
      if (op) this.#run(ops.questionCommand(this.client, op, id));
    }
  }

  /** @param {Question} question */
  #vote(question) {
    const id = question.id;
    const voting = !this.board.voted.has(id);
    ops.questionCommand(this.client, voting ? "qa.vote" : "qa.unvote", id).then(
      () => this.#update(qa.noteVote(this.board, id, voting)),
      (/** @type {ErrorFrame} */ error) => {
        // "Already voted" (or "not voted"): another tab of ours, or a merge, did it first.
        const votable = ["open", "answering"].includes(this.board.questions.get(id)?.state ?? "");
        if (error?.code === "conflict" && votable) this.#update(qa.noteVote(this.board, id, voting));
        else this.#showError(error);
      },
    );
  }

  /** @param {SubmitEvent} event */
  #onInlineSubmit(event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains("inline-form")) return;
    event.preventDefault();
    const id = Number(form.dataset.id);
    const field = form.querySelector("textarea, select");
    if (!(field instanceof HTMLTextAreaElement || field instanceof HTMLSelectElement)) return;
    const value = field.value.trim();
    /** @type {Promise<unknown>} */
    let command;
    if (form.dataset.action === "merge") command = ops.mergeQuestion(this.client, id, Number(value));
    else if (form.dataset.action === "write") command = ops.markAnswered(this.client, id, value);
    else if (value) command = ops.editQuestion(this.client, id, value);
    else return;
    this.#run(command.then(() => this.#closeForm(false)));
  }

  /** @param {Event} event */
  #onInput(event) {
    const field = event.target;
    if ((field instanceof HTMLTextAreaElement || field instanceof HTMLSelectElement) && field.dataset.key?.startsWith("field:")) {
      this.drafts.set(field.dataset.key.slice("field:".length), field.value);
    }
  }

  /** @param {boolean} refocus put focus back on the button that opened the form */
  #closeForm(refocus) {
    const open = this.open;
    if (!open) return;
    this.open = null;
    this.drafts.delete(`${open.action}:${open.id}`);
    this.render();
    if (refocus) {
      const opener = this.root.querySelector(`[data-key="${open.action}:${open.id}"]`);
      if (opener instanceof HTMLElement) opener.focus();
    }
  }

  #configure() {
    const settings = { premoderation: this.premoderation.checked, hideAuthorsFromStaff: this.hideAuthors.checked };
    ops.configureQa(this.client, settings).catch((error) => {
      this.premoderation.checked = this.board.premoderation;
      this.hideAuthors.checked = this.board.hideAuthorsFromStaff;
      this.#showError(error);
    });
  }

  /** @param {import("./qa-board.js").QaBoard} board */
  #update(board) {
    if (board === this.board) return;
    this.board = board;
    this.#schedule();
  }

  /** @param {Promise<unknown>} command */
  #run(command) {
    command.catch((error) => this.#showError(error));
  }

  /** @param {unknown} error */
  #showError(error) {
    this.error.textContent = describeError(error);
  }

  #clearError() {
    this.error.textContent = "";
  }
}
