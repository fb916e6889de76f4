/*
 * Pure functions that put the joining-instructions block into a meeting body, replace an earlier
 * insertion instead of duplicating it, and take it out again. No Office calls.
 *
 * One string-only algorithm serves the browser and Node alike: a small HTML tokenizer finds the
 * exact span of an earlier block and everything outside that span is left byte for byte as
 * Outlook gave it. Re-serialising the whole body through DOMParser would normalise markup that
 * Outlook on Windows relies on (conditional comments, `o:p` elements, attribute quoting).
 *
 * An earlier block is found by, in order:
 *  1. its wrapper id `vmr-scheduler-instructions`, also when Outlook prefixed it (`x_…`);
 *  2. the alias-id marker text `[VMRID:…]`, since Outlook strips `class` attributes and may drop
 *     or rewrite the wrapper: the block is then the innermost plain `div` around the marker
 *     (else the paragraph or cell holding it), widened over wrappers that hold nothing else,
 *     and never an element Outlook itself marked with a class or an id (those hold the
 *     organiser's own text).
 * Text bodies carry the block between two delimiter lines.
 */
(function (root) {
  "use strict";

  const BLOCK_ID = "vmr-scheduler-instructions";
  const MARKER_PATTERN = /\[VMRID:[A-Z2-7]{20}\]/;
  const TEXT_BEGIN = "---------- VMR ----------";
  const TEXT_END = "---------- END VMR ----------";

  const BLOCK_ID_PATTERN = new RegExp("(^|_)" + BLOCK_ID + "$", "i");
  const MARKER_GLOBAL = new RegExp(MARKER_PATTERN.source, "g");

  const VOID_ELEMENTS = new Set([
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input",
    "keygen", "link", "meta", "param", "source", "track", "wbr",
  ]);
  // Elements whose content is not markup: a `<` inside them starts no tag.
  const RAW_TEXT_ELEMENTS = new Set([
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
  ]);
  // An end tag does not close elements beyond these (HTML's "in scope" rule, simplified).
  const SCOPE_BOUNDARIES = new Set(["td", "th", "caption", "table", "html", "template"]);
  // Start tags of these close an open `<p>` (HTML's implied end tag).
  const CLOSES_PARAGRAPH = new Set([
    "address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "main", "nav", "ol", "p", "pre", "section", "table", "ul",
  ]);
  // Outlook's own containers: a class or a foreign id on one of these means organiser content.
  const CONTAINERS = new Set([
    "div", "section", "article", "blockquote", "table", "tbody", "thead", "tfoot", "tr", "td",
    "th", "ul", "ol", "li", "center", "form",
  ]);
  const DOCUMENT_ELEMENTS = new Set(["html", "head", "body"]);
  // Lines of their own in the text rendering.
  const BLOCK_ELEMENTS = new Set([
    "address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "thead", "tfoot", "tr",
    "ul",
  ]);
  // The smallest elements a marker is taken out with when no plain div surrounds it.
  const LINE_ELEMENTS = new Set(["p", "li", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote"]);
  const TABLE_PARTS = new Set(["td", "th", "tr", "tbody", "thead", "tfoot", "caption", "colgroup"]);
  // Content that makes markup non-blank even without text.
  const SUBSTANTIAL_ELEMENTS = /<(img|hr|input|table|iframe|object|embed|video|audio|svg|canvas)\b/i;

  const NAMED_ENTITIES = {
    amp: "&", lt: "<", gt: ">", quot: "\"", apos: "'", nbsp: "\u00a0", copy: "\u00a9",
    reg: "\u00ae", trade: "\u2122", hellip: "\u2026", mdash: "\u2014", ndash: "\u2013",
    lsquo: "\u2018", rsquo: "\u2019", ldquo: "\u201c", rdquo: "\u201d", laquo: "\u00ab",
    raquo: "\u00bb", bull: "\u2022", middot: "\u00b7", euro: "\u20ac", shy: "\u00ad",
  };

  // Any other named entity, where a browser can decode it: a detached <textarea> only parses
  // character references (the input is a single `&name;`), so nothing runs or loads.
  function browserEntity(reference) {
    const doc = root.document;
    if (!doc || typeof doc.createElement !== "function") return reference;
    const scratch = doc.createElement("textarea");
    scratch.innerHTML = reference;
    return typeof scratch.value === "string" ? scratch.value : reference;
  }

  function decodeEntities(text) {
    return text.replace(/&(#[xX][0-9a-fA-F]+|#[0-9]+|[A-Za-z][A-Za-z0-9]*);/g, function (all, name) {
      if (name.charAt(0) === "#") {
        const hex = name.charAt(1) === "x" || name.charAt(1) === "X";
        const code = parseInt(name.slice(hex ? 2 : 1), hex ? 16 : 10);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : all;
      }
      return Object.prototype.hasOwnProperty.call(NAMED_ENTITIES, name) ? NAMED_ENTITIES[name] : browserEntity(all);
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Tokenizer: a flat list of {type, start, end} with type text | start | end | comment | raw.
  // Start tags also carry name, attrs (lower-case names, decoded values) and selfClosing.

  function isSpace(ch) {
    return ch === " " || ch === "\n" || ch === "\t" || ch === "\r" || ch === "\f";
  }

  function isLetter(ch) {
    return (ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z");
  }

  // Reads `name attr=value …>` from `pos` (just after `<` or `</`). Returns the tag's end and
  // its parts; an unterminated tag runs to the end of the input.
  function readTag(html, pos) {
    const n = html.length;
    let i = pos;
    while (i < n && !isSpace(html[i]) && html[i] !== "/" && html[i] !== ">") i++;
    const name = html.slice(pos, i).toLowerCase();
    const attrs = {};
    let selfClosing = false;
    while (i < n) {
      const ch = html[i];
      if (isSpace(ch)) {
        i++;
        continue;
      }
      if (ch === ">") {
        return { name: name, attrs: attrs, selfClosing: selfClosing, end: i + 1 };
      }
      if (ch === "/") {
        selfClosing = html[i + 1] === ">";
        i++;
        continue;
      }
      selfClosing = false;
      const nameStart = i;
      i++; // the first character may be `=`
      while (i < n && !isSpace(html[i]) && "/>=".indexOf(html[i]) === -1) i++;
      const attrName = html.slice(nameStart, i).toLowerCase();
      let j = i;
      while (j < n && isSpace(html[j])) j++;
      let value = "";
      if (html[j] === "=") {
        j++;
        while (j < n && isSpace(html[j])) j++;
        const quote = html[j];
        if (quote === "\"" || quote === "'") {
          const close = html.indexOf(quote, j + 1);
          const stop = close === -1 ? n : close;
          value = html.slice(j + 1, stop);
          i = close === -1 ? n : close + 1;
        } else {
          const valueStart = j;
          while (j < n && !isSpace(html[j]) && html[j] !== ">") j++;
          value = html.slice(valueStart, j);
          i = j;
        }
      }
      if (!Object.prototype.hasOwnProperty.call(attrs, attrName)) {
        attrs[attrName] = decodeEntities(value);
      }
    }
    return { name: name, attrs: attrs, selfClosing: selfClosing, end: n };
  }

  function tokenize(html) {
    const tokens = [];
    const n = html.length;
    let textStart = 0;
    let i = 0;
    function emit(token) {
      if (token.start > textStart) tokens.push({ type: "text", start: textStart, end: token.start });
      tokens.push(token);
      textStart = token.end;
      i = token.end;
    }
    function upTo(needle, from, extra) {
      const at = html.indexOf(needle, from);
      return at === -1 ? n : at + extra;
    }
    while (i < n) {
      const lt = html.indexOf("<", i);
      if (lt === -1) break;
      const next = html.charAt(lt + 1);
      if (html.startsWith("<!--", lt)) {
        const end = html.startsWith("<!-->", lt) ? lt + 5 : upTo("-->", lt + 4, 3);
        emit({ type: "comment", start: lt, end: end });
      } else if (next === "!" || next === "?") {
        // Doctype, `<![if !supportLists]>` (Word), `<?xml …>`: up to the next `>`.
        emit({ type: "comment", start: lt, end: upTo(">", lt + 2, 1) });
      } else if (next === "/") {
        const after = html.charAt(lt + 2);
        if (isLetter(after)) {
          const tag = readTag(html, lt + 2);
          emit({ type: "end", name: tag.name, start: lt, end: tag.end });
        } else if (after === ">") {
          emit({ type: "comment", start: lt, end: lt + 3 });
        } else {
          emit({ type: "comment", start: lt, end: upTo(">", lt + 2, 1) });
        }
      } else if (isLetter(next)) {
        const tag = readTag(html, lt + 1);
        emit({
          type: "start", name: tag.name, attrs: tag.attrs, selfClosing: tag.selfClosing,
          start: lt, end: tag.end,
        });
        if (RAW_TEXT_ELEMENTS.has(tag.name) && !tag.selfClosing) {
          const closer = new RegExp("</" + tag.name + "(?=[\\s/>])", "ig");
          closer.lastIndex = tag.end;
          const found = closer.exec(html);
          const rawEnd = found ? found.index : n;
          if (rawEnd > tag.end) emit({ type: "raw", start: tag.end, end: rawEnd });
        }
      } else {
        i = lt + 1; // a lone `<` is text
      }
    }
    if (n > textStart) tokens.push({ type: "text", start: textStart, end: n });
    return tokens;
  }

  // ---------------------------------------------------------------------------------------------
  // Elements: {name, attrs, start, openEnd, closeStart, end, parent}. Text tokens get `parent`.

  function buildElements(html, tokens) {
    const elements = [];
    const stack = [];
    function close(index, closeStart, end) {
      for (let k = stack.length - 1; k >= index; k--) {
        stack[k].closeStart = closeStart;
        stack[k].end = k === index ? end : closeStart;
      }
      stack.length = index;
    }
    function findOpen(name) {
      for (let k = stack.length - 1; k >= 0; k--) {
        if (stack[k].name === name) return k;
        if (SCOPE_BOUNDARIES.has(stack[k].name)) return -1;
      }
      return -1;
    }
    tokens.forEach(function (token) {
      const top = stack.length ? stack[stack.length - 1] : null;
      if (token.type === "start") {
        if (top && top.name === "p" && CLOSES_PARAGRAPH.has(token.name)) {
          close(stack.length - 1, token.start, token.start);
        } else if (top && top.name === token.name && (token.name === "li" || token.name === "td" || token.name === "th")) {
          close(stack.length - 1, token.start, token.start);
        }
        const element = {
          name: token.name, attrs: token.attrs, start: token.start, openEnd: token.end,
          closeStart: token.end, end: token.end, parent: stack.length ? stack[stack.length - 1] : null,
        };
        elements.push(element);
        if (!VOID_ELEMENTS.has(token.name) && !token.selfClosing) stack.push(element);
      } else if (token.type === "end") {
        const index = findOpen(token.name);
        if (index !== -1) close(index, token.start, token.end);
      } else if (token.type === "text") {
        token.parent = top;
      }
    });
    close(0, html.length, html.length);
    return elements;
  }

  function parse(html) {
    const tokens = tokenize(html);
    return { tokens: tokens, elements: buildElements(html, tokens) };
  }

  // ---------------------------------------------------------------------------------------------
  // Finding earlier blocks in HTML.

  function isBlockId(id) {
    return typeof id === "string" && BLOCK_ID_PATTERN.test(id.trim());
  }

  // Markup that shows nothing: whitespace, comments, empty tags, `&nbsp;`.
  function isBlankMarkup(markup) {
    const withoutComments = markup.replace(/<!--[\s\S]*?-->/g, "");
    if (SUBSTANTIAL_ELEMENTS.test(withoutComments)) return false;
    const text = decodeEntities(withoutComments.replace(/<[^>]*>/g, ""));
    return /^[\s\u00a0]*$/.test(text);
  }

  function onlyWraps(html, outer, inner) {
    return isBlankMarkup(html.slice(outer.openEnd, inner.start)) &&
      isBlankMarkup(html.slice(inner.end, outer.closeStart));
  }

  // An element the organiser's content lives in: never removed as part of our block.
  function isForeignContainer(element) {
    if (DOCUMENT_ELEMENTS.has(element.name)) return true;
    if (!CONTAINERS.has(element.name)) return false;
    const id = element.attrs.id;
    return element.attrs.class !== undefined || (id !== undefined && !isBlockId(id));
  }

  function markerBlockRange(html, parent, markerStart, markerEnd) {
    const chain = [];
    for (let element = parent; element && !isForeignContainer(element); element = element.parent) {
      chain.push(element);
    }
    if (!chain.length) return { start: markerStart, end: markerEnd };
    // The template's own div; failing that (Word turned it into paragraphs) only the
    // paragraph or cell that holds the marker.
    let index = chain.findIndex(function (element) { return element.name === "div"; });
    if (index === -1) index = chain.findIndex(function (element) { return LINE_ELEMENTS.has(element.name); });
    if (index === -1) index = 0;
    while (index + 1 < chain.length && onlyWraps(html, chain[index + 1], chain[index])) index++;
    // Part of a table goes only with the whole table, else the layout would shift.
    while (index >= 0 && TABLE_PARTS.has(chain[index].name)) index--;
    if (index < 0) return { start: markerStart, end: markerEnd };
    return { start: chain[index].start, end: chain[index].end };
  }

  function markersInText(html, tokens) {
    const found = [];
    tokens.forEach(function (token) {
      if (token.type !== "text") return;
      const text = html.slice(token.start, token.end);
      MARKER_GLOBAL.lastIndex = 0;
      let match;
      while ((match = MARKER_GLOBAL.exec(text)) !== null) {
        found.push({
          marker: match[0], start: token.start + match.index,
          end: token.start + match.index + match[0].length, parent: token.parent,
        });
      }
    });
    return found;
  }

  // Non-overlapping ranges, in body order, of every earlier block.
  function blockRanges(html, parsed) {
    const ranges = parsed.elements
      .filter(function (element) { return isBlockId(element.attrs.id); })
      .map(function (element) { return { start: element.start, end: element.end }; });
    markersInText(html, parsed.tokens).forEach(function (hit) {
      const covered = ranges.some(function (r) { return r.start <= hit.start && hit.end <= r.end; });
      if (!covered) ranges.push(markerBlockRange(html, hit.parent, hit.start, hit.end));
    });
    ranges.sort(function (a, b) { return a.start - b.start || b.end - a.end; });
    const disjoint = [];
    ranges.forEach(function (range) {
      const last = disjoint[disjoint.length - 1];
      if (last && range.start < last.end) {
        last.end = Math.max(last.end, range.end);
      } else {
        disjoint.push({ start: range.start, end: range.end });
      }
    });
    return disjoint;
  }

  // Replaces the first range with `replacement` (or nothing) and removes the others.
  function spliceRanges(html, ranges, replacement) {
    let out = "";
    let at = 0;
    ranges.forEach(function (range, index) {
      out += html.slice(at, range.start) + (index === 0 ? replacement : "");
      at = range.end;
    });
    return out + html.slice(at);
  }

  function wrapHtml(instructionsHtml) {
    return "<div id=\"" + BLOCK_ID + "\">" + instructionsHtml + "</div>";
  }

  // Before `</body>` in a full document, else at the end.
  function insertionPoint(html, tokens) {
    for (let k = tokens.length - 1; k >= 0; k--) {
      const token = tokens[k];
      if (token.type === "end" && token.name === "body") return token.start;
    }
    for (let k = tokens.length - 1; k >= 0; k--) {
      const token = tokens[k];
      if (token.type === "end" && token.name === "html") return token.start;
    }
    return html.length;
  }

  function upsertHtml(html, instructionsHtml) {
    const source = html || "";
    const parsed = parse(source);
    const block = wrapHtml(instructionsHtml);
    const ranges = blockRanges(source, parsed);
    if (ranges.length) return spliceRanges(source, ranges, block);
    const at = insertionPoint(source, parsed.tokens);
    return source.slice(0, at) + block + source.slice(at);
  }

  function removeHtml(html) {
    const source = html || "";
    const ranges = blockRanges(source, parse(source));
    return ranges.length ? spliceRanges(source, ranges, "") : source;
  }

  function inspectHtml(html) {
    const source = html || "";
    const parsed = parse(source);
    const markers = markersInText(source, parsed.tokens);
    return {
      hasBlock: blockRanges(source, parsed).length > 0,
      marker: markers.length ? markers[0].marker : null,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // HTML → readable text.

  function sameLink(text, href) {
    const bare = function (value) {
      return value.trim().replace(/^(mailto|tel):/i, "").replace(/\/+$/, "").toLowerCase();
    };
    return bare(text) === bare(href);
  }

  function htmlToText(html) {
    const source = html || "";
    const tokens = tokenize(source);
    const lines = [];
    let line = "";
    let skipDepth = 0; // inside <head>
    const anchors = [];
    function flush() {
      const trimmed = line.replace(/[ \u00a0]+/g, " ").trim();
      if (trimmed) lines.push(trimmed);
      line = "";
    }
    tokens.forEach(function (token) {
      if (token.type === "start") {
        if (token.name === "head") skipDepth++;
        if (skipDepth) return;
        if (token.name === "br") flush();
        else if (BLOCK_ELEMENTS.has(token.name)) flush();
        else if (token.name === "td" || token.name === "th") line += " ";
        else if (token.name === "a" && !token.selfClosing) {
          anchors.push({ href: token.attrs.href || "", at: line.length });
        }
        if (token.name === "li") line += "- ";
      } else if (token.type === "end") {
        if (token.name === "head") {
          skipDepth = Math.max(0, skipDepth - 1);
          return;
        }
        if (skipDepth) return;
        if (BLOCK_ELEMENTS.has(token.name)) flush();
        else if (token.name === "a" && anchors.length) {
          const anchor = anchors.pop();
          const href = anchor.href.trim();
          if (href && !/^javascript:/i.test(href) && anchor.at <= line.length) {
            const label = line.slice(anchor.at);
            if (!label.trim() || sameLink(label, href)) {
              line = line.slice(0, anchor.at) + href;
            } else {
              line += ": " + href;
            }
          }
        }
      } else if (token.type === "text" && !skipDepth) {
        line += decodeEntities(source.slice(token.start, token.end).replace(/[\s]+/g, " "));
      }
    });
    flush();
    return lines.join("\n");
  }

  // ---------------------------------------------------------------------------------------------
  // Text bodies.

  function splitLines(text) {
    return {
      lines: text === "" ? [] : text.split(/\r\n|\r|\n/),
      eol: text.indexOf("\r\n") !== -1 ? "\r\n" : "\n",
    };
  }

  function isBlank(line) {
    return /^[\s\u00a0]*$/.test(line);
  }

  // Inclusive line ranges of earlier blocks: BEGIN…END, BEGIN…marker line when END was edited
  // away, a lone BEGIN line, or a marker line outside any delimiters.
  function textBlockRanges(lines) {
    const ranges = [];
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].trim() === TEXT_BEGIN) {
        let end = -1;
        for (let j = i + 1; j < lines.length && end === -1; j++) {
          if (lines[j].trim() === TEXT_END) end = j;
          else if (lines[j].trim() === TEXT_BEGIN) break;
        }
        if (end === -1) {
          for (let j = i + 1; j < lines.length && end === -1; j++) {
            if (lines[j].trim() === TEXT_BEGIN) break;
            if (MARKER_PATTERN.test(lines[j])) end = j;
          }
        }
        if (end === -1) end = i;
        ranges.push({ start: i, end: end });
        i = end;
      } else if (MARKER_PATTERN.test(lines[i])) {
        ranges.push({ start: i, end: i });
      }
    }
    return ranges;
  }

  function textBlockLines(instructionsHtml) {
    const text = htmlToText(instructionsHtml);
    return [TEXT_BEGIN].concat(text ? text.split("\n") : [], [TEXT_END]);
  }

  // Drops trailing blank lines; the separator before a block we appended goes with it.
  function trimEnd(lines) {
    while (lines.length && isBlank(lines[lines.length - 1])) lines.pop();
    return lines;
  }

  function upsertText(text, instructionsHtml) {
    const split = splitLines(text || "");
    const block = textBlockLines(instructionsHtml);
    const ranges = textBlockRanges(split.lines);
    let lines;
    if (ranges.length) {
      lines = removeLineRanges(split.lines, ranges.slice(1));
      const first = ranges[0];
      lines.splice(first.start, first.end - first.start + 1, ...block);
    } else {
      lines = trimEnd(split.lines.slice());
      if (lines.length) lines.push("");
      lines = lines.concat(block);
    }
    return lines.join(split.eol);
  }

  // Removes the given (sorted, disjoint) ranges, and one blank line that separated each from
  // the text before it when the block was last or followed by another blank line.
  function removeLineRanges(lines, ranges) {
    const out = lines.slice();
    for (let k = ranges.length - 1; k >= 0; k--) {
      const range = ranges[k];
      let start = range.start;
      const after = range.end + 1;
      const atEnd = after >= out.length || out.slice(after).every(isBlank);
      if (start > 0 && isBlank(out[start - 1]) && (atEnd || isBlank(out[after]))) start--;
      out.splice(start, range.end - start + 1);
      if (atEnd) trimEnd(out);
    }
    return out;
  }

  function removeText(text) {
    const split = splitLines(text || "");
    const ranges = textBlockRanges(split.lines);
    if (!ranges.length) return text || "";
    return removeLineRanges(split.lines, ranges).join(split.eol);
  }

  function inspectText(text) {
    const source = text || "";
    const match = MARKER_PATTERN.exec(source);
    return {
      hasBlock: textBlockRanges(splitLines(source).lines).length > 0,
      marker: match ? match[0] : null,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // By body type ("html" or "text", the values of Office.CoercionType).

  function isText(type) {
    return String(type).toLowerCase() === "text";
  }

  function upsert(bodyContent, instructionsHtml, type) {
    return isText(type) ? upsertText(bodyContent, instructionsHtml) : upsertHtml(bodyContent, instructionsHtml);
  }

  function remove(bodyContent, type) {
    return isText(type) ? removeText(bodyContent) : removeHtml(bodyContent);
  }

  /** `{hasBlock, marker}`: whether an earlier block is present and the first alias-id marker. */
  function inspect(bodyContent, type) {
    return isText(type) ? inspectText(bodyContent) : inspectHtml(bodyContent);
  }

  const exported = {
    BLOCK_ID: BLOCK_ID,
    MARKER_PATTERN: MARKER_PATTERN,
    TEXT_BEGIN: TEXT_BEGIN,
    TEXT_END: TEXT_END,
    upsert: upsert,
    remove: remove,
    inspect: inspect,
    upsertHtml: upsertHtml,
    removeHtml: removeHtml,
    upsertText: upsertText,
    removeText: removeText,
    htmlToText: htmlToText,
    decodeEntities: decodeEntities,
  };
  root.VmrAddin = root.VmrAddin || {};
  root.VmrAddin.body = exported;
  if (typeof module !== "undefined" && module.exports) module.exports = exported;
})(typeof window !== "undefined" ? window : globalThis);
