"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { loadScripts, office, succeeded, failed, failure } = require("./support.js");

const [auth] = loadScripts("auth");

const NAA = { mode: "naa", clientId: "client-1", authority: "https://login.microsoftonline.com/tenant", scopes: ["api://vmr/access_as_user"] };

class InteractionRequiredAuthError extends Error {}

/** A stand-in for MSAL.js's UMD global with scripted silent/popup outcomes. */
function fakeMsal({ silent, popup }) {
  const calls = [];
  return {
    calls,
    InteractionRequiredAuthError,
    createNestablePublicClientApplication: async (configuration) => {
      calls.push(["create", configuration]);
      return {
        acquireTokenSilent: async (request) => {
          calls.push(["silent", request]);
          return silent();
        },
        acquireTokenPopup: async (request) => {
          calls.push(["popup", request]);
          return popup();
        },
      };
    },
  };
}

function ssoError(code) {
  return Object.assign(new Error("sso " + code), { code });
}

test("naa: silent token when it works, with the configured client, authority and scopes", async () => {
  const msal = fakeMsal({ silent: () => ({ accessToken: "naa-silent" }), popup: () => assert.fail("no popup") });
  const provider = auth.createTokenProvider(NAA, { Office: office({ naa: true }), msal });
  assert.equal(await provider.getToken(), "naa-silent");
  assert.equal(await provider.getToken(), "naa-silent");
  assert.deepEqual(msal.calls[0], ["create", { auth: { clientId: "client-1", authority: NAA.authority } }]);
  assert.deepEqual(msal.calls[1], ["silent", { scopes: NAA.scopes }]);
  assert.equal(msal.calls.filter(([kind]) => kind === "create").length, 1, "one MSAL application per page");
});

test("callers asking at the same time share one acquisition (one prompt at most)", async () => {
  const msal = fakeMsal({
    silent: () => { throw new InteractionRequiredAuthError("interaction_required"); },
    popup: () => ({ accessToken: "naa-popup" }),
  });
  const provider = auth.createTokenProvider(NAA, { Office: office({ naa: true }), msal });
  const tokens = await Promise.all([provider.getToken(), provider.getToken()]);
  assert.deepEqual(tokens, ["naa-popup", "naa-popup"]);
  assert.equal(msal.calls.filter(([kind]) => kind === "popup").length, 1);
  assert.equal(await provider.getToken(), "naa-popup", "a later call acquires again");
  assert.equal(msal.calls.filter(([kind]) => kind === "popup").length, 2);
});

test("naa: a popup after InteractionRequiredAuthError", async () => {
  const msal = fakeMsal({
    silent: () => { throw new InteractionRequiredAuthError("interaction_required"); },
    popup: () => ({ accessToken: "naa-popup" }),
  });
  const provider = auth.createTokenProvider(NAA, { Office: office({ naa: true }), msal });
  assert.equal(await provider.getToken(), "naa-popup");
});

test("naa: other silent failures are reported, not turned into popups", async () => {
  const msal = fakeMsal({
    silent: () => { throw Object.assign(new Error("x"), { errorCode: "network_error" }); },
    popup: () => assert.fail("no popup"),
  });
  const error = await failure(auth.createTokenProvider(NAA, { Office: office({ naa: true }), msal }).getToken());
  assert.equal(error.kind, "auth");
  assert.equal(error.code, "naa_network_error");
});

test("naa: a cancelled or blocked popup has a clear message", async () => {
  for (const [code, pattern] of [["user_cancelled", /cancelled/], ["popup_window_error", /Allow pop-ups/]]) {
    const msal = fakeMsal({
      silent: () => { throw Object.assign(new Error("x"), { errorCode: "no_account_error" }); },
      popup: () => { throw Object.assign(new Error("x"), { errorCode: code }); },
    });
    const error = await failure(auth.createTokenProvider(NAA, { Office: office({ naa: true }), msal }).getToken());
    assert.match(error.message, pattern);
  }
});

test("naa unsupported by this Outlook: falls back to SSO", async () => {
  const msal = fakeMsal({ silent: () => assert.fail("no NAA"), popup: () => assert.fail("no NAA") });
  const provider = auth.createTokenProvider(NAA, { Office: office({ naa: false }), msal });
  assert.equal(await provider.getToken(), "sso-token");
});

