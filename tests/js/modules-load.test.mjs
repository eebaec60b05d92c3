// Every browser module parses and links: a syntax error (a private field used outside its
// class, a missing export) would otherwise show only as a room page that never starts.
// Modules that touch the page when they load fail here with a ReferenceError, which is
// fine: parsing and linking of the whole import graph come before any module runs.

import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { test } from "node:test";

const root = new URL("../../web/static/", import.meta.url);
const modules = [
  ...readdirSync(root).filter((f) => f.endsWith(".js")),
  ...readdirSync(new URL("room/", root)).filter((f) => f.endsWith(".js")).map((f) => `room/${f}`),
];

test("there are modules to check", () => assert.ok(modules.length > 20));

for (const name of modules) {
  test(`${name} parses and links`, async () => {
    try {
      await import(new URL(name, root).href);
    } catch (error) {
      assert.ok(!(error instanceof SyntaxError), `${name}: ${error}`);
    }
  });
}
