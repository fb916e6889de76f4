/*
 * The token the add-in sends to the scheduling service, in the integration's token mode:
 *   naa      - Nested App Authentication with MSAL.js (`window.msal`), silent first, then a popup;
 *   sso      - Office single sign-on (`Office.auth.getAccessToken`);
 *   exchange - the legacy Exchange user identity token (Exchange Server on-premises).
 * When this Outlook does not support the configured mode, the next one down is tried
 * (naa → sso → exchange); if that fails too, the error explains the unsupported mode.
 * Messages are written for the person at Outlook; tokens never appear in them.
 */
(function (root) {
  "use strict";

  class AuthError extends Error {
    constructor(code, message) {
      super(message);
      this.name = "AuthError";
      this.kind = "auth";
      this.code = code;
    }
  }

  // Office SSO error codes (Office.auth.getAccessToken) and what the person can do about them.
  const SSO_MESSAGES = {
    13000: "This version of Outlook does not support single sign-on for add-ins.",
    13001: "You are not signed in to Office. Sign in and try again.",
    13002: "Sign-in was cancelled.",
    13003: "This type of account is not supported. Sign in to Office with a work or school account.",
    13004: "The add-in's single sign-on settings are not valid. Ask your administrator to check the add-in manifest.",
    13005: "The add-in is not yet allowed to sign you in. Ask your administrator to grant consent to it.",
    13006: "Office ran into a temporary problem while signing you in. Restart Outlook and try again.",
    13007: "Office could not get a sign-in token for the add-in. Ask your administrator to check its app registration.",
    13008: "A sign-in is already in progress. Wait a moment and try again.",
    13010: "Your browser's security zones prevent sign-in. Put Outlook and the add-in in the same zone.",
    13012: "Single sign-on is not supported in this Outlook (for example when the add-in was sideloaded).",
    13013: "Too many sign-in attempts. Wait a moment and try again.",
    50001: "Office is not ready to sign you in. Reload the add-in and try again.",
  };
  const SSO_RETRYABLE = new Set([13006, 13008]);
  const SSO_UNSUPPORTED = new Set([13000, 13012, 50001]);
  const SSO_RETRY_DELAY_MS = 1000;

  // MSAL errors after which a popup can succeed where the silent request did not.
  const MSAL_INTERACTION_CODES = new Set([
    "interaction_required", "consent_required", "login_required", "no_account_error", "no_tokens_found",
  ]);
  const MSAL_MESSAGES = {
    user_cancelled: "Sign-in was cancelled.",
    popup_window_error: "The sign-in window could not be opened. Allow pop-ups for Outlook and try again.",
    empty_window_error: "The sign-in window could not be opened. Allow pop-ups for Outlook and try again.",
    interaction_in_progress: "A sign-in is already in progress. Finish it and try again.",
    monitor_window_timeout: "Sign-in took too long. Try again.",
  };

  function unsupported(mode, message) {
    const error = new AuthError(mode + "_unsupported", message);
    error.unsupported = true;
    return error;
  }

  function msalError(error) {
    const code = (error && error.errorCode) || "unknown_error";
    const message = MSAL_MESSAGES[code] || "Sign-in with your Microsoft account failed (" + code + ").";
    return new AuthError(code === "user_cancelled" ? "cancelled" : "naa_" + code, message);
  }

  function needsInteraction(error, msal) {
    if (!error) return false;
    if (msal && typeof msal.InteractionRequiredAuthError === "function" && error instanceof msal.InteractionRequiredAuthError) {
      return true;
    }
    return error.name === "InteractionRequiredAuthError" || MSAL_INTERACTION_CODES.has(error.errorCode);
  }

  function delay(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  /**
   * `tokenConfig` is the page configuration's `token` object. `env` ({Office, msal, retryDelayMs})
   * replaces the globals in tests.
   */
  function createTokenProvider(tokenConfig, env) {
    const config = tokenConfig || {};
    const settings = env || {};
    const office = function () { return settings.Office || root.Office; };
    const msalLib = function () { return settings.msal || root.msal; };
    const retryDelayMs = settings.retryDelayMs === undefined ? SSO_RETRY_DELAY_MS : settings.retryDelayMs;
    let nestedApp = null; // Promise of MSAL's nestable application, created once per page

    function naaSupported() {
      const requirements = office() && office().context && office().context.requirements;
      return !!(requirements && requirements.isSetSupported("NestedAppAuth", "1.1"));
    }

    async function naaToken() {
      if (!naaSupported()) {
        throw unsupported("naa", "This version of Outlook does not support Nested App Authentication (NestedAppAuth 1.1). Update Outlook, or ask your administrator to use another sign-in mode.");
      }
      const msal = msalLib();
      if (!msal || typeof msal.createNestablePublicClientApplication !== "function") {
        throw new AuthError("naa_unavailable", "The sign-in library (MSAL.js) did not load. Reload the add-in and try again.");
      }
      if (!nestedApp) {
        nestedApp = msal.createNestablePublicClientApplication({
          auth: { clientId: config.clientId, authority: config.authority },
        });
        nestedApp.catch(function () { nestedApp = null; });
      }
      let app;
      try {
        app = await nestedApp;
      } catch (error) {
        throw msalError(error);
      }
      const request = { scopes: config.scopes || [] };
      try {
        return (await app.acquireTokenSilent(request)).accessToken;
      } catch (error) {
        if (!needsInteraction(error, msal)) throw msalError(error);
      }
      try {
        return (await app.acquireTokenPopup(request)).accessToken;
      } catch (error) {
        throw msalError(error);
      }
    }

    async function ssoToken() {
      const auth = office() && office().auth;
      if (!auth || typeof auth.getAccessToken !== "function") {
        throw unsupported("sso", SSO_MESSAGES[13000]);
      }
      for (let attempt = 0; ; attempt++) {
        try {
          return await auth.getAccessToken({ allowSignInPrompt: true, allowConsentPrompt: true });
        } catch (error) {
          const code = error && Number(error.code);
          if (SSO_RETRYABLE.has(code) && attempt === 0) {
            await delay(retryDelayMs);
            continue;
          }
          const message = SSO_MESSAGES[code] || "Office single sign-on failed (code " + (code || "unknown") + ").";
          if (SSO_UNSUPPORTED.has(code)) throw unsupported("sso", message);
          throw new AuthError(code === 13002 ? "cancelled" : "sso_" + (code || "unknown"), message);
        }
      }
    }

    function exchangeToken() {
      const mailbox = office() && office().context && office().context.mailbox;
      if (!mailbox || typeof mailbox.getUserIdentityTokenAsync !== "function") {
        return Promise.reject(unsupported("exchange", "This version of Outlook cannot provide an Exchange identity token."));
      }
      return new Promise(function (resolve, reject) {
        mailbox.getUserIdentityTokenAsync(function (result) {
          if (result && result.status === "succeeded" && result.value) {
            resolve(result.value);
            return;
          }
          const reason = result && result.error && result.error.message ? " (" + result.error.message + ")" : "";
          reject(new AuthError(
            "exchange_token_failed",
            "Exchange did not provide an identity token" + reason + ". Exchange Online no longer issues these tokens; ask your administrator to use Nested App Authentication."
          ));
        });
      });
    }

    const modes = { naa: naaToken, sso: ssoToken, exchange: exchangeToken };
    const fallbacks = { naa: "sso", sso: "exchange" };

    async function tokenFor(mode) {
      try {
        return await modes[mode]();
      } catch (error) {
        const next = fallbacks[mode];
        if (!error || !error.unsupported || !next) throw error;
        try {
          return await tokenFor(next);
        } catch (_) {
          throw error; // the configured mode's reason is the one worth reading
        }
      }
    }

    // Callers that ask at the same time (the pane loads the personal list and the saved options
    // on open) share one acquisition, so a user sees at most one sign-in prompt.
    let pending = null;

    return {
      mode: config.mode,
      getToken: function () {
        if (!modes[config.mode]) {
          return Promise.reject(new AuthError("unknown_mode", "The add-in's sign-in mode \"" + config.mode + "\" is not known."));
        }
        if (!pending) {
          pending = tokenFor(config.mode).finally(function () {
            pending = null;
          });
        }
        return pending;
      },
    };
  }

  const exported = { AuthError: AuthError, createTokenProvider: createTokenProvider, SSO_MESSAGES: SSO_MESSAGES };
  root.VmrAddin = root.VmrAddin || {};
  root.VmrAddin.auth = exported;
  if (typeof module !== "undefined" && module.exports) module.exports = exported;
})(typeof window !== "undefined" ? window : globalThis);
