// Raised hands: your own toggle, the queue in the order hands went up, and for hosts,
// co-hosts and moderators "Lower" per person and "Call on next".

import { h, part } from "./dom.js";
import { describeError } from "./errors.js";
import { isStaff } from "./people.js";

/** @typedef {import("../protocol.js").RoomClient} RoomClient */
/** @typedef {import("../protocol-types.js").Person} Person */
/** @typedef {import("../protocol-types.js").RoomEvent} RoomEvent */

/** @param {number} n */
function ordinal(n) {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${{ 1: "st", 2: "nd", 3: "rd" }[n % 10] ?? "th"}`;
}

export class HandsPanel {
  /** @type {Person | null} */
  me = null;
  /** @type {string[]} */
  queue = [];
  busy = false;

  /**
   * @param {HTMLElement} root the panel's section
   * @param {RoomClient} client
   * @param {(member: string) => string | undefined} nameOf the name of someone present
   */
  constructor(root, client, nameOf) {
    this.client = client;
    this.nameOf = nameOf;
    this.toggle = part(root, "hand-toggle", HTMLButtonElement);
    this.mine = part(root, "hand-mine", HTMLElement);
    this.list = part(root, "hands-queue", HTMLOListElement);
    this.empty = part(root, "hands-empty", HTMLElement);
    this.next = part(root, "hands-next", HTMLButtonElement);
    this.news = part(root, "hands-news", HTMLElement);
    this.error = part(root, "hands-error", HTMLElement);

    this.toggle.addEventListener("click", () => this.#toggle());
    this.next.addEventListener("click", () => this.#run(this.client.nextHand()));
    this.list.addEventListener("click", (event) => {
      const button = /** @type {HTMLElement} */ (event.target).closest("button[data-member]");
      if (button instanceof HTMLButtonElement && button.dataset.member) {
        this.#run(this.client.lowerHand(button.dataset.member));
      }
    });
  }

  /**
   * @param {string[]} hands
   * @param {Person} me
   */
  show(hands, me) {
    this.me = me;
    this.queue = [...hands];
    this.news.textContent = "";
    this.render();
  }

  /** @param {Person} me */
  setMe(me) {
    this.me = me;
    this.render();
  }

  /** @param {RoomEvent} event */
  applyEvent(event) {
    if (event.type !== "hand.raised" && event.type !== "hand.lowered" && event.type !== "hand.called") return;
    this.queue = [...event.hands];
    if (event.type === "hand.called") {
      const caller = this.#name(event.by);
      this.news.textContent =
        event.member === this.me?.id
          ? `${caller} called on you: go ahead!`
          : `${caller} called on ${this.#name(event.member)}.`;
      this.news.classList.toggle("called-you", event.member === this.me?.id);
    } else if (event.type === "hand.lowered" && event.member === this.me?.id && event.by !== this.me.id) {
      this.news.textContent = `${this.#name(event.by)} lowered your hand.`;
      this.news.classList.remove("called-you");
    }
    this.render();
  }

  /** Redraw from the queue (also when names may have changed). */
  render() {
    const me = this.me;
    const staff = isStaff(me?.role);
    const position = me ? this.queue.indexOf(me.id) : -1;
    this.toggle.setAttribute("aria-pressed", String(position !== -1));
    this.mine.textContent =
      position === -1 ? "" : `Your hand is raised: ${ordinal(position + 1)} of ${this.queue.length}.`;
    this.list.replaceChildren(
      ...this.queue.map((member) => {
        const name = this.#name(member);
        const li = h("li", { className: "hand" }, [h("span", { text: name })]);
        if (member === me?.id) li.append(" ", h("span", { className: "meta", text: "(you)" }));
        if (staff) {
          const lower = h("button", {
            className: "secondary small",
            text: "Lower",
            attrs: { type: "button", "aria-label": `Lower ${name}'s hand` },
          });
          lower.dataset.member = member;
          li.append(" ", lower);
        }
        return li;
      }),
    );
    this.empty.hidden = this.queue.length > 0;
    this.next.hidden = !staff;
    this.next.disabled = this.queue.length === 0;
  }

  /** @param {string} member */
  #name(member) {
    if (member === this.me?.id) return this.me.name;
    return this.nameOf(member) ?? "Someone who left";
  }

  #toggle() {
    if (this.busy || !this.me) return;
    const raised = this.queue.includes(this.me.id);
    this.#run(raised ? this.client.lowerHand() : this.client.raiseHand());
  }

  /** @param {Promise<unknown>} command */
  #run(command) {
    this.busy = true;
    this.error.textContent = "";
    command
      .catch((error) => {
        this.error.textContent = describeError(error);
      })
      .finally(() => {
        this.busy = false;
      });
  }
}
