// The moderation panel, for the room's staff (hosts, co-hosts, moderators): the door (lock,
// waiting room, who waits, admit), slow mode, the community's open reports with Dismiss and
// Mark handled, and the room's deleted messages with Restore. Actions on one person are in
// the people list (person-actions.js); Delete is on each chat message (chat.js). A report of
// a message the chat shows also offers to delete it and to mute its author, right there.

// How long "Mute the author" from a report lasts; the people list offers other lengths.
const REPORT_MUTE_MINUTES = 10;

import { h, keepFocus, part } from "./dom.js";
import { describeError, duration } from "./errors.js";
import { clockTime } from "./mute.js";
import { isStaff } from "./people.js";
import { mayModerate } from "./person-actions.js";
import * as reports from "./reports-board.js";
import * as ops from "../moderation-ops.js";

/** @typedef {import("../protocol.js").RoomClient} RoomClient */
/** @typedef {import("../protocol-types.js").Person} Person */
/** @typedef {import("../protocol-types.js").Snapshot} Snapshot */
/** @typedef {import("../protocol-types.js").RoomEvent} RoomEvent */
/** @typedef {import("../protocol-types.js").ChatMessage} ChatMessage */
/** @typedef {import("../moderation-ops.js").Waiting} Waiting */
/** @typedef {import("../moderation-ops.js").Report} Report */

/** @param {string} iso */
function clock(iso) {
  const when = Date.parse(iso);
  return Number.isNaN(when) ? "" : clockTime(when);
}

export class ModerationPanel {
  /** @type {Person | null} */
  me = null;
  /** @type {number | undefined} the room this page is in, from the snapshot */
  room = undefined;
  board = reports.emptyReports();
  /** @type {Waiting[]} */
  waiting = [];
  /** @type {(ChatMessage & {deleted_at?: string})[]} */
  deleted = [];
  locked = false;
  waitingRoom = false;
  slowMode = 0;

