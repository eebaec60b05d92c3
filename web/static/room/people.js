// Who is in the room: one list from the snapshot, then presence diffs, applied by the pure
// functions below (as the server's own server/rooms/presence.py does); the panel renders.

import { h, keepFocus } from "./dom.js";

/** @typedef {import("../protocol-types.js").Person} Person */
/** @typedef {import("../protocol-types.js").Role} Role */
/** @typedef {Map<string, Person>} People keyed by member id */

const STAFF = new Set(["host", "co-host", "moderator"]);
// The stage answers questions and runs polls; the hosts also configure the room's Q&A.
const STAGE = new Set(["host", "co-host", "speaker"]);
const HOSTS = new Set(["host", "co-host"]);
const ROLE_ORDER = ["host", "co-host", "speaker", "moderator", "attendee"];
/** @type {Record<string, string>} */
const ROLE_LABELS = {
  host: "Host",
  "co-host": "Co-host",
  speaker: "Speaker",
  moderator: "Moderator",
  attendee: "",
};

/**
 * Hosts, co-hosts and moderators run the room: they lower hands, delete any message and
 * set slow mode.
 * @param {string | undefined} role
 */
export function isStaff(role) {
  return role !== undefined && STAFF.has(role);
}

/**
 * Hosts, co-hosts and speakers: they take questions and run polls.
 * @param {string | undefined} role
 */
export function isStage(role) {
  return role !== undefined && STAGE.has(role);
}

/**
 * Hosts and co-hosts.
 * @param {string | undefined} role
 */
export function isHost(role) {
  return role !== undefined && HOSTS.has(role);
}

/**
 * The label shown beside a name; attendees have none.
 * @param {string} role
 */
export function roleLabel(role) {
  return ROLE_LABELS[role] ?? role;
}

/**
 * The people of a snapshot: it replaces whatever was known.
 * @param {{people: Person[]}} snapshot
 * @returns {People}
 */
export function applySnapshot(snapshot) {
  return new Map(snapshot.people.map((person) => [person.id, person]));
}

/**
 * The people after a presence diff, as a new Map (the old one is left as it was). Leaves
 * are applied before joins, as the server does: a person in both (left, then came back, or
 * changed role) ends up present with their latest details.
 * @param {People} people
 * @param {{joined?: Person[], left?: string[]}} diff
 * @returns {People}
 */
export function applyPresence(people, diff) {
  const next = new Map(people);
  for (const member of diff.left ?? []) next.delete(member);
  for (const person of diff.joined ?? []) next.set(person.id, person);
  return next;
}

/**
 * People in the order the panel lists them: by role (hosts first), then by name.
 * @param {People} people
 * @returns {Person[]}
 */
export function listed(people) {
  const rank = (/** @type {string} */ role) => {
    const i = ROLE_ORDER.indexOf(role);
    return i === -1 ? ROLE_ORDER.length : i;
  };
  return [...people.values()].sort(
    (a, b) => rank(a.role) - rank(b.role) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
  );
}

export class PeoplePanel {
  /** @type {((person: Person) => Node | null) | null} more to show for a person (their actions) */
  extra = null;

  /** @param {HTMLElement} root the panel's section */
  constructor(root) {
    this.list = /** @type {HTMLUListElement} */ (root.querySelector(".people-list"));
    this.count = /** @type {HTMLElement} */ (root.querySelector(".people-count"));
    this.private = /** @type {HTMLElement | null} */ (root.querySelector(".people-private"));
  }

  /**
   * @param {People} people
   * @param {Person | null} me
   */
  render(people, me) {
    const items = listed(people).map((person) => {
      const label = roleLabel(person.role);
      const li = h("li", { className: "person" }, [h("span", { className: "person-name", text: person.name })]);
      if (me && person.id === me.id) li.append(" ", h("span", { className: "meta", text: "(you)" }));
      if (label) li.append(" ", h("span", { className: `badge role-${person.role}`, text: label }));
      const more = this.extra?.(person);
      if (more) li.append(" ", more);
      return li;
    });
    keepFocus(this.list, () => this.list.replaceChildren(...items));
    // Nobody at all, not even oneself: the community keeps its member list from attendees.
    const hidden = people.size === 0 && me !== null;
    this.count.textContent = hidden ? "" : `(${people.size})`;
    if (this.private) this.private.hidden = !hidden;
  }
}
