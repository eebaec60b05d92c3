// Finding web links in chat text, without the DOM: chat.js turns the pieces into text nodes
// and <a> elements. Only http: and https: become links; everything else stays text.

/**
 * A piece of message text: plain text, or a link whose `href` is a normalized http(s) URL.
 * @typedef {{text: string, href?: string}} TextPiece
 */

// Conservative on purpose: a scheme we allow, "://", then anything up to whitespace or a
// character that rarely belongs to a URL in running text. The word boundary keeps
// "xhttp://…" and friends out.
const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"'`{}|\\^]+/gi;
const TRAILING = /[.,;:!?*_~]$/;
const CLOSERS = { ")": "(", "]": "[" };

/**
 * Drop punctuation that ends the sentence rather than the URL: "see https://a.b/c." and
 * "(https://a.b/c)" link to https://a.b/c, while "https://en.wikipedia.org/wiki/A_(B)" keeps
 * its balanced parenthesis.
 * @param {string} candidate
 * @returns {string}
 */
function trimTrailing(candidate) {
  let url = candidate;
  for (;;) {
    const last = url.at(-1) ?? "";
    if (TRAILING.test(last)) {
      url = url.slice(0, -1);
      continue;
    }
    const opener = CLOSERS[/** @type {keyof typeof CLOSERS} */ (last)];
    if (opener && count(url, last) > count(url, opener)) {
      url = url.slice(0, -1);
      continue;
    }
    return url;
  }
}

/**
 * @param {string} text
 * @param {string} ch
 */
function count(text, ch) {
  return text.split(ch).length - 1;
}

/**
 * The normalized URL when `candidate` is a well-formed http(s) URL with a host, else null.
 * @param {string} candidate
 * @returns {string | null}
 */
export function safeHref(candidate) {
  let url;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (!url.hostname) return null;
  return url.href;
}

/**
 * Split message text into plain pieces and link pieces, in order. Joining every piece's
 * `text` gives back the original text exactly.
 * @param {string} text
 * @returns {TextPiece[]}
 */
export function splitLinks(text) {
  /** @type {TextPiece[]} */
  const pieces = [];
  let plain = "";
  let last = 0;
  for (const match of text.matchAll(URL_IN_TEXT)) {
    const start = /** @type {number} */ (match.index);
    const candidate = trimTrailing(match[0]);
    const href = safeHref(candidate);
    if (!href) continue;
    plain += text.slice(last, start);
    if (plain) pieces.push({ text: plain });
    plain = "";
    pieces.push({ text: candidate, href });
    last = start + candidate.length;
  }
  plain += text.slice(last);
  if (plain) pieces.push({ text: plain });
  return pieces;
}
