/*
 * Calls to the scheduling service's add-in API. Every failure becomes an ApiError whose `kind`
 * tells the pages what to show:
 *   unreachable  - network error, timeout, 5xx, or a reply that is not the API's JSON: the
 *                  meeting can still be sent and the service provisions it by policy;
 *   auth         - 401/403, the token was refused (`code` says why);
 *   rate_limited - 429, `retryAfter` seconds;
 *   error        - any other refusal, with the problem's detail.
 * Tokens are sent in the Authorization header only and never logged or put in errors.
 */
(function (root) {
  "use strict";

  const DEFAULT_TIMEOUT_MS = 15000;

  class ApiError extends Error {
    constructor(kind, message, details) {
      super(message);
      this.name = "ApiError";
      this.kind = kind;
      const extra = details || {};
      this.status = extra.status || 0;
      this.code = extra.code || null;
      this.requestId = extra.requestId || null;
      this.retryAfter = extra.retryAfter === undefined ? null : extra.retryAfter;
    }
  }

  // `Retry-After` as seconds, from either of its forms (seconds or an HTTP date).
  function retryAfterSeconds(value, now) {
    if (!value) return null;
    const trimmed = String(value).trim();
    if (/^\d+$/.test(trimmed)) return parseInt(trimmed, 10);
    const date = Date.parse(trimmed);
    if (isNaN(date)) return null;
    return Math.max(0, Math.ceil((date - (now === undefined ? Date.now() : now)) / 1000));
  }

  async function readProblem(response) {
    try {
      const problem = await response.json();
      return problem && typeof problem === "object" ? problem : {};
    } catch (_) {
      return {};
    }
  }

  async function failure(response) {
    const status = response.status;
    const problem = await readProblem(response);
    const details = {
      status: status,
      code: typeof problem.code === "string" ? problem.code : null,
      requestId: typeof problem.request_id === "string" ? problem.request_id : null,
    };
    const detail = typeof problem.detail === "string" && problem.detail
      ? problem.detail
      : (typeof problem.title === "string" && problem.title) || "HTTP " + status;
    if (status >= 500 || status === 408) {
      return new ApiError("unreachable", "The scheduling service is unavailable (" + detail + ").", details);
    }
    if (status === 401 || status === 403) {
      return new ApiError("auth", "The scheduling service did not accept your sign-in: " + detail, details);
    }
    if (status === 429) {
      details.retryAfter = retryAfterSeconds(response.headers.get("Retry-After"));
      return new ApiError("rate_limited", detail, details);
    }
    return new ApiError("error", detail, details);
  }

  /**
   * A client for `apiBase` (`…/api/v1/integrations/{id}`). `options.fetch` and
   * `options.timeoutMs` exist for tests.
   */
  function createClient(apiBase, options) {
    const settings = options || {};
    const base = String(apiBase).replace(/\/+$/, "");
    const timeoutMs = settings.timeoutMs || DEFAULT_TIMEOUT_MS;

    async function call(method, path, token, body) {
      const fetchImpl = settings.fetch || root.fetch;
      const controller = new AbortController();
      const timer = setTimeout(function () { controller.abort(); }, timeoutMs);
      const headers = { Accept: "application/json", Authorization: "Bearer " + token };
      const init = { method: method, headers: headers, signal: controller.signal, credentials: "omit", cache: "no-store" };
      if (body !== undefined) {
        headers["Content-Type"] = "application/json";
        init.body = JSON.stringify(body);
      }
      let response;
      try {
        response = await fetchImpl(base + path, init);
      } catch (error) {
        const timedOut = controller.signal.aborted;
        throw new ApiError(
          "unreachable",
          timedOut
            ? "The scheduling service did not answer within " + Math.round(timeoutMs / 1000) + " s."
            : "The scheduling service cannot be reached (" + ((error && error.message) || "network error") + ")."
        );
      } finally {
        clearTimeout(timer);
      }
      if (!response.ok) throw await failure(response);
      if (response.status === 204) return null;
      try {
        return await response.json();
      } catch (_) {
        // A proxy or captive portal answered instead of the service.
        throw new ApiError("unreachable", "The scheduling service sent a reply that is not JSON.", { status: response.status });
      }
    }

    function reservationBody(request) {
      const body = {};
      if (request && request.meetingKey) body.meeting_key = request.meetingKey;
      if (request && request.replace) body.replace = true;
      if (request && request.options) body.options = request.options;
      return body;
    }

    return {
      /** POST reservations: `{meetingKey?, replace?, options?}` → the reservation. */
      reserve: function (token, request) {
        return call("POST", "/reservations", token, reservationBody(request));
      },
      /** GET one of the caller's reservations → the reservation with its saved options. */
      reservation: function (token, reservationId) {
        return call("GET", "/reservations/" + encodeURIComponent(reservationId), token);
      },
      /** PUT a reservation's options → the reservation with instructions rendered again. */
      updateOptions: function (token, reservationId, options) {
        return call("PUT", "/reservations/" + encodeURIComponent(reservationId) + "/options", token, options || {});
      },
      /** DELETE a reservation that is not used yet. */
      release: function (token, reservationId) {
        return call("DELETE", "/reservations/" + encodeURIComponent(reservationId), token);
      },
      /** GET the caller's personal VMRs → an array. */
      personalVmrs: async function (token) {
        const reply = await call("GET", "/personal-vmrs", token);
        return reply && Array.isArray(reply.personal_vmrs) ? reply.personal_vmrs : [];
      },
    };
  }

  const exported = {
    ApiError: ApiError,
    createClient: createClient,
    retryAfterSeconds: retryAfterSeconds,
    DEFAULT_TIMEOUT_MS: DEFAULT_TIMEOUT_MS,
  };
  root.VmrAddin = root.VmrAddin || {};
  root.VmrAddin.api = exported;
  if (typeof module !== "undefined" && module.exports) module.exports = exported;
})(typeof window !== "undefined" ? window : globalThis);
