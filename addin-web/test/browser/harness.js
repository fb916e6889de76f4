// Shared by the browser tests: the real server binary on a free loopback port with a throwaway
// configuration (SQLite, a signing key from `dev-idp`), headless Chromium with the network cut
// off except for that server, and pages opened inside the fake Outlook of fake-office.js.
//
// The binaries are built by `cargo build -p vmr-scheduler -p vmr-scheduler-tests --bins`
// (`make test-addin` does it first). Chromium is Debian's /usr/bin/chromium (or $VMR_CHROMIUM);
// without it the tests skip and say why, unless VMR_REQUIRE_BROWSER=1 makes that a failure.
// Screenshots of every task-pane state go to test-output/screenshots/.
"use strict";

const fs = require("node:fs");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const { spawn, execFileSync } = require("node:child_process");
const { before, after } = require("node:test");
const { installFakeOffice } = require("./fake-office");

const ADDIN_WEB = path.join(__dirname, "..", "..");
const REPO = path.join(ADDIN_WEB, "..");
const TARGET = process.env.CARGO_TARGET_DIR || path.join(REPO, "target");
const CHROMIUM = process.env.VMR_CHROMIUM || "/usr/bin/chromium";
const SCREENSHOTS = path.join(ADDIN_WEB, "test-output", "screenshots");

const TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad";
const CLIENT_ID = "6e4c7a10-3b2d-4f8e-9a1c-5d7b2e9f0c41";
const AUDIENCE = `api://localhost/${CLIENT_ID}`;
const RESOURCE = { name: "Video Meeting Room", email: "vmr-resource@example.com" };
/** The user of every dev-idp token (its `preferred_username`). */
const USER_EMAIL = "demo.user@example.com";
const MARKER = /\[VMRID:[A-Z2-7]{20}\]/g;

/** Bounds of every wait, so that a broken page fails a test instead of hanging it. */
const STARTUP_TIMEOUT_MS = 20000;
const STEP_TIMEOUT_MS = 10000;

/**
 * Why the browser tests cannot run here, or false (node:test's `skip` option takes either).
 * With VMR_REQUIRE_BROWSER=1 a reason is a failure instead.
 */
function skipReason() {
  let reason = false;
  if (!fs.existsSync(CHROMIUM)) {
    reason = `no Chromium at ${CHROMIUM} (apt-get install chromium)`;
  } else {
    try {
      require.resolve("playwright-core");
    } catch (_) {
      reason = "playwright-core is not installed (npm ci)";
    }
  }
  if (reason && process.env.VMR_REQUIRE_BROWSER === "1") {
    throw new Error(`browser tests required (VMR_REQUIRE_BROWSER=1) but ${reason}`);
  }
  if (reason) console.log(`SKIPPED browser tests: ${reason}; set VMR_REQUIRE_BROWSER=1 to make this a failure`);
  return reason;
}

/**
 * Starts the server (with `serverOptions`, see startServer) and Chromium before the tests of the
 * calling file and stops them after. Returns `{skip, server, browser}`; the last two are set once
 * started and stay unset where the tests skip.
 */
function useServerAndBrowser(serverOptions) {
  const live = { skip: skipReason(), server: undefined, browser: undefined };
  before(async () => {
    if (live.skip) return;
    live.server = await startServer(serverOptions);
    live.browser = await launchBrowser();
  });
  after(async () => {
    if (live.browser) await live.browser.close();
    if (live.server) await live.server.stop();
  });
  return live;
}

function binary(name) {
  const file = path.join(TARGET, "debug", name);
  if (!fs.existsSync(file)) {
    throw new Error(`${file} is missing: run \`cargo build -p vmr-scheduler -p vmr-scheduler-tests --bins\` first`);
  }
  return file;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function tomlString(text) {
  return JSON.stringify(text); // a JSON string is a valid TOML basic string for these paths
}

function configToml({ port, dir, extra }) {
  return `
[server]
listen = "127.0.0.1:${port}"
public_url = "http://127.0.0.1:${port}"
addin_vendor_dir = ${tomlString(path.join(ADDIN_WEB, "node_modules"))}

[database]
url = ${tomlString(`sqlite://${path.join(dir, "vmr.db")}`)}

[logging]
level = "warn"

[integrations.demo]
display_name = "Demo"
equipment_resource = { name = "${RESOURCE.name}", email = "${RESOURCE.email}" }
aliases = { prefix = "meet", domain = "vc.example.com", numeric_prefix = "81" }
joining = { dial_in_number = "+1 555 0100" }

[integrations.demo.auth.entra]
tenant_id = "${TENANT}"
audiences = ["${AUDIENCE}"]
jwks_file = ${tomlString(path.join(dir, "idp", "jwks.json"))}

[integrations.demo.addin]
token = "sso"
${extra || ""}

[integrations.demo.addin.locales.fr-FR]
pane = { pane_title = "Salle de visioconférence", pane_add_single_use_button = "Ajouter une salle de visioconférence" }
`;
}

function waitForExit(child, timeoutMs) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve();
    }, timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function waitUntilHealthy(url, child, output) {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${output()}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return;
    } catch (_) {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the server did not become healthy within ${STARTUP_TIMEOUT_MS} ms:\n${output()}`);
}

