/*
 * What the function command and the task pane share: the page configuration, the locale's
 * strings, promise wrappers around Office's callback APIs, and the flows that change the meeting
 * (add a single-use VMR, use a personal VMR, change options, remove).
 *
 * Per meeting, three custom properties (which travel with the item) remember what the add-in
 * did: the meeting key (so the same meeting keeps the same reservation), the reservation id
 * (for options and release) and the location text it set (so it can be replaced or cleared
 * without touching a location the organiser typed).
 */
(function (root) {
  "use strict";

  const PROPERTIES = {
    meetingKey: "vmrMeetingKey",
    reservationId: "vmrReservationId",
    location: "vmrLocation",
  };
  const MAX_LOCATION_CHARS = 255; // Outlook's limit for item.location

  // Strings the pages need beyond the server's pane_* set. The server's strings win when it
  // sends these keys.
  const FALLBACK_STRINGS = {
    pane_save_options_button: "Save options",
    pane_pin_invalid_message: "Use 4 to 20 digits.",
    pane_guest_pin_needs_host_message: "A guest PIN needs a host PIN.",
    pane_pins_differ_message: "The guest PIN must differ from the host PIN.",
  };

  function modules() {
    return root.VmrAddin;
  }

  function warn(what, error) {
    if (root.console) root.console.warn("vmr-scheduler: " + what + ": " + ((error && error.message) || error));
  }

  // ---------------------------------------------------------------------------------------------
  // Configuration and locale.

  function readConfig(doc) {
    const element = (doc || root.document).getElementById("vmr-config");
    if (!element) throw new Error("The add-in page has no configuration (#vmr-config).");
    try {
      return JSON.parse(element.textContent);
    } catch (error) {
      throw new Error("The add-in page's configuration is not valid JSON: " + error.message);
    }
  }

  /** The configured locale for `displayLanguage`: exact tag, then same language, then default. */
  function chooseLocale(config, displayLanguage) {
    const tags = Object.keys(config.strings || {});
    const fallback = tags.indexOf(config.defaultLocale) !== -1 ? config.defaultLocale : tags[0] || config.defaultLocale;
    const wanted = String(displayLanguage || "").toLowerCase();
    if (!wanted) return fallback;
    const exact = tags.find(function (tag) { return tag.toLowerCase() === wanted; });
    if (exact) return exact;
    const language = wanted.split("-")[0];
    const sameLanguage = function (tag) { return tag.toLowerCase().split("-")[0] === language; };
    if (fallback && sameLanguage(fallback)) return fallback;
    return tags.find(sameLanguage) || fallback;
  }

  /** Every string for `tag`, each missing one taken from the default locale. */
  function stringsFor(config, tag) {
    const all = config.strings || {};
    return Object.assign({}, FALLBACK_STRINGS, all[config.defaultLocale] || {}, all[tag] || {});
  }

  // ---------------------------------------------------------------------------------------------
  // Office callbacks as promises.

  class OfficeError extends Error {
    constructor(operation, error) {
      const detail = (error && (error.message || error.name)) || "unknown error";
      super(operation + " failed: " + detail);
      this.name = "OfficeError";
      this.kind = "office";
      this.code = error && error.code;
      this.officeError = error;
    }
  }

  /** Calls `invoke(callback)` and settles with the AsyncResult's value or an OfficeError. */
  function officeCall(operation, invoke) {
    return new Promise(function (resolve, reject) {
      try {
        invoke(function (result) {
          if (result && result.status === "failed") reject(new OfficeError(operation, result.error));
          else resolve(result ? result.value : undefined);
        });
      } catch (error) {
        reject(new OfficeError(operation, error));
      }
    });
  }

  function newMeetingKey(cryptoImpl) {
    const source = cryptoImpl || root.crypto;
    if (source && typeof source.randomUUID === "function") return source.randomUUID();
    const bytes = new Uint8Array(16);
    source.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
    const hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  // ---------------------------------------------------------------------------------------------
  // Location text: the organiser's own location (a physical room for a hybrid meeting) is kept
  // and the VMR's location added after it, the way Outlook joins several locations with "; ".

  function locationParts(value) {
    return String(value || "").split(";").map(function (part) { return part.trim(); }).filter(Boolean);
  }

  /**
   * `current` with the add-in's `previous` location replaced by `next` (or removed when `next`
   * is empty). Null when the result would exceed Outlook's limit: the location is then left as
   * the organiser wrote it, the joining instructions being in the body.
   */
  function mergeLocation(current, previous, next) {
    const ours = [previous, next].filter(Boolean).map(function (value) { return value.trim().toLowerCase(); });
    const kept = locationParts(current).filter(function (part) { return ours.indexOf(part.toLowerCase()) === -1; });
    const merged = kept.concat(next ? [next.trim()] : []).join("; ");
    if (merged.length <= MAX_LOCATION_CHARS) return merged;
    return kept.length ? null : next.trim().slice(0, MAX_LOCATION_CHARS);
  }

  function sameEmail(a, b) {
    return String(a || "").trim().toLowerCase() === String(b || "").trim().toLowerCase();
  }

  // ---------------------------------------------------------------------------------------------
  // One meeting being edited.

  /**
   * `options`: {config, item, Office?, tokenProvider?, api?, fetch?}. The defaults come from the
   * page: window.Office, the item in compose, a token provider for config.token and an API
   * client for config.apiBase.
   */
  function createSession(options) {
    const Office = options.Office || root.Office;
    const config = options.config;
    const item = options.item || Office.context.mailbox.item;
    const tokens = options.tokenProvider || modules().auth.createTokenProvider(config.token, { Office: Office });
    const client = options.api || modules().api.createClient(config.apiBase, { fetch: options.fetch });
    const body = modules().body;
    // Loaded afresh each time: the task pane and the ribbon command may both change them.
    function loadProperties() {
      return officeCall("loadCustomPropertiesAsync", function (done) {
        item.loadCustomPropertiesAsync(done);
      });
    }

    async function remembered() {
      try {
        const properties = await loadProperties();
        return {
          available: true,
          meetingKey: properties.get(PROPERTIES.meetingKey) || null,
          reservationId: properties.get(PROPERTIES.reservationId) || null,
          location: properties.get(PROPERTIES.location) || null,
        };
      } catch (error) {
        warn("custom properties unavailable", error);
        return { available: false, meetingKey: null, reservationId: null, location: null };
      }
    }

    // Best effort: losing these only costs the reuse of a reservation or of the location.
    async function remember(values) {
      try {
        const properties = await loadProperties();
        Object.keys(values).forEach(function (name) {
          if (values[name]) properties.set(PROPERTIES[name], values[name]);
          else properties.remove(PROPERTIES[name]);
        });
        await officeCall("customProperties.saveAsync", function (done) { properties.saveAsync(done); });
      } catch (error) {
        warn("custom properties not saved", error);
      }
    }

    // The same key for every click on this meeting; without custom properties no key is sent
    // and the service treats each click as a new meeting.
    async function meetingKey() {
      const saved = await remembered();
      if (!saved.available) return undefined;
      if (saved.meetingKey) return saved.meetingKey;
      const key = newMeetingKey();
      await remember({ meetingKey: key });
      return key;
    }

    async function readBody() {
      const type = typeof item.body.getTypeAsync === "function"
        ? await officeCall("body.getTypeAsync", function (done) { item.body.getTypeAsync(done); })
        : "html";
      const content = await officeCall("body.getAsync", function (done) { item.body.getAsync(type, done); });
      return { type: type, content: content || "" };
    }

    function writeBody(type, content) {
      return officeCall("body.setAsync", function (done) {
        item.body.setAsync(content, { coercionType: type }, done);
      });
    }

    // Best effort: the body and the resource book the VMR; the location only repeats it.
    async function updateLocation(previous, next) {
      try {
        const current = await officeCall("location.getAsync", function (done) { item.location.getAsync(done); });
        const merged = mergeLocation(current, previous, next);
        if (merged !== null && merged !== (current || "")) {
          await officeCall("location.setAsync", function (done) { item.location.setAsync(merged, done); });
        }
      } catch (error) {
        warn("location not updated", error);
      }
    }

    async function attendeeLists() {
      const get = function (name) {
        return officeCall(name + ".getAsync", function (done) { item[name].getAsync(done); });
      };
      return { requiredAttendees: (await get("requiredAttendees")) || [], optionalAttendees: (await get("optionalAttendees")) || [] };
    }

    // The equipment resource joins as an optional attendee: Exchange delivers the request to
    // its mailbox either way, and as optional its always-busy calendar (it hosts every VMR
    // meeting at once) does not turn every slot red in the Scheduling Assistant nor hold up
    // "find a time" for the real attendees. Both lists are checked so it is never added twice.
    async function ensureResource(resource) {
      if (!resource || !resource.email) return false;
      const lists = await attendeeLists();
      const present = lists.requiredAttendees.concat(lists.optionalAttendees).some(function (attendee) {
        return sameEmail(attendee.emailAddress, resource.email);
      });
      if (present) return false;
      await officeCall("optionalAttendees.addAsync", function (done) {
        item.optionalAttendees.addAsync([{ displayName: resource.name || resource.email, emailAddress: resource.email }], done);
      });
      return true;
    }

    async function removeResource(resource) {
      if (!resource || !resource.email) return;
      const lists = await attendeeLists();
      for (const name of Object.keys(lists)) {
        const kept = lists[name].filter(function (attendee) { return !sameEmail(attendee.emailAddress, resource.email); });
        if (kept.length === lists[name].length) continue;
        const recipients = kept.map(function (attendee) {
          return { displayName: attendee.displayName || attendee.emailAddress, emailAddress: attendee.emailAddress };
        });
        await officeCall(name + ".setAsync", function (done) { item[name].setAsync(recipients, done); });
      }
    }

    async function releaseQuietly(reservationId) {
      if (!reservationId) return;
      try {
        await client.release(await tokens.getToken(), reservationId);
      } catch (error) {
        warn("reservation not released (it expires unused)", error);
      }
    }

    async function applyReservation(current, reservation) {
      await writeBody(current.type, body.upsert(current.content, reservation.instructions_html, current.type));
      const saved = await remembered();
      await updateLocation(saved.location, reservation.location);
      await ensureResource(reservation.equipment_resource || config.equipmentResource);
      await remember({ reservationId: reservation.reservation_id, location: reservation.location });
    }

    // Service down: the placeholder says instructions follow by email, and the resource is
    // invited so the scheduling service provisions the meeting by policy. A block that carries
    // a marker is kept: it still books its reservation.
    async function applyPlaceholder(current, found) {
      if (!found.marker) {
        await writeBody(current.type, body.upsert(current.content, config.placeholderHtml || "", current.type));
        const saved = await remembered();
        if (saved.location) {
          await updateLocation(saved.location, null);
          await remember({ location: null });
        }
      }
      await ensureResource(config.equipmentResource);
    }

    // The block stays as it is. A retry after a failed attendee step lands here, so the
    // resource is checked too.
    async function keepBlock(found) {
      await ensureResource(config.equipmentResource);
      return { state: "already", marker: found.marker };
    }

    // Rewrites the block (the organiser may have edited it) from the reservation the meeting
    // key still holds, so the meeting keeps its room. Only that reservation may go in: a new
    // one would change the room of a meeting whose attendees may already have it (once sent,
    // the reservation is used and the key no longer finds it), so a new one is released and
    // the block kept. Without a remembered key, or with the service down, the block is kept.
    async function refreshBlock(current, found) {
      const key = (await remembered()).meetingKey;
      if (!key) return keepBlock(found);
      let reservation;
      try {
        reservation = await client.reserve(await tokens.getToken(), { meetingKey: key, replace: false });
      } catch (error) {
        if (!error || error.kind !== "unreachable") throw error;
        warn("block not refreshed", error);
        return keepBlock(found);
      }
      if (!reservation.reused) {
        await releaseQuietly(reservation.reservation_id);
        return keepBlock(found);
      }
      await applyReservation(current, reservation);
      return { state: "already", marker: reservation.alias_id_marker, reservation: reservation, refreshed: true };
    }

    return {
      config: config,
      item: item,

      /** Whether the meeting already has instructions: `{hasBlock, marker, reservationId}`. */
      inspect: async function () {
        const current = await readBody();
        const found = body.inspect(current.content, current.type);
        const saved = await remembered();
        return { hasBlock: found.hasBlock, marker: found.marker, reservationId: saved.reservationId };
      },

      /**
       * Adds a single-use VMR. `request`: {replace?, refresh?, options?}. Resolves to {state}:
       *  - `added` (with the reservation): the body got a new block;
       *  - `already`: the body had a marker and no replace was asked. The block is left as it
       *    was, unless refresh was asked and the meeting's own reservation is still open: then
       *    it is rewritten from it (`refreshed` and the reservation are set);
       *  - `unreachable` (`error` says why): the placeholder went in where no marker was.
       * Rejects otherwise.
       */
      addSingleUse: async function (request) {
        const wanted = request || {};
        // The body is read first: a meeting that already has a VMR needs no token prompt
        // and no reservation unless it is to be refreshed.
        const current = await readBody();
        const found = body.inspect(current.content, current.type);
        if (found.marker && !wanted.replace) {
          return wanted.refresh ? refreshBlock(current, found) : keepBlock(found);
        }
        const key = await meetingKey();
        const token = await tokens.getToken();
        let reservation;
        try {
          reservation = await client.reserve(token, { meetingKey: key, replace: !!wanted.replace, options: wanted.options });
        } catch (error) {
          if (!error || error.kind !== "unreachable") throw error;
          await applyPlaceholder(current, found);
          return { state: "unreachable", error: error };
        }
        await applyReservation(current, reservation);
        return { state: "added", reservation: reservation };
      },

      /** The caller's personal VMRs. */
      listPersonal: async function () {
        return client.personalVmrs(await tokens.getToken());
      },

      /**
       * Puts a personal VMR's instructions and location in the meeting. Personal VMRs are not
       * scheduled, so the equipment resource is taken off the meeting and a single-use
       * reservation made earlier is released.
       */
      addPersonal: async function (vmr) {
        const current = await readBody();
        const saved = await remembered();
        await writeBody(current.type, body.upsert(current.content, vmr.instructions_html, current.type));
        await updateLocation(saved.location, vmr.location);
        await removeResource(config.equipmentResource);
        await remember({ reservationId: null, location: vmr.location });
        await releaseQuietly(saved.reservationId);
        return { state: "added", personal: vmr };
      },

      /**
       * The meeting's own reservation as the service holds it (with its saved options), or
       * null when the meeting remembers none. Rejects when the service cannot tell.
       */
      currentReservation: async function () {
        const saved = await remembered();
        if (!saved.reservationId) return null;
        return client.reservation(await tokens.getToken(), saved.reservationId);
      },

      /** Changes the current reservation's options; the instructions are rendered again. */
      updateOptions: async function (meetingOptions) {
        const saved = await remembered();
        if (!saved.reservationId) throw new Error("This meeting has no video meeting room of its own to change.");
        let reservation;
        try {
          reservation = await client.updateOptions(await tokens.getToken(), saved.reservationId, meetingOptions);
        } catch (error) {
          if (!error || error.kind !== "unreachable") throw error;
          return { state: "unreachable", error: error };
        }
        await applyReservation(await readBody(), reservation);
        return { state: "added", reservation: reservation };
      },

      /** Takes the instructions, the add-in's location and the resource off the meeting. */
      remove: async function () {
        const current = await readBody();
        const without = body.remove(current.content, current.type);
        if (without !== current.content) await writeBody(current.type, without);
        const saved = await remembered();
        if (saved.location) await updateLocation(saved.location, null);
        await removeResource(config.equipmentResource);
        await remember({ reservationId: null, location: null });
        await releaseQuietly(saved.reservationId);
        return { state: "idle" };
      },
    };
  }

  // ---------------------------------------------------------------------------------------------
  // What to tell the person.

  /** A short technical explanation of `error`, in English, without secrets. */
  function errorDetail(error) {
    if (!error) return "";
    if (error.kind === "rate_limited" && error.retryAfter) {
      return error.message + " (try again in " + error.retryAfter + " s)";
    }
    return String(error.message || error);
  }

  /** Heading and message for a pane state, from the locale's strings. */
  function stateText(state, strings) {
    const keys = {
      idle: [null, "pane_description"],
      working: [null, "pane_working_message"],
      added: ["pane_success_heading", "pane_success_message"],
      already: ["pane_already_has_vmr_heading", "pane_already_has_vmr_message"],
      unreachable: ["pane_service_unreachable_heading", "pane_service_unreachable_message"],
      error: ["pane_error_heading", "pane_error_message"],
    }[state] || ["pane_error_heading", "pane_error_message"];
    return { heading: (keys[0] && strings[keys[0]]) || "", message: strings[keys[1]] || "" };
  }

  const exported = {
    PROPERTIES: PROPERTIES,
    FALLBACK_STRINGS: FALLBACK_STRINGS,
    OfficeError: OfficeError,
    readConfig: readConfig,
    chooseLocale: chooseLocale,
    stringsFor: stringsFor,
    officeCall: officeCall,
    newMeetingKey: newMeetingKey,
    mergeLocation: mergeLocation,
    createSession: createSession,
    errorDetail: errorDetail,
    stateText: stateText,
  };
  root.VmrAddin = root.VmrAddin || {};
  root.VmrAddin.addin = exported;
  if (typeof module !== "undefined" && module.exports) module.exports = exported;
})(typeof window !== "undefined" ? window : globalThis);
