// The moderation panel's open reports: the list, then report.filed and report.handled.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  applyReportEvent,
  emptyReports,
  handled,
  openReports,
  reportTitle,
  withList,
} from "../../web/static/room/reports-board.js";

function report(id, extra = {}) {
  return { id, room: 12, kind: "message", item: 300 + id, name: "Linus", excerpt: "…", reason: "Rude", status: "open", at: "2027-01-15T18:25:00.000Z", ...extra };
}

function ev(type, extra) {
  return { type, room: 12, seq: 1, at: "2027-01-15T18:25:00.000Z", ...extra };
}

describe("reports board", () => {
  test("the list gives the open reports, oldest first", () => {
    const board = withList(emptyReports(), [report(9), report(7), report(8, { status: "dismissed" })]);
    assert.deepEqual(openReports(board).map((r) => r.id), [7, 9]);
  });

  test("report.filed adds, report.handled removes", () => {
    let board = withList(emptyReports(), [report(7)]);
    board = applyReportEvent(board, ev("report.filed", { report: report(8) }));
    assert.deepEqual(openReports(board).map((r) => r.id), [7, 8]);
    board = applyReportEvent(board, ev("report.handled", { id: 7 }));
    assert.deepEqual(openReports(board).map((r) => r.id), [8]);
  });

  test("a report handled before a late list does not come back", () => {
    let board = applyReportEvent(emptyReports(), ev("report.filed", { report: report(7) }));
    board = handled(board, 7);
    board = withList(board, [report(7), report(8)]);
    assert.deepEqual(openReports(board).map((r) => r.id), [8]);
    assert.equal(openReports(applyReportEvent(board, ev("report.filed", { report: report(7) }))).length, 1);
  });

  test("other events leave the board as it was", () => {
    const board = emptyReports();
    assert.equal(applyReportEvent(board, ev("hand.raised", { member: "m1", hands: [] })), board);
  });

  test("titles say what and whose, and when it is from another room", () => {
    assert.equal(reportTitle(report(1), 12), "Chat message by Linus");
    assert.equal(reportTitle(report(1, { kind: "question" }), 12), "Question by Linus");
    assert.equal(reportTitle(report(1, { kind: "name" }), 12), "Display name: Linus");
    assert.equal(reportTitle(report(1, { kind: "person", room: 13 }), 12), "Person: Linus (in another room)");
  });
});
