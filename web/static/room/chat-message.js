// One chat message as the panel shows it: who wrote it and when, the message it replies
// to, its text with links, and the buttons for what this person may do with it. Every
// piece of user text goes into the page as text; links are <a> elements built from the
// pieces links.js finds.

import { h } from "./dom.js";
import { splitLinks } from "./links.js";
import { isStaff, roleLabel } from "./people.js";
import { reportButton } from "./report-dialog.js";

/** @typedef {import("../protocol-types.js").ChatMessage} ChatMessage */
/** @typedef {import("../protocol-types.js").Person} Person */
/**
 * What drawing a message needs from the panel.
 * @typedef {object} MessageView
 * @property {Person | null} me
 * @property {ReadonlyMap<number, ChatMessage>} messages the messages shown, for replies
 */

export const EDIT_WINDOW_MS = 5 * 60 * 1000;

/**
 * Append message text to `parent`: text nodes, and links for http(s) URLs only.
 * @param {HTMLElement} parent
 * @param {string} text
 */
export function appendText(parent, text) {
  for (const piece of splitLinks(text)) {
    if (piece.href) {
      parent.append(
        h("a", {
          text: piece.text,
          attrs: { href: piece.href, rel: "nofollow noopener noreferrer", target: "_blank" },
        }),
      );
    } else {
      parent.append(piece.text);
    }
  }
}

/**
 * @param {string} text
 * @param {number} [length]
 */
export function excerpt(text, length = 80) {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > length ? `${line.slice(0, length - 1)}…` : line;
}

/** @param {string} iso */
export function clock(iso) {
  const when = new Date(iso);
  return Number.isNaN(when.getTime()) ? "" : when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/**
 * (Re)draw one message's content.
 * @param {HTMLLIElement} li
 * @param {ChatMessage} message
 * @param {MessageView} view
 */
export function fillMessage(li, message, view) {
  const mine = view.me !== null && message.author.id === view.me.id;
  li.classList.toggle("own", mine);
  li.classList.toggle("private", message.to_hosts);

  const head = h("p", { className: "message-head" }, [h("span", { className: "author", text: message.author.name })]);
  const label = roleLabel(message.author.role);
  if (label) head.append(" ", h("span", { className: `badge role-${message.author.role}`, text: label }));
  head.append(" ", h("time", { className: "meta", text: clock(message.at), attrs: { datetime: message.at } }));
  if (message.edited_at) head.append(" ", h("span", { className: "meta", text: "(edited)" }));
  if (message.to_hosts) head.append(" ", h("span", { className: "badge private", text: "Private to hosts" }));

  const parts = [head];
  if (message.reply_to != null) parts.push(replyQuote(message.reply_to, view));
  const body = h("p", { className: "message-body" });
  appendText(body, message.body);
  parts.push(body);

  const actions = h("p", { className: "message-actions" }, [
    actionButton("reply", "Reply", `Reply to ${message.author.name}`),
  ]);
  if (mine && editable(message)) actions.append(" ", actionButton("edit", "Edit", "Edit your message"));
  if (mine || isStaff(view.me?.role)) {
    const whose = mine ? "your message" : `the message from ${message.author.name}`;
    actions.append(" ", actionButton("delete", "Delete", `Delete ${whose}`));
  }
  if (!mine) {
    const subject = `${message.author.name}: ${excerpt(message.body)}`;
    actions.append(" ", reportButton("message", message.id, `Report the message from ${message.author.name}`, subject));
  }
  parts.push(actions);
  li.replaceChildren(...parts);
}

/**
 * @param {string} action
 * @param {string} text
 * @param {string} label
 */
function actionButton(action, text, label) {
  const button = h("button", { className: "link", text, attrs: { type: "button", "aria-label": label } });
  button.dataset.action = action;
  return button;
}

/**
 * @param {number} id
 * @param {MessageView} view
 */
export function replyQuote(id, view) {
  const target = view.messages.get(id);
  const quote = h("p", { className: "reply-quote" });
  quote.dataset.replyTo = String(id);
  if (target) {
    quote.append(
      h("a", {
        text: `Replying to ${target.author.name}: ${excerpt(target.body)}`,
        attrs: { href: `#msg-${id}` },
      }),
    );
  } else {
    quote.textContent = "Replying to an earlier message";
  }
  return quote;
}

/** @param {ChatMessage} message */
export function editable(message) {
  return Date.now() - Date.parse(message.at) < EDIT_WINDOW_MS;
}
