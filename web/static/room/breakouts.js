// Breakout study groups in the room: where the person is (their group or the main room), the
// countdown and its one-minute warning, the host's broadcasts, help from inside a group and
// who is coming, the calls hosts and mentors may answer, picking a group in a self-select
// round, and keeping a group as a study group once the round is over. The group's chat and
// notes are group-work.js; the host's controls are breakout-host.js; the state is
// breakout-board.js.

import * as ops from "../breakout-ops.js";
import { HostControls } from "./breakout-host.js";
import * as bb from "./breakout-board.js";
import { h, keepFocus, part } from "./dom.js";
import { describeError } from "./errors.js";
import { GroupVideo } from "./group-video.js";
import { GroupWork } from "./group-work.js";
import { isHost } from "./people.js";

/** @typedef {import("../protocol.js").RoomClient} RoomClient */
/** @typedef {import("../protocol-types.js").Person} Person */
/** @typedef {import("../protocol-types.js").Snapshot} Snapshot */
/** @typedef {import("../protocol-types.js").RoomEvent} RoomEvent */
/** @typedef {import("../protocol-types.js").ErrorFrame} ErrorFrame */
/** @typedef {import("../breakout-ops.js").BreakoutGroup} BreakoutGroup */

export class BreakoutsPanel {
  board = bb.emptyBoard();
  /** @type {Person | null} */
  me = null;
  /** @type {number | null} the group a host visits */
  visiting = null;
  /** @type {number | null} the id of one's own call for help */
  myCallId = null;
  /** @type {ReturnType<typeof setInterval> | null} */
  ticker = null;
  /** Whether the one-minute warning was shown for the current end. */
  warningShown = false;
  /** What the room answered the person's last help action, when it refused. */
  helpNotice = "";
  /** Put the focus on the group's name at the next render. */
  focusGroup = false;

