// A breakout group's video call through the server's SFU, for groups larger than peer to
// peer carries (docs/protocol.md, "Video in a group"): one connection sends one's camera and
// microphone, one receives everyone else's, as the stage does (stage-ops.js) but within the
// group. It has the face of GroupCall (group-call.js), so group-video.js shows either.

import { StageMedia, tracksKey } from "../stage-ops.js";

/** @typedef {import("../protocol.js").RoomClient} RoomClient */
/** @typedef {import("../stage-ops.js").StageTrack} StageTrack */
/** @typedef {{type: "group.media", room: number, group: number, tracks: StageTrack[], epoch?: string}} GroupMediaFrame */

export class GroupSfuCall {
  /** @type {MediaStream | null} */
  local = null;
  /** @type {Map<string, {stream: MediaStream, pc: {readonly connectionState: string}}>} member -> what arrived */
  peers = new Map();
  /** @type {() => void} */
  onChange = () => {};
  /** @type {(text: string) => void} */
  onNotice = () => {};
  /** @type {StageTrack[]} the others' tracks being watched */
  tracks = [];
  #watched = "";
  /** @type {string | undefined} */
  #epoch = undefined;
  #inCall = false;

  /**
   * @param {RoomClient} client
   * @param {string} me
   * @param {(config: RTCConfiguration) => RTCPeerConnection} [makePeer]
   */
  constructor(client, me, makePeer) {
    this.client = client;
    this.me = me;
    this.media = new StageMedia(client, makePeer, { group: true });
    this.media.onTrack = (track, media) => this.#arrived(track, media);
    // A connection that fails is offered again, after a moment.
    this.media.onFailed = (which) => {
      setTimeout(() => (which === "publish" ? this.#publish() : this.#watch(this.tracks, true)), 1000);
    };
  }

  /** Start the camera and microphone, send them, and watch whoever else sends. */
  async start() {
    this.local = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 360 } });
    this.#inCall = true;
    await this.#publish();
    this.onTracks(/** @type {GroupMediaFrame} */ (/** @type {unknown} */ (await this.client.command({ op: "group.media" }))));
    this.onChange();
  }

  async #publish() {
    if (!this.#inCall || !this.local) return;
    /** @type {Map<import("../stage-ops.js").Label, MediaStreamTrack>} */
    const sending = new Map();
    for (const track of this.local.getTracks()) sending.set(track.kind === "video" ? "camera" : "microphone", track);
    await this.media.publish(sending);
  }

  /**
   * The group's tracks now (a `group.media` frame or the ack of the op of that name).
   * @param {{tracks?: StageTrack[], epoch?: string}} frame
   */
  onTracks(frame) {
    if (!this.#inCall) return;
    // A new epoch: the call moved to another media server; both connections start over.
    const moved = this.#epoch !== undefined && frame.epoch !== this.#epoch;
    this.#epoch = frame.epoch;
    if (moved) this.#publish().catch((error) => this.onNotice(`Your video could not be sent again: ${error.message ?? error}`));
    this.#watch((frame.tracks ?? []).filter((t) => t.member !== this.me), moved);
  }

  /**
   * @param {StageTrack[]} tracks
   * @param {boolean} [again] offer again even if the tracks are the same
   */
  #watch(tracks, again = false) {
    const key = tracksKey(tracks);
    if (!this.#inCall || (!again && key === this.#watched)) return;
    this.#watched = key;
    this.tracks = tracks;
    const sending = new Set(tracks.map((t) => t.member));
    for (const member of [...this.peers.keys()]) if (!sending.has(member)) this.peers.delete(member);
    this.media.watch(tracks).catch((error) => this.onNotice(`The others' video could not start: ${error.message ?? error}`));
    this.onChange();
  }

  /**
   * @param {StageTrack} track
   * @param {MediaStreamTrack} media
   */
  #arrived(track, media) {
    let peer = this.peers.get(track.member);
    if (!peer) {
      const media = this.media;
      peer = { stream: new MediaStream(), pc: { get connectionState() { return media.watching?.connectionState ?? "new"; } } };
      this.peers.set(track.member, peer);
    }
    for (const old of peer.stream.getTracks()) if (old.kind === media.kind) peer.stream.removeTrack(old);
    peer.stream.addTrack(media);
    this.onChange();
  }

  /** @param {string[]} members the group's members now: anyone gone loses their tile */
  setMembers(members) {
    for (const member of [...this.peers.keys()]) if (!members.includes(member)) this.peers.delete(member);
    this.onChange();
  }

  /** @param {string} member a moderator muted them: their tile goes */
  drop(member) {
    if (this.peers.delete(member)) this.onChange();
  }

  /** Signals are for peer-to-peer calls; the server's connections need none. */
  receive() {}

  /** @param {boolean} on */
  setMicrophone(on) {
    for (const track of this.local?.getAudioTracks() ?? []) track.enabled = on;
  }

  /** @param {boolean} on */
  setCamera(on) {
    for (const track of this.local?.getVideoTracks() ?? []) track.enabled = on;
  }

  /** Hang up: both connections close, the devices are released. */
  stop() {
    if (!this.#inCall) return;
    this.#inCall = false;
    this.media.close();
    this.client.command({ op: "media.leave", group: true }).catch(() => {});
    for (const track of this.local?.getTracks() ?? []) track.stop();
    this.local = null;
    this.peers.clear();
    this.onChange();
  }
}