  /**
   * @param {HTMLElement} root the panel's section
   * @param {RoomClient} client
   * @param {(member: string) => string | undefined} nameOf the name of someone present
   * @param {(id: number) => ChatMessage | undefined} messageOf a message the chat shows
   */
  constructor(root, client, nameOf, messageOf) {
    this.root = root;
    this.client = client;
    this.nameOf = nameOf;
    this.messageOf = messageOf;
    this.news = part(root, "mod-news", HTMLElement);
    this.lock = part(root, "mod-lock", HTMLInputElement);
    this.waitingToggle = part(root, "mod-waiting-room", HTMLInputElement);
    this.slowSelect = part(root, "mod-slow-select", HTMLSelectElement);
    this.waitingCount = part(root, "mod-waiting-count", HTMLElement);
    this.waitingList = part(root, "mod-waiting", HTMLUListElement);
    this.waitingEmpty = part(root, "mod-waiting-empty", HTMLElement);
    this.admitAll = part(root, "mod-admit-all", HTMLButtonElement);
    this.reportsCount = part(root, "mod-reports-count", HTMLElement);
    this.reportsList = part(root, "mod-reports", HTMLOListElement);
    this.reportsEmpty = part(root, "mod-reports-empty", HTMLElement);
    this.deletedBox = part(root, "mod-deleted-box", HTMLDetailsElement);
    this.deletedList = part(root, "mod-deleted", HTMLOListElement);
    this.deletedEmpty = part(root, "mod-deleted-empty", HTMLElement);
    this.error = part(root, "mod-error", HTMLElement);

    this.lock.addEventListener("change", () => this.#door("locked", this.lock));
    this.waitingToggle.addEventListener("change", () => this.#door("waiting_room", this.waitingToggle));
    this.slowSelect.addEventListener("change", () => this.#slowMode());
    this.admitAll.addEventListener("click", () => this.#run(ops.admit(this.client)));
    this.deletedBox.addEventListener("toggle", () => {
      if (this.deletedBox.open) this.#loadDeleted();
    });
    root.addEventListener("click", (event) => this.#onClick(event));
  }

  get staff() {
    return isStaff(this.me?.role);
  }

  // ---- From the room -----------------------------------------------------------------------

  /** @param {Snapshot} snapshot */
  showSnapshot(snapshot) {
    this.me = snapshot.you;
    this.room = snapshot.room;
    this.locked = Boolean(snapshot.state?.locked);
    this.waitingRoom = Boolean(snapshot.state?.waiting_room);
    this.slowMode = snapshot.state?.slow_mode ?? 0;
    this.waiting = [...(snapshot.waiting ?? [])];
    this.#refresh();
  }

  /** @param {Person} me */
  setMe(me) {
    const was = this.staff;
    this.me = me;
    if (this.staff !== was) this.#refresh();
  }

  /** @param {RoomEvent} event */
  applyEvent(event) {
    switch (event.type) {
      case "report.filed":
      case "report.handled":
        this.board = reports.applyReportEvent(this.board, event);
        if (event.type === "report.filed") this.news.textContent = `New report: ${reports.reportTitle(event.report, this.room ?? 0)}.`;
        break;
      case "door.waiting":
        this.waiting = [...event.waiting];
        break;
      case "room.updated":
        if (typeof event.state?.locked === "boolean") this.locked = event.state.locked;
        if (typeof event.state?.waiting_room === "boolean") this.waitingRoom = event.state.waiting_room;
        if (typeof event.state?.slow_mode === "number") this.slowMode = event.state.slow_mode;
        break;
      case "chat.deleted":
      case "chat.restored":
        if (this.deletedBox.open) this.#loadDeleted();
        break;
      case "member.muted":
        this.news.textContent = `${this.#name(event.member)} is muted until ${clock(event.until)}.`;
        break;
      case "member.unmuted":
        this.news.textContent = `${this.#name(event.member)} is no longer muted.`;
        break;
      case "member.removed":
        this.news.textContent = `${this.#name(event.member)} was removed from the room.`;
        break;
      case "member.banned":
        this.news.textContent = `${this.#name(event.member)} was banned from the community.`;
        break;
      default:
        return;
    }
    this.render();
  }

  // A fresh view for the staff: what only a command tells (the report queue) is asked again.
  #refresh() {
    this.root.hidden = !this.staff;
    this.render();
    if (!this.staff) return;
    ops.list(this.client, "mod.reports").then(
      (ack) => {
        this.board = reports.withList(this.board, ack.reports ?? []);
        this.render();
      },
      (error) => this.#fail(error),
    );
    if (this.deletedBox.open) this.#loadDeleted();
  }

  // ---- Rendering ---------------------------------------------------------------------------

  render() {
    if (!this.staff) return;
    this.lock.checked = this.locked;
    this.waitingToggle.checked = this.waitingRoom;
    this.#showSlowMode();
    const open = reports.openReports(this.board);
    keepFocus(this.root, () => {
      this.waitingList.replaceChildren(...this.waiting.map((w) => this.#waitingItem(w)));
      this.reportsList.replaceChildren(...open.map((r) => this.#reportItem(r)));
      this.deletedList.replaceChildren(...this.deleted.map((m) => this.#deletedItem(m)));
    });
    this.waitingCount.textContent = `(${this.waiting.length})`;
    this.waitingEmpty.hidden = this.waiting.length > 0;
    this.admitAll.disabled = this.waiting.length === 0;
    this.reportsCount.textContent = `(${open.length})`;
    this.reportsEmpty.hidden = open.length > 0;
    this.deletedEmpty.hidden = this.deleted.length > 0;
  }

  #showSlowMode() {
    const value = String(this.slowMode);
    if (![...this.slowSelect.options].some((o) => o.value === value)) {
      this.slowSelect.append(h("option", { text: duration(this.slowMode), attrs: { value } }));
    }
    this.slowSelect.value = value;
  }

  /** @param {Waiting} person */
  #waitingItem(person) {
    const admit = h("button", { className: "small", text: "Admit", attrs: { type: "button", "aria-label": `Admit ${person.name}` } });
    admit.dataset.admit = person.id;
    admit.dataset.key = `admit:${person.id}`;
    return h("li", { className: "waiting-person" }, [
      h("span", { text: person.name }),
      " ",
      h("span", { className: "meta", text: `since ${clock(person.since)}` }),
      " ",
      admit,
    ]);
  }

  /** @param {Report} report */
  #reportItem(report) {
    const title = reports.reportTitle(report, this.room ?? 0);
    const li = h("li", { className: "report", attrs: { "aria-label": title } }, [
      h("p", { className: "report-title" }, [h("strong", { text: title }), " ", h("span", { className: "meta", text: clock(report.at) })]),
    ]);
    if (report.excerpt) li.append(h("p", { className: "report-excerpt", text: `“${report.excerpt}”` }));
    li.append(h("p", { className: "report-reason", text: `Reason: ${report.reason}` }));
    const here = report.room === this.room;
    const message = here && report.kind === "message" && typeof report.item === "number" ? this.messageOf(report.item) : undefined;
    const buttons = h("p", { className: "inline-buttons" });
    if (message) {
      li.append(h("p", {}, [h("a", { text: "Show the message in the chat", attrs: { href: `#msg-${message.id}` } })]));
      const author = message.author;
      buttons.append(this.#button("Delete it", `Delete the reported message from ${author.name}`, { deleteMessage: String(message.id) }), " ");
      if (mayModerate(this.me?.role, author.role, author.id === this.me?.id)) {
        const label = `Mute ${author.name} for ${REPORT_MUTE_MINUTES} minutes`;
        buttons.append(this.#button("Mute the author", label, { muteMember: author.id }), " ");
      }
    }
    for (const [outcome, text] of /** @type {const} */ ([["actioned", "Mark handled"], ["dismissed", "Dismiss"]])) {
      const button = h("button", {
        className: outcome === "actioned" ? "small" : "secondary small",
        text,
        attrs: { type: "button", "aria-label": `${text}: ${title}` },
      });
      button.dataset.resolve = outcome;
      button.dataset.reportId = String(report.id);
      button.dataset.key = `resolve:${outcome}:${report.id}`;
      buttons.append(button, " ");
    }
    li.append(buttons);
    return li;
  }

  /**
   * A quiet button whose action travels in data-*.
   * @param {string} text
   * @param {string} label
   * @param {Record<string, string>} data
   */
  #button(text, label, data) {
    const button = h("button", { className: "secondary small", text, attrs: { type: "button", "aria-label": label } });
    Object.assign(button.dataset, data);
    button.dataset.key = `${text}:${Object.values(data).join(":")}`;
    return button;
  }

  /** @param {ChatMessage & {deleted_at?: string}} message */
  #deletedItem(message) {
    const restore = h("button", {
      className: "secondary small",
      text: "Restore",
      attrs: { type: "button", "aria-label": `Restore the message from ${message.author.name}` },
    });
    restore.dataset.restore = String(message.id);
    restore.dataset.key = `restore:${message.id}`;
    return h("li", { className: "deleted-message" }, [
      h("p", {}, [h("strong", { text: message.author.name }), " ", h("span", { className: "meta", text: clock(message.at) })]),
      h("p", { className: "message-body", text: message.body }),
      h("p", {}, [restore]),
    ]);
  }

  /** @param {string} member */
  #name(member) {
    return this.nameOf(member) ?? "Someone who left";
  }

  // ---- From the staff ----------------------------------------------------------------------

  /** @param {MouseEvent} event */
  #onClick(event) {
    const button = /** @type {Element} */ (event.target).closest("button");
    if (!(button instanceof HTMLButtonElement)) return;
    const { admit, resolve, reportId, restore, deleteMessage, muteMember } = button.dataset;
    if (admit) {
      this.#run(ops.admit(this.client, admit));
    } else if (deleteMessage) {
      if (confirm("Delete this message for everyone?")) this.#run(this.client.deleteChat(Number(deleteMessage)));
    } else if (muteMember) {
      this.#run(ops.mute(this.client, muteMember, REPORT_MUTE_MINUTES));
    } else if (resolve && reportId) {
      const id = Number(reportId);
      const outcome = resolve === "actioned" ? "actioned" : "dismissed";
      this.#run(
        ops.resolveReport(this.client, id, outcome).then(() => {
          this.board = reports.handled(this.board, id);
          this.render();
        }),
      );
    } else if (restore) {
      const id = Number(restore);
      this.#run(
        ops.restoreMessage(this.client, id).then(() => {
          this.deleted = this.deleted.filter((m) => m.id !== id);
          this.render();
        }),
      );
    }
  }

  /**
   * @param {"locked" | "waiting_room"} setting
   * @param {HTMLInputElement} box
   */
  #door(setting, box) {
    const on = box.checked;
    this.#run(ops.setDoor(this.client, setting, on), () => {
      box.checked = setting === "locked" ? this.locked : this.waitingRoom;
    });
  }

  #slowMode() {
    const seconds = Number(this.slowSelect.value);
    this.#run(this.client.setSlowMode(seconds), () => this.#showSlowMode());
  }

  #loadDeleted() {
    ops.list(this.client, "mod.deleted").then(
      (ack) => {
        this.deleted = /** @type {(ChatMessage & {deleted_at?: string})[]} */ (ack.messages ?? []);
        this.render();
      },
      (error) => this.#fail(error),
    );
  }

  /**
   * @param {Promise<unknown>} command
   * @param {() => void} [undo] put the control back as the room has it
   */
  #run(command, undo) {
    this.error.textContent = "";
    command.catch((error) => {
      undo?.();
      this.#fail(error);
    });
  }

  /** @param {unknown} error */
  #fail(error) {
    this.error.textContent = describeError(error);
  }
}
