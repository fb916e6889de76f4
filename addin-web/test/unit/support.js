// Shared fixtures of the unit tests: loads the add-in's classic scripts into Node and builds a
// mocked Outlook (office-addin-mock) whose callbacks act on a plain, inspectable meeting.
"use strict";

const assert = require("node:assert/strict");
const path = require("node:path");
const { OfficeMockObject } = require("office-addin-mock");

const SRC = path.join(__dirname, "..", "..", "src");

/** Loads src/<name>.js for each name, as the pages would (window = the global object). */
function loadScripts(...names) {
  globalThis.window = globalThis;
  return names.map((name) => require(path.join(SRC, name + ".js")));
}

const MARKER = "[VMRID:K7QX2M4PZ3HB6RT5VNWA]";
const OTHER_MARKER = "[VMRID:AAAAAAAAAAAAAAAAAAAA]";

/** Joining instructions shaped like the server's default template. */
function instructions(marker = MARKER, alias = "meet482913@vc.example.com") {
  return [
    "<div style=\"font-family: Calibri, Arial, Helvetica, sans-serif; font-size: 11pt;\">",
    "<p style=\"margin: 0 0 8pt 0; font-size: 13pt;\"><b>Join the video meeting</b></p>",
    `<p style="margin: 0 0 4pt 0;">From a video system or app, call: <b>${alias}</b></p>`,
    "<p style=\"margin: 0 0 4pt 0;\">From a browser: <a href=\"https://vc.example.com/webapp/?conference=" +
      alias + "\">join in your browser</a></p>",
    "<p style=\"margin: 0 0 4pt 0;\">Meeting ID: <b>482913</b></p>",
    "<p style=\"margin: 8pt 0 0 0; font-size: 8pt; color: #808080;\">Please keep the following reference " +
      `unchanged, it keeps the video meeting room booked: ${marker}</p>`,
    "</div>",
  ].join("\n");
}

const PLACEHOLDER = "<div><p><b>Video meeting</b></p><p>The joining instructions will follow in a separate email.</p></div>";

const STRINGS_EN = {
  pane_title: "Video meeting room",
  pane_description: "Adds a video meeting room and its joining instructions to this meeting.",
  pane_add_single_use_button: "Add a video meeting room",
  pane_add_personal_button: "Use my personal room",
  pane_remove_button: "Remove the video meeting room",
  pane_replace_button: "Replace with a new room",
  pane_personal_select_message: "Select the personal room to add to this meeting.",
  pane_personal_none_message: "You do not have a personal video meeting room.",
  pane_success_heading: "Video meeting room added",
  pane_success_message: "The joining instructions are in the meeting. The room is booked when you select Send.",
  pane_already_has_vmr_heading: "Already a video meeting",
  pane_already_has_vmr_message: "This meeting already has a video meeting room. If it is a new meeting, select Send to book it.",
  pane_service_unreachable_heading: "Cannot add a video meeting room right now",
  pane_service_unreachable_message: "The scheduling service cannot be reached. You can still select Send: a video meeting room will be assigned and the joining instructions will follow by email.",
  pane_error_heading: "Something went wrong",
  pane_error_message: "The joining instructions could not be added. Please try again.",
  pane_options_heading: "Meeting options",
  pane_host_pin_label: "Host PIN (optional)",
  pane_guest_pin_label: "Guest PIN (optional)",
  pane_guests_allowed_label: "Allow guests to join",
  pane_working_message: "Adding a video meeting room…",
};

const STRINGS_FR = {
  pane_title: "Salle de visioconférence",
  pane_success_message: "Les instructions sont dans la réunion.",
  pane_working_message: "Ajout d'une salle de visioconférence…",
  pane_error_message: "Les instructions n'ont pas pu être ajoutées.",
};

function config(overrides = {}) {
  return {
    integration: "demo",
    apiBase: "https://vmr.example.com/api/v1/integrations/demo",
    functionName: "addSingleUseVmr",
    token: { mode: "sso", scopes: ["api://vmr.example.com/access_as_user"] },
    features: { function_command: true, task_pane: true, mobile: false, personal_vmrs: true, meeting_options: true },
    equipmentResource: { name: "Video Meeting Room", email: "vmr-resource@example.com" },
    defaultLocale: "en-US",
    strings: { "en-US": STRINGS_EN, "fr-FR": STRINGS_FR },
    placeholderHtml: PLACEHOLDER,
    ...overrides,
  };
}

function reservation(overrides = {}) {
  return {
    reservation_id: "res-1",
    alias: "meet482913@vc.example.com",
    numeric_alias: "482913",
    alias_id_marker: MARKER,
    instructions_html: instructions(),
    location: "Video meeting: meet482913@vc.example.com",
    equipment_resource: { name: "Video Meeting Room", email: "vmr-resource@example.com" },
    expires_at: "2030-01-01T00:00:00.000Z",
    reused: false,
    options: {},
    ...overrides,
  };
}

function succeeded(value) {
  return { status: "succeeded", value };
}

function failed(message, code = 9000) {
  return { status: "failed", error: { name: "GenericError", message, code } };
}

/**
 * A meeting in compose mode. `meeting` holds what the mock's callbacks read and write;
 * `meeting.fail[operation] = "message"` makes that operation's callback report a failure.
 */
