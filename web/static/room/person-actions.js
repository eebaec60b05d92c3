// What one can do about a person in the people list: everyone reports (their behaviour or
// their name) and blocks or unblocks; the staff also mutes, unmutes, removes and bans.
// Each person's actions sit in a <details> disclosure, which keeps the list short and is
// keyboard usable as it is; the list is redrawn on every presence diff, so which ones are
// open and what was typed in them is kept here.

import { h } from "./dom.js";
import { describeError } from "./errors.js";
import { clockTime, mutedUntil } from "./mute.js";
import { isHost, isStaff } from "./people.js";
import { reportButton } from "./report-dialog.js";
import * as ops from "../moderation-ops.js";

/** @typedef {import("../protocol.js").RoomClient} RoomClient */
/** @typedef {import("../protocol-types.js").Person} Person */
/** @typedef {import("./mute.js").Mutes} Mutes */

export const MUTE_MINUTES = [5, 10, 30, 60];

/**
 * Whether `actor` may mute, remove or ban someone of `target` role (docs/protocol.md,
 * "Moderation and safety"): a moderator acts on attendees and speakers, hosts and co-hosts
 * also on moderators; nobody on a host, a co-host or themselves. The server decides; this
 * only keeps buttons that would be refused off the page.
 * @param {string | undefined} actor
 * @param {string} target
 * @param {boolean} self
 */
export function mayModerate(actor, target, self) {
  if (self || !isStaff(actor) || target === "host" || target === "co-host") return false;
  return target !== "moderator" || isHost(actor);
}

/**
 * @typedef {object} PersonContext
 * @property {() => Person | null} me
 * @property {() => ReadonlySet<string>} blocked
 * @property {() => Mutes} mutes
 * @property {(blocked: string[]) => void} onBlocked the block list changed (from the ack)
 */

export class PersonActions {
  /** @type {Set<string>} member ids whose actions are open */
  open = new Set();
  /** @type {Map<string, string>} reasons typed, by member id */
  reasons = new Map();
  /** @type {Map<string, string>} the mute length picked, by member id */
  minutes = new Map();
  /** @type {Map<string, string>} the last error, by member id */
  errors = new Map();
  /** @type {Set<string>} "action:member" sent and not answered yet: a second click waits */
  busy = new Set();

