// A breakout group's video call: one RTCPeerConnection per other member (a full mesh), the
// camera and microphone, and the signals relayed by the room's socket (group.signal). The
// rules of who offers are group-call-plan.js; drawing the tiles is group-video.js.

import * as plan from "./group-call-plan.js";

/** @typedef {import("../protocol.js").RoomClient} RoomClient */

/**
 * @typedef {object} Signal
 * @property {"hello" | "offer" | "answer" | "candidate" | "bye"} type
 * @property {string} [sdp]
 * @property {RTCIceCandidateInit} [candidate]
 */

/** @typedef {{type: "group.signal", room: number, from: string, signal: Signal}} GroupSignalFrame */
/** @typedef {{op: "group.signal", ref: number, to: string, signal: Signal}} GroupSignalCommand */
/** @typedef {{op: "group.ice_servers", ref: number}} GroupIceServersCommand */
/** @typedef {GroupSignalCommand | GroupIceServersCommand} GroupCallCommand */

/**
 * One connection, to one other member.
 * @typedef {object} Peer
 * @property {RTCPeerConnection} pc
 * @property {boolean} offering whether we offered on it
 * @property {MediaStream | null} stream what they send us
 * @property {Promise<void>} chain its signals, applied one after another
 * @property {number} recalls how often it was called again since it last connected
 * @property {ReturnType<typeof setTimeout> | undefined} lost the wait before calling again
 */

// Signals kept while the page waits to hear that their sender sits in the group (the
// seating comes with the next room frame, well within a few seconds), and how many.
const EARLY_KEPT = 100;
const EARLY_MS = 5000;
// The side that offers calls a connection again, on a fresh one, when it fails, stays
// "disconnected" (a network change, a laptop waking up) or never connects: at most this many
// times until it connects again. The other side waits for the new offer, so that two new
// offers never cross.
const DISCONNECTED_MS = 5000;
const CONNECTING_MS = 15000;
const MAX_RECALLS = 3;

export class GroupCall {
  /** @type {Map<string, Peer>} */
  peers = new Map();
  /** @type {MediaStream | null} */
  local = null;
  /** @type {RTCIceServer[]} */
  iceServers = [];
  /** @type {string[]} */
  members = [];
  inCall = false;
  /** @type {[string, Signal, number][]} signals that came before their sender's seating */
  early = [];
  /** Called when a connection, a stream or a state changes. */
  onChange = () => {};
  /** @type {(text: string) => void} Something worth saying to the person. */
  onNotice = () => {};

  /**
   * @param {RoomClient} client
   * @param {string} me the person's member id
   */
  constructor(client, me) {
    this.client = client;
    this.me = me;
  }

