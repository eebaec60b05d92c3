// What hosts and co-hosts do with breakout groups: plan them (names, topics, capacities, a
// mode, minutes), see the seating and move people with a select each, open, extend, close
// early, broadcast to every group and visit one. breakout-board.js holds the state.

import * as ops from "../breakout-ops.js";
import { h, keepFocus } from "./dom.js";
import { describeError } from "./errors.js";
import * as bb from "./breakout-board.js";

/** @typedef {import("../protocol.js").RoomClient} RoomClient */
/** @typedef {import("../protocol-types.js").Person} Person */
/** @typedef {import("../protocol-types.js").ErrorFrame} ErrorFrame */
/** @typedef {import("../breakout-ops.js").BreakoutRound} BreakoutRound */
/** @typedef {import("../breakout-ops.js").BreakoutGroup} BreakoutGroup */

const NOT_SEATED = "";

export class HostControls {
  /** @type {{name: string, topic: string, capacity: string}[]} rows typed so far */
  rows = [];
  /** @type {BreakoutRound | null} */
  round = null;
  /** @type {Person[]} */
  people = [];
  /** @type {number | null} */
  visiting = null;

  /**
   * @param {HTMLElement} root the host part of the panel
   * @param {RoomClient} client
   * @param {(group: number | null) => void} onVisit a visit starts (or ends, with null)
   */
  constructor(root, client, onVisit) {
    this.root = root;
    this.client = client;
    this.onVisit = onVisit;
    this.error = h("p", { className: "error", attrs: { role: "alert", id: "breakout-host-error" } });
    this.form = this.#planForm();
    this.view = h("div", { className: "breakout-round" });
    this.running = this.#runningControls();
    root.append(this.form, this.view, this.running, this.error);
    root.addEventListener("click", (event) => this.#onClick(event));
    root.addEventListener("change", (event) => this.#onChange(event));
    root.addEventListener("submit", (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement) || form.dataset.form !== "broadcast") return;
      event.preventDefault();
      this.#broadcast();
    });
  }

  // ---- The plan form, built once so that what is typed survives every event --------------