test("naa unsupported and no fallback works: the NAA reason is reported", async () => {
  const Office = office({ naa: false, getAccessToken: async () => { throw ssoError(13012); } });
  Office.context.mailbox.getUserIdentityTokenAsync = (callback) => callback(failed("tokens are off"));
  const error = await failure(auth.createTokenProvider(NAA, { Office }).getToken());
  assert.equal(error.code, "naa_unsupported");
  assert.match(error.message, /does not support Nested App Authentication/);
});

test("naa without MSAL.js loaded says so", async () => {
  const error = await failure(auth.createTokenProvider(NAA, { Office: office({ naa: true }), msal: {} }).getToken());
  assert.equal(error.code, "naa_unavailable");
});

test("sso: getAccessToken with sign-in and consent prompts allowed", async () => {
  let options;
  const Office = office({ getAccessToken: async (given) => { options = given; return "sso-1"; } });
  assert.equal(await auth.createTokenProvider({ mode: "sso", scopes: [] }, { Office }).getToken(), "sso-1");
  assert.deepEqual(options, { allowSignInPrompt: true, allowConsentPrompt: true });
});

test("sso: error codes become clear messages", async () => {
  const expected = { 13001: /not signed in/, 13002: /cancelled/, 13003: /work or school/, 13007: /administrator/, 99999: /code 99999/ };
  for (const [code, pattern] of Object.entries(expected)) {
    const Office = office({ getAccessToken: async () => { throw ssoError(Number(code)); } });
    const error = await failure(auth.createTokenProvider({ mode: "sso" }, { Office }).getToken());
    assert.equal(error.kind, "auth");
    assert.match(error.message, pattern, code);
  }
});

test("sso: 13006 and 13008 are retried once", async () => {
  for (const code of [13006, 13008]) {
    let calls = 0;
    const Office = office({ getAccessToken: async () => { calls += 1; if (calls === 1) throw ssoError(code); return "sso-2"; } });
    assert.equal(await auth.createTokenProvider({ mode: "sso" }, { Office, retryDelayMs: 1 }).getToken(), "sso-2");
    assert.equal(calls, 2);
  }
  let calls = 0;
  const Office = office({ getAccessToken: async () => { calls += 1; throw ssoError(13008); } });
  const error = await failure(auth.createTokenProvider({ mode: "sso" }, { Office, retryDelayMs: 1 }).getToken());
  assert.equal(calls, 2, "only one retry");
  assert.match(error.message, /already in progress/);
});

test("sso unsupported in this host (13012): falls back to the Exchange identity token", async () => {
  const Office = office({ getAccessToken: async () => { throw ssoError(13012); } });
  assert.equal(await auth.createTokenProvider({ mode: "sso" }, { Office }).getToken(), "exchange-token");
  Office.context.mailbox.getUserIdentityTokenAsync = (callback) => callback(failed("off"));
  const error = await failure(auth.createTokenProvider({ mode: "sso" }, { Office }).getToken());
  assert.equal(error.code, "sso_unsupported");
  assert.match(error.message, /not supported in this Outlook/);
});

test("exchange: the identity token, or the reason it is missing", async () => {
  const Office = office();
  assert.equal(await auth.createTokenProvider({ mode: "exchange" }, { Office }).getToken(), "exchange-token");
  Office.context.mailbox.getUserIdentityTokenAsync = (callback) => callback(failed("Tokens are disabled"));
  const error = await failure(auth.createTokenProvider({ mode: "exchange" }, { Office }).getToken());
  assert.equal(error.code, "exchange_token_failed");
  assert.match(error.message, /Tokens are disabled.*Nested App Authentication/);
  Office.context.mailbox.getUserIdentityTokenAsync = (callback) => callback(succeeded(""));
  assert.equal((await failure(auth.createTokenProvider({ mode: "exchange" }, { Office }).getToken())).code, "exchange_token_failed");
});

test("an unknown mode is refused clearly", async () => {
  const error = await failure(auth.createTokenProvider({ mode: "kerberos" }, { Office: office() }).getToken());
  assert.equal(error.code, "unknown_mode");
});
