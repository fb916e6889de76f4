// The task pane's optional parts in headless Chromium: the user's personal VMRs (imported with
// the admin command) and the meeting options (PINs, guests), against the real API.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const h = require("./harness");

const PERSONAL_ALIAS = "demo.user@vc.example.com";
const live = h.useServerAndBrowser({
  addin: "personal_vmrs = true\nmeeting_options = true",
  personalVmrs: [
    {
      owner_email: h.USER_EMAIL,
      name: "My meeting room",
      description: "Always the same address",
      aliases: [PERSONAL_ALIAS, "8100042"],
      pin: "2468",
      allow_guests: true,
    },
    { owner_email: "someone.else@example.com", name: "Not mine", aliases: ["other@vc.example.com"] },
  ],
});
const { skip } = live;

async function openPane(host) {
  const opened = await h.openAddinPage(live.browser, live.server, "taskpane.html", host);
  await opened.page.waitForSelector('#state[data-state="idle"]');
  return opened;
}

test("personal VMRs: the user's own rooms are listed and one replaces the resource booking", { skip }, async () => {
  const { page, problems, close } = await openPane({
    token: live.server.token(),
    // As if a single-use VMR had been added before: the resource is on the meeting.
    optionalAttendees: [{ displayName: h.RESOURCE.name, emailAddress: h.RESOURCE.email }],
  });
  const buttons = page.locator("#personal-list button[data-vmr-id]");
  await buttons.first().waitFor();
  assert.equal(await buttons.count(), 1, "only the caller's VMRs");
  assert.equal(await buttons.first().textContent(), "My meeting room");
  assert.equal(await page.textContent("#personal-message"), "Select the personal room to add to this meeting.");
  await h.screenshot(page, "personal");

  await buttons.first().click();
  await page.waitForSelector('#state[data-state="added"]');
  const meeting = await h.meeting(page);
  assert.ok(meeting.body.includes(PERSONAL_ALIAS), meeting.body);
  assert.equal(h.markers(meeting.body).length, 0, "personal VMRs are not scheduled");
  assert.ok(meeting.location.includes(PERSONAL_ALIAS), meeting.location);
  assert.deepEqual(meeting.optionalAttendees, [], "no resource booking for a personal VMR");
  assert.deepEqual(await problems(), []);
  await close();
});

test("options: PINs go with the reservation and a change renders the instructions again", { skip }, async () => {
  const { page, problems, close } = await openPane({ token: live.server.token() });
  assert.equal(await page.isVisible("#options"), true);
  // Host only: the instructions show the host PIN.
  await page.fill("#host-pin", "1234");
  await page.uncheck("#guests-allowed");
  await page.click("#add-single-use");
  await page.waitForSelector('#state[data-state="added"]');
  let meeting = await h.meeting(page);
  assert.match(meeting.body, /PIN: <b>1234<\/b>/);
  assert.equal(await page.isVisible("#save-options"), true);
  const marker = h.markers(meeting.body);

  // Guests with their own PIN: saved on the same reservation, instructions rendered again.
  await page.check("#guests-allowed");
  await page.fill("#guest-pin", "5678");
  await h.screenshot(page, "options");
  await page.click("#save-options");
  await page.waitForFunction(() => window.__fakeOutlook.body.includes("5678"));
  await page.waitForSelector('#state[data-state="added"]');
  meeting = await h.meeting(page);
  assert.match(meeting.body, /Guest PIN: <b>5678<\/b>/);
  assert.ok(!meeting.body.includes("1234"), "the host PIN is not for guests: " + meeting.body);
  assert.deepEqual(h.markers(meeting.body), marker, "same reservation, one block");
  assert.deepEqual(await problems(), []);
  await close();
});

test("options: the form's defaults go with the reservation, guests allowed as the box shows", { skip }, async () => {
  const { page, problems, close } = await openPane({ token: live.server.token() });
  const reservations = h.recordReservationRequests(page);
  assert.equal(await page.isChecked("#guests-allowed"), true, "ticked by default");
  // The PINs typed, the checkbox left alone.
  await page.fill("#host-pin", "1234");
  await page.fill("#guest-pin", "5678");
  await page.click("#add-single-use");
  await page.waitForSelector('#state[data-state="added"]');
  assert.deepEqual(reservations.map((body) => body.options), [{ host_pin: "1234", guest_pin: "5678", guests_allowed: true }]);
  const meeting = await h.meeting(page);
  assert.match(meeting.body, /Guest PIN: <b>5678<\/b>/, "guests are invited with their PIN");
  assert.ok(!meeting.body.includes("1234"), "the host PIN is not for guests: " + meeting.body);
  assert.equal(await page.isChecked("#guests-allowed"), true);
  assert.deepEqual(await problems(), []);
  await close();
});

