// Polls and quizzes: everyone answers a live poll and, once revealed, sees its results; the
// stage (hosts, co-hosts, speakers) creates polls (poll-form.js), launches, closes and
// reveals them, and sees results all along. poll-board.js keeps the state; this module
// renders it and sends what the person does.

import * as ops from "../qa-poll-ops.js";
import { h, keepFocus, part } from "./dom.js";
import { describeError } from "./errors.js";
import { isStage } from "./people.js";
import * as pb from "./poll-board.js";
import { PollForm } from "./poll-form.js";

/** @typedef {import("../protocol.js").RoomClient} RoomClient */
/** @typedef {import("../protocol-types.js").Person} Person */
/** @typedef {import("../protocol-types.js").Snapshot} Snapshot */
/** @typedef {import("../protocol-types.js").RoomEvent} RoomEvent */
/** @typedef {import("../protocol-types.js").Poll} Poll */
/** @typedef {import("../protocol-types.js").PollAnswer} PollAnswer */
/** @typedef {import("../protocol-types.js").ErrorFrame} ErrorFrame */

const STATE_TEXT = { draft: "Draft", live: "Live", closed: "Closed" };

/** @param {number} n */
function people(n) {
  return n === 1 ? "1 person answered" : `${n} people answered`;
}

export class PollsPanel {
  /** @type {Person | null} */
  me = null;
  /** @type {pb.Polls} */
  polls = new Map();
  /** @type {Set<number>} polls whose answer the person is changing */
  changing = new Set();
  /** @type {Map<number, PollAnswer>} choices made but not sent yet, kept across redraws */
  choices = new Map();
  /** @type {Map<number, string>} */
  errors = new Map();
  /** @type {Map<number, {poll: Poll, sig: string, card: HTMLElement}>} */
  cards = new Map();
  scheduled = false;

