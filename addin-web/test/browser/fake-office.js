// A fake Outlook for the browser tests: `window.Office` with an appointment in compose mode whose
// body, location, attendees, custom properties and notification bar are plain state, kept in
// `window.__fakeOutlook` for the tests to read. Installed with `page.addInitScript` before any
// page script runs, so the real Office.js is never needed.
"use strict";

/**
 * Runs in the page (Playwright serialises it, so it may use nothing from this file). `host`:
 *   displayLanguage  Outlook's language, default "en-US"
 *   body, bodyType   the meeting body and its type ("html" or "text"), default "<p>Agenda</p>"
 *   location         default ""
 *   requiredAttendees, optionalAttendees   [{displayName, emailAddress}]
 *   customProperties the add-in's saved custom properties, default {}
 *   token            what Office.auth.getAccessToken resolves to
 *   tokenError       {code, message}: getAccessToken rejects with it instead
 *   tokenDelayMs     how long getAccessToken takes, default 0
 */
function installFakeOffice(host) {
  const options = host || {};
  const state = {
    body: options.body === undefined ? "<p>Agenda</p>" : options.body,
    bodyType: options.bodyType || "html",
    location: options.location || "",
    requiredAttendees: (options.requiredAttendees || [{ displayName: "Adele Vance", emailAddress: "adele@example.com" }]).slice(),
    optionalAttendees: (options.optionalAttendees || []).slice(),
    savedProperties: Object.assign({}, options.customProperties || {}),
    notifications: {},
    actions: {},
    handlers: {},
    completed: 0,
    tokenRequests: 0,
    cspViolations: [],
  };
  window.__fakeOutlook = state;

  document.addEventListener("securitypolicyviolation", function (event) {
    state.cspViolations.push(event.violatedDirective + " blocked " + (event.blockedURI || "inline code"));
  });

  // Office answers every call asynchronously with an AsyncResult.
  function answer(callback, value) {
    setTimeout(function () {
      if (typeof callback === "function") callback({ status: "succeeded", value: value });
    }, 0);
  }
  function lastFunction(args) {
    for (let i = args.length - 1; i >= 0; i--) if (typeof args[i] === "function") return args[i];
    return null;
  }
  function copyRecipients(recipients) {
    return recipients.map(function (r) {
      return { displayName: r.displayName || r.emailAddress, emailAddress: r.emailAddress };
    });
  }
  function recipients(name) {
    return {
      getAsync: function () { answer(lastFunction(arguments), copyRecipients(state[name])); },
      setAsync: function (list) { state[name] = copyRecipients(list); answer(lastFunction(arguments)); },
      addAsync: function (list) { state[name] = state[name].concat(copyRecipients(list)); answer(lastFunction(arguments)); },
    };
  }

  const item = {
    itemType: "appointment",
    body: {
      getTypeAsync: function () { answer(lastFunction(arguments), state.bodyType); },
      getAsync: function (coercionType) {
        // Asking for the other type is a conversion Outlook does; the tests never need it.
        if (coercionType !== state.bodyType) throw new Error("fake Outlook: body asked as " + coercionType);
        answer(lastFunction(arguments), state.body);
      },
      setAsync: function (data, opts) {
        if (opts && opts.coercionType && opts.coercionType !== state.bodyType) {
          throw new Error("fake Outlook: " + opts.coercionType + " written into a " + state.bodyType + " body");
        }
        state.body = data;
        answer(lastFunction(arguments));
      },
    },
    location: {
      getAsync: function () { answer(lastFunction(arguments), state.location); },
      setAsync: function (value) { state.location = value; answer(lastFunction(arguments)); },
    },
    requiredAttendees: recipients("requiredAttendees"),
    optionalAttendees: recipients("optionalAttendees"),
    notificationMessages: {
      replaceAsync: function (key, details) { state.notifications[key] = details; answer(lastFunction(arguments)); },
      addAsync: function (key, details) { state.notifications[key] = details; answer(lastFunction(arguments)); },
      removeAsync: function (key) { delete state.notifications[key]; answer(lastFunction(arguments)); },
    },
    loadCustomPropertiesAsync: function (callback) {
      const working = Object.assign({}, state.savedProperties);
      answer(callback, {
        get: function (name) { return working[name]; },
        set: function (name, value) { working[name] = value; },
        remove: function (name) { delete working[name]; },
        getAll: function () { return Object.assign({}, working); },
        saveAsync: function (done) { state.savedProperties = Object.assign({}, working); answer(done); },
      });
    },
  };

  const ready = Promise.resolve({ host: "Outlook", platform: "OfficeOnline" });
  window.Office = {
    onReady: function (callback) {
      return ready.then(function (info) {
        if (callback) callback(info);
        return info;
      });
    },
    actions: {
      associate: function (name, handler) { state.actions[name] = handler; },
    },
    context: {
      displayLanguage: options.displayLanguage || "en-US",
      requirements: {
        // Mailbox 1.8 and IdentityAPI 1.3 (Office SSO); no NestedAppAuth.
        isSetSupported: function (name, version) {
          const supported = { Mailbox: 1.8, IdentityAPI: 1.3 }[name];
          return supported !== undefined && Number(version || 0) <= supported;
        },
      },
      mailbox: {
        item: item,
        // (eventType, handler, [options], [callback]): the handler is kept, not called.
        addHandlerAsync: function (eventType, handler) {
          state.handlers[eventType] = handler;
          answer(lastFunction(Array.prototype.slice.call(arguments, 2)));
        },
      },
    },
    auth: {
      getAccessToken: function () {
        state.tokenRequests += 1;
        return new Promise(function (resolve, reject) {
          setTimeout(function () {
            if (options.tokenError) reject(options.tokenError);
            else resolve(options.token);
          }, options.tokenDelayMs || 0);
        });
      },
    },
    EventType: { ItemChanged: "olkItemSelectedChanged" },
    CoercionType: { Html: "html", Text: "text" },
    AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
    MailboxEnums: {
      ItemNotificationMessageType: {
        ProgressIndicator: "progressIndicator",
        InformationalMessage: "informationalMessage",
        ErrorMessage: "errorMessage",
      },
    },
  };

  /** Runs the command `name` as a ribbon click; resolves when it calls event.completed(). */
  state.invoke = function (name, timeoutMs) {
    return new Promise(function (resolve, reject) {
      const handler = state.actions[name];
      if (!handler) return reject(new Error("no handler associated with " + name));
      const timer = setTimeout(function () {
        reject(new Error(name + " did not call event.completed() within " + timeoutMs + " ms"));
      }, timeoutMs);
      handler({
        source: { id: name },
        completed: function () {
          state.completed += 1;
          clearTimeout(timer);
          resolve();
        },
      });
    });
  };
}

module.exports = { installFakeOffice };
