// The live room page: reads the room from the page, connects a RoomClient and hands what
// it reports to the panels. Only wiring lives here.

import { RoomClient } from "../protocol.js";
import { BreakoutsPanel } from "./breakouts.js";
import { ChatPanel } from "./chat.js";
import { Door, closedNotice } from "./door.js";
import { part } from "./dom.js";
import { HandsPanel } from "./hands.js";
import { ModerationPanel } from "./moderation.js";
import { applyMuteEvent, mutedUntil, mutesFromSnapshot } from "./mute.js";
import { MutedNotice } from "./muted.js";
import { PeoplePanel, applyPresence, applySnapshot } from "./people.js";
import { PersonActions } from "./person-actions.js";
import { PollsPanel } from "./polls.js";
import { QaPanel } from "./qa.js";
import { ReactionsPanel } from "./reactions.js";
import { ReportDialog } from "./report-dialog.js";
import { StagePanel } from "./stage.js";

/** @typedef {import("../protocol-types.js").Person} Person */
/** @typedef {import("../protocol.js").Status} Status */
/** @typedef {import("./people.js").People} People */
/** @typedef {import("./mute.js").Mutes} Mutes */

const CSRF_COOKIE = "studyhall_csrf";

/** @param {string} name */
function cookie(name) {
  for (const pair of document.cookie.split(";")) {
    const [key, ...rest] = pair.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return "";
}

/**
 * A single-use ticket for a guest's socket, bought with the join link's token.
 * @param {string} joinToken
 * @returns {Promise<string>}
 */
async function fetchTicket(joinToken) {
  const response = await fetch("/api/ws-ticket", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": cookie(CSRF_COOKIE) },
    body: JSON.stringify({ join_token: joinToken }),
  });
  if (!response.ok) {
    let message = `Could not join (HTTP ${response.status}).`;
    try {
      message = (await response.json()).error.message || message;
    } catch {
      // Not our JSON error body: keep the generic message.
    }
    // A refused or unknown join link stays refused: stop trying. Anything else (the server
    // restarting, 5xx, 429) may pass.
    const error = Object.assign(new Error(message), {
      permanent: [400, 401, 403, 404, 410].includes(response.status),
    });
    throw error;
  }
  const { ticket } = await response.json();
  if (typeof ticket !== "string" || !ticket) throw new Error("The server sent no ticket.");
  return ticket;
}

