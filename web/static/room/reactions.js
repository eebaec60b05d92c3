// Reactions: a row of buttons, and what the room sent back in the last second shown as a
// short floating burst and a count. With prefers-reduced-motion, only the count.

import { h } from "./dom.js";
import { describeError } from "./errors.js";

/** @typedef {import("../protocol.js").RoomClient} RoomClient */
/** @typedef {import("../protocol-types.js").Reaction} Reaction */

/** @type {{id: Reaction, emoji: string, label: string}[]} */
export const REACTIONS = [
  { id: "clap", emoji: "👏", label: "Clap" },
  { id: "heart", emoji: "❤️", label: "Heart" },
  { id: "laugh", emoji: "😄", label: "Laugh" },
  { id: "wow", emoji: "😮", label: "Wow" },
  { id: "thumbs_up", emoji: "👍", label: "Thumbs up" },
  { id: "question", emoji: "❓", label: "Question" },
];

// A thousand claps in a second still float only a handful of hands.
const MAX_FLOATING = 6;
const COUNT_SHOWN_MS = 3000;
const FLOAT_MS = 2000;

const compact = new Intl.NumberFormat(undefined, { notation: "compact" });

export class ReactionsPanel {
  /** @type {Map<string, {count: HTMLElement, timer?: ReturnType<typeof setTimeout>}>} */
  shown = new Map();

  /**
   * @param {HTMLElement} root the panel's section
   * @param {RoomClient} client
   */
  constructor(root, client) {
    this.client = client;
    this.row = /** @type {HTMLElement} */ (root.querySelector(".reaction-row"));
    this.burst = /** @type {HTMLElement} */ (root.querySelector(".reaction-burst"));
    this.error = root.querySelector(".error");
    this.reducedMotion = globalThis.matchMedia?.("(prefers-reduced-motion: reduce)");
    for (const reaction of REACTIONS) {
      const count = h("span", { className: "reaction-count", attrs: { "aria-hidden": "true" } });
      const button = h(
        "button",
        { className: "reaction", attrs: { type: "button", "aria-label": reaction.label, title: reaction.label } },
        [h("span", { className: "reaction-emoji", text: reaction.emoji, attrs: { "aria-hidden": "true" } }), count],
      );
      // Too fast (over 5 a second) or offline: a reaction that did not go is not worth a
      // word. Muted is: the person should know why nothing happens.
      button.addEventListener("click", () => {
        this.client.react(reaction.id).then(
          () => this.#say(""),
          (error) => this.#say(error?.code === "muted" ? describeError(error) : ""),
        );
      });
      this.row.append(button);
      this.shown.set(reaction.id, { count });
    }
  }

  /** @param {string} text */
  #say(text) {
    if (this.error) this.error.textContent = text;
  }

  /** @param {Partial<Record<string, number>>} counts */
  show(counts) {
    for (const reaction of REACTIONS) {
      const n = counts[reaction.id];
      if (typeof n !== "number" || n <= 0) continue;
      this.#count(reaction.id, n);
      if (!this.reducedMotion?.matches) this.#float(reaction.emoji, n);
    }
  }

  /**
   * @param {string} id
   * @param {number} n
   */
  #count(id, n) {
    const entry = this.shown.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    entry.count.textContent = `+${compact.format(n)}`;
    entry.count.classList.add("visible");
    entry.timer = setTimeout(() => {
      entry.count.classList.remove("visible");
      entry.count.textContent = "";
    }, COUNT_SHOWN_MS);
  }

  /**
   * @param {string} emoji
   * @param {number} n
   */
  #float(emoji, n) {
    for (let i = 0; i < Math.min(n, MAX_FLOATING); i++) {
      const bubble = h("span", { className: "floating", text: emoji });
      // Set through the CSSOM, which the page's style-src policy allows.
      bubble.style.left = `${5 + Math.random() * 85}%`;
      bubble.style.animationDelay = `${Math.round(Math.random() * 400)}ms`;
      this.burst.append(bubble);
      const done = () => bubble.remove();
      bubble.addEventListener("animationend", done, { once: true });
      setTimeout(done, FLOAT_MS + 600);
    }
  }
}
