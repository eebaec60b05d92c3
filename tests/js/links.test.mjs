// Finding links in chat text: only http(s) URLs become links, and the text survives intact.

import assert from "node:assert/strict";
import { test } from "node:test";

import { safeHref, splitLinks } from "../../web/static/room/links.js";

/** The pieces as [text, href] pairs, for short assertions. */
function pieces(text) {
  return splitLinks(text).map((p) => (p.href ? [p.text, p.href] : [p.text]));
}

test("plain text stays one piece", () => {
  assert.deepEqual(pieces("Hello, all!"), [["Hello, all!"]]);
  assert.deepEqual(pieces(""), []);
});

test("http and https URLs become links between text pieces", () => {
  assert.deepEqual(pieces("See https://example.org/a?b=1#c and http://x.test now"), [
    ["See "],
    ["https://example.org/a?b=1#c", "https://example.org/a?b=1#c"],
    [" and "],
    ["http://x.test", "http://x.test/"],
    [" now"],
  ]);
});

test("javascript:, data: and other schemes never become links", () => {
  for (const text of [
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "click javascript://example.com/%0Aalert(1)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "vbscript:msgbox(1)",
    "ftp://example.org/file",
    "file:///etc/passwd",
  ]) {
    assert.deepEqual(pieces(text), [[text]], text);
  }
});

test("a javascript: URL with http inside links only the http part", () => {
  const result = splitLinks("javascript:alert(1)//https://example.org");
  for (const piece of result) {
    if (piece.href) assert.match(piece.href, /^https?:\/\//);
  }
  assert.equal(result.map((p) => p.text).join(""), "javascript:alert(1)//https://example.org");
});

test("a scheme glued to a word is not a link", () => {
  assert.deepEqual(pieces("xhttp://example.org"), [["xhttp://example.org"]]);
});

test("trailing punctuation ends the sentence, not the URL", () => {
  assert.deepEqual(pieces("Go to https://example.org/docs."), [
    ["Go to "],
    ["https://example.org/docs", "https://example.org/docs"],
    ["."],
  ]);
  assert.deepEqual(pieces("(see https://example.org/a)"), [
    ["(see "],
    ["https://example.org/a", "https://example.org/a"],
    [")"],
  ]);
  assert.deepEqual(pieces("https://en.wikipedia.org/wiki/Rust_(language)!"), [
    ["https://en.wikipedia.org/wiki/Rust_(language)", "https://en.wikipedia.org/wiki/Rust_(language)"],
    ["!"],
  ]);
});

test("quotes and angle brackets end a URL", () => {
  const result = pieces('<a href="https://example.org/x">');
  assert.deepEqual(result, [['<a href="'], ["https://example.org/x", "https://example.org/x"], ['">']]);
});

test("a scheme with no host stays text", () => {
  assert.deepEqual(pieces("http:// is a prefix"), [["http:// is a prefix"]]);
  assert.deepEqual(pieces("https://"), [["https://"]]);
});

test("upper-case schemes are found, and the href is normalized", () => {
  assert.deepEqual(pieces("HTTPS://Example.ORG/Path"), [["HTTPS://Example.ORG/Path", "https://example.org/Path"]]);
});

test("joining the pieces gives back the text exactly", () => {
  const text = "a https://a.test/(x) b, http://b.test/y. c <https://c.test> javascript:x https://";
  assert.equal(splitLinks(text).map((p) => p.text).join(""), text);
});

test("safeHref accepts only http(s) with a host", () => {
  assert.equal(safeHref("https://example.org"), "https://example.org/");
  assert.equal(safeHref("javascript:alert(1)"), null);
  assert.equal(safeHref("not a url"), null);
});
