// The stage's media, client side (docs/protocol.md, "The stage: media"): the frames it adds,
// the rules the stage panel draws from, and the peer connections with the server's SFU,
// signalled through a RoomClient. No DOM here: the panel (room/stage.js) renders.

/** @typedef {import("./protocol.js").RoomClient} RoomClient */
/** @typedef {import("./protocol-types.js").Person} Person */

/** @typedef {"camera" | "microphone" | "screen"} Label */

/**
 * A published track on the stage.
 * @typedef {object} StageTrack
 * @property {string} id
 * @property {string} member
 * @property {string} name
 * @property {Label} label
 * @property {"audio" | "video"} kind
 * @property {boolean} muted A host muted this microphone.
 */

/**
 * What is on the stage now (the ack of `stage.state`, and the frame of the same type).
 * @typedef {object} StageState
 * @property {StageTrack[]} tracks
 * @property {string[]} on_stage
 * @property {string[]} invited
 * @property {string[]} muted
 * @property {{by: string, since: string} | null} [recording] Who started recording the
 *   stage, and when; null when nothing records.
 * @property {string} [epoch] The media server running the stage: when it changes, the
 *   stage moved (its server stopped) and both connections are offered again.
 */

/** @type {StageState} */
export const EMPTY_STAGE = { tracks: [], on_stage: [], invited: [], muted: [], recording: null };

/** Roles that present without an invitation (the server checks every offer). */
export const PRESENTING_ROLES = new Set(["host", "co-host", "speaker"]);
export const HOSTING_ROLES = new Set(["host", "co-host"]);

/**
 * Whether to show this person the camera, microphone and screen buttons.
 * @param {Person | null} me
 * @param {StageState} stage
 * @param {boolean} removed A host took them off the stage since they came.
 */
export function mayPublish(me, stage, removed) {
  if (!me) return false;
  if (stage.on_stage.includes(me.id)) return true;
  return PRESENTING_ROLES.has(me.role) && !removed;
}

/**
 * Whether a host sees "Invite to stage" beside this person.
 * @param {Person | null} me
 * @param {Person} person
 * @param {StageState} stage
 */
export function mayInvite(me, person, stage) {
  if (!me || !HOSTING_ROLES.has(me.role) || person.id === me.id) return false;
  if (PRESENTING_ROLES.has(person.role)) return false;
  return !stage.on_stage.includes(person.id) && !stage.invited.includes(person.id);
}

/**
 * What a host may do to this person from the people list: invite them, or, once they
 * present, mute their microphone and take them off the stage. Hosts are never acted on.
 * @param {Person | null} me
 * @param {Person} person
 * @param {StageState} stage
 * @returns {("stage.invite" | "stage.mute" | "stage.remove")[]}
 */
export function hostActions(me, person, stage) {
  if (!me || !HOSTING_ROLES.has(me.role) || person.id === me.id || HOSTING_ROLES.has(person.role)) return [];
  if (mayInvite(me, person, stage)) return ["stage.invite"];
  const presenting = stage.on_stage.includes(person.id) || PRESENTING_ROLES.has(person.role);
  if (!presenting) return [];
  const mic = stage.tracks.some((t) => t.member === person.id && t.label === "microphone");
  return mic && !stage.muted.includes(person.id) ? ["stage.mute", "stage.remove"] : ["stage.remove"];
}

/**
 * Where each video goes: a screen share large, cameras as tiles beside it.
 * @param {StageTrack[]} tracks
 * @returns {{large: StageTrack | null, tiles: StageTrack[], audio: StageTrack[]}}
 */
export function stageLayout(tracks) {
  const videos = tracks.filter((t) => t.kind === "video");
  const large = videos.find((t) => t.label === "screen") ?? null;
  return {
    large,
    tiles: videos.filter((t) => t !== large),
    audio: tracks.filter((t) => t.kind === "audio"),
  };
}

/**
 * The key of a list of tracks: the watch connection is offered again when it changes.
 * @param {StageTrack[]} tracks
 */
export function tracksKey(tracks) {
  return tracks.map((t) => t.id).join(",");
}

/**
 * @param {RTCPeerConnection} pc
 * @param {number} timeoutMs
 * @returns {Promise<void>}
 */
function gathered(pc, timeoutMs) {
  // The offer goes out with the candidates in it: one message instead of a trickle.
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      if (pc.iceGatheringState !== "complete") return;
      pc.removeEventListener("icegatheringstatechange", done);
      resolve();
    };
    pc.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, timeoutMs);
  });
}

/**
 * A person's two connections with the SFU: what they publish, and the stage they watch.
 * Each new offer is a fresh peer connection (the server replaces the old one too).
 */
export class StageMedia {
  /** @type {(track: StageTrack, media: MediaStreamTrack) => void} A stage track arrived. */
  onTrack = () => {};
  /** @type {(which: "publish" | "watch") => void} A connection failed (its network). */
  onFailed = () => {};

