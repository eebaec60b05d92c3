// The live room protocol, client side (docs/protocol.md is the contract).
//
// No DOM here: this module runs in the browser and under Node alike. It owns one WebSocket at
// a time, keeps the room's event order (the last applied `seq`), resumes after a drop and
// queues commands while the socket is down. It reports through the `on…` hooks; the UI
// modules under room/ only render what they are told.

// The wire's types are in protocol-types.js.
/** @typedef {import("./protocol-types.js").AckFrame} AckFrame */
/** @typedef {import("./protocol-types.js").ChatSendCommand} ChatSendCommand */
/** @typedef {import("./protocol-types.js").CommandBody} CommandBody */
/** @typedef {import("./protocol-types.js").GroupCallFrame} GroupCallFrame */
/** @typedef {import("./protocol-types.js").ErrorCode} ErrorCode */
/** @typedef {import("./protocol-types.js").ErrorFrame} ErrorFrame */
/** @typedef {import("./protocol-types.js").HandLowerCommand} HandLowerCommand */
/** @typedef {import("./protocol-types.js").JoinCommand} JoinCommand */
/** @typedef {import("./protocol-types.js").Reaction} Reaction */
/** @typedef {import("./protocol-types.js").ReactionsFrame} ReactionsFrame */
/** @typedef {import("./protocol-types.js").RoomEvent} RoomEvent */
/** @typedef {import("./protocol-types.js").ServerFrame} ServerFrame */
/** @typedef {import("./protocol-types.js").Snapshot} Snapshot */
/** @typedef {import("./protocol-types.js").StageFrame} StageFrame */

// ---- The client ------------------------------------------------------------------------

/**
 * "waiting": in the room's waiting room, joined by itself once admitted. "held": the room
 * refused the join for a reason the person can fix on this socket (its guidelines to
 * accept): nothing is sent until acceptGuidelines().
 * @typedef {"connecting" | "live" | "reconnecting" | "waiting" | "held" | "closed"} Status
 */

/**
 * Why the status is what it is, when the room decided it: a refusal's error code
 * ("guidelines", "banned", "room_locked", "forbidden"…), "removed" (close code 4003),
 * "banned" (4004), "session_ended" (4001); else "".
 * @typedef {string} StatusCode
 */

/**
 * The few things RoomClient needs of a WebSocket; the browser's and a test's fake both fit.
 * @typedef {object} SocketLike
 * @property {number} readyState
 * @property {(data: string) => void} send
 * @property {(code?: number, reason?: string) => void} close
 * @property {((ev: unknown) => void) | null} onopen
 * @property {((ev: {data: unknown}) => void) | null} onmessage
 * @property {((ev: {code: number, reason: string}) => void) | null} onclose
 * @property {((ev: unknown) => void) | null} onerror
 */

/** @typedef {new (url: string) => SocketLike} SocketConstructor */

/**
 * @typedef {object} Timers
 * @property {(fn: () => void, ms: number) => unknown} setTimeout
 * @property {(handle: unknown) => void} clearTimeout
 * @property {(fn: () => void, ms: number) => unknown} setInterval
 * @property {(handle: unknown) => void} clearInterval
 */

/**
 * @typedef {object} RoomClientOptions
 * @property {string} url The socket's URL, e.g. "wss://studyhall.example/ws".
 * @property {number} room The event's id.
 * @property {(() => Promise<string>) | null} [ticketProvider] For guests: a fresh single-use
 *   ticket for each attempt. An error with `permanent: true` stops reconnecting.
 * @property {SocketConstructor} [WebSocket] Defaults to the global WebSocket.
 * @property {Timers} [timers] Defaults to the global timer functions.
 * @property {() => number} [random] In [0, 1); for the backoff's jitter.
 * @property {number} [pingInterval] Milliseconds between pings (25 s).
 * @property {number} [joinTimeout] Milliseconds an attempt may take to be joined (15 s).
 * @property {{initial: number, max: number}} [backoff] Milliseconds (0.5 s doubling to 15 s).
 * @property {number} [maxQueue] Commands that may wait for the socket (200).
 */

/**
 * @typedef {object} Pending
 * @property {CommandBody} frame
 * @property {(ack: AckFrame) => void} resolve
 * @property {(error: ErrorFrame) => void} reject
 */

