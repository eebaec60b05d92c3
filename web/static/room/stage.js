// The stage panel: the presenters' video (a screen share large, cameras as tiles), their
// sound, the camera, microphone and screen buttons for those allowed to present, an
// invitation to answer, and "Invite to stage" for hosts in the people list.

import { EMPTY_STAGE, HOSTING_ROLES, StageMedia, hostActions, mayPublish, stageLayout, tracksKey } from "../stage-ops.js";
import { h, part, placeChildren } from "./dom.js";

/** @typedef {import("../protocol.js").RoomClient} RoomClient */
/** @typedef {import("../protocol-types.js").Person} Person */
/** @typedef {import("../protocol-types.js").RoomEvent} RoomEvent */
/** @typedef {import("../stage-ops.js").StageState} StageState */
/** @typedef {import("../stage-ops.js").StageTrack} StageTrack */
/** @typedef {import("../stage-ops.js").Label} Label */

/** @param {unknown} error */
function messageOf(error) {
  const e = /** @type {{message?: string}} */ (error ?? {});
  return e.message || "That did not work.";
}

/** @type {Record<string, [string, string]>} a host's action: its button, what was done */
const HOST_ACTION_WORDS = {
  "stage.invite": ["Invite to stage", "Invited to the stage:"],
  "stage.mute": ["Mute microphone", "Muted the microphone of"],
  "stage.remove": ["Take off the stage", "Took off the stage:"],
};

