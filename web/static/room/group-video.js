// Video tiles in one's breakout group: "Join video", the microphone and camera switches, one
// tile per person in the call with their name, and a note when the group is large enough
// that its video goes through the server. The call itself is group-call.js (peer to peer,
// up to 4 people) or group-sfu-call.js (through the server's SFU, larger groups).

import { h, part } from "./dom.js";
import { describeError } from "./errors.js";
import { GroupCall } from "./group-call.js";
import { MAX_PEERS, sizeNote } from "./group-call-plan.js";
import { GroupSfuCall } from "./group-sfu-call.js";

/** @typedef {import("../protocol.js").RoomClient} RoomClient */
/** @typedef {import("../breakout-ops.js").BreakoutGroup} BreakoutGroup */
/** @typedef {import("../protocol-types.js").GroupCallFrame} GroupCallFrame */

/** What a connection's state means to the person, when it is not simply working. */
const STATES = /** @type {Record<string, string>} */ ({
  new: "connecting…",
  connecting: "connecting…",
  disconnected: "connection lost, retrying…",
  failed: "could not connect",
});

export class GroupVideo {
  /** @type {GroupCall | GroupSfuCall | null} */
  call = null;
  /** whether the group shown is too large to call peer to peer */
  viaServer = false;
  /** @type {number | null} the group shown */
  group = null;
  /** @type {string | null} the person's member id */
  me = null;
  /** @type {Map<string, string>} member id -> name */
  names = new Map();
  /** @type {Map<string, {tile: HTMLLIElement, video: HTMLVideoElement, caption: HTMLElement}>} */
  tiles = new Map();
  micOn = true;
  cameraOn = true;