  /**
   * Ask for the camera and microphone and call every other member of the group.
   * @param {string[]} members the group's members, `me` among them
   */
  async start(members) {
    // The group may change while the devices start: `setMembers` keeps this list current,
    // and the greetings go to the members as they are once the call begins.
    this.members = [...members];
    const ack = /** @type {{ice_servers?: RTCIceServer[]}} */ (
      await this.client.command({ op: "group.ice_servers" }, { queue: false }));
    this.iceServers = ack.ice_servers ?? [];
    this.local = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 360 } });
    this.inCall = true;
    this.#greet(this.members);
    this.onChange();
  }

  /** @param {string[]} members an offer or a hello to each of them (not to oneself) */
  #greet(members) {
    for (const { to, type } of plan.greetings(this.me, members)) {
      if (type === "offer") this.#offer(to);
      else this.#send(to, { type: "hello" });
    }
  }

  /** Hang up: a goodbye to everyone connected, then close all and release the devices. */
  stop() {
    if (!this.inCall) return;
    this.inCall = false;
    this.early = [];
    for (const member of this.peers.keys()) this.#send(member, { type: "bye" });
    for (const member of [...this.peers.keys()]) this.#close(member);
    for (const track of this.local?.getTracks() ?? []) track.stop();
    this.local = null;
    this.onChange();
  }

  /** @param {string[]} members the group's members now */
  setMembers(members) {
    const before = this.members;
    this.members = [...members];
    for (const member of plan.gone(this.peers.keys(), members)) this.#close(member);
    // Someone new in the group may be in the call already (they clicked before this page
    // heard they were seated, and their greeting was ignored): greet them as on joining.
    // If they are not in the call yet they ignore it, and greet us when they join.
    if (this.inCall) this.#greet(plan.arrived(before, members, this.me));
    // Signals from someone whose seating this page had not heard of yet: the server relays
    // only within a group, so they are in it; their `breakout.seated` was on its way.
    const now = Date.now();
    const early = this.early.filter(([, , at]) => now - at < EARLY_MS);
    this.early = early.filter(([from]) => !this.members.includes(from));
    for (const [from, signal] of early) {
      if (this.members.includes(from)) this.receive(from, signal);
    }
    this.onChange();
  }

  /** @param {string} member someone to hang up on (a moderator muted them) */
  drop(member) {
    if (!this.peers.has(member)) return;
    this.#send(member, { type: "bye" });
    this.#close(member);
    this.onChange();
  }

  /** @param {boolean} on */
  setMicrophone(on) {
    for (const track of this.local?.getAudioTracks() ?? []) track.enabled = on;
  }

  /** @param {boolean} on */
  setCamera(on) {
    for (const track of this.local?.getVideoTracks() ?? []) track.enabled = on;
  }

  /**
   * A signal relayed from another member.
   * @param {string} from
   * @param {Signal} signal
   */
  receive(from, signal) {
    if (this.inCall && from !== this.me && !this.members.includes(from)) {
      if (this.early.length < EARLY_KEPT) this.early.push([from, signal, Date.now()]);
      return;
    }
    const peer = this.peers.get(from);
    const action = plan.onSignal(this.me, from, signal.type,
      { inCall: this.inCall, members: this.members, offering: peer ? peer.offering : null });
    switch (action) {
      case "answer":
        this.#answer(from, signal.sdp ?? "");
        break;
      case "offer":
        this.#offer(from);
        break;
      case "accept":
        this.#then(from, (p) => p.pc.setRemoteDescription({ type: "answer", sdp: signal.sdp ?? "" }));
        break;
      case "add":
        this.#then(from, (p) => p.pc.addIceCandidate(signal.candidate));
        break;
      case "close":
        this.#close(from);
        this.onChange();
        break;
      default:
        break;
    }
  }

  /**
   * @param {string} member
   * @param {number} [recalls] how often this connection was called again already
   */
  #offer(member, recalls = 0) {
    const peer = this.#connect(member, true, recalls);
    this.#then(member, async (p) => {
      await p.pc.setLocalDescription(await p.pc.createOffer());
      this.#send(member, { type: "offer", sdp: p.pc.localDescription?.sdp ?? "" });
    }, peer);
  }

  /**
   * @param {string} member
   * @param {string} sdp
   */
  #answer(member, sdp) {
    const peer = this.#connect(member, false, 0);
    this.#then(member, async (p) => {
      await p.pc.setRemoteDescription({ type: "offer", sdp });
      await p.pc.setLocalDescription(await p.pc.createAnswer());
      this.#send(member, { type: "answer", sdp: p.pc.localDescription?.sdp ?? "" });
    }, peer);
  }

  /**
   * A fresh connection to `member`, replacing any older one (they called again).
   * @param {string} member
   * @param {boolean} offering
   * @param {number} recalls
   * @returns {Peer}
   */
  #connect(member, offering, recalls) {
    this.#close(member);
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    /** @type {Peer} */
    const peer = { pc, offering, stream: null, chain: Promise.resolve(), recalls, lost: undefined };
    for (const track of this.local?.getTracks() ?? []) pc.addTrack(track, /** @type {MediaStream} */ (this.local));
    pc.addEventListener("icecandidate", (event) => {
      if (event.candidate) this.#send(member, { type: "candidate", candidate: event.candidate.toJSON() });
    });
    pc.addEventListener("track", (event) => {
      peer.stream = event.streams[0] ?? peer.stream ?? new MediaStream();
      if (!peer.stream.getTracks().includes(event.track)) peer.stream.addTrack(event.track);
      this.onChange();
    });
    pc.addEventListener("connectionstatechange", () => {
      if (this.peers.get(member) !== peer) return;
      if (pc.connectionState !== "new" && pc.connectionState !== "connecting") clearTimeout(peer.lost);
      if (pc.connectionState === "connected") peer.recalls = 0;
      if (pc.connectionState === "failed") this.#recall(member, peer);
      if (pc.connectionState === "disconnected") this.#recallUnlessConnected(member, peer, DISCONNECTED_MS);
      this.onChange();
    });
    this.peers.set(member, peer);
    this.#recallUnlessConnected(member, peer, CONNECTING_MS);
    return peer;
  }

  /**
   * @param {string} member
   * @param {Peer} peer
   * @param {number} ms how long it has to connect (again)
   */
  #recallUnlessConnected(member, peer, ms) {
    if (!peer.offering) return;
    peer.lost = setTimeout(() => {
      if (this.peers.get(member) === peer && peer.pc.connectionState !== "connected") this.#recall(member, peer);
    }, ms);
  }

  /**
   * Call a lost connection again with a fresh offer, if it is ours to offer.
   * @param {string} member
   * @param {Peer} peer
   */
  #recall(member, peer) {
    if (peer.offering && peer.recalls < MAX_RECALLS) this.#offer(member, peer.recalls + 1);
  }

  /**
   * Run `step` on `member`'s connection after its earlier signals; a step that fails (a
   * stale answer, a candidate for a closed connection) is dropped, the call goes on.
   * @param {string} member
   * @param {(peer: Peer) => Promise<void>} step
   * @param {Peer} [peer]
   */
  #then(member, step, peer = this.peers.get(member)) {
    if (!peer) return;
    peer.chain = peer.chain.then(() => (this.peers.get(member) === peer ? step(peer) : undefined))
      .catch((error) => console.warn(`video call with ${member}:`, error));
  }

  /** @param {string} member */
  #close(member) {
    const peer = this.peers.get(member);
    if (!peer) return;
    clearTimeout(peer.lost);
    this.peers.delete(member);
    peer.pc.close();
  }

  /**
   * @param {string} to
   * @param {Signal} signal
   */
  #send(to, signal) {
    this.client.command({ op: "group.signal", to, signal }, { queue: false }).catch((error) => {
      // A goodbye refused because the round closed or we moved is no news to anyone.
      if (signal.type === "bye") return;
      if (error?.code === "too_many" || error?.code === "forbidden") this.onNotice(error.message);
    });
  }
}