function meeting(initial = {}) {
  const state = {
    bodyType: "html",
    body: "",
    location: "",
    requiredAttendees: [],
    optionalAttendees: [],
    properties: {},
    notifications: [],
    calls: [],
    fail: {},
    ...initial,
  };
  const answer = (operation, callback, value) => {
    state.calls.push(operation);
    callback(state.fail[operation] ? failed(state.fail[operation]) : succeeded(value));
  };
  const recipients = (name) => ({
    getAsync(callback) {
      answer(name + ".getAsync", callback, state[name].map((a) => ({ ...a, recipientType: "user" })));
    },
    addAsync(list, callback) {
      if (!state.fail[name + ".addAsync"]) state[name] = state[name].concat(list);
      answer(name + ".addAsync", callback);
    },
    setAsync(list, callback) {
      if (!state.fail[name + ".setAsync"]) state[name] = list.slice();
      answer(name + ".setAsync", callback);
    },
  });
  const item = {
    itemType: "appointment",
    body: {
      getTypeAsync(callback) {
        answer("body.getTypeAsync", callback, state.bodyType);
      },
      getAsync(type, callback) {
        state.calls.push("body.getAsync:" + type);
        answer("body.getAsync", callback, state.body);
      },
      setAsync(data, options, callback) {
        if (!state.fail["body.setAsync"]) {
          state.body = data;
          state.setCoercion = options.coercionType;
        }
        answer("body.setAsync", callback);
      },
    },
    location: {
      getAsync(callback) {
        answer("location.getAsync", callback, state.location);
      },
      setAsync(value, callback) {
        if (!state.fail["location.setAsync"]) state.location = value;
        answer("location.setAsync", callback);
      },
    },
    requiredAttendees: recipients("requiredAttendees"),
    optionalAttendees: recipients("optionalAttendees"),
    notificationMessages: {
      replaceAsync(key, details, callback) {
        state.notifications.push({ key, ...details });
        answer("notificationMessages.replaceAsync", callback);
      },
    },
    loadCustomPropertiesAsync(callback) {
      const saved = { ...state.properties };
      const properties = {
        get: (name) => saved[name],
        set: (name, value) => { saved[name] = value; },
        remove: (name) => { delete saved[name]; },
        saveAsync: (done) => {
          if (!state.fail["customProperties.saveAsync"]) state.properties = { ...saved };
          answer("customProperties.saveAsync", done);
        },
      };
      answer("loadCustomPropertiesAsync", callback, properties);
    },
  };
  return { state, item };
}

/** `Office` for the tests: office-addin-mock around an Outlook context holding `item`. */
function office({ item, displayLanguage = "en-US", getAccessToken, naa = false } = {}) {
  const associations = {};
  const mock = new OfficeMockObject({
    host: "outlook",
    context: {
      displayLanguage,
      requirements: { isSetSupported: (name) => naa && name === "NestedAppAuth" },
      mailbox: {
        // office-addin-mock cannot hold null; a missing item reads as undefined.
        ...(item ? { item } : {}),
        getUserIdentityTokenAsync: (callback) => callback(succeeded("exchange-token")),
      },
    },
    auth: { getAccessToken: getAccessToken || (async () => "sso-token") },
    actions: {
      associate: (name, handler) => {
        associations[name] = handler;
        mock.associateCalls = (mock.associateCalls || 0) + 1;
      },
    },
    onReady: (callback) => {
      if (callback) callback({ host: "Outlook" });
      return Promise.resolve({ host: "Outlook" });
    },
    MailboxEnums: {
      ItemNotificationMessageType: {
        ProgressIndicator: "progressIndicator",
        InformationalMessage: "informationalMessage",
        ErrorMessage: "errorMessage",
      },
    },
    CoercionType: { Html: "html", Text: "text" },
  });
  mock.associations = associations;
  return mock;
}

/** A fetch that answers from `routes` ("METHOD /path" → reply or function) and records calls. */
function fakeFetch(routes) {
  const calls = [];
  const fetch = async (url, init) => {
    const route = init.method + " " + new URL(url).pathname.replace(/^\/api\/v1\/integrations\/demo/, "");
    calls.push({ route, url, init, body: init.body ? JSON.parse(init.body) : undefined });
    const reply = typeof routes[route] === "function" ? await routes[route](init) : routes[route];
    if (!reply) return jsonResponse(404, { code: "not_found", detail: "no route " + route });
    return reply;
  };
  fetch.calls = calls;
  return fetch;
}

function jsonResponse(status, body, headers = {}) {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": status >= 400 ? "application/problem+json" : "application/json", ...headers },
  });
}

/** The error `promise` rejects with; fails the test where it resolves. */
async function failure(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("expected a rejection");
}

function configDocument(value) {
  return {
    getElementById: (id) => (id === "vmr-config" ? { textContent: JSON.stringify(value) } : null),
  };
}

module.exports = {
  loadScripts, MARKER, OTHER_MARKER, instructions, PLACEHOLDER, STRINGS_EN, STRINGS_FR, config,
  reservation, meeting, office, fakeFetch, jsonResponse, configDocument, succeeded, failed, failure,
};
