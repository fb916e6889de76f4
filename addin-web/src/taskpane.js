/*
 * The task pane: add a single-use VMR, pick a personal VMR, change the meeting's options,
 * replace or remove the VMR. Every text comes from the configuration's strings for the chosen
 * locale and is set with textContent (never as markup).
 */
(function (root) {
  "use strict";

  const doc = root.document;
  const PIN_PATTERN = /^[0-9]{4,20}$/;

  let addin = null;
  let config = null;
  let strings = null;
  let session = null;
  let busy = false;
  // False while the form may show defaults in place of the options the meeting's reservation
  // holds (still loading, or they could not be read): Save would overwrite them, so it is off.
  let optionsKnown = true;
  // Counts what the form has been set from, so a late answer does not overwrite newer values.
  let optionsVersion = 0;

  function $(id) {
    return doc.getElementById(id);
  }

  function setText(id, text) {
    const element = $(id);
    if (element) element.textContent = text || "";
  }

  function show(id, visible) {
    const element = $(id);
    if (element) element.hidden = !visible;
  }

  // ---------------------------------------------------------------------------------------------
  // State region.

  function setState(state, detail) {
    const region = $("state");
    region.setAttribute("data-state", state);
    const text = addin.stateText(state, strings);
    setText("state-heading", text.heading);
    show("state-heading", !!text.heading);
    setText("state-message", text.message);
    setText("state-detail", detail || "");
    show("state-detail", !!detail);
  }

  function setBusy(value) {
    busy = value;
    doc.querySelectorAll("button, input").forEach(function (control) {
      control.disabled = value;
    });
    if (!value) $("save-options").disabled = !optionsKnown;
  }

  // Which buttons fit the meeting as it is now.
  function showMeetingControls(info) {
    const hasSingleUse = !!info.marker;
    show("add-single-use", !hasSingleUse);
    show("replace", hasSingleUse);
    show("remove", info.hasBlock);
    show("save-options", !!(config.features.meeting_options && hasSingleUse && info.reservationId));
  }

  async function refreshControls() {
    try {
      const info = await session.inspect();
      showMeetingControls(info);
      return info;
    } catch (error) {
      root.console.warn("vmr-scheduler: meeting not read: " + addin.errorDetail(error));
      return null;
    }
  }

  // A clicked button that the outcome hides (add → replace) would drop keyboard focus on the
  // page; it moves to the button that took its place.
  function keepFocus(clicked) {
    if (!clicked || !clicked.hidden) return;
    const next = ["replace", "add-single-use", "remove"].map($).find(function (button) {
      return button && !button.hidden;
    });
    if (next) next.focus();
  }

  /** Runs one change of the meeting with the pane showing progress, then its outcome. */
  async function run(action) {
    if (busy) return;
    const clicked = doc.activeElement;
    setBusy(true);
    setState("working");
    let outcome;
    try {
      const result = await action();
      outcome = { state: result.state, detail: result.error ? addin.errorDetail(result.error) : "" };
      if (result.reservation && result.reservation.options) fillOptions(result.reservation.options);
    } catch (error) {
      root.console.warn("vmr-scheduler: " + addin.errorDetail(error));
      outcome = { state: "error", detail: addin.errorDetail(error) };
    }
    // Buttons first: when the outcome is announced, the controls already fit the meeting.
    await refreshControls();
    setBusy(false);
    setState(outcome.state, outcome.detail);
    keepFocus(clicked);
  }

  // ---------------------------------------------------------------------------------------------
  // Meeting options form.

  function fieldError(inputId, message) {
    const input = $(inputId);
    input.setAttribute("aria-invalid", message ? "true" : "false");
    setText(inputId + "-error", message);
    show(inputId + "-error", !!message);
  }

  /** Checks both PINs, shows the messages next to the fields; true when valid. */
  function validateOptions() {
    const host = $("host-pin").value.trim();
    const guest = $("guest-pin").value.trim();
    let hostError = "";
    let guestError = "";
    if (host && !PIN_PATTERN.test(host)) hostError = strings.pane_pin_invalid_message;
    if (guest && !PIN_PATTERN.test(guest)) guestError = strings.pane_pin_invalid_message;
    else if (guest && !host) guestError = strings.pane_guest_pin_needs_host_message;
    else if (guest && guest === host) guestError = strings.pane_pins_differ_message;
    fieldError("host-pin", hostError);
    fieldError("guest-pin", guestError);
    const firstInvalid = hostError ? "host-pin" : guestError ? "guest-pin" : null;
    if (firstInvalid) $(firstInvalid).focus();
    return !firstInvalid;
  }

  function optionsEnabled() {
    return !!config.features.meeting_options;
  }

  /**
   * The options as the form shows them, or undefined when the form is off. The checkbox's
   * state always goes along: left out, the service would read it as "no guests" although the
   * box is ticked by default. An empty PIN field means no PIN.
   */
  function readOptions() {
    if (!optionsEnabled()) return undefined;
    const options = { guests_allowed: $("guests-allowed").checked };
    const host = $("host-pin").value.trim();
    const guest = $("guest-pin").value.trim();
    if (host) options.host_pin = host;
    if (guest) options.guest_pin = guest;
    return options;
  }

  /** Shows the options a reservation holds; from then on Save changes exactly those. */
  function fillOptions(options) {
    if (!optionsEnabled()) return;
    $("host-pin").value = options.host_pin || "";
    $("guest-pin").value = options.guest_pin || "";
    if (typeof options.guests_allowed === "boolean") $("guests-allowed").checked = options.guests_allowed;
    fieldError("host-pin", "");
    fieldError("guest-pin", "");
    $("options").setAttribute("aria-busy", "false");
    optionsKnown = true;
    optionsVersion += 1;
  }

  // The form's defaults, without the options of an item open before.
  function resetOptions() {
    $("options").reset();
    $("options").setAttribute("aria-busy", "false");
    fieldError("host-pin", "");
    fieldError("guest-pin", "");
    optionsVersion += 1;
  }

  // Only where Save is offered: a meeting with a single-use VMR of its own.
  function hasSavedOptions(info) {
    return !!(optionsEnabled() && info && info.marker && info.reservationId);
  }

  /**
   * Fills the form from the meeting's reservation. On failure the defaults stay and Save
   * stays off; the pane's state is left alone, as adding or replacing still works.
   */
  async function loadSavedOptions() {
    const version = optionsVersion;
    $("options").setAttribute("aria-busy", "true");
    let reservation = null;
    try {
      reservation = await session.currentReservation();
    } catch (error) {
      root.console.warn("vmr-scheduler: saved meeting options not read: " + addin.errorDetail(error));
    }
    // Another item, or a reservation added or replaced meanwhile, has set the form since.
    if (version !== optionsVersion) return;
    if (reservation && reservation.options) fillOptions(reservation.options);
    if (!busy) $("save-options").disabled = !optionsKnown;
    $("options").setAttribute("aria-busy", "false");
  }

  function digitsOnly(event) {
    const input = event.target;
    const digits = input.value.replace(/[^0-9]/g, "");
    if (digits !== input.value) input.value = digits;
    if (input.getAttribute("aria-invalid") === "true") validateOptions();
  }

  // ---------------------------------------------------------------------------------------------
  // Personal VMRs.

  function personalButton(vmr) {
    const button = doc.createElement("button");
    button.type = "button";
    button.className = "button personal";
    button.setAttribute("data-vmr-id", String(vmr.id));
    button.textContent = vmr.name || vmr.alias || String(vmr.id);
    if (vmr.description) button.title = vmr.description;
    button.addEventListener("click", function () {
      run(function () { return session.addPersonal(vmr); });
    });
    return button;
  }

  async function loadPersonal() {
    const list = $("personal-list");
    list.textContent = "";
    show("personal-retry", false);
    list.setAttribute("aria-busy", "true");
    try {
      const vmrs = await session.listPersonal();
      setText("personal-message", vmrs.length ? strings.pane_personal_select_message : strings.pane_personal_none_message);
      vmrs.forEach(function (vmr) { list.appendChild(personalButton(vmr)); });
    } catch (error) {
      if (error && error.code === "personal_vmrs_disabled") {
        show("personal", false);
        return;
      }
      setText("personal-message", addin.errorDetail(error));
      show("personal-retry", true);
    } finally {
      list.setAttribute("aria-busy", "false");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Start.

  function labelControls() {
    setText("add-single-use", strings.pane_add_single_use_button);
    setText("replace", strings.pane_replace_button);
    setText("remove", strings.pane_remove_button);
    setText("personal-heading", strings.pane_add_personal_button);
    setText("personal-retry", strings.pane_add_personal_button);
    setText("options-heading", strings.pane_options_heading);
    setText("host-pin-label", strings.pane_host_pin_label);
    setText("guest-pin-label", strings.pane_guest_pin_label);
    setText("guests-allowed-label", strings.pane_guests_allowed_label);
    setText("save-options", strings.pane_save_options_button);
  }

  function wireControls() {
    $("add-single-use").addEventListener("click", function () {
      if (optionsEnabled() && !validateOptions()) return;
      const options = readOptions();
      run(function () { return session.addSingleUse({ options: options }); });
    });
    $("replace").addEventListener("click", function () {
      if (optionsEnabled() && !validateOptions()) return;
      const options = readOptions();
      run(function () { return session.addSingleUse({ replace: true, options: options }); });
    });
    $("remove").addEventListener("click", function () {
      run(function () { return session.remove(); });
    });
    $("personal-retry").addEventListener("click", loadPersonal);
    $("options").addEventListener("submit", function (event) {
      event.preventDefault(); // the page's policy allows no form submission
      // Enter in a PIN field submits too; before there is a reservation the options only
      // travel with the add or replace click.
      if (!validateOptions() || $("save-options").hidden) return;
      const options = readOptions();
      run(function () { return session.updateOptions(options); });
    });
    $("host-pin").addEventListener("input", digitsOnly);
    $("guest-pin").addEventListener("input", digitsOnly);
  }

  // Fresh state for the item now open (the pane can stay pinned while the item changes).
  async function openItem() {
    const item = root.Office.context.mailbox.item;
    if (!item) {
      setState("error", "No meeting is open.");
      return;
    }
    session = addin.createSession({ config: config, item: item });
    if (optionsEnabled()) resetOptions();
    setBusy(true);
    const info = await refreshControls();
    optionsKnown = !hasSavedOptions(info);
    setBusy(false);
    setState(info && info.marker ? "already" : "idle");
    if (config.features.personal_vmrs) loadPersonal();
    if (!optionsKnown) loadSavedOptions();
  }

  async function start() {
    addin = root.VmrAddin.addin;
    try {
      config = addin.readConfig(doc);
    } catch (error) {
      strings = addin.stringsFor({ strings: {} }, "");
      setState("error", error.message);
      return;
    }
    const locale = addin.chooseLocale(config, root.Office.context.displayLanguage);
    strings = addin.stringsFor(config, locale);
    doc.documentElement.lang = locale;
    doc.title = strings.pane_title || doc.title;
    setText("title", strings.pane_title);
    labelControls();
    show("personal", !!config.features.personal_vmrs);
    show("options", optionsEnabled());
    wireControls();
    await openItem();
    const mailbox = root.Office.context.mailbox;
    if (typeof mailbox.addHandlerAsync === "function" && root.Office.EventType) {
      mailbox.addHandlerAsync(root.Office.EventType.ItemChanged, function () { openItem(); });
    }
  }

  if (doc && root.Office && typeof root.Office.onReady === "function") {
    root.Office.onReady(function () {
      start().catch(function (error) {
        root.console.error("vmr-scheduler: the pane could not start: " + error.message);
      });
    });
  }

  root.VmrAddin = root.VmrAddin || {};
  root.VmrAddin.taskpane = { PIN_PATTERN: PIN_PATTERN };
  if (typeof module !== "undefined" && module.exports) module.exports = root.VmrAddin.taskpane;
})(typeof window !== "undefined" ? window : globalThis);
