/*
 * The function command (FunctionFile): one click adds a single-use VMR without opening a pane;
 * a further click on the same meeting refreshes its instructions and keeps its room.
 * Progress and outcome are shown in the item's notification bar. `event.completed()` is called
 * exactly once on every path: Outlook queues further clicks until it is.
 */
(function (root) {
  "use strict";

  const NOTIFICATION_KEY = "vmr-scheduler-status"; // ≤ 32 characters
  const MAX_MESSAGE_CHARS = 150; // Outlook rejects longer notification messages
  // Icon of informational messages: Outlook requires the id of an image in the manifest
  // (≤ 32 characters); the manifest names its 16 px ribbon icon so.
  const NOTIFICATION_ICON = "vmrIcon16";
  // Shown when even the page configuration could not be read.
  const LAST_RESORT_MESSAGE = "The video meeting room could not be added.";

  function addin() {
    return root.VmrAddin.addin;
  }

  function messageTypes() {
    const enums = root.Office && root.Office.MailboxEnums && root.Office.MailboxEnums.ItemNotificationMessageType;
    return {
      progress: (enums && enums.ProgressIndicator) || "progressIndicator",
      info: (enums && enums.InformationalMessage) || "informationalMessage",
      error: (enums && enums.ErrorMessage) || "errorMessage",
    };
  }

  function clip(text) {
    const value = String(text || "").replace(/\s+/g, " ").trim();
    if (value.length <= MAX_MESSAGE_CHARS) return value;
    const cut = value.slice(0, MAX_MESSAGE_CHARS - 1);
    const space = cut.lastIndexOf(" ");
    return (space > MAX_MESSAGE_CHARS / 2 ? cut.slice(0, space) : cut) + "\u2026";
  }

  /** Shows `message` in the notification bar; never throws (a failed notice must not stop the command). */
  async function notify(item, kind, message) {
    const types = messageTypes();
    const details = { type: types[kind], message: clip(message) };
    if (kind === "info") {
      details.icon = NOTIFICATION_ICON;
      details.persistent = false;
    }
    try {
      await addin().officeCall("notificationMessages.replaceAsync", function (done) {
        item.notificationMessages.replaceAsync(NOTIFICATION_KEY, details, done);
      });
    } catch (error) {
      if (root.console) root.console.warn("vmr-scheduler: notification not shown: " + error.message);
    }
  }

  function outcomeMessage(result, strings) {
    const text = addin().stateText(result.state, strings);
    return text.message || text.heading;
  }

  function errorMessage(error, strings) {
    const base = strings ? addin().stateText("error", strings).message : LAST_RESORT_MESSAGE;
    const detail = addin().errorDetail(error);
    return detail ? base + " " + detail : base;
  }

  function currentItem() {
    const office = root.Office;
    return office && office.context && office.context.mailbox ? office.context.mailbox.item : null;
  }

  /** The handler Outlook calls for the ribbon (or mobile) button. */
  async function addSingleUseVmr(event) {
    let item = null;
    let strings = null;
    try {
      item = currentItem();
      if (!item) throw new Error("No meeting is open.");
      const config = addin().readConfig(root.document);
      strings = addin().stringsFor(config, addin().chooseLocale(config, root.Office.context.displayLanguage));
      await notify(item, "progress", strings.pane_working_message);
      const session = addin().createSession({ config: config, item: item });
      // A click on a meeting that has our block rewrites it from the meeting's reservation,
      // so it always ends with one intact block; the pane replaces only when asked.
      const result = await session.addSingleUse({ refresh: true });
      await notify(item, "info", outcomeMessage(result, strings));
    } catch (error) {
      if (root.console) root.console.warn("vmr-scheduler: " + addin().errorDetail(error));
      if (item) await notify(item, "error", errorMessage(error, strings));
    } finally {
      try {
        event.completed();
      } catch (error) {
        if (root.console) root.console.warn("vmr-scheduler: event.completed failed: " + error.message);
      }
    }
  }

  // Registered as soon as the script runs (Outlook may invoke the command before onReady
  // fires) and again once Office is ready, for hosts that reset registrations while starting.
  function register() {
    const office = root.Office;
    if (office && office.actions && typeof office.actions.associate === "function") {
      Office.actions.associate("addSingleUseVmr", addSingleUseVmr);
    }
  }

  register();
  // Clients that read only the manifest's VersionOverrides 1.0 (Outlook 2013/2016, Exchange 2016
  // Outlook on the web) call the function file's global of the FunctionName instead.
  root.addSingleUseVmr = addSingleUseVmr;
  if (root.Office && typeof root.Office.onReady === "function") {
    root.Office.onReady(register);
  }

  const exported = {
    addSingleUseVmr: addSingleUseVmr,
    NOTIFICATION_KEY: NOTIFICATION_KEY,
    NOTIFICATION_ICON: NOTIFICATION_ICON,
    MAX_MESSAGE_CHARS: MAX_MESSAGE_CHARS,
    clip: clip,
  };
  root.VmrAddin = root.VmrAddin || {};
  root.VmrAddin.commands = exported;
  if (typeof module !== "undefined" && module.exports) module.exports = exported;
})(typeof window !== "undefined" ? window : globalThis);