test("options: with no PIN typed the checkbox's state is still sent", { skip }, async () => {
  const { page, problems, close } = await openPane({ token: live.server.token() });
  const reservations = h.recordReservationRequests(page);
  await page.click("#add-single-use");
  await page.waitForSelector('#state[data-state="added"]');
  assert.deepEqual(reservations.map((body) => body.options), [{ guests_allowed: true }]);
  assert.deepEqual(await problems(), []);
  await close();
});

test("options: an invalid PIN is refused in the pane before anything is sent", { skip }, async () => {
  const { page, problems, close } = await openPane({ token: live.server.token() });
  await page.locator("#personal-list button").first().waitFor(); // its token request is done
  const tokenRequests = await page.evaluate(() => window.__fakeOutlook.tokenRequests);
  await page.fill("#host-pin", "12");
  await page.click("#add-single-use");
  assert.equal(await page.isVisible("#host-pin-error"), true);
  assert.equal(await page.getAttribute("#host-pin", "aria-invalid"), "true");
  assert.equal(await page.getAttribute("#state", "data-state"), "idle");
  const meeting = await h.meeting(page);
  assert.equal(meeting.body, "<p>Agenda</p>");
  assert.equal(await page.evaluate(() => window.__fakeOutlook.tokenRequests), tokenRequests);
  assert.deepEqual(await problems(), []);
  await close();
});

// Users of their own, so these tests stay within the per-user rate limit the others use up.
const READER = "dddddddd-0000-4000-8000-000000000001";
const UNLUCKY = "dddddddd-0000-4000-8000-000000000002";

// The pane opened again on a meeting with a single-use VMR, the way Outlook restores it.
async function reopenPane(saved, token) {
  const opened = await h.openAddinPage(live.browser, live.server, "taskpane.html", {
    token,
    body: saved.body,
    location: saved.location,
    requiredAttendees: saved.requiredAttendees,
    optionalAttendees: saved.optionalAttendees,
    customProperties: saved.customProperties,
  });
  await opened.page.waitForSelector('#state[data-state="already"]');
  return opened;
}

test("options: reopened on the meeting, the pane shows the saved options, not the defaults", { skip }, async () => {
  const token = live.server.token({ oid: READER });
  const first = await openPane({ token });
  await first.page.click("#add-single-use");
  await first.page.waitForSelector('#state[data-state="added"]');
  await first.page.fill("#host-pin", "4321");
  await first.page.fill("#guest-pin", "8765");
  await first.page.uncheck("#guests-allowed");
  await first.page.click("#save-options");
  await first.page.waitForFunction(() => window.__fakeOutlook.body.includes("4321"));
  await first.page.waitForSelector('#state[data-state="added"]');
  const saved = await h.meeting(first.page);
  assert.deepEqual(await first.problems(), []);
  await first.close();

  const { page, problems, close } = await reopenPane(saved, token);
  await page.waitForSelector('#options[aria-busy="false"]');
  assert.equal(await page.inputValue("#host-pin"), "4321");
  assert.equal(await page.inputValue("#guest-pin"), "8765");
  assert.equal(await page.isChecked("#guests-allowed"), false, "not the ticked default");
  assert.equal(await page.isEnabled("#save-options"), true);
  assert.deepEqual(await problems(), []);
  await close();
});

test("options: saved options that cannot be read keep the defaults and Save off", { skip }, async () => {
  const token = live.server.token({ oid: UNLUCKY });
  const first = await openPane({ token });
  await first.page.click("#add-single-use");
  await first.page.waitForSelector('#state[data-state="added"]');
  const saved = await h.meeting(first.page);
  await first.close();
  // Another mailbox's or a forgotten reservation: the service answers 404.
  saved.customProperties = { ...saved.customProperties, vmrReservationId: "00000000-0000-4000-8000-000000000000" };

  const { page, problems, close } = await reopenPane(saved, token);
  assert.equal(await page.isVisible("#save-options"), true);
  await page.waitForSelector('#options[aria-busy="false"]');
  assert.equal(await page.isDisabled("#save-options"), true);
  assert.equal(await page.inputValue("#host-pin"), "");
  assert.equal(await page.isChecked("#guests-allowed"), true);
  assert.equal(await page.getAttribute("#state", "data-state"), "already", "nothing alarming");
  assert.equal(await page.isEnabled("#replace"), true);
  assert.deepEqual(await problems(), []);
  await close();
});
