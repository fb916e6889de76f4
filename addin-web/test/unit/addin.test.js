"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const support = require("./support.js");

const { loadScripts, meeting, office, fakeFetch, jsonResponse, reservation, instructions, failure, MARKER, OTHER_MARKER } = support;
const [body, , , addin] = loadScripts("body", "auth", "api", "addin");

const RESOURCE = "vmr-resource@example.com";
const NEW_MARKER = "[VMRID:BBBBBBBBBBBBBBBBBBBB]";

function setup({ initial, routes, config, getAccessToken } = {}) {
  const { state, item } = meeting(initial);
  const Office = office({ item, getAccessToken });
  const fetch = fakeFetch(routes || { "POST /reservations": jsonResponse(201, reservation()) });
  const session = addin.createSession({ Office, config: config || support.config(), item: Office.context.mailbox.item, fetch });
  return { state, session, fetch };
}

function markers(text) {
  return text.match(/\[VMRID:[A-Z2-7]{20}\]/g) || [];
}

function emails(list) {
  return list.map((attendee) => attendee.emailAddress.toLowerCase());
}

test("chooseLocale: exact tag, then same language, then the default", () => {
  const config = support.config({ strings: { "en-US": {}, "fr-FR": {}, "de-CH": {}, "en-GB": {} } });
  assert.equal(addin.chooseLocale(config, "fr-FR"), "fr-FR");
  assert.equal(addin.chooseLocale(config, "FR-fr"), "fr-FR");
  assert.equal(addin.chooseLocale(config, "fr-CA"), "fr-FR");
  assert.equal(addin.chooseLocale(config, "de-DE"), "de-CH");
  assert.equal(addin.chooseLocale(config, "en-AU"), "en-US", "the default wins among same-language tags");
  assert.equal(addin.chooseLocale(config, "ja-JP"), "en-US");
  assert.equal(addin.chooseLocale(config, ""), "en-US");
  assert.equal(addin.chooseLocale(config, undefined), "en-US");
});

test("stringsFor: the locale's strings over the default locale's, plus the pages' own", () => {
  const strings = addin.stringsFor(support.config(), "fr-FR");
  assert.equal(strings.pane_title, "Salle de visioconférence");
  assert.equal(strings.pane_remove_button, "Remove the video meeting room");
  assert.equal(strings.pane_pin_invalid_message, "Use 4 to 20 digits.");
  const overridden = addin.stringsFor(support.config({ strings: { "en-US": { pane_pin_invalid_message: "Digits!" } } }), "en-US");
  assert.equal(overridden.pane_pin_invalid_message, "Digits!");
});

