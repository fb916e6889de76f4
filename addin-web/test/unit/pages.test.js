// The contract of the pages and scripts with the server that serves them and with Outlook's
// older webviews: classic ES2017 scripts, no inline code or styles, the agreed element ids.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const acorn = require("acorn");

const ROOT = path.join(__dirname, "..", "..");
const SCRIPTS = ["body", "auth", "api", "addin", "commands", "taskpane"];
const read = (file) => fs.readFileSync(path.join(ROOT, file), "utf8");

test("every script parses as a classic ES2017 script", () => {
  for (const name of SCRIPTS) {
    assert.doesNotThrow(
      () => acorn.parse(read(`src/${name}.js`), { ecmaVersion: 2017, sourceType: "script" }),
      `src/${name}.js`
    );
  }
});

test("every script attaches itself to window.VmrAddin and module.exports", () => {
  for (const name of SCRIPTS) {
    const source = read(`src/${name}.js`);
    assert.match(source, new RegExp(`root\\.VmrAddin\\.${name} = `), name);
    assert.match(source, /typeof module !== "undefined"/, name);
  }
});

for (const page of ["commands.html", "taskpane.html"]) {
  const html = read(page);
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];

  test(`${page}: no inline code, styles or event handlers (the policy forbids them)`, () => {
    for (const [, attributes, content] of scripts) {
      if (/type="application\/json"/.test(attributes)) continue;
      assert.match(attributes, /\ssrc="/, "script without src");
      assert.equal(content.trim(), "", "script with content");
    }
    assert.doesNotMatch(html, /\sstyle\s*=/i);
    assert.doesNotMatch(html, /<style\b/i);
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i);
  });

  test(`${page}: office.js, then MSAL when configured, then the add-in's scripts`, () => {
    const sources = scripts.map(([, attributes]) => (attributes.match(/src="([^"]*)"/) || [])[1]).filter(Boolean);
    const own = page === "commands.html" ? "commands" : "taskpane";
    assert.deepEqual(sources, [
      "{{office_js_url}}", "{{msal_js_url}}",
      ...["body", "auth", "api", "addin", own].map((name) => `{{asset_base}}/${name}.js`),
    ]);
    assert.match(html, /\{\{#if msal_js_url\}\}\s*<script src="\{\{msal_js_url\}\}"><\/script>\s*\{\{\/if\}\}/);
    assert.match(html, /<script type="application\/json" id="vmr-config">\{\{\{config_json\}\}\}<\/script>/);
    assert.match(html, /<html lang="\{\{lang\}\}">/);
    assert.match(html, /<title>\{\{title\}\}<\/title>/);
  });

  test(`${page}: uses only the values the server renders`, () => {
    const allowed = ["asset_base", "config_json", "lang", "msal_js_url", "office_js_url", "title"];
    const used = [...html.matchAll(/\{\{\{?([^}]*)\}?\}\}/g)]
      .map((m) => m[1].trim())
      .filter((expression) => expression !== "/if")
      .map((expression) => expression.replace(/^#if /, ""));
    assert.ok(used.length > 0);
    for (const name of used) assert.ok(allowed.includes(name), name);
  });
}

test("taskpane.html has the element ids the browser tests rely on", () => {
  const html = read("taskpane.html");
  for (const id of ["state", "add-single-use", "personal-list", "remove", "replace", "options", "host-pin", "guest-pin", "guests-allowed", "save-options"]) {
    assert.match(html, new RegExp(`id="${id}"`), id);
  }
  assert.match(html, /<section id="state"[^>]*role="status"[^>]*aria-live="polite"[^>]*data-state="idle"/);
  assert.match(html, /<link rel="stylesheet" href="\{\{asset_base\}\}\/taskpane.css">/);
  assert.doesNotMatch(html, /role="button"/, "actions are real <button> elements");
});

test("taskpane.css follows the system's dark mode and shows keyboard focus", () => {
  const css = read("src/taskpane.css");
  assert.match(css, /@media \(prefers-color-scheme: dark\)/);
  assert.match(css, /:focus-visible/);
});