/** @param {string} path */
function socketUrl(path) {
  const url = new URL(path, location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

function start() {
  const root = part(document, "room", HTMLElement);
  const layout = part(root, "room-layout", HTMLElement);
  const banner = part(root, "room-status", HTMLElement);
  const { room, ws = "/ws", joinToken, community = "" } = root.dataset;

  const client = new RoomClient({
    url: socketUrl(ws),
    room: Number(room),
    ticketProvider: joinToken ? () => fetchTicket(joinToken) : null,
  });

  /** @type {People} */
  let people = new Map();
  /** @type {Person | null} */
  let me = null;
  /** @type {ReadonlySet<string>} */
  let blocked = new Set();
  /** @type {Mutes} */
  let mutes = new Map();

  const peopleRoot = part(root, "room-people", HTMLElement);
  const peoplePanel = new PeoplePanel(peopleRoot);
  const redrawPeople = () => peoplePanel.render(people, me);
  const chat = new ChatPanel(part(root, "room-chat", HTMLElement), client);
  const hands = new HandsPanel(part(root, "room-hands", HTMLElement), client, (member) => people.get(member)?.name);
  const reactions = new ReactionsPanel(part(root, "room-reactions", HTMLElement), client);
  const questions = new QaPanel(part(root, "room-qa", HTMLElement), client, (member) => people.get(member)?.name);
  const polls = new PollsPanel(part(root, "room-polls", HTMLElement), client);
  const breakouts = new BreakoutsPanel(part(root, "room-breakouts", HTMLElement), client, () => people.values(), community);
  const moderation = new ModerationPanel(
    part(root, "room-moderation", HTMLElement),
    client,
    (member) => people.get(member)?.name,
    (id) => chat.messages.get(id),
  );
  const reports = new ReportDialog(root, client);
  const door = new Door(root, client, community);
  const muted = new MutedNotice(
    [part(root, "chat-muted-note", HTMLElement), part(root, "qa-muted-note", HTMLElement)],
    [
      part(root, "chat-body", HTMLTextAreaElement),
      part(root, "chat-send", HTMLButtonElement),
      part(root, "qa-body", HTMLTextAreaElement),
      part(root, "qa-ask", HTMLButtonElement),
    ],
  );

  /** @param {Iterable<string>} list */
  const setBlocked = (list) => {
    blocked = new Set(list);
    chat.setBlocked(blocked);
    questions.setBlocked(blocked);
    redrawPeople();
  };
  const actions = new PersonActions(
    peopleRoot,
    client,
    { me: () => me, blocked: () => blocked, mutes: () => mutes, onBlocked: setBlocked },
    redrawPeople,
  );
  const stage = new StagePanel(part(root, "room-stage", HTMLElement), client, redrawPeople);
  peoplePanel.extra = (person) => {
    const more = [actions.build(person), stage.personButtons(person)].filter((n) => n !== null);
    if (more.length < 2) return more[0] ?? null;
    const span = document.createElement("span");
    span.append(...more);
    return span;
  };
  client.onStage = (frame) => stage.show(frame);

  client.onSnapshot = (snapshot) => {
    me = snapshot.you;
    people = applySnapshot(snapshot);
    mutes = mutesFromSnapshot(snapshot.you);
    blocked = new Set(snapshot.blocked ?? []);
    chat.setBlocked(blocked);
    questions.setBlocked(blocked);
    peoplePanel.render(people, me);
    chat.showSnapshot(snapshot);
    hands.show(snapshot.hands, me);
    questions.showSnapshot(snapshot);
    polls.showSnapshot(snapshot);
    breakouts.showSnapshot(snapshot);
    moderation.showSnapshot(snapshot);
    muted.show(mutedUntil(mutes, me.id, Date.now()));
    stage.setMe(me);
  };

  client.onEvent = (event) => {
    switch (event.type) {
      case "presence": {
        people = applyPresence(people, event);
        const updated = me ? people.get(me.id) : undefined;
        if (updated && me && (updated.role !== me.role || updated.name !== me.name)) {
          me = updated;
          chat.setMe(me);
          hands.setMe(me);
          questions.setMe(me);
          polls.setMe(me);
          breakouts.setMe(me);
          moderation.setMe(me);
          stage.setMe(me);
        } else {
          hands.render(); // names of people in the queue may have arrived
          questions.refresh(); // and of people who asked
        }
        peoplePanel.render(people, me);
        breakouts.refresh();
        break;
      }
      case "hand.raised":
      case "hand.lowered":
      case "hand.called":
        hands.applyEvent(event);
        break;
      case "member.muted":
      case "member.unmuted":
        mutes = applyMuteEvent(mutes, event);
        if (me && event.member === me.id) muted.show(mutedUntil(mutes, me.id, Date.now()));
        if (event.type === "member.muted") breakouts.onMuted(event.member);
        moderation.applyEvent(event);
        redrawPeople();
        break;
      case "report.filed":
      case "report.handled":
        reports.applyEvent(event);
        moderation.applyEvent(event);
        break;
      case "member.removed":
      case "member.banned":
      case "door.waiting":
        moderation.applyEvent(event);
        break;
      case "room.updated":
      case "chat.deleted":
      case "chat.restored":
        chat.applyEvent(event);
        moderation.applyEvent(event);
        break;
      default:
        if (event.type.startsWith("stage.")) stage.applyEvent(event);
        else if (event.type.startsWith("question.") || event.type.startsWith("qa.")) questions.applyEvent(event);
        else if (event.type.startsWith("poll.")) polls.applyEvent(event);
        else if (/^(breakout|help|group)\./.test(event.type)) breakouts.applyEvent(event);
        else chat.applyEvent(event);
        break;
    }
  };

  client.onReactions = (counts) => reactions.show(counts);
  client.onGroupCall = (frame) => breakouts.onGroupCall(frame);

  client.onStatus = (status, reason, code) => {
    const wasAtDoor = door.shown === "held" || door.shown === "waiting";
    // Joined, or joined again (a resume brings no snapshot): the server dropped the last
    // socket's media connections, so the stage is asked for and offered again.
    if (status === "live" && root.dataset.status !== "live") stage.refresh();
    root.dataset.status = status;
    root.dataset.door = code;
    // At the door (guidelines, waiting room), and once sent away, the room is not shown.
    const sentAway = status === "closed" && (code === "removed" || code === "banned");
    layout.hidden = door.show(status) || sentAway;
    stage.root.hidden = layout.hidden;
    showStatus(banner, status, reason, code, () => client.connect());
    // Let in: the focus was on the door, which is gone; the message box is where one starts.
    if (wasAtDoor && status === "live") part(root, "chat-body", HTMLTextAreaElement).focus();
  };

  client.onError = (error) => {
    // Errors no command was waiting for: nothing to show in a panel.
    console.warn("room:", error.code, error.message);
  };

  layout.hidden = false;
  stage.root.hidden = false;
  client.connect();
}

/**
 * @param {HTMLElement} banner a role=status region, empty (and so hidden) while live
 * @param {Status} status
 * @param {string} reason
 * @param {string} code why, when the room decided (see StatusCode in protocol.js)
 * @param {() => void} retry
 */
function showStatus(banner, status, reason, code, retry) {
  banner.className = `room-status ${status}`;
  if (status === "live" || status === "waiting" || status === "held") {
    banner.replaceChildren();
  } else if (status === "connecting") {
    banner.replaceChildren("Connecting to the room…");
  } else if (status === "reconnecting") {
    if (banner.dataset.shown !== "reconnecting") {
      banner.replaceChildren("Reconnecting… What you send now goes out once the connection is back.");
    }
  } else {
    const notice = closedNotice(reason, code);
    banner.replaceChildren(`${notice.text} `);
    if (notice.button) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.textContent = notice.button === "join" ? "Join again" : "Try again";
      button.addEventListener("click", retry);
      banner.append(button);
    }
  }
  // The reconnect loop reports each attempt; announcing the same words again would be noise.
  banner.dataset.shown = status;
}

start();
