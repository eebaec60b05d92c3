// The stage's form for a new poll: kind, question, options (added and removed in place), the
// quiz's correct option, anonymous and changeable. What it sends is checked by
// poll-board.js's checkPollDraft first; the new draft then arrives as a poll.created event.

import { createPoll } from "../qa-poll-ops.js";
import { h, part } from "./dom.js";
import { describeError } from "./errors.js";
import { MAX_OPTION, MAX_OPTIONS, MIN_OPTIONS, checkPollDraft, hasOptions } from "./poll-board.js";

/** @typedef {import("../protocol.js").RoomClient} RoomClient */
/** @typedef {import("../protocol-types.js").ErrorFrame} ErrorFrame */

export class PollForm {
  busy = false;

  /**
   * @param {HTMLElement} root the polls panel
   * @param {RoomClient} client
   */
  constructor(root, client) {
    this.client = client;
    this.box = part(root, "poll-create-box", HTMLDetailsElement);
    this.form = part(root, "poll-form", HTMLFormElement);
    this.kind = part(root, "poll-kind", HTMLSelectElement);
    this.question = part(root, "poll-question", HTMLInputElement);
    this.optionsBox = part(root, "poll-options-box", HTMLFieldSetElement);
    this.options = part(root, "poll-options", HTMLOListElement);
    this.add = part(root, "poll-option-add", HTMLButtonElement);
    this.correctBox = part(root, "poll-correct-box", HTMLElement);
    this.correct = part(root, "poll-correct", HTMLSelectElement);
    this.anonymous = part(root, "poll-anonymous", HTMLInputElement);
    this.changeable = part(root, "poll-changeable", HTMLInputElement);
    this.error = part(root, "poll-form-error", HTMLElement);

    this.kind.addEventListener("change", () => this.#showKind());
    this.add.addEventListener("click", () => {
      this.#addOption("");
      this.#inputs().at(-1)?.focus();
    });
    this.options.addEventListener("click", (event) => {
      const button = /** @type {Element} */ (event.target).closest("button[data-remove]");
      if (button instanceof HTMLButtonElement) this.#removeOption(Number(button.dataset.remove));
    });
    this.options.addEventListener("input", () => this.#fillCorrect());
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#submit();
    });
    this.#reset();
  }

  /** @param {boolean} stage whether the person may create polls */
  show(stage) {
    this.box.hidden = !stage;
  }

  #reset() {
    this.question.value = "";
    this.options.replaceChildren();
    for (let i = 0; i < MIN_OPTIONS; i++) this.#addOption("");
    this.error.textContent = "";
    this.#showKind();
  }

  #showKind() {
    const choice = hasOptions(this.kind.value);
    this.optionsBox.hidden = !choice;
    this.correctBox.hidden = this.kind.value !== "quiz";
    this.#fillCorrect();
  }

  #inputs() {
    return [...this.options.querySelectorAll("input")];
  }

  /** @param {string} value */
  #addOption(value) {
    if (this.#inputs().length >= MAX_OPTIONS) return;
    const input = h("input", { attrs: { type: "text", maxlength: String(MAX_OPTION) } });
    input.value = value;
    const remove = h("button", { className: "secondary small", text: "Remove", attrs: { type: "button" } });
    this.options.append(h("li", { className: "poll-option-row" }, [input, remove]));
    this.#number();
  }

  /** @param {number} index */
  #removeOption(index) {
    const rows = [...this.options.children];
    if (rows.length <= MIN_OPTIONS) return;
    rows[index]?.remove();
    this.#number();
    const inputs = this.#inputs();
    inputs[Math.min(index, inputs.length - 1)]?.focus();
  }

  // Labels follow the rows' places, so that "Option 2" is always the second one.
  #number() {
    const rows = [...this.options.children];
    rows.forEach((row, i) => {
      row.querySelector("input")?.setAttribute("aria-label", `Option ${i + 1}`);
      const remove = row.querySelector("button");
      if (remove) {
        remove.dataset.remove = String(i);
        remove.setAttribute("aria-label", `Remove option ${i + 1}`);
        remove.disabled = rows.length <= MIN_OPTIONS;
      }
    });
    this.add.disabled = rows.length >= MAX_OPTIONS;
    this.#fillCorrect();
  }

  // The quiz's correct option is chosen among the options as typed, by their place.
  #fillCorrect() {
    const chosen = this.correct.value;
    const choices = this.#inputs()
      .map((input, i) => ({ text: input.value.trim(), i }))
      .filter((o) => o.text)
      .map((o) => h("option", { text: `Option ${o.i + 1}: ${o.text}`, attrs: { value: String(o.i) } }));
    this.correct.replaceChildren(h("option", { text: "Choose…", attrs: { value: "" } }), ...choices);
    if ([...this.correct.options].some((o) => o.value === chosen)) this.correct.value = chosen;
  }

  #submit() {
    if (this.busy) return;
    const checked = checkPollDraft({
      kind: this.kind.value,
      question: this.question.value,
      options: this.#inputs().map((input) => input.value),
      correct: this.correct.value === "" ? null : Number(this.correct.value),
      anonymous: this.anonymous.checked,
      changeable: this.changeable.checked,
    });
    if (!checked.ok) {
      this.#fail(checked.message, checked.field);
      return;
    }
    this.busy = true;
    this.error.textContent = "";
    createPoll(this.client, checked.poll)
      .then(
        () => this.#reset(),
        (/** @type {ErrorFrame} */ error) => this.#fail(describeError(error), error?.field ?? null),
      )
      .finally(() => {
        this.busy = false;
      });
  }

  /**
   * @param {string} message
   * @param {string | null} field
   */
  #fail(message, field) {
    this.error.textContent = message;
    const target = { question: this.question, options: this.#inputs()[0], correct: this.correct, kind: this.kind }[field ?? ""];
    target?.focus();
  }
}