  #planForm() {
    const form = h("form", { className: "breakout-plan", attrs: { novalidate: "", "aria-labelledby": "breakout-plan-title" } });
    const count = h("input", { attrs: { id: "breakout-count", type: "number", min: "1", max: String(bb.MAX_GROUPS), value: "2" } });
    const mode = h("select", { attrs: { id: "breakout-mode" } });
    for (const [value, label] of Object.entries(bb.MODE_LABELS)) mode.append(h("option", { text: label, attrs: { value } }));
    const minutes = h("input", { attrs: { id: "breakout-minutes", type: "number", min: "1", max: String(bb.MAX_MINUTES), value: "15" } });
    const keep = h("input", { attrs: { id: "breakout-members-keep", type: "checkbox" } });
    this.groupRows = h("ol", { className: "breakout-plan-groups", attrs: { "aria-label": "Groups to create" } });
    form.append(
      h("h3", { text: "Plan breakout groups", attrs: { id: "breakout-plan-title" } }),
      h("div", { className: "field inline" }, [h("label", { text: "Number of groups", attrs: { for: "breakout-count" } }), count]),
      this.groupRows,
      h("div", { className: "field inline" }, [h("label", { text: "How people are placed", attrs: { for: "breakout-mode" } }), mode]),
      h("div", { className: "field inline" }, [h("label", { text: "Minutes", attrs: { for: "breakout-minutes" } }), minutes]),
      h("label", { className: "check" }, [keep, " Members may keep their group as a study group"]),
      h("p", {}, [h("button", { text: "Plan groups", attrs: { type: "submit" } })]),
    );
    count.addEventListener("input", () => this.#drawRows(Number(count.value)));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#plan(mode.value, minutes.value, keep.checked);
    });
    this.#drawRows(2);
    return form;
  }

  /** @param {number} n */
  #drawRows(n) {
    if (!Number.isInteger(n) || n < 1 || n > bb.MAX_GROUPS) return;
    this.#readRows();
    while (this.rows.length < n) this.rows.push({ name: `Group ${this.rows.length + 1}`, topic: "", capacity: "" });
    this.rows.length = n;
    this.groupRows.replaceChildren(...this.rows.map((row, i) => {
      /** @param {"name" | "topic" | "capacity"} key @param {string} label @param {Record<string, string>} attrs */
      const field = (key, label, attrs) => {
        const input = h("input", { attrs: { id: `breakout-${key}-${i}`, ...attrs } });
        input.value = row[key];
        return h("span", { className: "field" }, [h("label", { text: `${label}, group ${i + 1}`, attrs: { for: input.id } }), input]);
      };
      return h("li", { className: "breakout-plan-group" }, [
        field("name", "Name", { type: "text", maxlength: String(bb.MAX_NAME) }),
        field("topic", "Topic (optional)", { type: "text", maxlength: String(bb.MAX_TOPIC) }),
        field("capacity", "Capacity (optional)", { type: "number", min: "1" }),
      ]);
    }));
  }

  #readRows() {
    this.rows.forEach((row, i) => {
      for (const key of /** @type {const} */ (["name", "topic", "capacity"])) {
        const input = this.groupRows.querySelector(`#breakout-${key}-${i}`);
        if (input instanceof HTMLInputElement) row[key] = input.value;
      }
    });
  }

  /**
   * @param {string} mode
   * @param {string} minutes
   * @param {boolean} membersMayKeep
   */
  #plan(mode, minutes, membersMayKeep) {
    this.#readRows();
    const checked = bb.checkPlan({ mode, minutes, membersMayKeep, groups: this.rows });
    if (!checked.ok) {
      this.error.textContent = checked.message;
      const id = checked.field === "groups" ? "breakout-count" : `breakout-${checked.field}`;
      const field = this.form.querySelector(`#${id}`);
      if (field instanceof HTMLElement) field.focus();
      return;
    }
    this.#act(ops.plan(this.client, checked.plan));
  }

  // ---- The round ---------------------------------------------------------------------------

  /**
   * @param {BreakoutRound | null} round
   * @param {Person[]} people present
   * @param {number | null} visiting
   */
  render(round, people, visiting) {
    this.round = round;
    this.people = people;
    this.visiting = visiting;
    this.form.hidden = round?.state === "open";
    this.running.hidden = round?.state !== "open";
    keepFocus(this.root, () => this.view.replaceChildren(...this.#roundView()));
  }

  /** @returns {HTMLElement[]} */
  #roundView() {
    const round = this.round;
    if (!round) return [];
    const open = round.state === "open";
    const out = [h("h3", { text: open ? "Groups running" : "Draft groups", attrs: { id: "breakout-round-title" } }),
      h("p", { className: "meta", text: `${bb.MODE_LABELS[round.mode]} · ${round.minutes === 1 ? "1 minute" : `${round.minutes} minutes`}` })];
    const list = h("ul", { className: "breakout-seating", attrs: { "aria-labelledby": "breakout-round-title" } });
    for (const group of round.groups) list.append(this.#groupItem(group, open));
    const waiting = bb.unseated(round, this.people);
    if (waiting.length) {
      list.append(h("li", { className: "breakout-seating-group" }, [
        h("h4", { text: "Not seated yet", attrs: { id: "breakout-unseated" } }),
        h("p", { className: "meta", text: "Seated where most room is left when the groups open." }),
        h("ul", { attrs: { "aria-labelledby": "breakout-unseated" } }, waiting.map((p) => this.#personRow(p.id, p.name, null))),
      ]));
    }
    out.push(list);
    if (!open) out.push(h("p", {}, [this.#button("open", "Open groups")]));
    return out;
  }

  // Built once, like the plan form: a message being typed survives the room's events.
  #runningControls() {
    const extend = h("select", { attrs: { id: "breakout-extend-by" } });
    for (const m of [1, 5, 10, 15]) extend.append(h("option", { text: `${m} min`, attrs: { value: String(m) } }));
    extend.value = "5";
    return h("div", { className: "breakout-running" }, [
      h("div", { className: "inline-buttons" }, [
        h("label", { text: "Extend by", attrs: { for: "breakout-extend-by" } }), extend,
        this.#button("extend", "Extend"),
        this.#button("close", "Close all groups now", "secondary"),
      ]),
      h("form", { className: "breakout-broadcast", attrs: { "data-form": "broadcast" } }, [
        h("label", { text: "Message to every group", attrs: { for: "breakout-broadcast-body" } }),
        h("input", { attrs: { id: "breakout-broadcast-body", type: "text", maxlength: "2000" } }),
        h("button", { text: "Send to all groups", attrs: { type: "submit" } }),
      ]),
    ]);
  }

  /**
   * @param {BreakoutGroup} group
   * @param {boolean} open
   */
  #groupItem(group, open) {
    const titleId = `breakout-seating-${group.id}`;
    const facts = [group.topic ? `topic: ${group.topic}` : "", group.capacity ? `up to ${group.capacity}` : "", `${group.members.length} seated`];
    const item = h("li", { className: "breakout-seating-group" }, [
      h("h4", { text: group.name, attrs: { id: titleId } }),
      h("p", { className: "meta", text: facts.filter(Boolean).join(" · ") }),
      h("ul", { attrs: { "aria-labelledby": titleId } }, group.members.map((m) => this.#personRow(m.id, m.name, group.id))),
    ]);
    if (open) {
      const visit = this.visiting === group.id
        ? this.#button("unvisit", `Leave ${group.name}`, "secondary small")
        : this.#button("visit", `Visit ${group.name}`, "small");
      visit.dataset.group = String(group.id);
      visit.dataset.key = `visit:${group.id}`;
      item.append(h("p", {}, [visit]));
    }
    return item;
  }

  /**
   * A person with a select of the groups, to move them by keyboard or pointer.
   * @param {string} member
   * @param {string} name
   * @param {number | null} group
   */
  #personRow(member, name, group) {
    const select = h("select", { attrs: { "aria-label": `Group for ${name}`, "data-member": member, "data-key": `move:${member}` } });
    if (group === null) select.append(h("option", { text: "Not seated", attrs: { value: NOT_SEATED } }));
    for (const g of this.round?.groups ?? []) select.append(h("option", { text: g.name, attrs: { value: String(g.id) } }));
    select.value = group === null ? NOT_SEATED : String(group);
    return h("li", { className: "breakout-person" }, [h("span", { text: name }), " ", select]);
  }

  /**
   * @param {string} action
   * @param {string} text
   * @param {string} [className]
   */
  #button(action, text, className = "") {
    return h("button", { text, className, attrs: { type: "button", "data-action": action, "data-key": action } });
  }

  /** @param {Event} event */
  #onChange(event) {
    const select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.dataset.member || !select.value) return;
    this.#act(ops.seat(this.client, Number(select.value), select.dataset.member));
  }

  /** @param {MouseEvent} event */
  #onClick(event) {
    const button = /** @type {Element} */ (event.target).closest("button[data-action]");
    if (!(button instanceof HTMLButtonElement)) return;
    const action = button.dataset.action;
    if (action === "open") this.#act(ops.run(this.client, "breakout.open"));
    else if (action === "close") this.#act(ops.run(this.client, "breakout.close"));
    else if (action === "extend") {
      const by = this.root.querySelector("#breakout-extend-by");
      this.#act(ops.extend(this.client, Number(by instanceof HTMLSelectElement ? by.value : 5)));
    } else if (action === "visit") this.onVisit(Number(button.dataset.group));
    else if (action === "unvisit") this.onVisit(null);
  }

  #broadcast() {
    const input = this.root.querySelector("#breakout-broadcast-body");
    if (!(input instanceof HTMLInputElement) || !input.value.trim()) return;
    const body = input.value.trim();
    input.value = "";
    this.#act(ops.broadcast(this.client, body), () => {
      if (!input.value) input.value = body;
    });
  }

  /**
   * @param {Promise<unknown>} sent
   * @param {() => void} [undo] on a refusal
   */
  #act(sent, undo) {
    this.error.textContent = "";
    sent.catch((/** @type {ErrorFrame} */ error) => {
      undo?.();
      this.error.textContent = describeError(error);
      if (this.round) this.render(this.round, this.people, this.visiting); // a refused move snaps back
    });
  }
}