  /**
   * @param {RoomClient} client
   * @param {(config: RTCConfiguration) => RTCPeerConnection} [makePeer]
   * @param {{group?: boolean}} [scope] `{group: true}`: one's breakout group's call, not the stage
   */
  constructor(client, makePeer = (config) => new RTCPeerConnection(config), scope = {}) {
    this.client = client;
    this.makePeer = makePeer;
    this.scope = scope;
    /** @type {RTCPeerConnection | null} */
    this.publishing = null;
    /** @type {RTCPeerConnection | null} */
    this.watching = null;
    /** @type {{servers: RTCIceServer[], until: number} | null} */
    this.ice = null;
  }

  // Each call of publish (or watch) takes a turn; a later call, or close, ends the earlier
  // one's turn, so a button pressed twice in a moment sends one offer, the last.
  #turns = { publish: 0, watch: 0 };

  async #config() {
    if (!this.ice || Date.now() > this.ice.until) {
      const ack = await this.client.command({ op: "media.ice_servers" });
      const expiresIn = Number(ack.expires_in ?? 3600);
      // Ask again well before TURN credentials expire.
      this.ice = { servers: /** @type {RTCIceServer[]} */ (ack.ice_servers ?? []), until: Date.now() + expiresIn * 500 };
    }
    return { iceServers: this.ice.servers };
  }

  /**
   * Publish these tracks (all of them: one fresh connection), or stop with an empty map.
   * @param {Map<Label, MediaStreamTrack>} tracks
   */
  async publish(tracks) {
    const turn = ++this.#turns.publish;
    this.publishing?.close();
    this.publishing = null;
    if (tracks.size === 0) {
      await this.client.command({ op: "media.leave", connection: "publish", ...this.scope });
      return;
    }
    const config = await this.#config();
    if (turn !== this.#turns.publish) return; // a later call took over
    const pc = this.makePeer(config);
    this.publishing = pc;
    this.#reportFailure(pc, "publish");
    /** @type {[RTCRtpTransceiver, Label][]} */
    const added = [];
    for (const [label, track] of tracks) {
      added.push([pc.addTransceiver(track, { direction: "sendonly" }), label]);
    }
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc, 3000);
    if (this.publishing !== pc) return; // replaced meanwhile (a closed one has no mids)
    /** @type {Record<string, Label>} */
    const labels = {};
    for (const [transceiver, label] of added) if (transceiver.mid !== null) labels[transceiver.mid] = label;
    const sdp = pc.localDescription?.sdp ?? "";
    const ack = await this.#offer(pc, () => this.publishing, { sdp, tracks: labels });
    if (ack) await pc.setRemoteDescription({ type: "answer", sdp: String(ack.sdp) });
  }

  /**
   * Watch these stage tracks: one receiving section per track, on a fresh connection.
   * @param {StageTrack[]} tracks
   */
  async watch(tracks) {
    const turn = ++this.#turns.watch;
    this.watching?.close();
    this.watching = null;
    if (tracks.length === 0) {
      await this.client.command({ op: "media.leave", connection: "watch", ...this.scope });
      return;
    }
    const config = await this.#config();
    if (turn !== this.#turns.watch) return; // a later call took over
    const pc = this.makePeer(config);
    this.watching = pc;
    this.#reportFailure(pc, "watch");
    for (const track of tracks) pc.addTransceiver(track.kind, { direction: "recvonly" });
    /** @type {Record<string, StageTrack>} */
    let carried = {};
    /** @type {[string, MediaStreamTrack][]} */
    const early = [];
    pc.addEventListener("track", (event) => {
      const mid = event.transceiver.mid ?? "";
      if (carried[mid]) this.onTrack(carried[mid], event.track);
      else early.push([mid, event.track]);
    });
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc, 3000);
    if (this.watching !== pc) return;
    const ack = await this.#offer(pc, () => this.watching, { sdp: pc.localDescription?.sdp ?? "" });
    if (!ack) return;
    carried = /** @type {Record<string, StageTrack>} */ (ack.tracks ?? {});
    await pc.setRemoteDescription({ type: "answer", sdp: String(ack.sdp) });
    for (const [mid, media] of early.splice(0)) if (carried[mid]) this.onTrack(carried[mid], media);
  }

  /**
   * Send `pc`'s offer. The answer (or the refusal) matters only while `pc` is still the
   * connection `current` names: one replaced meanwhile is closed, and its answer is null.
   * @param {RTCPeerConnection} pc
   * @param {() => RTCPeerConnection | null} current
   * @param {{sdp: string, tracks?: Record<string, Label>}} body
   */
  async #offer(pc, current, body) {
    try {
      const ack = await this.client.command({ op: "media.offer", ...body, ...this.scope });
      return current() === pc ? ack : null;
    } catch (error) {
      if (current() !== pc) return null;
      throw error;
    }
  }

  /**
   * @param {RTCPeerConnection} pc
   * @param {"publish" | "watch"} which
   */
  #reportFailure(pc, which) {
    pc.addEventListener("connectionstatechange", () => {
      const current = which === "publish" ? this.publishing : this.watching;
      if (pc.connectionState === "failed" && current === pc) this.onFailed(which);
    });
  }

  /** Stop publishing on this side only: the server has closed its side already. */
  dropPublishing() {
    this.#turns.publish += 1;
    this.publishing?.close();
    this.publishing = null;
  }

  close() {
    this.dropPublishing();
    this.#turns.watch += 1;
    this.watching?.close();
    this.watching = null;
  }
}