/** Imports personal VMRs (objects of the import file's JSON form) with the admin command. */
function importPersonalVmrs(configFile, dir, vmrs) {
  const file = path.join(dir, "personal-vmrs.json");
  fs.writeFileSync(file, JSON.stringify(vmrs));
  execFileSync(binary("vmr-scheduler"), ["--config", configFile, "personal-vmrs", "import", "--integration", "demo", file], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/**
 * Starts the server with integration `demo` (token `sso`, French strings); `addin` adds keys to
 * its `[integrations.demo.addin]` section and `personalVmrs` are imported first. Resolves to
 * {url, token(opts), stop()}.
 */
async function startServer(options = {}) {
  // The free port is found before the server binds it; another process may take it between.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServerOnce(options);
    } catch (error) {
      if (attempt === 3 || !/cannot listen/.test(error.message)) throw error;
    }
  }
}

async function startServerOnce({ addin, personalVmrs }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmr-browser-"));
  const devIdp = binary("dev-idp");
  execFileSync(devIdp, ["init", path.join(dir, "idp")], { stdio: "ignore" });
  const port = await freePort();
  const configFile = path.join(dir, "vmr-scheduler.toml");
  fs.writeFileSync(configFile, configToml({ port, dir, extra: addin }));
  if (personalVmrs) importPersonalVmrs(configFile, dir, personalVmrs);
  const child = spawn(binary("vmr-scheduler"), ["--config", configFile, "serve"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, RUST_LOG: "warn" },
  });
  let log = "";
  const collect = (chunk) => { log = (log + chunk).slice(-20000); };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilHealthy(url, child, () => log);
  } catch (error) {
    child.kill("SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let stopped = false;
  return {
    url,
    log: () => log,
    /** A dev-idp token the server accepts; `oid` picks the user. */
    token({ oid } = {}) {
      const args = ["token", "--dir", path.join(dir, "idp"), "--tenant", TENANT, "--audience", AUDIENCE];
      if (oid) args.push("--oid", oid);
      return execFileSync(devIdp, args, { encoding: "utf8" }).trim();
    },
    /** Stops the server (SIGTERM, then SIGKILL after 10 s); the data folder goes on the last call. */
    async stop({ keepData = false } = {}) {
      if (!stopped) {
        stopped = true;
        child.kill("SIGTERM");
        await waitForExit(child, 10000);
      }
      if (!keepData) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function launchBrowser() {
  const { chromium } = require("playwright-core");
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * Opens `/addin/demo/{pageName}` of `server` in a fresh context with the fake Outlook installed
 * before any page script (see fake-office.js for `host`). Only the server is reachable: Office.js
 * from Microsoft's CDN is answered with an empty script (the fake already is `Office`), every
 * other request is refused. Resolves to {page, problems()}: page errors, failed requests to
 * the server and policy violations, which every test expects to stay empty.
 */
async function openAddinPage(browser, server, pageName, host = {}) {
  const context = await browser.newContext({ viewport: { width: 360, height: 640 }, serviceWorkers: "block" });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  const problems = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(server.url + "/")) return route.continue();
    if (url.startsWith("https://appsforoffice.microsoft.com/")) {
      return route.fulfill({ status: 200, contentType: "text/javascript", body: "/* Office.js is faked by the test */" });
    }
    problems.push(`request outside the test server: ${url}`);
    return route.abort();
  });
  const page = await context.newPage();
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    // The browser's own line for a failed request is not a script error; scenarios that
    // expect one (service down, token refused) check the outcome instead.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
      problems.push(`console error: ${message.text()}`);
    }
  });
  await page.addInitScript(installFakeOffice, host);
  await page.goto(`${server.url}/addin/demo/${pageName}`);
  return {
    page,
    context,
    problems: async () => {
      const violations = await page.evaluate(() => window.__fakeOutlook.cspViolations).catch(() => []);
      return problems.concat(violations.map((v) => `policy violation: ${v}`));
    },
    close: () => context.close(),
  };
}

/** The meeting as the fake Outlook holds it. */
function meeting(page) {
  return page.evaluate(() => {
    const state = window.__fakeOutlook;
    return {
      body: state.body,
      location: state.location,
      requiredAttendees: state.requiredAttendees,
      optionalAttendees: state.optionalAttendees,
      customProperties: state.savedProperties,
      notifications: state.notifications,
      completed: state.completed,
    };
  });
}

/** Records the JSON body of every reservation request `page` makes from now on. */
function recordReservationRequests(page) {
  const requests = [];
  page.on("request", (request) => {
    if (request.method() === "POST" && new URL(request.url()).pathname.endsWith("/reservations")) {
      requests.push(request.postDataJSON());
    }
  });
  return requests;
}

function markers(body) {
  return body.match(MARKER) || [];
}

async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

module.exports = {
  RESOURCE,
  USER_EMAIL,
  STEP_TIMEOUT_MS,
  skipReason,
  useServerAndBrowser,
  startServer,
  launchBrowser,
  openAddinPage,
  meeting,
  recordReservationRequests,
  markers,
  screenshot,
};