export class StagePanel {
  /**
   * @param {HTMLElement} root
   * @param {RoomClient} client
   * @param {() => void} peopleChanged Redraw the people list (its invite buttons).
   */
  constructor(root, client, peopleChanged) {
    this.root = root;
    this.client = client;
    this.peopleChanged = peopleChanged;
    this.media = new StageMedia(client);
    /** @type {StageState} */
    this.stage = EMPTY_STAGE;
    /** @type {Person | null} */
    this.me = null;
    this.removed = false;
    /** @type {string | null} the tracks watched now; null to watch again whatever they are */
    this.watchedKey = "";
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.watchTimer = undefined;
    /** @type {Map<string, MediaStreamTrack>} track id -> what arrived for it */
    this.received = new Map();
    /** @type {Map<string, HTMLMediaElement>} kept across renders, so playback goes on */
    this.elements = new Map();
    /** @type {Map<string, HTMLLIElement>} each camera's tile, kept as its element is */
    this.tileItems = new Map();
    /** @type {Map<Label, MediaStreamTrack>} what this person sends */
    this.sending = new Map();
    this.large = part(root, "stage-large", HTMLElement);
    this.tiles = part(root, "stage-tiles", HTMLElement);
    this.audio = part(root, "stage-audio", HTMLElement);
    this.empty = part(root, "stage-empty", HTMLElement);
    this.controls = part(root, "stage-controls", HTMLElement);
    this.invitation = part(root, "stage-invitation", HTMLElement);
    this.mutedNote = part(root, "stage-muted-note", HTMLElement);
    this.news = part(root, "stage-news", HTMLElement);
    this.error = part(root, "stage-error", HTMLElement);
    this.media.onTrack = (track, media) => {
      this.received.set(track.id, media);
      this.render();
    };
    // A connection that fails (the network changed, the media server went) is offered again
    // on a fresh one, after a moment so that a server that is moving the room has done so.
    this.media.onFailed = (which) => {
      setTimeout(() => (which === "publish" ? this.#republishIfSending() : this.#watchAgain()), 1000);
    };
    /** @type {[Label, string][]} */
    const buttons = [["camera", "stage-camera"], ["microphone", "stage-microphone"], ["screen", "stage-screen"]];
    for (const [label, id] of buttons) {
      part(root, id, HTMLButtonElement).addEventListener("click", () => this.#toggle(label));
    }
    part(root, "stage-accept", HTMLButtonElement).addEventListener("click", () => this.#answer("stage.accept"));
    part(root, "stage-decline", HTMLButtonElement).addEventListener("click", () => this.#answer("stage.decline"));
    part(root, "stage-unmute", HTMLButtonElement).addEventListener("click", () => this.#unmute());
    /** @type {Record<"camera" | "microphone", HTMLSelectElement>} */
    this.devices = {
      camera: part(root, "stage-camera-device", HTMLSelectElement),
      microphone: part(root, "stage-microphone-device", HTMLSelectElement),
    };
    for (const label of /** @type {("camera" | "microphone")[]} */ (["camera", "microphone"])) {
      this.devices[label].addEventListener("change", () => this.#switchDevice(label));
    }
    navigator.mediaDevices?.addEventListener?.("devicechange", () => this.#listDevices());
    this.recordingBadge = part(root, "stage-recording", HTMLElement);
    this.hosting = part(root, "stage-hosting", HTMLElement);
    this.recordButton = part(root, "stage-record", HTMLButtonElement);
    this.recordingsLink = part(root, "stage-recordings", HTMLAnchorElement);
    this.recordingsLink.href = `/events/${client.room}/recordings`;
    this.recordButton.addEventListener("click", () => this.#record());
  }

  /** The cameras and microphones to choose from (named once the person allowed one). */
  async #listDevices() {
    const found = (await navigator.mediaDevices?.enumerateDevices?.()) ?? [];
    /** @type {[("camera" | "microphone"), MediaDeviceKind, string][]} */
    const kinds = [["camera", "videoinput", "Camera"], ["microphone", "audioinput", "Microphone"]];
    for (const [label, kind, word] of kinds) {
      const select = this.devices[label];
      const chosen = select.value;
      const options = found
        .filter((d) => d.kind === kind)
        .map((d, n) => h("option", { text: d.label || `${word} ${n + 1}`, attrs: { value: d.deviceId } }));
      select.replaceChildren(...options);
      if (options.some((o) => o.value === chosen)) select.value = chosen;
    }
  }

  /** @param {"camera" | "microphone"} label */
  async #switchDevice(label) {
    const current = this.sending.get(label);
    if (!current) return; // used the next time it is turned on
    current.stop();
    this.sending.delete(label);
    await this.#toggle(label);
  }

  /** @param {"camera" | "microphone"} label */
  #constraints(label) {
    const id = this.devices[label].value;
    const wanted = id ? { deviceId: { exact: id } } : true;
    return label === "camera" ? { video: wanted } : { audio: wanted };
  }

  /** @param {Person | null} me */
  setMe(me) {
    this.me = me;
    this.render();
  }

  /** After (re)joining: ask what is on the stage. The server dropped the connections of
   * the socket before, so both are offered again. */
  async refresh() {
    this.watchedKey = "";
    this.stage = { ...this.stage, epoch: undefined }; // offered again here, whatever runs it
    this.#republishIfSending();
    try {
      this.show(/** @type {StageState} */ (/** @type {unknown} */ (await this.client.command({ op: "stage.state" }))));
    } catch (error) {
      this.error.textContent = messageOf(error);
    }
  }

  /** @param {StageState} stage */
  show(stage) {
    const moved = Boolean(this.stage.epoch && stage.epoch && stage.epoch !== this.stage.epoch);
    if (moved) {
      // The room's stage now runs on another media server: both connections start over,
      // and its tracks are new ones (their ids may be the old ones again).
      this.watchedKey = null;
      this.received.clear();
      this.elements.clear();
      this.tileItems.clear();
      this.#republishIfSending();
    }
    this.stage = {
      tracks: stage.tracks ?? [],
      on_stage: stage.on_stage ?? [],
      invited: stage.invited ?? [],
      muted: stage.muted ?? [],
      recording: stage.recording ?? null,
      epoch: stage.epoch,
    };
    const key = tracksKey(this.stage.tracks);
    if (key !== this.watchedKey) {
      this.watchedKey = key;
      // A presenter switching a camera changes the list twice in a moment, and every page
      // in the room hears it at once: wait a little, a different while on each page, so one
      // offer follows the last change and a room's offers reach the server spread out.
      clearTimeout(this.watchTimer);
      this.watchTimer = setTimeout(() => {
        this.media.watch(this.stage.tracks).catch((error) => {
          this.error.textContent = `Could not receive the stage: ${messageOf(error)}`;
        });
      }, 150 + Math.random() * 350);
    }
    this.render();
    this.peopleChanged();
  }

  /** @param {RoomEvent} event */
  applyEvent(event) {
    const e = /** @type {{type: string, member?: string}} */ (event);
    const mine = this.me !== null && e.member === this.me.id;
    if (e.type === "stage.invited" && mine) {
      this.invitation.hidden = false;
      part(this.root, "stage-accept", HTMLButtonElement).focus();
    } else if (e.type === "stage.removed" && mine) {
      this.removed = true;
      this.#stopSending();
      this.news.textContent = "A host took you off the stage.";
    } else if (e.type === "stage.joined" && mine) {
      this.removed = false;
    } else if (e.type === "stage.muted" && mine) {
      const mic = this.sending.get("microphone");
      if (mic) mic.enabled = false;
      this.news.textContent = "A host muted your microphone.";
    }
    this.render();
  }

  /**
   * A host's stage buttons beside a person in the people list: "Invite to stage", or
   * "Mute microphone" and "Take off the stage" for someone presenting (or null).
   * @param {Person} person
   */
  personButtons(person) {
    const ops = hostActions(this.me, person, this.stage);
    if (ops.length === 0) return null;
    const span = h("span", { className: "stage-person-actions" });
    for (const op of ops) {
      const [text, done] = HOST_ACTION_WORDS[op];
      const button = h("button", { className: "secondary", text, attrs: { type: "button" } });
      button.append(h("span", { className: "visually-hidden", text: ` ${person.name}` }));
      button.addEventListener("click", async () => {
        try {
          await this.client.command({ op, member: person.id });
          this.news.textContent = `${done} ${person.name}.`;
        } catch (error) {
          this.error.textContent = messageOf(error);
        }
      });
      span.append(button, " ");
    }
    return span;
  }

  render() {
    const me = this.me;
    const live = new Set(this.stage.tracks.map((t) => t.id));
    for (const id of [...this.elements.keys()]) {
      if (!live.has(id)) {
        this.elements.delete(id);
        this.tileItems.delete(id);
        this.received.delete(id);
      }
    }
    const layout = stageLayout(this.stage.tracks);
    this.empty.hidden = this.stage.tracks.length > 0;
    placeChildren(this.large, layout.large ? [this.#video(layout.large)] : []);
    placeChildren(this.tiles, layout.tiles.map((t) => this.#tile(t)));
    // One's own sound never plays back to oneself.
    const others = layout.audio.filter((t) => !me || t.member !== me.id);
    placeChildren(this.audio, others.map((t) => this.#sound(t)));
    for (const element of this.elements.values()) {
      // One that had to move paused: it plays on (a browser may refuse sound until a click).
      if (element.paused && element.srcObject && element.isConnected) element.play().catch(() => {});
    }
    this.controls.hidden = !mayPublish(me, this.stage, this.removed);
    const muted = me !== null && this.stage.muted.includes(me.id);
    this.mutedNote.hidden = !muted;
    const recording = this.stage.recording ?? null;
    this.recordingBadge.hidden = !recording;
    this.recordingBadge.textContent = recording ? `● Recording the stage (started by ${recording.by})` : "";
    this.hosting.hidden = !me || !HOSTING_ROLES.has(me.role);
    this.recordButton.setAttribute("aria-pressed", String(Boolean(recording)));
    this.recordButton.textContent = recording ? "Stop recording" : "Record the stage";
    for (const label of /** @type {Label[]} */ (["camera", "microphone", "screen"])) {
      part(this.root, `stage-${label}`, HTMLButtonElement).setAttribute("aria-pressed", String(this.sending.has(label)));
    }
  }

  /**
   * A camera's tile: its video and a caption saying whose it is and how their microphone is.
   * @param {StageTrack} track
   */
  #tile(track) {
    const video = this.#video(track);
    let item = this.tileItems.get(track.id);
    if (!item) {
      item = h("li", {}, [h("span", { className: "stage-name" })]);
      this.tileItems.set(track.id, item);
    }
    if (item.firstElementChild !== video) item.prepend(video); // new, or back from the large spot
    const mic = this.stage.tracks.find((t) => t.member === track.member && t.kind === "audio");
    const state = mic ? (mic.muted ? " (microphone muted)" : "") : " (no microphone)";
    const caption = /** @type {HTMLElement} */ (item.lastElementChild);
    caption.textContent = `${track.name}${track.label === "screen" ? "'s screen" : ""}${state}`;
    return item;
  }

  /** @param {StageTrack} track */
  #video(track) {
    const video = /** @type {HTMLVideoElement} */ (this.#element(track, "video"));
    video.playsInline = true;
    video.muted = true; // sound plays from its own element
    video.setAttribute("aria-label", `${track.name}'s ${track.label}`);
    return video;
  }

  /** @param {StageTrack} track */
  #sound(track) {
    return this.#element(track, "audio");
  }

  /**
   * The element that plays a track, made once and kept while the track is on the stage.
   * @param {StageTrack} track
   * @param {"video" | "audio"} tag
   */
  #element(track, tag) {
    let element = this.elements.get(track.id);
    if (!element) {
      element = h(tag, { attrs: { "data-track": track.id } });
      element.autoplay = true;
      this.elements.set(track.id, element);
    }
    const media = this.received.get(track.id);
    const current = /** @type {MediaStream | null} */ (element.srcObject);
    if (media && current?.getTracks()[0] !== media) element.srcObject = new MediaStream([media]);
    return element;
  }

  /** @param {Label} label */
  async #toggle(label) {
    this.error.textContent = "";
    try {
      const current = this.sending.get(label);
      if (current) {
        current.stop();
        this.sending.delete(label);
      } else {
        const stream =
          label === "screen"
            ? await navigator.mediaDevices.getDisplayMedia({ video: true })
            : await navigator.mediaDevices.getUserMedia(this.#constraints(label));
        const track = stream.getTracks()[0];
        if (label === "microphone" && this.me && this.stage.muted.includes(this.me.id)) track.enabled = false;
        track.addEventListener("ended", () => {
          if (this.sending.get(label) === track) {
            this.sending.delete(label);
            this.#republish();
          }
        });
        this.sending.set(label, track);
        if (label !== "screen") this.#listDevices();
      }
      this.render();
      await this.media.publish(this.sending);
    } catch (error) {
      this.error.textContent = messageOf(error);
    }
  }

  #republishIfSending() {
    if (this.sending.size) this.#republish();
  }

  #watchAgain() {
    this.watchedKey = null;
    this.show(this.stage);
  }

  #republish() {
    this.render();
    this.media.publish(this.sending).catch((error) => {
      this.error.textContent = messageOf(error);
    });
  }

  #stopSending() {
    for (const track of this.sending.values()) track.stop();
    this.sending.clear();
    this.media.dropPublishing();
  }

  /** @param {"stage.accept" | "stage.decline"} op */
  async #answer(op) {
    try {
      await this.client.command({ op });
      this.invitation.hidden = true;
      this.news.textContent = op === "stage.accept" ? "You are on the stage: turn on your camera or microphone." : "";
      if (op === "stage.accept") part(this.root, "stage-camera", HTMLButtonElement).focus();
    } catch (error) {
      this.error.textContent = messageOf(error);
    }
  }

  async #record() {
    this.error.textContent = "";
    const stop = Boolean(this.stage.recording);
    try {
      await this.client.command({ op: stop ? "stage.record_stop" : "stage.record" });
      this.news.textContent = stop ? "Recording stopped: the files are on the event's Recordings page." : "Recording the stage.";
      if (stop) this.recordingsLink.hidden = false;
    } catch (error) {
      this.error.textContent = messageOf(error);
    }
  }

  async #unmute() {
    try {
      await this.client.command({ op: "stage.unmute" });
      const mic = this.sending.get("microphone");
      if (mic) mic.enabled = true;
    } catch (error) {
      this.error.textContent = messageOf(error);
    }
  }
}
