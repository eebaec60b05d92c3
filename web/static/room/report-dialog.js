// Reporting: a "Report" button on what others wrote (chat.js, qa.js) and in the people list
// opens one modal <dialog> (focus stays in it, Escape closes it) that asks why and sends
// `report`. The reporter hears when a moderator handled it.

import { h, part } from "./dom.js";
import { describeError } from "./errors.js";
import * as ops from "../moderation-ops.js";

/** @typedef {import("../protocol.js").RoomClient} RoomClient */
/** @typedef {import("../protocol-types.js").RoomEvent} RoomEvent */
/** @typedef {import("../moderation-ops.js").ReportTarget} ReportTarget */

/**
 * A "Report" button for `reportButton`'s listener: what it reports travels in data-*.
 * @param {"message" | "question" | "person"} kind a person may also be reported for their name
 * @param {number | string} item the message or question id, or the member id
 * @param {string} label what the button says to a screen reader, e.g. "Report Linus's message"
 * @param {string} subject what the dialog says is reported, e.g. "Linus: I hate this"
 */
export function reportButton(kind, item, label, subject) {
  const button = h("button", { className: "link report", text: "Report", attrs: { type: "button", "aria-label": label } });
  button.dataset.report = kind;
  button.dataset.item = String(item);
  button.dataset.subject = subject;
  button.dataset.key = `report:${kind}:${item}`;
  return button;
}

export class ReportDialog {
  /** @type {{kind: "message" | "question" | "person", item: string} | null} */
  target = null;
  /** @type {HTMLElement | null} */
  opener = null;
  /** @type {Set<number>} the reports this page filed */
  mine = new Set();
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  newsTimer = undefined;

  /**
   * @param {HTMLElement} root the room: Report buttons anywhere in it open the dialog
   * @param {RoomClient} client
   */
  constructor(root, client) {
    this.client = client;
    this.dialog = part(root, "report-dialog", HTMLDialogElement);
    this.form = part(root, "report-form", HTMLFormElement);
    this.subject = part(root, "report-subject", HTMLElement);
    this.kindBox = part(root, "report-kind-box", HTMLElement);
    this.reason = part(root, "report-reason", HTMLTextAreaElement);
    this.error = part(root, "report-error", HTMLElement);
    this.send = part(root, "report-send", HTMLButtonElement);
    this.news = part(root, "safety-news", HTMLElement);

    root.addEventListener("click", (event) => {
      const button = /** @type {Element} */ (event.target).closest("button[data-report]");
      if (button instanceof HTMLButtonElement) this.open(button);
    });
    part(root, "report-cancel", HTMLButtonElement).addEventListener("click", () => this.dialog.close());
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#submit();
    });
    this.dialog.addEventListener("close", () => {
      this.target = null;
      if (this.opener?.isConnected) this.opener.focus();
      this.opener = null;
    });
  }

  /** @param {HTMLButtonElement} button */
  open(button) {
    const kind = /** @type {"message" | "question" | "person"} */ (button.dataset.report);
    this.target = { kind, item: button.dataset.item ?? "" };
    this.opener = button;
    this.subject.textContent = button.dataset.subject ?? "";
    this.kindBox.hidden = kind !== "person";
    const behaviour = this.form.querySelector("input[name=report-kind][value=person]");
    if (behaviour instanceof HTMLInputElement) behaviour.checked = true;
    this.reason.value = "";
    this.error.textContent = "";
    this.send.disabled = false;
    this.dialog.showModal();
    this.reason.focus();
  }

  /** @param {RoomEvent} event */
  applyEvent(event) {
    if (event.type === "report.handled" && this.mine.delete(event.id)) {
      this.#say("A moderator handled your report. Thank you for helping keep this room safe.");
    }
  }

  /** @param {string} text said, then cleared after a while */
  #say(text) {
    clearTimeout(this.newsTimer);
    this.news.textContent = text;
    this.newsTimer = setTimeout(() => {
      this.news.textContent = "";
    }, 15_000);
  }

  #submit() {
    const target = this.target;
    const reason = this.reason.value.trim();
    if (!target) return;
    if (!reason) {
      this.error.textContent = "Say what is wrong, in a few words.";
      this.reason.focus();
      return;
    }
    /** @type {ReportTarget} */
    let about;
    if (target.kind === "person") {
      const picked = this.form.querySelector("input[name=report-kind]:checked");
      const kind = picked instanceof HTMLInputElement && picked.value === "name" ? "name" : "person";
      about = { kind, member: target.item };
    } else {
      about = { kind: target.kind, id: Number(target.item) };
    }
    this.send.disabled = true;
    this.error.textContent = "";
    ops.report(this.client, about, reason).then(
      (ack) => {
        if (typeof ack.id === "number") this.mine.add(ack.id);
        this.dialog.close();
        this.#say("Report sent. Only the moderators see it; the person you reported is not told who sent it.");
      },
      (error) => {
        this.send.disabled = false;
        this.error.textContent = describeError(error);
        this.reason.focus(); // the disabled Send button let go of it
      },
    );
  }
}

