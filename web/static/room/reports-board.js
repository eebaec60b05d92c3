// The open reports the staff sees in the moderation panel: pure, so that it can be tested.
// `mod.reports` gives the community's open reports; then report.filed adds and
// report.handled removes, whichever of the list and the events arrives first.

/** @typedef {import("../moderation-ops.js").Report} Report */
/** @typedef {import("../protocol-types.js").RoomEvent} RoomEvent */

/**
 * @typedef {object} ReportsBoard
 * @property {ReadonlyMap<number, Report>} open by id
 * @property {ReadonlySet<number>} handled ids handled since the page loaded, so that a list
 *   asked for before they were handled does not bring them back
 */

/** @returns {ReportsBoard} */
export function emptyReports() {
  return { open: new Map(), handled: new Set() };
}

/**
 * The board with the list `mod.reports` answered.
 * @param {ReportsBoard} board
 * @param {Report[]} reports
 * @returns {ReportsBoard}
 */
export function withList(board, reports) {
  const open = new Map();
  for (const report of reports) {
    if (report.status === "open" && !board.handled.has(report.id)) open.set(report.id, report);
  }
  return { open, handled: board.handled };
}

/**
 * @param {ReportsBoard} board
 * @param {number} id
 * @returns {ReportsBoard}
 */
export function handled(board, id) {
  const open = new Map(board.open);
  open.delete(id);
  return { open, handled: new Set(board.handled).add(id) };
}

/**
 * The board after a room event; the same board when the event is not about reports.
 * @param {ReportsBoard} board
 * @param {RoomEvent} event
 * @returns {ReportsBoard}
 */
export function applyReportEvent(board, event) {
  if (event.type === "report.filed") {
    const report = event.report;
    if (report.status !== "open" || board.handled.has(report.id)) return board;
    return { open: new Map(board.open).set(report.id, report), handled: board.handled };
  }
  if (event.type === "report.handled") return handled(board, event.id);
  return board;
}

/**
 * Oldest first.
 * @param {ReportsBoard} board
 * @returns {Report[]}
 */
export function openReports(board) {
  return [...board.open.values()].sort((a, b) => a.id - b.id);
}

const KIND_TEXT = { message: "Chat message", question: "Question", name: "Display name", person: "Person" };

/**
 * What a report is about, in words: "Chat message by Linus", "Display name: Linus".
 * @param {Report} report
 * @param {number} room the room this page is in
 */
export function reportTitle(report, room) {
  const kind = KIND_TEXT[report.kind] ?? report.kind;
  const who = report.name || "someone";
  const what = report.kind === "message" || report.kind === "question" ? `${kind} by ${who}` : `${kind}: ${who}`;
  return report.room === room ? what : `${what} (in another room)`;
}
