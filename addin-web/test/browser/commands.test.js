// The one-click command in headless Chromium: commands.html from the real server inside the fake
// Outlook, invoked the way Outlook invokes it, against the real API.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const h = require("./harness");

const live = h.useServerAndBrowser();
const { skip } = live;

/** Opens the function file; `click()` runs the command as Outlook does and waits for it. */
async function openCommand(host) {
  const opened = await h.openAddinPage(live.browser, live.server, "commands.html", host);
  const { page } = opened;
  await page.waitForFunction(() => typeof window.__fakeOutlook.actions.addSingleUseVmr === "function");
  const click = () => page.evaluate((timeout) => window.__fakeOutlook.invoke("addSingleUseVmr", timeout), h.STEP_TIMEOUT_MS);
  return { ...opened, click };
}

/** Opens the function file, clicks the button once and closes the page. */
async function clickCommand(host) {
  const opened = await openCommand(host);
  await opened.click();
  const result = { opened, meeting: await h.meeting(opened.page), problems: await opened.problems() };
  await opened.close();
  return result;
}

function notification(meeting) {
  const shown = Object.values(meeting.notifications);
  assert.equal(shown.length, 1, JSON.stringify(meeting.notifications));
  return shown[0];
}

test("a click puts the instructions, the location and the resource in the meeting", { skip }, async () => {
  const { meeting, problems } = await clickCommand({ token: live.server.token(), location: "Board room" });
  assert.deepEqual(problems, []);
  assert.equal(meeting.completed, 1);
  const [marker] = h.markers(meeting.body);
  assert.ok(marker, meeting.body);
  assert.ok(meeting.body.startsWith("<p>Agenda</p>"), "the organiser's text stays first: " + meeting.body);
  const alias = meeting.body.match(/meet\d{6}@vc\.example\.com/);
  assert.ok(alias, meeting.body);
  assert.match(meeting.location, new RegExp(`^Board room; .*${alias[0].replace(/\./g, "\\.")}`));
  assert.deepEqual(
    meeting.optionalAttendees.map((a) => a.emailAddress),
    [h.RESOURCE.email]
  );
  assert.deepEqual(meeting.requiredAttendees.map((a) => a.emailAddress), ["adele@example.com"]);
  assert.ok(meeting.customProperties.vmrReservationId, JSON.stringify(meeting.customProperties));
  const shown = notification(meeting);
  assert.equal(shown.type, "informationalMessage");
  assert.match(shown.message, /joining instructions are in the meeting/);
});

test("a second click rewrites the block from the same reservation", { skip }, async () => {
  const opened = await openCommand({ token: live.server.token() });
  const { page } = opened;
  const reservations = h.recordReservationRequests(page);
  await opened.click();
  const first = await h.meeting(page);
  // The organiser edits the instructions and leaves the reference alone.
  const edited = await page.evaluate(() => {
    const state = window.__fakeOutlook;
    state.body = state.body.replace("Join the video meeting", "Jion teh meeting");
    return state.body;
  });
  assert.notEqual(edited, first.body);
  await opened.click();
  const second = await h.meeting(page);
  const problems = await opened.problems();
  await opened.close();

  assert.deepEqual(problems, []);
  assert.equal(second.completed, 2, "event.completed once per click");
  assert.equal(reservations.length, 2, "one reservation request per click");
  assert.equal(reservations[1].meeting_key, reservations[0].meeting_key);
  assert.equal(second.body, first.body, "the edited block is written afresh");
  assert.equal(h.markers(second.body).length, 1, second.body);
  assert.equal(second.body.split("vmr-scheduler-instructions").length - 1, 1, second.body);
  const aliases = (body) => [...new Set(body.match(/meet\d{6}@vc\.example\.com/g) || [])];
  assert.equal(aliases(first.body).length, 1, first.body);
  assert.deepEqual(aliases(second.body), aliases(first.body), "the same alias");
  assert.deepEqual(second.optionalAttendees.map((a) => a.emailAddress), [h.RESOURCE.email]);
  assert.equal(second.location, first.location);
  assert.match(notification(second).message, /already has a video meeting room/);
});

test("the command reuses the reservation of a meeting it already keyed", { skip }, async () => {
  const first = await clickCommand({ token: live.server.token() });
  const [firstMarker] = h.markers(first.meeting.body);
  // The same meeting reopened after the organiser deleted the block: same key, same room.
  const again = await clickCommand({
    token: live.server.token(),
    customProperties: first.meeting.customProperties,
  });
  assert.deepEqual(again.problems, []);
  assert.deepEqual(h.markers(again.meeting.body), [firstMarker]);
});

test("a token failure ends in an error notice and still completes", { skip }, async () => {
  const { meeting, problems } = await clickCommand({
    tokenError: { code: 13003, message: "unsupported account" },
  });
  assert.deepEqual(problems, []);
  assert.equal(meeting.completed, 1);
  assert.equal(meeting.body, "<p>Agenda</p>");
  const shown = notification(meeting);
  assert.equal(shown.type, "errorMessage");
  assert.match(shown.message, /could not be added/);
});