  /**
   * @param {HTMLElement} root the panel's section
   * @param {RoomClient} client
   */
  constructor(root, client) {
    this.root = root;
    this.client = client;
    this.form = new PollForm(root, client);
    this.news = part(root, "polls-news", HTMLElement);
    this.score = part(root, "quiz-score", HTMLElement);
    this.empty = part(root, "polls-empty", HTMLElement);
    this.lists = {
      live: part(root, "polls-live", HTMLElement),
      drafts: part(root, "polls-drafts", HTMLElement),
      closed: part(root, "polls-closed", HTMLElement),
    };
    this.boxes = {
      live: part(root, "polls-live-box", HTMLElement),
      drafts: part(root, "polls-drafts-box", HTMLElement),
      closed: part(root, "polls-closed-box", HTMLElement),
    };
    root.addEventListener("click", (event) => this.#onClick(event));
    root.addEventListener("submit", (event) => this.#onSubmit(event));
    root.addEventListener("change", (event) => this.#onChoice(event));
    root.addEventListener("input", (event) => this.#onChoice(event));
  }

  // ---- From the room -----------------------------------------------------------------------

  /** @param {Snapshot} snapshot */
  showSnapshot(snapshot) {
    this.me = snapshot.you;
    this.polls = pb.pollsFromSnapshot(snapshot.polls);
    this.cards.clear();
    this.changing.clear();
    this.errors.clear();
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
    const next = pb.applyPollEvent(this.polls, event);
    if (next === this.polls) return;
    this.polls = next;
    this.#announce(event);
    this.#schedule();
  }

  /** @param {RoomEvent} event */
  #announce(event) {
    const id = event.type === "poll.launched" ? event.poll.id : "id" in event ? event.id : null;
    const poll = typeof id === "number" ? this.polls.get(id) : undefined;
    if (!poll) return;
    if (event.type === "poll.launched") this.news.textContent = `New poll: ${poll.question}`;
    else if (event.type === "poll.closed") this.news.textContent = `Poll closed: ${poll.question}`;
    else if (event.type === "poll.revealed" && poll.state !== "draft") {
      this.news.textContent = `Results shown: ${poll.question}`;
    }
  }

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
    const stage = isStage(this.me?.role);
    this.form.show(stage);
    const parts = pb.pollSections(this.polls);
    if (!stage) parts.drafts = [];
    keepFocus(this.root, () => {
      for (const name of /** @type {const} */ (["live", "drafts", "closed"])) {
        const cards = parts[name].map((poll) => this.#card(poll));
        const list = this.lists[name];
        const same = cards.length === list.children.length && cards.every((c, i) => list.children[i] === c);
        if (!same) list.replaceChildren(...cards);
        this.boxes[name].hidden = cards.length === 0;
      }
    });
    this.empty.hidden = parts.live.length + parts.drafts.length + parts.closed.length > 0;
    const { score, quizzes } = pb.quizScore(this.polls);
    this.score.hidden = quizzes === 0;
    this.score.textContent = `Your quiz score: ${score}`;
    for (const id of this.cards.keys()) if (!this.polls.has(id)) this.cards.delete(id);
  }

  /** @param {Poll} poll */
  #card(poll) {
    const sig = [this.me?.role, this.changing.has(poll.id), this.errors.get(poll.id) ?? ""].join("|");
    const cached = this.cards.get(poll.id);
    if (cached && cached.poll === poll && cached.sig === sig) return cached.card;
    const titleId = `poll-title-${poll.id}`;
    const card = h("article", {
      className: `poll state-${poll.state}`,
      attrs: { id: `poll-${poll.id}`, "aria-labelledby": titleId, tabindex: "-1" },
    });
    const meta = [pb.KIND_LABELS[poll.kind], STATE_TEXT[poll.state]];
    if (poll.anonymous) meta.push("Anonymous");
    if (poll.changeable) meta.push("Answers can change");
    card.append(
      h("h4", { className: "poll-question", text: poll.question, attrs: { id: titleId } }),
      h("p", { className: "meta", text: meta.join(" · ") }),
      ...this.#answerPart(poll),
      ...this.#results(poll),
    );
    const error = this.errors.get(poll.id);
    card.append(h("p", { className: "error poll-error", text: error ?? "", attrs: { role: "alert" } }));
    if (isStage(this.me?.role)) card.append(this.#stageButtons(poll));
    this.cards.set(poll.id, { poll, sig, card });
    return card;
  }

  /**
   * What the viewer answered, the form to answer, or why they cannot.
   * @param {Poll} poll
   * @returns {HTMLElement[]}
   */
  #answerPart(poll) {
    if (poll.state === "draft") return [h("p", { className: "meta", text: "Not shown to the room until launched." })];
    const out = [];
    const answered = poll.mine != null;
    if (poll.state === "live" && (!answered || this.changing.has(poll.id)) && pb.answerable(poll)) {
      out.push(this.#answerForm(poll));
    } else if (answered) {
      const mine = h("p", { className: "poll-mine" }, [
        h("strong", { text: "Your answer: " }),
        pb.describeAnswer(poll, /** @type {PollAnswer} */ (poll.mine)),
      ]);
      if (poll.state === "live" && poll.changeable) mine.append(" ", this.#button("change", poll, "Change answer", true));
      out.push(mine);
    }
    if (poll.state === "closed") {
      out.push(h("p", { className: "poll-closed", text: answered ? "This poll is closed." : "This poll is closed: you did not answer." }));
    }
    const outcome = pb.quizOutcome(poll);
    if (poll.kind === "quiz" && poll.correct != null && (poll.state === "closed" && poll.revealed)) {
      out.push(h("p", { className: "poll-correct", text: `Correct answer: ${pb.describeAnswer(poll, poll.correct)}` }));
      if (outcome !== null) {
        out.push(h("p", { className: `quiz-outcome ${outcome ? "right" : "wrong"}`, text: outcome ? "You got it right." : "Not this time." }));
      }
    }
    return out;
  }

  /** @param {Poll} poll */
  #answerForm(poll) {
    const id = poll.id;
    const chosen = this.choices.get(id) ?? poll.mine;
    const form = h("form", { className: "poll-answer" });
    form.dataset.poll = String(id);
    const keep = this.changing.has(id) ? [this.#button("keep", poll, "Keep my answer", true)] : [];
    if (poll.kind === "rating") {
      const group = h("div", { className: "rating-row", attrs: { role: "group", "aria-label": `Your rating for: ${poll.question}` } });
      for (const rating of pb.RATINGS) {
        const button = this.#button("rate", poll, String(rating), chosen !== rating);
        button.dataset.value = String(rating);
        button.dataset.key = `rate:${id}:${rating}`;
        button.setAttribute("aria-label", `${rating} out of 5`);
        button.setAttribute("aria-pressed", String(chosen === rating));
        group.append(button);
      }
      form.append(group, ...keep);
      return form;
    }
    if (poll.kind === "word_cloud") {
      const fieldId = `poll-word-${id}`;
      const input = h("input", { attrs: { id: fieldId, type: "text", maxlength: String(pb.MAX_WORD), required: "" } });
      input.value = typeof chosen === "string" ? chosen : "";
      input.dataset.key = `word:${id}`;
      form.append(
        h("label", { text: "Your word or phrase", attrs: { for: fieldId } }),
        h("div", { className: "word-row" }, [
          input,
          h("button", { className: "small", text: "Send", attrs: { type: "submit" } }),
          ...keep,
        ]),
      );
      return form;
    }
    const multiple = poll.kind === "multiple";
    const fieldset = h("fieldset", {}, [h("legend", { text: multiple ? "Your answer (choose any)" : "Your answer" })]);
    poll.options.forEach((option, i) => {
      const input = h("input", { attrs: { type: multiple ? "checkbox" : "radio", name: `poll-${id}`, value: String(i) } });
      input.checked = Array.isArray(chosen) ? chosen.includes(i) : chosen === i;
      input.dataset.key = `choice:${id}:${i}`;
      fieldset.append(h("label", { className: "check poll-choice" }, [input, ` ${option}`]));
    });
    const submit = h("button", { className: "small", text: "Submit answer", attrs: { type: "submit" } });
    form.append(fieldset, h("div", { className: "inline-buttons" }, [submit, ...keep]));
    return form;
  }

  /**
   * @param {Poll} poll
   * @returns {HTMLElement[]}
   */
  #results(poll) {
    if (!poll.results) return [];
    const results = poll.results;
    const box = h("div", { className: "poll-results", attrs: { role: "group", "aria-label": `Results: ${poll.question}` } });
    box.append(h("p", { className: "poll-voters", text: people(results.voters) }));
    if (!poll.revealed && isStage(this.me?.role)) {
      box.append(h("p", { className: "meta", text: "Only the stage sees these until they are revealed." }));
    }
    if (poll.kind === "rating" && results.average != null) {
      box.append(h("p", { className: "poll-average", text: `Average: ${results.average.toFixed(1)} of 5` }));
    }
    const rows = pb.resultRows(poll);
    if (poll.kind === "word_cloud") {
      if (!rows.length) box.append(h("p", { className: "meta", text: "No words yet." }));
      const words = h("ul", { className: "word-cloud", attrs: { "aria-label": "Words" } });
      for (const row of rows) {
        const li = h("li", { className: `word size-${Math.min(4, 1 + Math.floor(row.share * 4))}` }, [
          h("span", { className: "word-text", text: row.label }),
          " ",
          h("span", { className: "result-count", text: `(${row.count})` }),
        ]);
        words.append(li);
      }
      if (rows.length) box.append(words);
      return [box];
    }
    const list = h("ul", { className: "result-rows" });
    for (const row of rows) {
      const fill = h("span", { className: "result-fill" });
      fill.style.width = `${Math.round(row.share * 100)}%`;
      const li = h("li", { className: `result-row${row.correct ? " correct" : ""}` }, [
        h("span", { className: "result-label", text: poll.kind === "rating" ? `${row.label} of 5` : row.label }),
        h("span", { className: "result-bar", attrs: { "aria-hidden": "true" } }, [fill]),
        h("span", { className: "result-count", text: `${row.count} (${Math.round(row.share * 100)}%)` }),
      ]);
      if (row.correct) li.append(h("span", { className: "badge correct", text: "Correct" }));
      list.append(li);
    }
    box.append(list);
    return [box];
  }

  /** @param {Poll} poll */
  #stageButtons(poll) {
    const row = h("div", { className: "poll-stage", attrs: { role: "group", "aria-label": "Run this poll" } });
    if (poll.state === "draft") row.append(this.#button("launch", poll, "Launch", false));
    if (poll.state === "live") row.append(this.#button("close", poll, "Close", true));
    if (!poll.revealed) row.append(this.#button("reveal", poll, "Reveal results", true));
    return row;
  }

  /**
   * @param {string} action
   * @param {Poll} poll
   * @param {string} text
   * @param {boolean} quiet
   */
  #button(action, poll, text, quiet) {
    const button = h("button", {
      className: `${quiet ? "secondary " : ""}small`,
      text,
      attrs: { type: "button", "aria-describedby": `poll-title-${poll.id}` },
    });
    button.dataset.action = action;
    button.dataset.poll = String(poll.id);
    button.dataset.key = `${action}:${poll.id}`;
    return button;
  }

  // ---- From the person ---------------------------------------------------------------------

  /** @param {MouseEvent} event */
  #onClick(event) {
    const button = /** @type {Element} */ (event.target).closest("button[data-action]");
    if (!(button instanceof HTMLButtonElement)) return;
    const id = Number(button.dataset.poll);
    const poll = this.polls.get(id);
    if (!poll) return;
    const action = button.dataset.action;
    if (action === "change") {
      this.changing.add(id);
      this.render();
      const first = this.root.querySelector(`#poll-${id} form.poll-answer :is(input, button)`);
      if (first instanceof HTMLElement) first.focus();
    } else if (action === "keep") {
      this.changing.delete(id);
      this.choices.delete(id);
      this.render();
      const change = this.root.querySelector(`[data-key="change:${id}"]`);
      if (change instanceof HTMLElement) change.focus();
    } else if (action === "rate") {
      this.#answer(poll, Number(button.dataset.value));
    } else if (action === "launch" || action === "close" || action === "reveal") {
      this.#clearError(id);
      ops.pollStep(this.client, `poll.${action}`, id).catch((error) => this.#setError(id, describeError(error)));
    }
  }

  /** @param {SubmitEvent} event */
  #onSubmit(event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains("poll-answer")) return;
    event.preventDefault();
    const poll = this.polls.get(Number(form.dataset.poll));
    if (!poll) return;
    if (poll.kind === "word_cloud") {
      const input = form.querySelector("input");
      const word = pb.cleanWord(input?.value ?? "");
      if (word === null) this.#setError(poll.id, `Write 1 to ${pb.MAX_WORD} characters.`);
      else this.#answer(poll, word);
      return;
    }
    const picked = [...form.querySelectorAll("input:checked")].map((input) => Number(/** @type {HTMLInputElement} */ (input).value));
    if (!picked.length) this.#setError(poll.id, poll.kind === "multiple" ? "Choose at least one option." : "Choose an option.");
    else this.#answer(poll, poll.kind === "multiple" ? picked : picked[0]);
  }

  // What is picked but not sent yet survives the card being redrawn (results arriving).
  /** @param {Event} event */
  #onChoice(event) {
    const input = event.target;
    if (!(input instanceof HTMLInputElement)) return;
    const form = input.closest("form.poll-answer");
    if (!(form instanceof HTMLFormElement)) return;
    const id = Number(form.dataset.poll);
    if (input.type === "text") {
      this.choices.set(id, input.value);
    } else {
      const picked = [...form.querySelectorAll("input:checked")].map((i) => Number(/** @type {HTMLInputElement} */ (i).value));
      if (input.type === "checkbox") this.choices.set(id, picked);
      else if (picked.length) this.choices.set(id, picked[0]);
    }
  }

  /**
   * @param {Poll} poll
   * @param {PollAnswer} answer
   */
  #answer(poll, answer) {
    const id = poll.id;
    this.#clearError(id);
    ops.answerPoll(this.client, id, answer).then(
      (ack) => {
        this.changing.delete(id);
        this.choices.delete(id);
        this.polls = pb.noteAnswer(this.polls, id, ack.mine ?? answer);
        this.#schedule();
      },
      (/** @type {ErrorFrame} */ error) => {
        const closed = error?.code === "poll_closed";
        this.#setError(id, closed ? "This poll is closed: your answer was not counted." : describeError(error));
      },
    );
  }

  /**
   * @param {number} id
   * @param {string} message
   */
  #setError(id, message) {
    this.errors.set(id, message);
    this.#schedule();
  }

  /** @param {number} id */
  #clearError(id) {
    if (this.errors.delete(id)) this.#schedule();
  }
}
