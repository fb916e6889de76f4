"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const support = require("./support.js");

const { meeting, office, fakeFetch, jsonResponse, reservation, STRINGS_EN, STRINGS_FR, MARKER } = support;
const RESOURCE = "vmr-resource@example.com";

// The page's globals before the scripts load, as in commands.html.
const warnings = [];
console.warn = (message) => warnings.push(String(message));
const firstOffice = office({ item: meeting().item });
globalThis.Office = firstOffice;
globalThis.document = support.configDocument(support.config());
const [, , , addin, commands] = support.loadScripts("body", "auth", "api", "addin", "commands");

/** A fresh meeting, Office, page and service for one click. */
function click({ initial, routes, displayLanguage, getAccessToken, config } = {}) {
  const { state, item } = meeting(initial);
  globalThis.Office = office({ item, displayLanguage, getAccessToken });
  globalThis.document = support.configDocument(config || support.config());
  const fetch = fakeFetch(routes || { "POST /reservations": jsonResponse(201, reservation()) });
  globalThis.fetch = fetch;
  const event = {
    completions: 0,
    bodyWhenCompleted: undefined,
    completed() {
      this.completions += 1;
      this.bodyWhenCompleted = state.body;
    },
  };
  const run = commands.addSingleUseVmr(event);
  return { state, event, fetch, run };
}

function kinds(state) {
  return state.notifications.map((n) => n.type);
}

function last(state) {
  return state.notifications[state.notifications.length - 1];
}

test("the function is associated at load and again when Office is ready, under the literal name", () => {
  assert.equal(firstOffice.associations.addSingleUseVmr, commands.addSingleUseVmr);
  assert.equal(firstOffice.associateCalls, 2, "at load and in onReady");
  const source = fs.readFileSync(path.join(__dirname, "..", "..", "src", "commands.js"), "utf8");
  assert.ok(source.includes('Office.actions.associate("addSingleUseVmr"'));
});

test("the function is also a global of the function file, for clients that call it by name", () => {
  assert.equal(globalThis.addSingleUseVmr, commands.addSingleUseVmr);
});

test("success: progress, then a transient informational message; completed once, after the work", async () => {
  const { state, event, run } = click({ initial: { body: "<p>Agenda</p>" } });
  await run;
  assert.equal(event.completions, 1);
  assert.ok(event.bodyWhenCompleted.includes(MARKER));
  assert.deepEqual(kinds(state), ["progressIndicator", "informationalMessage"]);
  assert.deepEqual(state.notifications[0], { key: commands.NOTIFICATION_KEY, type: "progressIndicator", message: STRINGS_EN.pane_working_message });
  const info = last(state);
  assert.equal(info.message, STRINGS_EN.pane_success_message);
  assert.equal(info.persistent, false);
  assert.equal(info.icon, "vmrIcon16", "the manifest's 16 px ribbon image");
  assert.ok(info.icon.length <= 32);
  assert.ok(commands.NOTIFICATION_KEY.length <= 32);
  assert.equal(state.optionalAttendees.filter((a) => a.emailAddress === RESOURCE).length, 1);
});

/** The first click's meeting, reopened for another click with `routes` answering. */
function clickAgain(first, routes, changes = {}) {
  return click({ initial: { ...first.state, notifications: [], calls: [], ...changes }, routes });
}

test("a second click on the same meeting rewrites the block from the same reservation", async () => {
  const first = click();
  await first.run;
  const added = first.state.body;
  // The organiser edited the instructions; the marker survived.
  const mangled = added.replace("Join the video meeting", "Jion teh meeting");
  assert.notEqual(mangled, added);
  const second = clickAgain(first, { "POST /reservations": jsonResponse(200, reservation({ reused: true })) }, { body: mangled });
  await second.run;
  assert.equal(second.event.completions, 1);
  assert.equal(second.fetch.calls.length, 1, "one reservation request");
  const request = second.fetch.calls[0];
  assert.equal(request.body.meeting_key, first.fetch.calls[0].body.meeting_key);
  assert.equal(request.body.replace, undefined);
  assert.equal(second.state.body, added, "the block is written afresh");
  assert.equal(second.state.body.split(MARKER).length - 1, 1);
  assert.equal(second.state.body.split("vmr-scheduler-instructions").length - 1, 1);
  assert.equal(second.state.optionalAttendees.filter((a) => a.emailAddress === RESOURCE).length, 1);
  assert.equal(last(second.state).message, STRINGS_EN.pane_already_has_vmr_message);
});

test("a second click after the meeting was sent keeps its room and releases the new one", async () => {
  const first = click();
  await first.run;
  const fresh = reservation({ reservation_id: "res-2", alias_id_marker: support.OTHER_MARKER, instructions_html: support.instructions(support.OTHER_MARKER) });
  const second = clickAgain(first, {
    "POST /reservations": jsonResponse(201, fresh),
    "DELETE /reservations/res-2": new Response(null, { status: 204 }),
  });
  await second.run;
  assert.equal(second.event.completions, 1);
  assert.deepEqual(second.fetch.calls.map((call) => call.route), ["POST /reservations", "DELETE /reservations/res-2"]);
  assert.equal(second.state.body, first.state.body);
  assert.equal(second.state.properties.vmrReservationId, "res-1");
  assert.equal(last(second.state).message, STRINGS_EN.pane_already_has_vmr_message);
});

