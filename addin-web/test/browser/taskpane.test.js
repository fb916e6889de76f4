// The task pane in headless Chromium: taskpane.html from the real server inside the fake Outlook,
// one test per state the pane can show, each saved as a screenshot. The service is stopped for
// the last test.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const h = require("./harness");

const live = h.useServerAndBrowser();
const { skip } = live;

/** Opens the pane and waits until it shows `state` (it starts in idle or already). */
async function openPane(host, state = "idle") {
  const opened = await h.openAddinPage(live.browser, live.server, "taskpane.html", host);
  await waitForState(opened.page, state);
  return opened;
}

function waitForState(page, state) {
  return page.waitForSelector(`#state[data-state="${state}"]`);
}

async function visible(page, selector) {
  return page.isVisible(selector);
}

async function addThroughPane(host) {
  const opened = await openPane(host);
  await opened.page.click("#add-single-use");
  await waitForState(opened.page, "added");
  return opened;
}

test("idle, then added: the meeting gets the instructions, location and resource", { skip }, async () => {
  const { page, problems, close } = await openPane({ token: live.server.token() });
  assert.equal(await page.textContent("#title"), "Video meeting room");
  assert.equal(await page.textContent("#add-single-use"), "Add a video meeting room");
  assert.equal(await visible(page, "#remove"), false);
  await h.screenshot(page, "idle");

  await page.click("#add-single-use");
  await waitForState(page, "added");
  await h.screenshot(page, "added");
  assert.equal(await page.textContent("#state-heading"), "Video meeting room added");
  assert.deepEqual(
    [await visible(page, "#add-single-use"), await visible(page, "#replace"), await visible(page, "#remove")],
    [false, true, true]
  );
  const meeting = await h.meeting(page);
  assert.equal(h.markers(meeting.body).length, 1, meeting.body);
  assert.match(meeting.location, /meet\d{6}@vc\.example\.com/);
  assert.deepEqual(meeting.optionalAttendees.map((a) => a.emailAddress), [h.RESOURCE.email]);
  assert.deepEqual(await problems(), []);
  await close();
});

test("working: the pane shows progress while the token is on its way", { skip }, async () => {
  const { page, problems, close } = await openPane({ token: live.server.token(), tokenDelayMs: 1500 });
  await page.click("#add-single-use");
  await waitForState(page, "working");
  assert.equal(await page.isDisabled("#add-single-use"), true);
  assert.equal(await page.textContent("#state-message"), "Adding a video meeting room…");
  await h.screenshot(page, "working");
  await waitForState(page, "added");
  assert.deepEqual(await problems(), []);
  await close();
});

test("already: a meeting reopened with its VMR says so, and replace keeps one block", { skip }, async () => {
  const first = await addThroughPane({ token: live.server.token() });
  const earlier = await h.meeting(first.page);
  await first.close();

  const { page, problems, close } = await openPane(
    {
      token: live.server.token(),
      body: earlier.body,
      location: earlier.location,
      optionalAttendees: earlier.optionalAttendees,
      customProperties: earlier.customProperties,
    },
    "already"
  );
  await h.screenshot(page, "already");
  assert.equal(await page.textContent("#state-heading"), "Already a video meeting");
  assert.equal(await visible(page, "#add-single-use"), false);
  assert.equal(await visible(page, "#replace"), true);

  await page.click("#replace");
  await waitForState(page, "added");
  const replaced = await h.meeting(page);
  const markers = h.markers(replaced.body);
  assert.equal(markers.length, 1, replaced.body);
  assert.notDeepEqual(markers, h.markers(earlier.body), "a new room replaces the old one");
  assert.equal(replaced.optionalAttendees.length, 1);
  assert.equal(replaced.location.split(";").length, 1, replaced.location);
  assert.deepEqual(await problems(), []);
  await close();
});

test("remove takes the instructions, the location and the resource off the meeting", { skip }, async () => {
  const { page, problems, close } = await addThroughPane({ token: live.server.token(), location: "Board room" });
  await page.click("#remove");
  await waitForState(page, "idle");
  const meeting = await h.meeting(page);
  assert.equal(meeting.body, "<p>Agenda</p>");
  assert.equal(meeting.location, "Board room");
  assert.deepEqual(meeting.optionalAttendees, []);
  assert.equal(await visible(page, "#add-single-use"), true);
  assert.deepEqual(await problems(), []);
  await close();
});

test("error: a refused sign-in leaves the meeting as it was", { skip }, async () => {
  const { page, problems, close } = await openPane({
    tokenError: { code: 13003, message: "unsupported account type" },
  });
  await page.click("#add-single-use");
  await waitForState(page, "error");
  await h.screenshot(page, "error");
  assert.equal(await page.textContent("#state-heading"), "Something went wrong");
  assert.match(await page.textContent("#state-detail"), /work or school account/);
  const meeting = await h.meeting(page);
  assert.equal(meeting.body, "<p>Agenda</p>");
  assert.deepEqual(meeting.optionalAttendees, []);
  assert.deepEqual(await problems(), []);
  await close();
});

test("an Outlook in French gets the French strings", { skip }, async () => {
  const { page, problems, close } = await openPane({ token: live.server.token(), displayLanguage: "fr-FR" });
  assert.equal(await page.textContent("#title"), "Salle de visioconférence");
  assert.equal(await page.textContent("#add-single-use"), "Ajouter une salle de visioconférence");
  assert.equal(await page.getAttribute("html", "lang"), "fr-FR");
  // A language without strings of its own falls back to the default locale.
  const german = await openPane({ token: live.server.token(), displayLanguage: "de-DE" });
  assert.equal(await german.page.textContent("#title"), "Video meeting room");
  await german.close();
  assert.deepEqual(await problems(), []);
  await close();
});

// Last: it stops the service.
test("unreachable: with the service down the placeholder goes in and the resource is invited", { skip }, async () => {
  const { page, problems, close } = await openPane({ token: live.server.token() });
  await live.server.stop({ keepData: true });
  await page.click("#add-single-use");
  await waitForState(page, "unreachable");
  await h.screenshot(page, "unreachable");
  assert.equal(await page.textContent("#state-heading"), "Cannot add a video meeting room right now");
  const meeting = await h.meeting(page);
  assert.match(meeting.body, /joining instructions will follow in a separate email/);
  assert.equal(h.markers(meeting.body).length, 0);
  assert.deepEqual(meeting.optionalAttendees.map((a) => a.emailAddress), [h.RESOURCE.email]);
  assert.deepEqual(await problems(), []);
  await close();
});
