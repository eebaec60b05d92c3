// Muted by a moderator: say until when, in the panels where one writes, and disable their
// inputs until then. The mute lifts by itself at its time (the server sends no event).

import { muteNotice } from "./mute.js";

/** @typedef {HTMLTextAreaElement | HTMLInputElement | HTMLButtonElement | HTMLSelectElement} Control */

export class MutedNotice {
  /** @type {number | null} */
  until = null;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  timer = undefined;

  /**
   * @param {HTMLElement[]} notices where the notice is written
   * @param {Control[]} controls what is disabled while muted
   */
  constructor(notices, controls) {
    this.notices = notices;
    this.controls = controls;
  }

  /** @param {number | null} until ms since the epoch, or null when not muted */
  show(until) {
    if (until === this.until) return;
    this.until = until;
    clearTimeout(this.timer);
    const muted = until !== null && until > Date.now();
    for (const notice of this.notices) {
      notice.textContent = muted && until !== null ? muteNotice(until) : "";
      notice.hidden = !muted;
    }
    for (const control of this.controls) control.disabled = muted;
    if (muted && until !== null) {
      // Timers are clamped to about 24.8 days; a mute lasts a day at most.
      this.timer = setTimeout(() => this.show(null), until - Date.now() + 100);
    } else {
      this.until = null;
    }
  }
}