  /**
   * @param {HTMLElement} root the breakouts panel
   * @param {RoomClient} client
   */
  constructor(root, client) {
    this.client = client;
    this.root = part(root, "breakout-video", HTMLElement);
    this.note = part(root, "breakout-video-note", HTMLElement);
    this.join = part(root, "breakout-video-join", HTMLButtonElement);
    this.leave = part(root, "breakout-video-leave", HTMLButtonElement);
    this.mic = part(root, "breakout-video-mic", HTMLButtonElement);
    this.camera = part(root, "breakout-video-camera", HTMLButtonElement);
    this.status = part(root, "breakout-video-status", HTMLElement);
    this.list = part(root, "breakout-video-tiles", HTMLElement);
    this.join.addEventListener("click", () => this.#join());
    // Leaving the page hangs up at once, rather than letting the others time out.
    window.addEventListener("pagehide", () => this.call?.stop());
    this.leave.addEventListener("click", () => {
      this.#hangUp();
      this.join.focus();
    });
    this.mic.addEventListener("click", () => {
      this.micOn = !this.micOn;
      this.call?.setMicrophone(this.micOn);
      this.#render();
    });
    this.camera.addEventListener("click", () => {
      this.cameraOn = !this.cameraOn;
      this.call?.setCamera(this.cameraOn);
      this.#render();
    });
  }

  /**
   * The group the person sits in now (null: none, or only visiting): the call follows it.
   * @param {BreakoutGroup | null} group
   * @param {string | undefined} me
   */
  show(group, me) {
    const note = group ? sizeNote(group.members.length) : "";
    const viaServer = group !== null && group.members.length > MAX_PEERS;
    const switched = this.call !== null && viaServer !== this.call instanceof GroupSfuCall;
    if (this.call && (!group || group.id !== this.group || switched || me !== this.call.me)) {
      this.#hangUp();
      if (group && switched) this.#say("The group's size changed how its video works: join the video again.");
    }
    this.viaServer = viaServer;
    this.root.hidden = group === null || !me;
    if (!group || !me) return;
    this.group = group.id;
    this.me = me;
    this.names = new Map(group.members.map((m) => [m.id, m.id === me ? `${m.name} (you)` : m.name]));
    this.note.textContent = note;
    this.note.hidden = note === "";
    this.call?.setMembers(group.members.map((m) => m.id));
    this.#render();
  }

  /** @param {GroupCallFrame} frame */
  onGroupCall(frame) {
    if (frame.type === "group.signal") this.call?.receive(frame.from, frame.signal);
    else if (this.call instanceof GroupSfuCall && frame.group === this.group) this.call.onTracks(frame);
  }

  /** @param {string} member muted by a moderator */
  onMuted(member) {
    if (!this.call) return;
    if (member === this.call.me) {
      this.#hangUp();
      this.#say("A moderator muted you, so you left the group's video.");
    } else {
      this.call.drop(member);
    }
  }

  async #join() {
    if (!this.me || this.call) return;
    const call = this.viaServer ? new GroupSfuCall(this.client, this.me) : new GroupCall(this.client, this.me);
    call.onChange = () => this.#render();
    call.onNotice = (text) => this.#say(text);
    this.call = call;
    this.micOn = this.cameraOn = true;
    this.join.disabled = true;
    this.#say("Starting your camera and microphone…");
    try {
      await call.start([...this.names.keys()]);
    } catch (error) {
      this.call = null;
      call.stop();
      this.#say(error instanceof DOMException
        ? `Your camera or microphone could not start: ${error.message}`
        : describeError(/** @type {import("../protocol-types.js").ErrorFrame} */ (error)));
      this.#render();
      return;
    }
    this.#say("You joined the group's video. Others who join appear here.");
    this.#render();
    this.leave.focus();
  }

  #hangUp() {
    const call = this.call;
    this.call = null;
    call?.stop();
    this.#say("You left the group's video.");
    this.#render();
  }

  #render() {
    const call = this.call;
    this.join.hidden = call !== null;
    this.join.disabled = false;
    for (const button of [this.leave, this.mic, this.camera]) button.hidden = call === null;
    this.mic.setAttribute("aria-pressed", String(!this.micOn));
    this.mic.textContent = this.micOn ? "Mute microphone" : "Unmute microphone";
    this.camera.setAttribute("aria-pressed", String(!this.cameraOn));
    this.camera.textContent = this.cameraOn ? "Turn camera off" : "Turn camera on";
    /** @type {[string, MediaStream | null, string][]} */
    const shown = [];
    if (call?.local) {
      const off = [this.micOn ? "" : "microphone muted", this.cameraOn ? "" : "camera off"].filter(Boolean);
      shown.push([call.me, call.local, off.join(", ")]);
    }
    for (const [member, peer] of call?.peers ?? []) {
      shown.push([member, peer.stream, STATES[peer.pc.connectionState] ?? ""]);
    }
    this.#tiles(shown);
  }

  /** @param {[string, MediaStream | null, string][]} shown member, stream, state in words */
  #tiles(shown) {
    const keep = new Set(shown.map(([member]) => member));
    for (const [member, { tile }] of this.tiles) {
      if (!keep.has(member)) {
        tile.remove();
        this.tiles.delete(member);
      }
    }
    for (const [member, stream, state] of shown) {
      const name = this.names.get(member) ?? "Someone";
      let found = this.tiles.get(member);
      if (!found) {
        const video = h("video", { attrs: { autoplay: "", playsinline: "", "data-member": member } });
        const caption = h("figcaption");
        const tile = h("li", { className: "video-tile" }, [h("figure", {}, [video, caption])]);
        found = { tile, video, caption };
        this.tiles.set(member, found);
        this.list.append(tile);
      }
      const mine = member === this.call?.me;
      found.video.muted = mine; // one's own voice never plays back
      found.video.setAttribute("aria-label", mine ? "Your camera" : `Video of ${name}`);
      if (found.video.srcObject !== stream) found.video.srcObject = stream;
      found.caption.textContent = state ? `${name}: ${state}` : name;
    }
  }

  /** @param {string} text */
  #say(text) {
    this.status.textContent = this.status.textContent === text ? `${text}\u00a0` : text;
  }
}
