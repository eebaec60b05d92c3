// Test doubles for RoomClient: a WebSocket the test drives by hand, and timers on a clock
// the test advances.

export class FakeSocket {
  /** @type {FakeSocket[]} */
  static made = [];

  static reset() {
    FakeSocket.made = [];
  }

  static get last() {
    return FakeSocket.made.at(-1);
  }

  /** @param {string} url */
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    /** @type {any[]} */
    this.sent = [];
    /** @type {{code?: number, reason?: string} | null} */
    this.closedWith = null;
    this.onopen = null;
    this.onmessage = null;
    this.onclose = null;
    this.onerror = null;
    FakeSocket.made.push(this);
  }

  /** @param {string} data */
  send(data) {
    if (this.readyState !== 1) throw new Error("send on a socket that is not open");
    this.sent.push(JSON.parse(data));
  }

  close(code, reason) {
    this.readyState = 3;
    this.closedWith = { code, reason };
  }

  // ---- what the server side does ----

  open() {
    this.readyState = 1;
    this.onopen?.({});
  }

  receive(frame) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  drop(code = 1006, reason = "") {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  /** The frames sent with this op. */
  sentOps(op) {
    return this.sent.filter((f) => f.op === op);
  }

  lastSent() {
    return this.sent.at(-1);
  }
}

export class FakeTimers {
  now = 0;
  #next = 1;
  /** @type {Map<number, {at: number, fn: () => void, every: number | null}>} */
  #tasks = new Map();

  setTimeout = (fn, ms) => this.#add(fn, ms, null);
  setInterval = (fn, ms) => this.#add(fn, ms, ms);
  clearTimeout = (id) => void this.#tasks.delete(id);
  clearInterval = (id) => void this.#tasks.delete(id);

  #add(fn, ms, every) {
    const id = this.#next++;
    this.#tasks.set(id, { at: this.now + ms, fn, every });
    return id;
  }

  /** Delays of the timeouts (not intervals) now pending, from now. */
  pendingTimeouts() {
    return [...this.#tasks.values()].filter((t) => t.every === null).map((t) => t.at - this.now);
  }

  /** Move the clock, running what falls due in order. */
  advance(ms) {
    const end = this.now + ms;
    for (;;) {
      let due = null;
      for (const [id, task] of this.#tasks) {
        if (task.at <= end && (due === null || task.at < due[1].at)) due = [id, task];
      }
      if (!due) break;
      const [id, task] = due;
      this.now = task.at;
      if (task.every === null) this.#tasks.delete(id);
      else task.at += task.every;
      task.fn();
    }
    this.now = end;
  }
}

/** Let pending promise callbacks run. */
export function settle() {
  return new Promise((resolve) => setImmediate(resolve));
}
