// One question as the Q&A panel lists it: the vote count, the text and who asked, its state
// and answer, the buttons for what this person may do, and an inline form (edit, typed
// answer, merge). qa.js decides when to draw; this module only builds the elements.

import { excerpt } from "./chat-message.js";
import { h } from "./dom.js";
import * as qa from "./qa-board.js";
import { reportButton } from "./report-dialog.js";

/** @typedef {import("../protocol-types.js").Question} Question */
/** @typedef {import("../protocol-types.js").Role} Role */
/** @typedef {import("./qa-board.js").QuestionAction} QuestionAction */
/** @typedef {import("./qa-board.js").QaBoard} Board */
/** @typedef {{action: "edit" | "write" | "merge", id: number}} Open An inline form. */
/**
 * What drawing a question needs from the panel.
 * @typedef {object} QuestionView
 * @property {Board} board
 * @property {Role | undefined} role
 * @property {Open | null} open
 * @property {Map<string, string>} drafts what was typed in inline forms, by form
 * @property {(member: string) => string | undefined} nameOf
 */

/** @type {Record<QuestionAction, string>} */
const BUTTON_TEXT = {
  vote: "Vote",
  edit: "Edit",
  withdraw: "Withdraw",
  approve: "Approve",
  hide: "Hide",
  merge: "Merge…",
  restore: "Restore",
  answering: "Answer now",
  answered: "Mark answered",
  write: "Type an answer",
  reopen: "Reopen",
  dismiss: "Dismiss",
};
const STATE_TEXT = { pending: "Waiting for approval", answering: "Answering now", answered: "Answered" };

/** @param {number} n */
function votes(n) {
  return n === 1 ? "1 vote" : `${n} votes`;
}

/**
 * The parts of one question's list item: its vote count, and its text, author, state,
 * answer, the buttons this person may use and the inline form open on it.
 * @param {Question} question
 * @param {QuestionView} view
 */
export function questionContent(question, view) {
  const bodyId = `question-body-${question.id}`;
  const body = h("p", { className: "question-body", text: question.body, attrs: { id: bodyId } });
  const meta = h("p", { className: "question-meta meta" }, [author(question, view)]);
  if (question.edited) meta.append(" · edited");
  const state = STATE_TEXT[/** @type {keyof typeof STATE_TEXT} */ (question.state)];
  if (state) meta.append(" · ", h("span", { className: "question-state", text: state }));

  const count = h("div", { className: "question-votes" }, [
    h("span", { className: "vote-count", text: votes(question.votes) }),
  ]);
  const main = h("div", { className: "question-main" }, [body, meta]);
  if (question.answer) {
    main.append(h("p", { className: "question-answer" }, [h("strong", { text: "Answer: " }), question.answer]));
  }
  const available = qa.actions(view.board, question, view.role);
  const row = h("div", { className: "question-actions" });
  for (const action of available) row.append(actionButton(action, question, bodyId, view));
  if (!view.board.mine.has(question.id)) {
    const whose = question.author && question.author_name ? `the question from ${question.author_name}` : "this question";
    row.append(reportButton("question", question.id, `Report ${whose}`, excerpt(question.body, 60)));
  }
  if (row.childElementCount) main.append(row);
  if (view.open?.id === question.id) main.append(inlineForm(view.open, question, view));
  return [count, main];
}

/**
 * @param {Question} question
 * @param {QuestionView} view
 */
function author(question, view) {
  if (view.board.mine.has(question.id)) return question.anonymous ? "You, anonymously" : "You";
  if (!question.author) return "Anonymous";
  const name = question.author_name ?? view.nameOf(question.author) ?? "Someone who left";
  return question.anonymous ? `${name} (anonymous to others)` : name;
}

/**
 * @param {QuestionAction} action
 * @param {Question} question
 * @param {string} bodyId
 * @param {QuestionView} view
 */
function actionButton(action, question, bodyId, view) {
  const quiet = action !== "vote" && action !== "answering" && action !== "approve";
  const button = h("button", {
    className: `${quiet ? "secondary " : ""}small ${action}`,
    text: BUTTON_TEXT[action],
    attrs: { type: "button", "aria-describedby": bodyId },
  });
  if (action === "vote") {
    const voted = view.board.voted.has(question.id);
    button.setAttribute("aria-pressed", String(voted));
    button.setAttribute("aria-label", `Vote for: ${excerpt(question.body, 60)}`);
    button.removeAttribute("aria-describedby");
    button.textContent = voted ? "▲ Voted" : "▲ Vote";
  }
  if (action === "write" && question.answer) button.textContent = "Edit the answer";
  button.dataset.action = action;
  button.dataset.id = String(question.id);
  button.dataset.key = `${action}:${question.id}`;
  return button;
}

/**
 * @param {Open} open
 * @param {Question} question
 * @param {QuestionView} view
 */
function inlineForm(open, question, view) {
  const key = `${open.action}:${question.id}`;
  const fieldId = `qa-field-${question.id}`;
  const form = h("form", { className: "inline-form" });
  form.dataset.action = open.action;
  form.dataset.id = String(question.id);
  /** @type {HTMLTextAreaElement | HTMLSelectElement} */
  let field;
  let submit = "Save";
  if (open.action === "merge") {
    field = h("select", { attrs: { id: fieldId } });
    for (const target of qa.mergeTargets(view.board, question.id)) {
      field.append(h("option", { text: `${excerpt(target.body, 60)} (${votes(target.votes)})`, attrs: { value: String(target.id) } }));
    }
    form.append(h("label", { text: "Merge into", attrs: { for: fieldId } }), field);
    submit = "Merge";
  } else {
    const answer = open.action === "write";
    field = h("textarea", { attrs: { id: fieldId, rows: "2", maxlength: answer ? "2000" : "1000" } });
    if (!answer) field.required = true;
    const label = answer ? "Typed answer" : "Edit your question";
    form.append(h("label", { text: label, attrs: { for: fieldId } }), field);
    submit = answer ? (question.state === "answered" ? "Save the answer" : "Mark answered") : "Save";
  }
  const fallback = open.action === "edit" ? question.body : open.action === "write" ? (question.answer ?? "") : "";
  field.value = view.drafts.get(key) ?? fallback;
  field.dataset.key = `field:${key}`;
  form.append(
    h("div", { className: "inline-buttons" }, [
      h("button", { className: "small", text: submit, attrs: { type: "submit" } }),
      h("button", { className: "secondary small", text: "Cancel", attrs: { type: "button", "data-cancel": "" } }),
    ]),
  );
  return form;
}