  /**
   * @param {HTMLElement} root the panel's section
   * @param {RoomClient} client
   * @param {() => Iterable<Person>} present the people in the room now
   * @param {string} community the community's slug, for links to its study groups
   */
  constructor(root, client, present, community) {
    this.root = root;
    this.client = client;
    this.present = present;
    this.community = community;
    this.where = part(root, "breakout-where", HTMLElement);
    this.news = part(root, "breakout-news", HTMLElement);
    this.warning = part(root, "breakout-warning", HTMLElement);
    this.hostRoot = part(root, "breakout-host", HTMLElement);
    this.host = new HostControls(this.hostRoot, client, (group) => this.#visit(group));
    this.choose = part(root, "breakout-choose", HTMLElement);
    this.chooseList = part(root, "breakout-choose-list", HTMLElement);
    this.group = part(root, "breakout-group", HTMLElement);
    this.groupName = part(root, "breakout-group-name", HTMLElement);
    this.groupTopic = part(root, "breakout-group-topic", HTMLElement);
    this.clock = part(root, "breakout-clock", HTMLElement);
    this.members = part(root, "breakout-members", HTMLElement);
    this.broadcasts = part(root, "breakout-broadcasts", HTMLElement);
    this.help = part(root, "breakout-help", HTMLElement);
    this.helpNote = part(root, "breakout-help-note", HTMLInputElement);
    this.helpAsk = part(root, "breakout-help-ask", HTMLButtonElement);
    this.helpStatus = part(root, "breakout-help-status", HTMLElement);
    this.helpWithdraw = part(root, "breakout-help-withdraw", HTMLButtonElement);
    this.leaveVisit = part(root, "breakout-leave-visit", HTMLButtonElement);
    this.calls = part(root, "breakout-calls", HTMLElement);
    this.callsList = part(root, "breakout-calls-list", HTMLElement);
    this.keep = part(root, "breakout-keep", HTMLElement);
    this.keepGroup = part(root, "breakout-keep-group", HTMLSelectElement);
    this.keepError = part(root, "breakout-keep-error", HTMLElement);
    this.kept = part(root, "breakout-kept", HTMLElement);
    this.work = new GroupWork(root, client);
    this.video = new GroupVideo(root, client);

    part(root, "breakout-help-form", HTMLFormElement).addEventListener("submit", (event) => {
      event.preventDefault();
      this.#askHelp();
    });
    this.helpWithdraw.addEventListener("click", () => {
      ops.withdrawHelp(this.client).catch((e) => this.#helpNotice(describeError(e)));
    });
    this.leaveVisit.addEventListener("click", () => this.#visit(null));
    this.chooseList.addEventListener("click", (event) => this.#onChoose(event));
    this.callsList.addEventListener("click", (event) => this.#onClaim(event));
    const weekly = part(root, "breakout-keep-weekly", HTMLInputElement);
    const meeting = part(root, "breakout-keep-meeting", HTMLElement);
    weekly.addEventListener("change", () => (meeting.hidden = !weekly.checked));
    part(root, "breakout-keep-form", HTMLFormElement).addEventListener("submit", (event) => {
      event.preventDefault();
      this.#keep(weekly.checked);
    });
  }

  // ---- From the room -----------------------------------------------------------------------

  /** @param {Snapshot} snapshot */
  showSnapshot(snapshot) {
    this.me = snapshot.you;
    this.board = bb.boardFromSnapshot(snapshot, this.board);
    this.myCallId = bb.myCall(this.board, this.me.id)?.request.id ?? null;
    this.warningShown = this.board.warned;
    const mine = bb.groupOf(this.#running(), this.me.id);
    if (mine && snapshot.group?.group === mine.id) this.work.show(mine.id, false, snapshot.group);
    else if (this.work.group !== null) this.work.clear();
    this.render();
  }

  /** @param {Person} me */
  setMe(me) {
    this.me = me;
    this.render();
  }

  /** The people present changed: the host's seating lists them. */
  refresh() {
    if (isHost(this.me?.role)) this.render();
  }

  /** @param {RoomEvent} event */
  applyEvent(event) {
    if (event.type === "group.message" || event.type === "group.notes") {
      this.work.applyEvent(event);
      return;
    }
    const before = this.board;
    const mineBefore = bb.groupOf(this.#running(), this.me?.id);
    this.board = bb.applyBreakoutEvent(before, event);
    if (this.board === before) return;
    const mine = bb.groupOf(this.#running(), this.me?.id);
    switch (event.type) {
      case "breakout.opened":
        this.warningShown = false;
        this.helpNotice = "";
        this.#say(this.news, mine ? `The groups are open: you are in ${mine.name}.` : "The groups are open.");
        break;
      case "breakout.seated":
        if (mine && mine.id !== mineBefore?.id) this.#say(this.news, `You are now in ${mine.name}.`);
        break;
      case "breakout.ending":
        this.#warn();
        break;
      case "breakout.extended":
        this.warningShown = false;
        this.warning.textContent = "";
        this.#say(this.news, "The host gave the groups more time.");
        break;
      case "breakout.closed":
        this.visiting = null;
        this.myCallId = null;
        this.warning.textContent = "";
        this.#say(this.news, event.reason === "host"
          ? "The host closed the groups: everyone is back in the main room."
          : "Time is up: everyone is back in the main room.");
        break;
      case "breakout.broadcast":
        if (mine || this.visiting !== null) this.#say(this.news, `From ${event.author.name}: ${event.body}`);
        break;
      case "help.asked": {
        const call = event.request;
        if (call.member === this.me?.id) this.myCallId = call.id;
        else if (!before.help.some((r) => r.id === call.id)) {
          this.#say(this.news, `${call.name} asks for help in ${bb.groupById(this.board.round, call.group)?.name ?? "a group"}.`);
        }
        break;
      }
      case "help.claimed":
        if (event.id === this.myCallId) this.helpNotice = "";
        if (event.helper.id === this.me?.id) {
          // The "On my way" button that had the focus is gone: the group one goes to has it.
          if (isHost(this.me?.role)) this.visiting = event.group;
          this.focusGroup = true;
        }
        break;
      default:
        break;
    }
    this.render();
  }

  /** @param {import("../protocol-types.js").GroupCallFrame} frame */
  onGroupCall(frame) {
    this.video.onGroupCall(frame);
  }

  /** @param {string} member muted by a moderator: a call is speaking, so it ends for them */
  onMuted(member) {
    this.video.onMuted(member);
  }

  /** @returns {import("../breakout-ops.js").BreakoutRound | null} */
  #running() {
    return this.board.round?.state === "open" ? this.board.round : null;
  }

  // ---- Rendering ---------------------------------------------------------------------------

  render() {
    const me = this.me;
    const host = isHost(me?.role);
    const round = this.board.round;
    const running = this.#running();
    const mine = bb.groupOf(running, me?.id);
    const visited = mine ? null : bb.groupById(running, this.visiting);
    const shown = mine ?? visited;
    this.root.hidden = !host && !round && !this.board.ended;
    this.hostRoot.hidden = !host;
    if (host) this.host.render(round, [...this.present()], visited?.id ?? null);
    this.root.dataset.where = shown ? "group" : "main";
    let where = "";
    if (shown) where = `${mine ? "You are in" : "You are visiting"} ${shown.name}.`;
    else if (running || this.board.ended) where = "You are in the main room.";
    else if (!host) where = this.#draftWords(round);
    this.where.textContent = where;

    this.group.hidden = shown === null;
    if (shown) this.#showGroup(shown, mine !== null);
    else if (this.work.group !== null) this.work.clear();
    this.video.show(mine, me?.id); // seated people call; visitors do not
    this.#tick();
    this.#showChoices(round);
    this.#showCalls();
    this.#showKeep();
    if (this.focusGroup && !this.group.hidden) this.groupName.focus();
    this.focusGroup = false;
  }

  /**
   * @param {BreakoutGroup} group
   * @param {boolean} seated
   */
  #showGroup(group, seated) {
    this.groupName.textContent = group.name;
    this.groupTopic.textContent = group.topic ? `Topic: ${group.topic}` : "";
    this.members.replaceChildren(...group.members.map((m) => h("li", { text: m.id === this.me?.id ? `${m.name} (you)` : m.name })));
    this.broadcasts.replaceChildren(...this.board.broadcasts.map((b) => h("li", { className: "breakout-broadcast-item" }, [
      h("strong", { text: `${b.author.name} to all groups: ` }), b.body,
    ])));
    this.leaveVisit.hidden = seated;
    this.help.hidden = !seated;
    if (this.work.group !== group.id) this.work.show(group.id, !seated);
    const call = bb.myCall(this.board, this.me?.id);
    const helper = bb.helperFor(this.board, this.myCallId);
    this.helpAsk.textContent = call ? "Ask again" : "Ask for help";
    this.helpWithdraw.hidden = call === null;
    const status = call ? `You asked for help: number ${call.place} in line.`
      : helper ? `${helper.name} is on the way.` : this.helpNotice;
    if (this.helpStatus.textContent?.trim() !== status) this.helpStatus.textContent = status;
  }

  // Once a second while groups run: the countdown, and the warning a minute before the end.
  #tick() {
    const left = bb.secondsLeft(this.#running(), Date.now());
    if (left === null) {
      if (this.ticker !== null) clearInterval(this.ticker);
      this.ticker = null;
      this.clock.textContent = "";
      return;
    }
    this.clock.textContent = bb.clock(left);
    this.clock.setAttribute("aria-label", bb.timeLeftWords(left));
    if (left <= bb.WARNING_SECONDS && left > 0) this.#warn();
    this.ticker ??= setInterval(() => this.#tick(), 1000);
  }

  #warn() {
    if (this.warningShown) return;
    this.warningShown = true;
    this.warning.textContent = "One minute left in the breakout groups.";
  }

  /**
   * What a person sees of a draft round before it opens.
   * @param {import("../breakout-ops.js").BreakoutRound | null} round
   */
  #draftWords(round) {
    if (!round) return "";
    const planned = bb.groupOf(round, this.me?.id);
    if (round.mode === "self_select") return planned ? `You chose ${planned.name}.` : "Choose a group before they open.";
    return planned
      ? `Breakout groups are planned: you will be in ${planned.name} when they open.`
      : "Breakout groups are planned: you will be placed when they open.";
  }

  /** @param {import("../breakout-ops.js").BreakoutRound | null} round */
  #showChoices(round) {
    const open = round?.mode === "self_select" && round.state === "draft" && !isHost(this.me?.role);
    this.choose.hidden = !open;
    if (!open || !round) return;
    const seatedIn = bb.groupOf(round, this.me?.id);
    keepFocus(this.choose, () => this.chooseList.replaceChildren(...round.groups.map((g) => {
      const full = g.capacity !== null && g.members.length >= g.capacity && seatedIn?.id !== g.id;
      const label = `${g.name}${g.topic ? ` (${g.topic})` : ""}: ${g.members.length}${g.capacity ? ` of ${g.capacity}` : ""} seated`;
      const button = h("button", { text: seatedIn?.id === g.id ? "Your group" : `Join ${g.name}`, className: "small",
        attrs: { type: "button", "data-group": String(g.id), "data-key": `choose:${g.id}`, "aria-pressed": String(seatedIn?.id === g.id) } });
      button.disabled = full;
      return h("li", {}, [h("span", { text: label }), " ", button]);
    })));
  }

  #showCalls() {
    const calls = bb.callsToAnswer(this.board, this.me?.id);
    this.calls.hidden = calls.length === 0;
    const names = new Map((this.#running()?.groups ?? []).map((g) => [g.id, g.name]));
    keepFocus(this.calls, () => this.callsList.replaceChildren(...calls.map((call) => {
      const where = names.get(call.group) ?? "a group";
      const button = h("button", { text: "On my way", className: "small",
        attrs: { type: "button", "data-call": String(call.id), "data-key": `claim:${call.id}`, "aria-label": `On my way to ${call.name} in ${where}` } });
      return h("li", { className: "breakout-call" }, [
        h("span", { text: `${call.name}, in ${where}${call.note ? `: ${call.note}` : ""}` }), " ", button,
      ]);
    })));
  }

  #showKeep() {
    const groups = bb.keepable(this.board, this.me);
    const kept = [...this.board.kept.values()];
    this.keep.hidden = groups.length === 0 && kept.length === 0;
    part(this.keep, "breakout-keep-form", HTMLFormElement).hidden = groups.length === 0;
    const chosen = this.keepGroup.value;
    this.keepGroup.replaceChildren(...groups.map((g) => h("option", { text: g.name, attrs: { value: String(g.id) } })));
    if (groups.some((g) => String(g.id) === chosen)) this.keepGroup.value = chosen;
    this.kept.replaceChildren(...kept.map((s) => h("li", {}, [
      "Kept as the study group ",
      h("a", { text: `“${s.name}”`, attrs: { href: `/c/${encodeURIComponent(this.community)}/study-groups/${s.id}` } }),
      ...(s.meeting ? [" · ", h("a", { text: "its weekly meeting", attrs: { href: `/events/${s.meeting}` } })] : []),
    ])));
  }

  // ---- From the person ---------------------------------------------------------------------

  /**
   * A region's words, said again even when they are the same as before.
   * @param {HTMLElement} region
   * @param {string} text
   */
  #say(region, text) {
    region.textContent = region.textContent === text ? `${text}\u00a0` : text;
  }

  /** @param {string} text an answer to what the person did about help */
  #helpNotice(text) {
    this.helpNotice = text;
    this.#say(this.helpStatus, text);
  }

  /** @param {number | null} group */
  #visit(group) {
    this.visiting = group;
    this.render();
    if (group !== null) this.groupName.focus();
  }

