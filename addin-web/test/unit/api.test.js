"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { loadScripts, fakeFetch, jsonResponse, reservation, failure } = require("./support.js");

const [api] = loadScripts("api");
const BASE = "https://vmr.example.com/api/v1/integrations/demo";
const TOKEN = "eyJ.secret-token.sig";

function client(routes, options = {}) {
  const fetch = fakeFetch(routes);
  return { fetch, client: api.createClient(BASE + "/", { fetch, ...options }) };
}

test("reserve posts the meeting key, replace and options with the bearer token", async () => {
  const { fetch, client: c } = client({ "POST /reservations": jsonResponse(201, reservation()) });
  const result = await c.reserve(TOKEN, { meetingKey: "k-1", replace: true, options: { host_pin: "1234" } });
  assert.equal(result.reservation_id, "res-1");
  const [call] = fetch.calls;
  assert.equal(call.url, BASE + "/reservations");
  assert.equal(call.init.headers.Authorization, "Bearer " + TOKEN);
  assert.equal(call.init.headers["Content-Type"], "application/json");
  assert.deepEqual(call.body, { meeting_key: "k-1", replace: true, options: { host_pin: "1234" } });
});

test("reserve without extras sends an empty object", async () => {
  const { fetch, client: c } = client({ "POST /reservations": jsonResponse(200, reservation({ reused: true })) });
  assert.equal((await c.reserve(TOKEN, {})).reused, true);
  assert.deepEqual(fetch.calls[0].body, {});
});

test("updateOptions puts the options; release deletes; personalVmrs lists", async () => {
  const { fetch, client: c } = client({
    "PUT /reservations/res%2F1/options": jsonResponse(200, reservation()),
    "DELETE /reservations/res-1": new Response(null, { status: 204 }),
    "GET /personal-vmrs": jsonResponse(200, { personal_vmrs: [{ id: "p1", name: "Mine" }] }),
  });
  await c.updateOptions(TOKEN, "res/1", { guests_allowed: false });
  assert.deepEqual(fetch.calls[0].body, { guests_allowed: false });
  assert.equal(await c.release(TOKEN, "res-1"), null);
  assert.equal(fetch.calls[1].init.method, "DELETE");
  assert.equal(fetch.calls[1].init.body, undefined);
  assert.deepEqual(await c.personalVmrs(TOKEN), [{ id: "p1", name: "Mine" }]);
});

test("reservation gets one reservation by its escaped id, without a body", async () => {
  const saved = reservation({ reused: true, options: { host_pin: "1234", guest_pin: null, guests_allowed: false } });
  const { fetch, client: c } = client({ "GET /reservations/res%2F1": jsonResponse(200, saved) });
  assert.deepEqual(await c.reservation(TOKEN, "res/1"), saved);
  const [call] = fetch.calls;
  assert.equal(call.init.method, "GET");
  assert.equal(call.init.body, undefined);
  assert.equal(call.init.headers.Authorization, "Bearer " + TOKEN);
});

test("network errors are 'unreachable'", async () => {
  const c = api.createClient(BASE, { fetch: async () => { throw new TypeError("Failed to fetch"); } });
  const error = await failure(c.reserve(TOKEN, {}));
  assert.equal(error.kind, "unreachable");
  assert.match(error.message, /cannot be reached \(Failed to fetch\)/);
});

test("a service that does not answer in time is 'unreachable' (the request is aborted)", async () => {
  let aborted = false;
  const hang = (url, init) => new Promise((resolve, reject) => {
    init.signal.addEventListener("abort", () => {
      aborted = true;
      reject(new DOMException("aborted", "AbortError"));
    });
  });
  const c = api.createClient(BASE, { fetch: hang, timeoutMs: 20 });
  const error = await failure(c.reserve(TOKEN, {}));
  assert.equal(error.kind, "unreachable");
  assert.ok(aborted);
  assert.match(error.message, /did not answer within/);
  assert.equal(api.DEFAULT_TIMEOUT_MS, 15000);
});

test("5xx and 503 are 'unreachable' with the problem's code", async () => {
  for (const status of [500, 502, 503, 504]) {
    const { client: c } = client({
      "POST /reservations": jsonResponse(status, { status, code: "storage_unavailable", detail: "try again", request_id: "r1" }),
    });
    const error = await failure(c.reserve(TOKEN, {}));
    assert.equal(error.kind, "unreachable", String(status));
    assert.equal(error.status, status);
    assert.equal(error.code, "storage_unavailable");
    assert.equal(error.requestId, "r1");
  }
});

test("401 and 403 are 'auth' with the problem code", async () => {
  for (const status of [401, 403]) {
    const { client: c } = client({
      "POST /reservations": jsonResponse(status, { status, code: "expired", detail: "the token has expired" }),
    });
    const error = await failure(c.reserve(TOKEN, {}));
    assert.equal(error.kind, "auth");
    assert.equal(error.code, "expired");
    assert.match(error.message, /the token has expired/);
  }
});

test("429 is 'rate_limited' with Retry-After in seconds (both forms)", async () => {
  const { client: c } = client({
    "POST /reservations": jsonResponse(429, { code: "rate_limited", detail: "at most 10 per minute" }, { "Retry-After": "7" }),
  });
  const error = await failure(c.reserve(TOKEN, {}));
  assert.equal(error.kind, "rate_limited");
  assert.equal(error.retryAfter, 7);
  const now = Date.parse("2030-01-01T00:00:00Z");
  assert.equal(api.retryAfterSeconds("Tue, 01 Jan 2030 00:00:30 GMT", now), 30);
  assert.equal(api.retryAfterSeconds("", now), null);
  assert.equal(api.retryAfterSeconds("soon", now), null);
});

test("other 4xx are 'error' with the problem detail; non-JSON problems still classify", async () => {
  const { client: c } = client({
    "POST /reservations": jsonResponse(400, { code: "invalid_meeting_key", detail: "meeting_key must be 1–512 printable ASCII characters" }),
    "GET /personal-vmrs": new Response("<html>Not here</html>", { status: 404 }),
  });
  const error = await failure(c.reserve(TOKEN, {}));
  assert.equal(error.kind, "error");
  assert.equal(error.code, "invalid_meeting_key");
  assert.equal(error.message, "meeting_key must be 1–512 printable ASCII characters");
  const missing = await failure(c.personalVmrs(TOKEN));
  assert.equal(missing.kind, "error");
  assert.equal(missing.message, "HTTP 404");
});

test("a 2xx reply that is not JSON (a proxy answered) is 'unreachable'", async () => {
  const { client: c } = client({ "POST /reservations": new Response("<html>login</html>", { status: 200 }) });
  assert.equal((await failure(c.reserve(TOKEN, {}))).kind, "unreachable");
});

test("no error ever carries the token", async () => {
  const replies = [
    jsonResponse(401, { detail: "bad" }), jsonResponse(500, {}), jsonResponse(429, {}), jsonResponse(400, {}),
  ];
  for (const reply of replies) {
    const { client: c } = client({ "POST /reservations": reply });
    const error = await failure(c.reserve(TOKEN, {}));
    assert.ok(!JSON.stringify({ ...error, message: error.message }).includes("secret-token"));
  }
});