  /**
   * @param {HTMLElement} list the people list: clicks and typing in it are handled here
   * @param {RoomClient} client
   * @param {PersonContext} context
   * @param {() => void} redraw draw the people list again
   */
  constructor(list, client, context, redraw) {
    this.client = client;
    this.context = context;
    this.redraw = redraw;
    list.addEventListener("toggle", (event) => this.#onToggle(event), true);
    list.addEventListener("input", (event) => {
      const field = event.target;
      if (field instanceof HTMLInputElement && field.dataset.member) this.reasons.set(field.dataset.member, field.value);
      if (field instanceof HTMLSelectElement && field.dataset.member) this.minutes.set(field.dataset.member, field.value);
    });
    list.addEventListener("click", (event) => {
      const button = /** @type {Element} */ (event.target).closest("button[data-person-action]");
      if (button instanceof HTMLButtonElement && button.dataset.member) {
        this.#act(button.dataset.personAction ?? "", button.dataset.member);
      }
    });
  }

  /**
   * What to add after a person's name: whether they are blocked, and their actions; nothing
   * for oneself. A closed disclosure holds its summary only (a room may list a thousand
   * people, redrawn on each presence diff); opening it draws the rest.
   * @param {Person} person
   * @returns {Node | null}
   */
  build(person) {
    const me = this.context.me();
    if (!me || person.id === me.id) return null;
    const id = person.id;
    const blocked = this.context.blocked().has(id);
    const details = h("details", { className: "person-actions" });
    details.dataset.member = id;
    details.open = this.open.has(id);
    details.append(
      h("summary", { attrs: { "data-key": `actions:${id}` } }, [
        "Actions",
        h("span", { className: "visually-hidden", text: ` for ${person.name}` }),
      ]),
    );
    if (details.open) details.append(this.#body(person, me, blocked));
    const out = document.createDocumentFragment();
    if (blocked) out.append(h("span", { className: "badge blocked", text: "Blocked" }), " ");
    const until = isStaff(me.role) ? mutedUntil(this.context.mutes(), id, Date.now()) : null;
    if (until) out.append(h("span", { className: "badge muted", text: `Muted until ${clockTime(until)}` }), " ");
    out.append(details);
    return out;
  }

  /**
   * @param {Person} person
   * @param {Person} me
   * @param {boolean} blocked
   */
  #body(person, me, blocked) {
    const id = person.id;
    const name = person.name;
    const block = this.#button("block", id, blocked ? "Unblock" : "Block", `${blocked ? "Unblock" : "Block"} ${name}`);
    const body = h("div", { className: "person-actions-body" }, [
      h("p", { className: "inline-buttons" }, [block, " ", reportButton("person", id, `Report ${name}`, name)]),
    ]);
    if (blocked) body.append(h("p", { className: "meta", text: "You do not see their messages and questions." }));

    if (mayModerate(me.role, person.role, false)) body.append(this.#staffTools(person));
    const error = this.errors.get(id);
    body.append(h("p", { className: "error", text: error ?? "", attrs: { role: "alert", id: `person-error-${id}` } }));
    return body;
  }

  /** @param {Person} person */
  #staffTools(person) {
    const id = person.id;
    const name = person.name;
    const reasonId = `person-reason-${id}`;
    const minutesId = `person-minutes-${id}`;
    const reason = h("input", { attrs: { id: reasonId, type: "text", maxlength: "500", "data-key": `reason:${id}` } });
    reason.dataset.member = id;
    reason.value = this.reasons.get(id) ?? "";
    const minutes = h("select", { attrs: { id: minutesId, "data-key": `minutes:${id}` } });
    for (const m of MUTE_MINUTES) minutes.append(h("option", { text: `${m} minutes`, attrs: { value: String(m) } }));
    minutes.dataset.member = id;
    minutes.value = this.minutes.get(id) ?? "10";

    const tools = h("div", { className: "person-moderation", attrs: { role: "group", "aria-label": `Moderate ${name}` } }, [
      h("div", { className: "field" }, [
        h("label", { text: "Reason (a ban needs one)", attrs: { for: reasonId } }),
        reason,
      ]),
      h("div", { className: "field inline" }, [
        h("label", { text: "Mute for", attrs: { for: minutesId } }),
        minutes,
        this.#button("mute", id, "Mute", `Mute ${name}`),
      ]),
    ]);
    const until = mutedUntil(this.context.mutes(), id, Date.now());
    const unmute = this.#button("unmute", id, "Unmute", `Unmute ${name}`);
    tools.append(
      h("p", { className: "meta", text: until ? `Muted until ${clockTime(until)}.` : "" }),
      h("p", { className: "inline-buttons" }, [
        unmute,
        " ",
        this.#button("remove", id, "Remove from room", `Remove ${name} from the room`),
        " ",
        this.#button("ban", id, "Ban…", `Ban ${name} from the community`, "danger small"),
      ]),
    );
    return tools;
  }

  /**
   * @param {string} action
   * @param {string} member
   * @param {string} text
   * @param {string} label
   * @param {string} [className]
   */
  #button(action, member, text, label, className = "secondary small") {
    const button = h("button", { className, text, attrs: { type: "button", "aria-label": label } });
    button.dataset.personAction = action;
    button.dataset.member = member;
    button.dataset.key = `${action}:${member}`;
    return button;
  }

  /** @param {Event} event */
  #onToggle(event) {
    const details = event.target;
    if (!(details instanceof HTMLDetailsElement) || !details.dataset.member) return;
    if (details.open) {
      this.open.add(details.dataset.member);
      if (!details.querySelector(".person-actions-body")) this.redraw();
    } else {
      this.open.delete(details.dataset.member);
    }
  }

  /**
   * @param {string} action
   * @param {string} member
   */
  #act(action, member) {
    const key = `${action}:${member}`;
    if (this.busy.has(key)) return;
    const reason = (this.reasons.get(member) ?? "").trim();
    const minutes = Number(this.minutes.get(member) ?? 10);
    this.errors.delete(member);
    /** @type {Promise<import("../protocol-types.js").AckFrame>} */
    let command;
    switch (action) {
      case "block": {
        const blocking = !this.context.blocked().has(member);
        command = ops.block(this.client, member, blocking).then((ack) => {
          this.context.onBlocked(ack.blocked ?? []);
          return ack;
        });
        break;
      }
      case "mute":
        command = ops.mute(this.client, member, minutes, reason);
        break;
      case "unmute":
        command = ops.unmute(this.client, member);
        break;
      case "remove":
        command = ops.sendAway(this.client, "mod.remove", member, reason);
        break;
      case "ban":
        if (!reason) {
          this.#fail(member, "A ban needs a reason: write it in the Reason field first.");
          document.getElementById(`person-reason-${member}`)?.focus(); // drawn anew by #fail
          return;
        }
        if (!confirm("Ban this person from the whole community? They are sent out of every room at once.")) return;
        command = ops.sendAway(this.client, "mod.ban", member, reason);
        break;
      default:
        return;
    }
    // Not disabled while busy: a disabled button would lose the keyboard focus.
    this.busy.add(key);
    command.then(
      () => {
        if (action !== "block") this.reasons.delete(member);
        this.redraw();
      },
      (error) => this.#fail(member, describeError(error)),
    ).finally(() => this.busy.delete(key));
  }

  /**
   * @param {string} member
   * @param {string} message
   */
  #fail(member, message) {
    this.errors.set(member, message);
    this.redraw();
  }
}