  #askHelp() {
    const note = this.helpNote.value.trim();
    this.helpAsk.disabled = true;
    ops.askHelp(this.client, note).then(
      (ack) => {
        this.myCallId = ack.id ?? this.myCallId;
        this.helpNote.value = "";
      },
      (/** @type {ErrorFrame} */ error) => this.#helpNotice(describeError(error)),
    ).finally(() => {
      this.helpAsk.disabled = false;
    });
  }

  /** @param {MouseEvent} event */
  #onChoose(event) {
    const button = /** @type {Element} */ (event.target).closest("button[data-group]");
    if (!(button instanceof HTMLButtonElement)) return;
    ops.seat(this.client, Number(button.dataset.group)).catch((e) => this.#say(this.news, describeError(e)));
  }

  /** @param {MouseEvent} event */
  #onClaim(event) {
    const button = /** @type {Element} */ (event.target).closest("button[data-call]");
    if (!(button instanceof HTMLButtonElement)) return;
    button.disabled = true;
    ops.claimHelp(this.client, Number(button.dataset.call)).catch((error) => {
      button.disabled = false;
      this.#say(this.news, describeError(error));
    });
  }

  /** @param {boolean} weekly */
  #keep(weekly) {
    const value = (/** @type {string} */ id) => part(this.keep, id, HTMLInputElement).value;
    this.keepError.textContent = "";
    /** @type {{name?: string, weekly?: import("../breakout-ops.js").Weekly}} */
    const options = { name: value("breakout-keep-name").trim() };
    if (weekly) {
      const first = value("breakout-keep-first");
      if (!first) {
        this.keepError.textContent = "Choose the date and time of the first meeting.";
        return;
      }
      const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
      options.weekly = { first, timezone, minutes: Number(value("breakout-keep-minutes")), weeks: Number(value("breakout-keep-weeks")) };
    }
    ops.keep(this.client, Number(this.keepGroup.value), options).then(
      () => {
        part(this.keep, "breakout-keep-name", HTMLInputElement).value = "";
      },
      (/** @type {ErrorFrame} */ error) => {
        this.keepError.textContent = describeError(error);
      },
    );
  }
}