// Ops whose effect is the same when sent twice, so a command in flight when the socket
// dropped may go again after the re-join. chat.send is among them thanks to its client_id;
// hand.next is not (it would call on two people); react is ephemeral and goes stale. Most
// Q&A and poll ops are not either: a second vote, approval or answer that follows one that
// went through is refused as a conflict, and a second qa.ask asks twice.
const SAFE_TO_REPEAT = new Set([
  "chat.send",
  "chat.edit",
  "chat.delete",
  "chat.history",
  "hand.raise",
  "hand.lower",
  "room.slow_mode",
  "qa.configure",
  "block",
  "unblock",
  "mod.reports",
  "mod.deleted",
  // Breakouts: a group message has its client_id; asking for help again keeps one's place.
  "group.send",
  "group.history",
  "help.ask",
]);

// Answers to `join` after which trying again later may work; any other refusal is final.
const JOIN_RETRY_CODES = new Set(["unavailable", "rate_limited"]);
// Refusals of `join` the person can lift from the page without a new socket.
const JOIN_HOLD_CODES = new Set(["guidelines"]);

const CLOSE_SESSION_ENDED = 4001;
const CLOSE_REMOVED = 4003;
const CLOSE_BANNED = 4004;
const CLOSE_NORMAL = 1000;
// An application close code (4000–4999) for sockets we give up on: no answer in time.
const CLOSE_NO_ANSWER = 4000;
const OPEN = 1;

/**
 * Delay before reconnect attempt `attempt` (0 for the first): exponential, capped, with
 * ±50% jitter so that a room full of clients dropped together does not return together.
 * @param {number} attempt
 * @param {{initial: number, max: number}} backoff
 * @param {() => number} random
 * @returns {number} milliseconds
 */
export function backoffDelay(attempt, backoff, random) {
  const base = Math.min(backoff.max, backoff.initial * 2 ** Math.min(attempt, 30));
  return base * (0.5 + random());
}

/**
 * A client id for chat.send: random, so that the server can recognize a retry.
 * @returns {string}
 */