test("token failure: error message with the reason; completed once; nothing reserved", async () => {
  const { state, event, fetch, run } = click({
    getAccessToken: async () => { throw Object.assign(new Error("x"), { code: 13001 }); },
  });
  await run;
  assert.equal(event.completions, 1);
  assert.equal(fetch.calls.length, 0);
  assert.equal(last(state).type, "errorMessage");
  assert.ok(last(state).message.startsWith(STRINGS_EN.pane_error_message));
  assert.match(last(state).message, /not signed in/);
  assert.equal(last(state).icon, undefined);
  assert.equal(last(state).persistent, undefined);
});

test("reservation refused: error message; completed once; meeting untouched", async () => {
  const { state, event, run } = click({
    initial: { body: "<p>x</p>" },
    routes: { "POST /reservations": jsonResponse(400, { code: "invalid_body", detail: "the request body is not valid" }) },
  });
  await run;
  assert.equal(event.completions, 1);
  assert.equal(last(state).type, "errorMessage");
  assert.match(last(state).message, /the request body is not valid/);
  assert.equal(state.body, "<p>x</p>");
  assert.deepEqual(state.optionalAttendees, []);
});

test("service unreachable: placeholder, resource, informational message within Outlook's limit", async () => {
  const { state, event, run } = click({ routes: { "POST /reservations": () => { throw new TypeError("Failed to fetch"); } } });
  await run;
  assert.equal(event.completions, 1);
  assert.equal(last(state).type, "informationalMessage");
  assert.ok(last(state).message.length <= 150);
  assert.ok(last(state).message.startsWith("The scheduling service cannot be reached."));
  assert.ok(state.body.includes(support.PLACEHOLDER));
  assert.equal(state.optionalAttendees.filter((a) => a.emailAddress === RESOURCE).length, 1);
});

test("body setAsync failure: error message with Office's reason; completed once", async () => {
  const { state, event, run } = click({ initial: { fail: { "body.setAsync": "Body too large" } } });
  await run;
  assert.equal(event.completions, 1);
  assert.equal(last(state).type, "errorMessage");
  assert.match(last(state).message, /Body too large/);
  assert.deepEqual(state.optionalAttendees, []);
});

test("attendee addAsync failure: error; completed once", async () => {
  const { state, event, run } = click({ initial: { fail: { "optionalAttendees.addAsync": "Too many recipients" } } });
  await run;
  assert.equal(event.completions, 1);
  assert.match(last(state).message, /Too many recipients/);
});

test("notifications failing too: still completed once", async () => {
  const { event, run } = click({ initial: { fail: { "notificationMessages.replaceAsync": "No bar" } } });
  await run;
  assert.equal(event.completions, 1);
});

test("something throws synchronously inside Office: completed once, error shown", async () => {
  const { state, item } = meeting();
  item.body.getTypeAsync = () => { throw new Error("Sys.InvalidOperationException"); };
  globalThis.Office = office({ item });
  globalThis.document = support.configDocument(support.config());
  const event = { completions: 0, completed() { this.completions += 1; } };
  await commands.addSingleUseVmr(event);
  assert.equal(event.completions, 1);
  assert.match(last(state).message, /Sys.InvalidOperationException/);
});

test("a script error outside Office calls: completed once", async () => {
  const original = addin.createSession;
  addin.createSession = () => { throw new TypeError("undefined is not a function"); };
  try {
    const { event, state, run } = click();
    await run;
    assert.equal(event.completions, 1);
    assert.equal(last(state).type, "errorMessage");
  } finally {
    addin.createSession = original;
  }
});

test("no configuration on the page: a last-resort message; completed once", async () => {
  const { state, item } = meeting();
  globalThis.Office = office({ item });
  globalThis.document = { getElementById: () => null };
  const event = { completions: 0, completed() { this.completions += 1; } };
  await commands.addSingleUseVmr(event);
  assert.equal(event.completions, 1);
  assert.equal(last(state).type, "errorMessage");
  assert.match(last(state).message, /^The video meeting room could not be added\. .*#vmr-config/);
});

test("no item open: completed once", async () => {
  globalThis.Office = office({});
  const event = { completions: 0, completed() { this.completions += 1; } };
  await commands.addSingleUseVmr(event);
  assert.equal(event.completions, 1);
});

test("the locale follows Outlook's display language", async () => {
  for (const [language, expected] of [["fr-FR", STRINGS_FR], ["fr-CA", STRINGS_FR], ["ja-JP", STRINGS_EN], ["en-GB", STRINGS_EN]]) {
    const { state, run } = click({ displayLanguage: language });
    await run;
    assert.equal(state.notifications[0].message, expected.pane_working_message, language);
    assert.equal(last(state).message, expected.pane_success_message, language);
  }
  const { state, run } = click({ displayLanguage: "fr-FR", routes: { "POST /reservations": jsonResponse(400, { detail: "non" }) } });
  await run;
  assert.ok(last(state).message.startsWith(STRINGS_FR.pane_error_message));
});

test("long messages are clipped at a word to Outlook's 150 characters", () => {
  const clipped = commands.clip("word ".repeat(60));
  assert.ok(clipped.length <= 150);
  assert.ok(clipped.endsWith("word\u2026"));
  assert.equal(commands.clip("  short   text "), "short text");
});

test("warnings never contain a token", () => {
  assert.ok(warnings.length > 0);
  for (const warning of warnings) assert.ok(!/sso-token|exchange-token|Bearer/.test(warning), warning);
});
