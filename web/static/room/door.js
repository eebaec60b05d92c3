// The room's door: what the page says while it is not in the room. The community's
// guidelines to accept before a first join (fetched from the communities API and shown as
// text), the waiting room, and why the room refused or sent the person away.

import { part } from "./dom.js";
import { describeError } from "./errors.js";

/** @typedef {import("../protocol.js").RoomClient} RoomClient */
/** @typedef {import("../protocol.js").Status} Status */

/**
 * @typedef {object} Notice
 * @property {string} text
 * @property {"join" | "retry" | null} button "Join again" after a removal or a lost
 *   connection, "Try again" after a refusal that may pass later, none when coming back is
 *   refused.
 */

/**
 * What the status banner says once the client stopped, by why it stopped: pure.
 * @param {string} reason the client's words
 * @param {string} code the StatusCode
 * @returns {Notice}
 */
export function closedNotice(reason, code) {
  switch (code) {
    case "removed":
      return { text: "A moderator removed you from this room. You may join again.", button: "join" };
    case "banned":
      return { text: "You are banned from this community: you cannot join its rooms.", button: null };
    case "room_locked":
      return { text: "This room is locked: no one new can join right now. Try again later.", button: "retry" };
    case "session_ended":
      return { text: "Your session ended. Sign in again to rejoin.", button: null };
    case "forbidden":
      return { text: reason || "You may not join this room.", button: null };
    default:
      return { text: `Disconnected: ${reason || "the connection closed"}`, button: "join" };
  }
}

export class Door {
  /** @type {string | null} */
  guidelines = null;
  /** @type {Status | null} */
  shown = null;

  /**
   * @param {HTMLElement} root the room
   * @param {RoomClient} client
   * @param {string} community the community's slug
   */
  constructor(root, client, community) {
    this.client = client;
    this.community = community;
    this.section = part(root, "room-door", HTMLElement);
    this.title = part(root, "door-title", HTMLElement);
    this.guidelinesBox = part(root, "door-guidelines", HTMLElement);
    this.guidelinesText = part(root, "door-guidelines-text", HTMLElement);
    this.waitingBox = part(root, "door-waiting", HTMLElement);
    this.accept = part(root, "door-accept", HTMLButtonElement);
    this.error = part(root, "door-error", HTMLElement);
    this.accept.addEventListener("click", () => this.#accept());
  }

  /**
   * Show the door for this status, or hide it (live, closed, reconnecting).
   * @param {Status} status
   * @returns {boolean} whether the door is showing (then the room itself is not)
   */
  show(status) {
    const held = status === "held";
    const waiting = status === "waiting";
    const was = this.shown;
    this.shown = status;
    this.section.hidden = !(held || waiting);
    this.guidelinesBox.hidden = !held;
    this.waitingBox.hidden = !waiting;
    if (held) {
      this.title.textContent = "Community guidelines";
      this.accept.disabled = false;
      this.error.textContent = "";
      if (this.guidelines === null) void this.#load();
    } else if (waiting) {
      this.title.textContent = "Waiting room";
    }
    if ((held || waiting) && was !== status) this.title.focus();
    return held || waiting;
  }

  async #load() {
    this.guidelinesText.textContent = "Loading the guidelines…";
    try {
      const response = await fetch(`/api/communities/${encodeURIComponent(this.community)}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const body = await response.json();
      this.guidelines = typeof body.guidelines === "string" ? body.guidelines : "";
      // Written in Markdown; shown as the text it is (the guidelines page renders it).
      this.guidelinesText.textContent = this.guidelines;
    } catch {
      this.guidelinesText.textContent = "The guidelines could not be loaded here: read them on the guidelines page.";
    }
  }

  #accept() {
    this.accept.disabled = true;
    this.error.textContent = "";
    this.client.acceptGuidelines().then(
      // Joining follows by itself; should the guidelines have changed meanwhile, the room
      // refuses again and this button must work again.
      () => {
        this.accept.disabled = false;
      },
      (error) => {
        this.accept.disabled = false;
        this.error.textContent = describeError(error);
      },
    );
  }
}