export function newClientId() {
  const bytes = new Uint8Array(12);
  if (globalThis.crypto?.getRandomValues) {
    globalThis.crypto.getRandomValues(bytes);
  } else {
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  }
  return "c-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * @param {ErrorCode} code
 * @param {string} message
 * @param {string | number | null} [ref]
 * @returns {ErrorFrame}
 */
function clientError(code, message, ref = null) {
  return { type: "error", ref, code, message, field: null, retry_after: null };
}

export class RoomClient {
  /** @type {(snapshot: Snapshot) => void} Replace all room state with this one. */
  onSnapshot = () => {};
  /** @type {(event: RoomEvent) => void} Each room event once, in seq order. */
  onEvent = () => {};
  /** @type {(counts: ReactionsFrame["counts"]) => void} */
  onReactions = () => {};
  /** @type {(stage: StageFrame) => void} The stage's tracks changed (not a room event). */
  onStage = () => {};
  /** @type {(status: Status, reason: string, code: StatusCode) => void} */
  onStatus = () => {};
  /** @type {(error: ErrorFrame) => void} Errors no command promise is waiting for. */
  onError = () => {};
  /** @type {(frame: GroupCallFrame) => void} A breakout group's call: signals, its tracks. */
  onGroupCall = () => {};

  /** @type {Status} */
  #status = "closed";
  /** @type {number | null} */
  #lastSeq = null;
  #ref = 0;
  /** @type {SocketLike | null} */
  #ws = null;
  /** @type {number | null} */
  #joinRef = null;
  #joined = false;
  // A join without `since` is answered by the ack then the snapshot; events that would
  // somehow come between them wait here rather than being applied to no state.
  #awaitingSnapshot = false;
  /** @type {RoomEvent[]} */
  #early = [];
  /** @type {Map<number, Pending>} Sent on the current socket, awaiting an answer. */
  #inflight = new Map();
  /** @type {Pending[]} Waiting for the socket to be joined. */
  #queue = [];
  #attempt = 0;
  #wasLive = false;
  #deliberate = false;
  // Bumped by close() and by each attempt, so that a ticket fetched for an abandoned
  // attempt is not used.
  #generation = 0;
  #missedPongs = 0;
  /** @type {unknown} */
  #retryTimer = null;
  /** @type {unknown} */
  #joinTimer = null;
  /** @type {unknown} */
  #pingTimer = null;

  /** @param {RoomClientOptions} options */
  constructor(options) {
    this.url = options.url;
    this.room = options.room;
    this.ticketProvider = options.ticketProvider ?? null;
    /** @type {SocketConstructor} */
    this.Socket = options.WebSocket ?? /** @type {SocketConstructor} */ (globalThis.WebSocket);
    /** @type {Timers} */
    this.timers = options.timers ?? {
      setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
      clearTimeout: (h) => globalThis.clearTimeout(/** @type {any} */ (h)),
      setInterval: (fn, ms) => globalThis.setInterval(fn, ms),
      clearInterval: (h) => globalThis.clearInterval(/** @type {any} */ (h)),
    };
    this.random = options.random ?? Math.random;
    this.pingInterval = options.pingInterval ?? 25_000;
    this.joinTimeout = options.joinTimeout ?? 15_000;
    this.backoff = options.backoff ?? { initial: 500, max: 15_000 };
    this.maxQueue = options.maxQueue ?? 200;
  }

  /** @returns {Status} */
  get status() {
    return this.#status;
  }

  /** The seq of the last event (or snapshot) applied; null before the first snapshot. */
  get lastSeq() {
    return this.#lastSeq;
  }

  /** Open the socket and join the room; after close(), join again and resume. */
  connect() {
    if (this.#ws || this.#retryTimer !== null || this.#status === "connecting") return;
    this.#deliberate = false;
    this.#attempt = 0;
    this.#setStatus(this.#wasLive ? "reconnecting" : "connecting", "", "");
    void this.#open();
  }

  /** Leave for good: no reconnect; commands still waiting are rejected with "closed". */
  close() {
    this.#shutDown("leaving", "The room connection was closed.", "closed");
  }

  // ---- Commands --------------------------------------------------------------------------

  /**
   * Send a chat message. The promise settles once the server has stored it (or refused).
   * @param {string} body
   * @param {{replyTo?: number | null, toHosts?: boolean, clientId?: string}} [options]
   * @returns {Promise<AckFrame>} The ack carries the message's `id` and `seq`.
   */
  sendChat(body, { replyTo = null, toHosts = false, clientId = newClientId() } = {}) {
    /** @type {Omit<ChatSendCommand, "ref">} */
    const frame = { op: "chat.send", client_id: clientId, body };
    if (replyTo != null) frame.reply_to = replyTo;
    if (toHosts) frame.to_hosts = true;
    return this.#command(frame);
  }

  /**
   * @param {number} id
   * @param {string} body
   * @returns {Promise<AckFrame>}
   */
  editChat(id, body) {
    return this.#command({ op: "chat.edit", id, body });
  }

  /**
   * @param {number} id
   * @returns {Promise<AckFrame>}
   */
  deleteChat(id) {
    return this.#command({ op: "chat.delete", id });
  }

  /**
   * Messages older than message `before`; the ack has `messages` (oldest first) and `more`.
   * @param {number} before
   * @param {number} [limit]
   * @returns {Promise<AckFrame>}
   */
  history(before, limit = 50) {
    return this.#command({ op: "chat.history", before, limit });
  }

  /** @returns {Promise<AckFrame>} */
  raiseHand() {
    return this.#command({ op: "hand.raise" });
  }

  /**
   * Lower your own hand, or (hosts, co-hosts, moderators) someone else's.
   * @param {string} [member]
   * @returns {Promise<AckFrame>}
   */
  lowerHand(member) {
    /** @type {Omit<HandLowerCommand, "ref">} */
    const frame = { op: "hand.lower" };
    if (member) frame.member = member;
    return this.#command(frame);
  }

  /** @returns {Promise<AckFrame>} */
  nextHand() {
    return this.#command({ op: "hand.next" });
  }

  /**
   * Reactions only make sense now: while the socket is down they are refused, not queued.
   * @param {Reaction} reaction
   * @returns {Promise<AckFrame>}
   */
  react(reaction) {
    return this.#command({ op: "react", reaction }, { queue: false });
  }

  /**
   * @param {number} seconds 0 (off) to 300.
   * @returns {Promise<AckFrame>}
   */
  setSlowMode(seconds) {
    return this.#command({ op: "room.slow_mode", seconds });
  }

  /**
   * Accept the community's guidelines while the room holds us at the door for them; once
   * accepted, the client joins again by itself.
   * @returns {Promise<AckFrame>}
   */
  acceptGuidelines() {
    if (this.#status !== "held" || !this.#ws) {
      return Promise.reject(clientError("not_in_room", "The room is not waiting for that."));
    }
    return new Promise((resolve, reject) => {
      this.#transmit({ frame: { op: "guidelines.accept", room: this.room }, resolve, reject });
    }).then((ack) => {
      if (this.#status === "held") this.#sendJoin();
      return /** @type {AckFrame} */ (ack);
    });
  }

  /**
   * Any command of the protocol, for the modules that wrap the rarer ones
   * (moderation-ops.js, qa-poll-ops.js, …). Queued while the socket is down unless `queue` is false.
   * @param {CommandBody} frame
   * @param {{queue?: boolean}} [options]
   * @returns {Promise<AckFrame>}
   */
  command(frame, options) {
    return this.#command(frame, options);
  }

  /**
   * @param {CommandBody} frame
   * @param {{queue?: boolean}} [options]
   * @returns {Promise<AckFrame>}
   */
  #command(frame, { queue = true } = {}) {
    return new Promise((resolve, reject) => {
      /** @type {Pending} */
      const pending = { frame, resolve, reject };
      if (this.#deliberate) {
        reject(clientError("closed", "The room connection is closed."));
      } else if (this.#joined) {
        this.#transmit(pending);
      } else if (!queue) {
        reject(clientError("disconnected", "Not connected to the room right now."));
      } else if (this.#queue.length >= this.maxQueue) {
        reject(clientError("queue_full", "Too many actions are waiting for the connection."));
      } else {
        this.#queue.push(pending);
      }
    });
  }

  /** @param {Pending} pending */
  #transmit(pending) {
    const ref = ++this.#ref;
    this.#inflight.set(ref, pending);
    this.#send({ ...pending.frame, ref });
  }

  /** @param {object} frame */
  #send(frame) {
    const ws = this.#ws;
    if (!ws || ws.readyState !== OPEN) return; // the close handler requeues what is in flight
    try {
      ws.send(JSON.stringify(frame));
    } catch {
      // The socket is failing; its close event follows and recovers.
    }
  }

  // ---- The connection --------------------------------------------------------------------

  async #open() {
    const generation = ++this.#generation;
    let url = this.url;
    if (this.ticketProvider) {
      let ticket;
      try {
        ticket = await this.ticketProvider();
      } catch (error) {
        if (generation !== this.#generation) return;
        const err = /** @type {{message?: string, permanent?: boolean}} */ (error ?? {});
        const reason = err.message || "Could not get a ticket to join.";
        if (err.permanent) this.#giveUp(reason);
        else this.#scheduleRetry(reason);
        return;
      }
      if (generation !== this.#generation) return;
      url += (url.includes("?") ? "&" : "?") + "ticket=" + encodeURIComponent(ticket);
    }
    /** @type {SocketLike} */
    let ws;
    try {
      ws = new this.Socket(url);
    } catch (error) {
      this.#scheduleRetry(String(/** @type {Error} */ (error)?.message ?? error));
      return;
    }
    this.#ws = ws;
    this.#joined = false;
    // Covers a handshake that hangs and a join that is never answered alike.
    this.#joinTimer = this.timers.setTimeout(() => {
      this.#joinTimer = null;
      if (ws === this.#ws) this.#abandon(ws, "The server did not answer in time.");
    }, this.joinTimeout);
    ws.onopen = () => {
      if (ws === this.#ws) this.#onOpen();
    };
    ws.onmessage = (ev) => {
      if (ws === this.#ws) this.#onMessage(ev.data);
    };
    ws.onclose = (ev) => {
      if (ws === this.#ws) this.#onClose(ev.code, ev.reason);
    };
    ws.onerror = () => {}; // a close event always follows
  }

  #onOpen() {
    this.#missedPongs = 0;
    this.#pingTimer = this.timers.setInterval(() => this.#ping(), this.pingInterval);
    this.#sendJoin();
  }

  // On a new socket, and again on the same one once admitted or past the guidelines.
  #sendJoin() {
    this.#joinRef = ++this.#ref;
    this.#awaitingSnapshot = this.#lastSeq === null;
    this.#early = [];
    /** @type {JoinCommand} */
    const join = { op: "join", ref: this.#joinRef, room: this.room };
    if (this.#lastSeq !== null) join.since = this.#lastSeq;
    this.#send(join);
  }

  #ping() {
    const ws = this.#ws;
    if (!ws) return;
    // Any frame from the server counts as an answer; two intervals of silence mean the
    // connection is dead even if the browser has not noticed yet.
    if (this.#missedPongs >= 2) {
      this.#abandon(ws, "The server stopped answering.");
      return;
    }
    this.#missedPongs++;
    this.#send({ op: "ping", ref: ++this.#ref });
  }

  /** @param {unknown} data */
  #onMessage(data) {
    if (typeof data !== "string") return;
    /** @type {ServerFrame} */
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (!frame || typeof frame !== "object") return;
    this.#missedPongs = 0;
    switch (frame.type) {
      case "ack":
        if (frame.ref === this.#joinRef && frame.waiting) this.#onWaiting();
        else if (frame.ref === this.#joinRef) this.#onJoined();
        else this.#settle(frame.ref, (p) => p.resolve(frame));
        break;
      case "error":
        if (frame.ref !== null && frame.ref === this.#joinRef) this.#onJoinRefused(frame);
        else if (!this.#settle(frame.ref, (p) => p.reject(frame))) this.onError(frame);
        break;
      case "snapshot":
        if (frame.room === this.room) this.#applySnapshot(frame);
        break;
      case "events":
        if (frame.room === this.room && Array.isArray(frame.events)) this.#applyEvents(frame.events);
        break;
      case "reactions":
        if (frame.room === this.room || frame.room === undefined) this.onReactions(frame.counts ?? {});
        break;
      case "group.signal":
      case "group.media":
        if (frame.room === this.room) this.onGroupCall(frame);
        break;
      case "stage.state":
        if (frame.room === this.room) this.onStage(frame);
        break;
      case "admitted":
        if (frame.room === this.room && this.#status === "waiting" && this.#joinRef === null) this.#sendJoin();
        break;
      default:
        // "pong", and frame types newer than this client: nothing to do.
        break;
    }
  }

  /**
   * @param {string | number | null} ref
   * @param {(pending: Pending) => void} fn
   * @returns {boolean} whether a command was waiting for this ref
   */
  #settle(ref, fn) {
    if (typeof ref !== "number") return false;
    const pending = this.#inflight.get(ref);
    if (!pending) return false;
    this.#inflight.delete(ref);
    fn(pending);
    return true;
  }

  #onJoined() {
    this.#joinRef = null;
    this.#joined = true;
    this.#attempt = 0;
    this.#wasLive = true;
    this.#clearJoinTimer();
    this.#setStatus("live", "", "");
    const queued = this.#queue;
    this.#queue = [];
    for (const pending of queued) this.#transmit(pending);
  }

  // The waiting room holds us, for as long as the staff takes: no join timeout; what the
  // person does meanwhile stays queued. The `admitted` frame sends the join again.
  #onWaiting() {
    this.#joinRef = null;
    this.#attempt = 0;
    this.#clearJoinTimer();
    this.#setStatus("waiting", "Waiting for a host to let you in.", "waiting");
  }

  /** @param {ErrorFrame} frame */
  #onJoinRefused(frame) {
    this.#joinRef = null;
    this.onError(frame);
    if (JOIN_RETRY_CODES.has(frame.code) && this.#ws) {
      this.#abandon(this.#ws, frame.message);
    } else if (JOIN_HOLD_CODES.has(frame.code) && this.#ws) {
      this.#clearJoinTimer();
      this.#setStatus("held", frame.message, frame.code);
    } else {
      this.#giveUp(frame.message, frame.code);
    }
  }

  /** @param {Snapshot} snapshot */
  #applySnapshot(snapshot) {
    // A snapshot replaces everything, even when its seq is below ours (the room was reset).
    this.#lastSeq = snapshot.seq;
    this.#awaitingSnapshot = false;
    const early = this.#early;
    this.#early = [];
    this.onSnapshot(snapshot);
    this.#applyEvents(early);
  }

  /** @param {RoomEvent[]} events */
  #applyEvents(events) {
    if (this.#awaitingSnapshot) {
      this.#early.push(...events);
      return;
    }
    const ordered = [...events].sort((a, b) => a.seq - b.seq);
    for (const event of ordered) {
      if (typeof event?.seq !== "number") continue;
      // Already applied (a resume overlapping what we had, or a duplicate): drop it. Gaps
      // are normal: some events are only for some people.
      if (this.#lastSeq !== null && event.seq <= this.#lastSeq) continue;
      this.#lastSeq = event.seq;
      this.onEvent(event);
    }
  }

  /**
   * @param {number} code
   * @param {string} reason
   */
  #onClose(code, reason) {
    const ws = this.#ws;
    if (ws) detach(ws);
    this.#ws = null;
    this.#joined = false;
    this.#joinRef = null;
    this.#stopTimers();
    this.#requeueInflight();
    if (this.#deliberate) return;
    if (code === CLOSE_SESSION_ENDED) {
      this.#giveUp("Your session ended. Sign in again to rejoin.", "session_ended");
      return;
    }
    // Sent away by a moderator: after a removal the person may come back, but by choice.
    if (code === CLOSE_REMOVED) {
      this.#giveUp("A moderator removed you from the room.", "removed");
      return;
    }
    if (code === CLOSE_BANNED) {
      this.#giveUp("You are banned from this community.", "banned");
      return;
    }
    this.#scheduleRetry(reason || `Connection lost (${code}).`);
  }

  /**
   * Give up on a socket that will not help us any more, without waiting for its close
   * handshake (which never ends on a dead connection).
   * @param {SocketLike} ws
   * @param {string} reason
   */
  #abandon(ws, reason) {
    detach(ws);
    try {
      ws.close(CLOSE_NO_ANSWER, "no answer");
    } catch {
      // Closing a socket that is not open yet may throw in some engines.
    }
    if (ws === this.#ws) this.#onClose(CLOSE_NO_ANSWER, reason);
  }

  // What was in flight on a dropped socket goes again first, ahead of what was queued
  // while it was down, keeping the order the person acted in.
  #requeueInflight() {
    /** @type {Pending[]} */
    const again = [];
    for (const pending of this.#inflight.values()) {
      if (SAFE_TO_REPEAT.has(pending.frame.op)) {
        again.push(pending);
      } else {
        pending.reject(
          clientError("disconnected", "The connection dropped before the server answered."),
        );
      }
    }
    this.#inflight.clear();
    this.#queue = [...again, ...this.#queue];
  }

  /** @param {string} reason */
  #scheduleRetry(reason) {
    if (this.#deliberate) return;
    this.#setStatus("reconnecting", reason, "");
    const delay = backoffDelay(this.#attempt++, this.backoff, this.random);
    this.#retryTimer = this.timers.setTimeout(() => {
      this.#retryTimer = null;
      void this.#open();
    }, delay);
  }

  /**
   * @param {string} reason
   * @param {StatusCode} [code]
   */
  #giveUp(reason, code = "") {
    this.#shutDown("giving up", reason, reason, code);
  }

  /**
   * Stop for good: close the socket, reconnect no more, reject what still waits.
   * @param {string} closeReason sent in the close frame
   * @param {string} message given to commands still waiting
   * @param {string} statusReason passed to onStatus with "closed"
   * @param {StatusCode} [code]
   */
  #shutDown(closeReason, message, statusReason, code = "") {
    this.#deliberate = true;
    this.#generation++;
    this.#stopTimers();
    const ws = this.#ws;
    this.#ws = null;
    this.#joined = false;
    if (ws) {
      detach(ws);
      try {
        ws.close(CLOSE_NORMAL, closeReason);
      } catch {
        // Already closing: nothing to do.
      }
    }
    this.#failAll("closed", message);
    this.#setStatus("closed", statusReason, code);
  }

  /**
   * @param {ErrorCode} code
   * @param {string} message
   */
  #failAll(code, message) {
    const waiting = [...this.#inflight.values(), ...this.#queue];
    this.#inflight.clear();
    this.#queue = [];
    for (const pending of waiting) pending.reject(clientError(code, message));
  }

  #clearJoinTimer() {
    if (this.#joinTimer !== null) this.timers.clearTimeout(this.#joinTimer);
    this.#joinTimer = null;
  }

  #stopTimers() {
    this.#clearJoinTimer();
    if (this.#pingTimer !== null) this.timers.clearInterval(this.#pingTimer);
    this.#pingTimer = null;
    if (this.#retryTimer !== null) this.timers.clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }

  /**
   * @param {Status} status
   * @param {string} reason
   * @param {StatusCode} code
   */
  #setStatus(status, reason, code) {
    if (status === this.#status && status !== "reconnecting") return;
    this.#status = status;
    this.onStatus(status, reason, code);
  }
}

/** @param {SocketLike} ws */
function detach(ws) {
  ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
}