test("readConfig reads #vmr-config and explains what is wrong", () => {
  assert.equal(addin.readConfig(support.configDocument({ integration: "x" })).integration, "x");
  assert.throws(() => addin.readConfig({ getElementById: () => null }), /no configuration \(#vmr-config\)/);
  assert.throws(() => addin.readConfig({ getElementById: () => ({ textContent: "{" }) }), /not valid JSON/);
});

test("newMeetingKey: a UUID, also without crypto.randomUUID", () => {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  assert.match(addin.newMeetingKey(), uuid);
  const fallback = addin.newMeetingKey({ getRandomValues: (bytes) => bytes.fill(0xff) });
  assert.equal(fallback, "ffffffff-ffff-4fff-bfff-ffffffffffff");
});

test("mergeLocation keeps the organiser's location and swaps only the add-in's", () => {
  assert.equal(addin.mergeLocation("", null, "Video: a"), "Video: a");
  assert.equal(addin.mergeLocation("Room 4.12", null, "Video: a"), "Room 4.12; Video: a");
  assert.equal(addin.mergeLocation("Room 4.12; Video: a", "Video: a", "Video: b"), "Room 4.12; Video: b");
  assert.equal(addin.mergeLocation("Video: a", "Video: a", "Video: a"), "Video: a");
  assert.equal(addin.mergeLocation("Room 4.12; Video: a", "Video: a", null), "Room 4.12");
  assert.equal(addin.mergeLocation("Video: a", "video: A", ""), "");
  assert.equal(addin.mergeLocation("R".repeat(250), null, "Video: a"), null, "too long: leave it alone");
  assert.equal(addin.mergeLocation("", null, "V".repeat(300)).length, 255);
});

test("add: instructions, location, resource and remembered meeting", async () => {
  const { state, session, fetch } = setup({ initial: { body: "<p>Agenda</p>", location: "Room 4.12" } });
  const result = await session.addSingleUse();
  assert.equal(result.state, "added");
  assert.equal(state.body, "<p>Agenda</p><div id=\"vmr-scheduler-instructions\">" + instructions() + "</div>");
  assert.equal(state.setCoercion, "html");
  assert.equal(state.location, "Room 4.12; Video meeting: meet482913@vc.example.com");
  assert.deepEqual(emails(state.optionalAttendees), [RESOURCE]);
  assert.deepEqual(state.optionalAttendees[0], { displayName: "Video Meeting Room", emailAddress: RESOURCE });
  assert.deepEqual(state.requiredAttendees, []);
  const key = fetch.calls[0].body.meeting_key;
  assert.match(key, /^[0-9a-f-]{36}$/);
  assert.deepEqual(state.properties, {
    vmrMeetingKey: key, vmrReservationId: "res-1", vmrLocation: "Video meeting: meet482913@vc.example.com",
  });
  assert.equal(fetch.calls[0].init.headers.Authorization, "Bearer sso-token");
});

test("add on a meeting that already has a marker: 'already', no token, no reservation, resource once", async () => {
  const { state, session, fetch } = setup({ initial: { body: body.upsertHtml("<p>x</p>", instructions()) } });
  const before = state.body;
  const result = await session.addSingleUse();
  assert.deepEqual(result, { state: "already", marker: MARKER });
  assert.equal(fetch.calls.length, 0);
  assert.equal(state.body, before);
  assert.deepEqual(emails(state.optionalAttendees), [RESOURCE], "a missing resource is repaired");
  await session.addSingleUse();
  assert.deepEqual(emails(state.optionalAttendees), [RESOURCE]);
});

test("refresh: the meeting key's reservation rewrites an edited block and re-invites the resource", async () => {
  let reservations = 0;
  const { state, session, fetch } = setup({
    routes: { "POST /reservations": () => jsonResponse(201, reservation({ reused: ++reservations > 1 })) },
  });
  await session.addSingleUse();
  const added = state.body;
  state.body = added.replace("Meeting ID", "Meting");
  state.optionalAttendees = [];
  const result = await session.addSingleUse({ refresh: true });
  assert.equal(result.state, "already");
  assert.equal(result.refreshed, true);
  assert.equal(result.marker, MARKER);
  assert.equal(fetch.calls.length, 2);
  assert.equal(fetch.calls[1].body.meeting_key, fetch.calls[0].body.meeting_key);
  assert.equal(fetch.calls[1].body.replace, undefined);
  assert.equal(fetch.calls[1].body.options, undefined, "the reservation keeps its options");
  assert.equal(state.body, added);
  assert.deepEqual(emails(state.optionalAttendees), [RESOURCE]);
});

test("refresh without a remembered meeting key keeps the block and reserves nothing", async () => {
  const { state, session, fetch } = setup({ initial: { body: body.upsertHtml("<p>x</p>", instructions()) } });
  const before = state.body;
  const result = await session.addSingleUse({ refresh: true });
  assert.deepEqual(result, { state: "already", marker: MARKER });
  assert.equal(fetch.calls.length, 0);
  assert.equal(state.body, before);
  assert.deepEqual(emails(state.optionalAttendees), [RESOURCE]);
});

test("refresh with the service down keeps the block; other failures reject", async () => {
  const keyed = { body: body.upsertHtml("<p>x</p>", instructions()), properties: { vmrMeetingKey: "k-1" } };
  const down = setup({ initial: { ...keyed }, routes: { "POST /reservations": () => { throw new TypeError("Failed to fetch"); } } });
  assert.deepEqual(await down.session.addSingleUse({ refresh: true }), { state: "already", marker: MARKER });
  assert.equal(down.state.body, keyed.body);
  assert.deepEqual(emails(down.state.optionalAttendees), [RESOURCE]);
  const refused = setup({ initial: { ...keyed }, routes: { "POST /reservations": jsonResponse(401, { detail: "expired" }) } });
  assert.equal((await failure(refused.session.addSingleUse({ refresh: true }))).kind, "auth");
  assert.equal(refused.state.body, keyed.body);
});

test("the resource is never added twice, whichever list holds it", async () => {
  const { state, session } = setup({
    initial: { requiredAttendees: [{ displayName: "VMR", emailAddress: "VMR-Resource@Example.com" }] },
  });
  await session.addSingleUse();
  assert.deepEqual(state.optionalAttendees, []);
  assert.equal(state.requiredAttendees.length, 1);
});

test("the same meeting keeps its meeting key", async () => {
  const { state, session, fetch } = setup();
  await session.addSingleUse();
  state.body = "<p>The organiser deleted the instructions</p>";
  await session.addSingleUse();
  assert.equal(fetch.calls.length, 2);
  assert.equal(fetch.calls[0].body.meeting_key, fetch.calls[1].body.meeting_key);
});

test("a text body gets text instructions in text coercion", async () => {
  const { state, session } = setup({ initial: { bodyType: "text", body: "Agenda" } });
  await session.addSingleUse();
  assert.equal(state.setCoercion, "text");
  assert.ok(state.calls.includes("body.getAsync:text"));
  assert.ok(state.body.startsWith("Agenda\n\n" + body.TEXT_BEGIN + "\nJoin the video meeting\n"));
  assert.ok(!state.body.includes("<"));
});

test("replace: a new reservation takes the old block's and location's place", async () => {
  const fresh = reservation({
    reservation_id: "res-2", alias_id_marker: NEW_MARKER, instructions_html: instructions(NEW_MARKER, "meet222222@vc.example.com"),
    location: "Video meeting: meet222222@vc.example.com",
  });
  const { state, session, fetch } = setup({
    initial: { location: "Room 4.12" },
    routes: { "POST /reservations": (init) => jsonResponse(201, JSON.parse(init.body).replace ? fresh : reservation()) },
  });
  await session.addSingleUse();
  const result = await session.addSingleUse({ replace: true, options: { host_pin: "1234" } });
  assert.equal(result.state, "added");
  assert.deepEqual(fetch.calls[1].body.options, { host_pin: "1234" });
  assert.equal(fetch.calls[1].body.replace, true);
  assert.deepEqual(markers(state.body), [NEW_MARKER]);
  assert.equal(state.location, "Room 4.12; Video meeting: meet222222@vc.example.com");
  assert.equal(state.properties.vmrReservationId, "res-2");
  assert.deepEqual(emails(state.optionalAttendees), [RESOURCE]);
});

test("service unreachable: placeholder inserted, resource added anyway", async () => {
  const { state, session } = setup({
    initial: { body: "<p>Agenda</p>" },
    routes: { "POST /reservations": () => { throw new TypeError("Failed to fetch"); } },
  });
  const result = await session.addSingleUse();
  assert.equal(result.state, "unreachable");
  assert.equal(result.error.kind, "unreachable");
  assert.equal(state.body, "<p>Agenda</p><div id=\"vmr-scheduler-instructions\">" + support.PLACEHOLDER + "</div>");
  assert.deepEqual(emails(state.optionalAttendees), [RESOURCE]);
  // Clicking again while still unreachable does not stack placeholders.
  await session.addSingleUse();
  assert.equal((state.body.match(/vmr-scheduler-instructions/g) || []).length, 1);
});

test("service unreachable on replace: the block with a marker is kept", async () => {
  const original = body.upsertHtml("<p>x</p>", instructions(OTHER_MARKER));
  const { state, session } = setup({
    initial: { body: original },
    routes: { "POST /reservations": jsonResponse(503, { code: "storage_unavailable", detail: "later" }) },
  });
  const result = await session.addSingleUse({ replace: true });
  assert.equal(result.state, "unreachable");
  assert.equal(state.body, original);
  assert.ok(!state.calls.includes("body.setAsync"));
});

test("a refused reservation rejects and leaves the meeting untouched", async () => {
  const { state, session } = setup({
    initial: { body: "<p>x</p>" },
    routes: { "POST /reservations": jsonResponse(401, { code: "expired", detail: "the token has expired" }) },
  });
  const error = await failure(session.addSingleUse());
  assert.equal(error.kind, "auth");
  assert.equal(state.body, "<p>x</p>");
  assert.deepEqual(state.optionalAttendees, []);
});

test("a token failure rejects before any reservation", async () => {
  const { session, fetch } = setup({
    getAccessToken: async () => { throw Object.assign(new Error("x"), { code: 13001 }); },
  });
  const error = await failure(session.addSingleUse());
  assert.equal(error.kind, "auth");
  assert.equal(fetch.calls.length, 0);
});

test("a failed body write rejects with Office's reason and adds no resource", async () => {
  const { state, session } = setup({ initial: { fail: { "body.setAsync": "The item is read-only" } } });
  const error = await failure(session.addSingleUse());
  assert.equal(error.kind, "office");
  assert.equal(error.message, "body.setAsync failed: The item is read-only");
  assert.equal(error.officeError.code, 9000);
  assert.deepEqual(state.optionalAttendees, []);
});

test("without custom properties the VMR is still added (no meeting key sent)", async () => {
  const { state, session, fetch } = setup({ initial: { fail: { loadCustomPropertiesAsync: "not available" } } });
  assert.equal((await session.addSingleUse()).state, "added");
  assert.equal(fetch.calls[0].body.meeting_key, undefined);
  assert.deepEqual(markers(state.body), [MARKER]);
});

test("a failing location does not fail the VMR (the body carries the instructions)", async () => {
  const { state, session } = setup({ initial: { fail: { "location.setAsync": "nope" } } });
  assert.equal((await session.addSingleUse()).state, "added");
  assert.deepEqual(emails(state.optionalAttendees), [RESOURCE]);
});

test("personal VMR: its instructions and location; resource off; earlier reservation released", async () => {
  const personal = {
    id: "p1", name: "Alice's room", description: "Team room", alias: "alice@vc.example.com",
    instructions_html: "<div><p>Join Alice's room</p></div>", location: "Video meeting: alice@vc.example.com",
  };
  const { state, session, fetch } = setup({
    initial: { location: "Room 4.12" },
    routes: {
      "POST /reservations": jsonResponse(201, reservation()),
      "DELETE /reservations/res-1": new Response(null, { status: 204 }),
      "GET /personal-vmrs": jsonResponse(200, { personal_vmrs: [personal] }),
    },
  });
  await session.addSingleUse();
  const [listed] = await session.listPersonal();
  const result = await session.addPersonal(listed);
  assert.equal(result.state, "added");
  assert.equal(state.body, "<div id=\"vmr-scheduler-instructions\"><div><p>Join Alice's room</p></div></div>");
  assert.equal(state.location, "Room 4.12; Video meeting: alice@vc.example.com");
  assert.deepEqual(state.optionalAttendees, []);
  assert.ok(fetch.calls.some((call) => call.route === "DELETE /reservations/res-1"));
  assert.equal(state.properties.vmrReservationId, undefined);
  assert.deepEqual(await session.inspect(), { hasBlock: true, marker: null, reservationId: null });
});

test("remove: block, the add-in's location and the resource go; the reservation is released", async () => {
  const { state, session, fetch } = setup({
    initial: { body: "<p>Agenda</p>", location: "Room 4.12", requiredAttendees: [{ displayName: "Bob", emailAddress: "bob@example.com" }] },
    routes: {
      "POST /reservations": jsonResponse(201, reservation()),
      "DELETE /reservations/res-1": new Response(null, { status: 204 }),
    },
  });
  await session.addSingleUse();
  assert.deepEqual(await session.inspect(), { hasBlock: true, marker: MARKER, reservationId: "res-1" });
  assert.deepEqual(await session.remove(), { state: "idle" });
  assert.equal(state.body, "<p>Agenda</p>");
  assert.equal(state.location, "Room 4.12");
  assert.deepEqual(state.optionalAttendees, []);
  assert.deepEqual(state.requiredAttendees, [{ displayName: "Bob", emailAddress: "bob@example.com" }]);
  assert.equal(fetch.calls[1].route, "DELETE /reservations/res-1");
  assert.ok(state.properties.vmrMeetingKey, "the meeting key stays for a later add");
  assert.equal(state.properties.vmrReservationId, undefined);
});

test("remove succeeds even when the release cannot reach the service", async () => {
  const { state, session } = setup({
    routes: { "POST /reservations": jsonResponse(201, reservation()), "DELETE /reservations/res-1": jsonResponse(503, {}) },
  });
  await session.addSingleUse();
  assert.equal((await session.remove()).state, "idle");
  assert.deepEqual(markers(state.body), []);
});

test("updateOptions: PUT for the remembered reservation; instructions rendered again", async () => {
  const withPin = reservation({ instructions_html: instructions() + "<p>PIN: 1234</p>", options: { host_pin: "1234" } });
  const { state, session, fetch } = setup({
    routes: { "POST /reservations": jsonResponse(201, reservation()), "PUT /reservations/res-1/options": jsonResponse(200, withPin) },
  });
  await failure(session.updateOptions({ host_pin: "1234" })).then((error) => assert.match(error.message, /no video meeting room/));
  await session.addSingleUse();
  const result = await session.updateOptions({ host_pin: "1234" });
  assert.equal(result.state, "added");
  assert.deepEqual(fetch.calls[1].body, { host_pin: "1234" });
  assert.ok(state.body.includes("PIN: 1234"));
  assert.equal((state.body.match(/vmr-scheduler-instructions/g) || []).length, 1);
});

test("currentReservation: the remembered reservation with its saved options, or null", async () => {
  const options = { host_pin: "1234", guest_pin: "5678", guests_allowed: true };
  const saved = reservation({ reused: true, options });
  const { session, fetch } = setup({
    routes: { "POST /reservations": jsonResponse(201, reservation()), "GET /reservations/res-1": jsonResponse(200, saved) },
  });
  assert.equal(await session.currentReservation(), null, "no reservation remembered: nothing asked");
  assert.equal(fetch.calls.length, 0);
  await session.addSingleUse();
  assert.deepEqual((await session.currentReservation()).options, options);
  assert.equal(fetch.calls[1].route, "GET /reservations/res-1");
});

test("currentReservation rejects when the service does not know the reservation", async () => {
  const { session } = setup({ initial: { properties: { vmrReservationId: "gone" } } });
  const error = await failure(session.currentReservation());
  assert.equal(error.kind, "error");
  assert.equal(error.status, 404);
});

test("stateText and errorDetail give the pane's words", () => {
  const strings = addin.stringsFor(support.config(), "en-US");
  assert.deepEqual(addin.stateText("added", strings), { heading: "Video meeting room added", message: strings.pane_success_message });
  assert.equal(addin.stateText("unreachable", strings).heading, strings.pane_service_unreachable_heading);
  assert.equal(addin.stateText("bogus", strings).heading, strings.pane_error_heading);
  assert.equal(addin.errorDetail({ kind: "rate_limited", retryAfter: 9, message: "slow down" }), "slow down (try again in 9 s)");
  assert.equal(addin.errorDetail(new Error("x")), "x");
  assert.equal(addin.errorDetail(null), "");
});

test("officeCall turns a thrown Office exception into an OfficeError", async () => {
  const error = await failure(addin.officeCall("thing", () => { throw new Error("Sys.ArgumentException"); }));
  assert.equal(error.kind, "office");
  assert.equal(error.message, "thing failed: Sys.ArgumentException");
});
