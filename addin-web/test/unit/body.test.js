"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { loadScripts, instructions, MARKER, OTHER_MARKER, PLACEHOLDER } = require("./support.js");

const [body] = loadScripts("body");

const NEW = instructions(MARKER, "meet111111@vc.example.com");
const OLD = instructions(OTHER_MARKER, "meet999999@vc.example.com");
const BLOCK = `<div id="vmr-scheduler-instructions">${NEW}</div>`;

function count(haystack, needle) {
  return haystack.split(needle).length - 1;
}

function markers(html) {
  return html.match(/\[VMRID:[A-Z2-7]{20}\]/g) || [];
}

// A body as classic Outlook for Windows returns it: a Word HTML document.
function windowsDocument(content) {
  return [
    "<html xmlns:v=\"urn:schemas-microsoft-com:vml\" xmlns:o=\"urn:schemas-microsoft-com:office:office\">",
    "<head>",
    "<meta http-equiv=Content-Type content=\"text/html; charset=utf-8\">",
    "<meta name=Generator content=\"Microsoft Word 15 (filtered medium)\">",
    "<!--[if !mso]><style>v\\:* {behavior:url(#default#VML);}</style><![endif]-->",
    "<style><!--",
    "/* Font Definitions */ p.MsoNormal {margin:0cm; font-size:11.0pt;} /* </body> </div> */",
    "div.WordSection1 {page:WordSection1;}",
    "--></style><!--[if gte mso 9]><xml>",
    "<o:shapedefaults v:ext=\"edit\" spidmax=\"1026\" />",
    "</xml><![endif]-->",
    "</head>",
    "<body lang=EN-US link=\"#0563C1\" vlink=\"#954F72\" style='word-wrap:break-word'>",
    "<div class=WordSection1>",
    "<p class=MsoNormal>Agenda: budget &amp; plans<o:p></o:p></p>",
    "<p class=MsoNormal><o:p>&nbsp;</o:p></p>",
    content,
    "<p class=MsoNormal><![if !supportLists]>1.<![endif]>Bring the numbers<o:p></o:p></p>",
    "</div>",
    "</body>",
    "</html>",
  ].join("\r\n");
}

test("a fragment gets the block appended at its end", () => {
  const original = "<div class=\"elementToProof\">Hello team,</div><div><br></div>";
  assert.equal(body.upsertHtml(original, NEW), original + BLOCK);
});

test("an empty or missing body becomes the block alone", () => {
  assert.equal(body.upsertHtml("", NEW), BLOCK);
  assert.equal(body.upsertHtml(undefined, NEW), BLOCK);
  assert.equal(body.upsertHtml(null, NEW), BLOCK);
});

test("a plain-text fragment without markup gets the block appended", () => {
  assert.equal(body.upsertHtml("Just text & more", NEW), "Just text & more" + BLOCK);
});

test("a full document gets the block just before </body>", () => {
  const original = "<html><head><title>x</title></head><body dir=\"ltr\"><p>Hi</p></body></html>";
  assert.equal(
    body.upsertHtml(original, NEW),
    "<html><head><title>x</title></head><body dir=\"ltr\"><p>Hi</p>" + BLOCK + "</body></html>"
  );
});

test("upper-case tags are found: the block goes before </BODY>", () => {
  const original = "<HTML><HEAD></HEAD><BODY><P>Hi</P></BODY></HTML>";
  assert.equal(body.upsertHtml(original, NEW), "<HTML><HEAD></HEAD><BODY><P>Hi</P>" + BLOCK + "</BODY></HTML>");
});

test("a document without </body> but with </html> gets the block before </html>", () => {
  const original = "<html><body><p>Hi</p></html>";
  assert.equal(body.upsertHtml(original, NEW), "<html><body><p>Hi</p>" + BLOCK + "</html>");
});

test("a Windows Outlook document: </body> inside styles and comments is not the insertion point", () => {
  const original = windowsDocument("");
  const updated = body.upsertHtml(original, NEW);
  const at = updated.indexOf(BLOCK);
  assert.ok(at > 0);
  assert.equal(updated.slice(0, at), original.slice(0, original.lastIndexOf("</body>")));
  assert.equal(updated.slice(at + BLOCK.length), original.slice(original.lastIndexOf("</body>")));
});

test("an earlier block is replaced in place, everything around it kept byte for byte", () => {
  const before = "<div>Agenda</div>\n";
  const after = "\n<div>Thanks</div>";
  const original = before + `<div id="vmr-scheduler-instructions">${OLD}</div>` + after;
  const updated = body.upsertHtml(original, NEW);
  assert.equal(updated, before + BLOCK + after);
  assert.deepEqual(markers(updated), [MARKER]);
});

test("upserting twice never duplicates the block", () => {
  for (const original of ["<p>Hi</p>", windowsDocument(""), "<html><body><p>x</p></body></html>"]) {
    const once = body.upsertHtml(original, OLD);
    const twice = body.upsertHtml(once, NEW);
    assert.equal(twice, body.upsertHtml(original, NEW));
    assert.equal(count(twice, "vmr-scheduler-instructions"), 1);
    assert.deepEqual(markers(twice), [MARKER]);
  }
});

test("the wrapper id is found with any attribute order, quoting and case", () => {
  const variants = [
    `<DIV style="color:red" ID='vmr-scheduler-instructions' dir=ltr>${OLD}</DIV>`,
    `<div id=vmr-scheduler-instructions>${OLD}</div>`,
    `<div data-x="1" title="a > b" id = "vmr-scheduler-instructions">${OLD}</div>`,
    `<div\nid="vmr-scheduler-instructions"\n>${OLD}</div >`,
  ];
  for (const block of variants) {
    const updated = body.upsertHtml(`<p>before</p>${block}<p>after</p>`, NEW);
    assert.equal(updated, `<p>before</p>${BLOCK}<p>after</p>`, block);
  }
});

test("an id prefixed by Outlook (x_) is recognised", () => {
  const original = `<div class="x_elementToProof">Hi</div><div id="x_vmr-scheduler-instructions">${OLD}</div>`;
  assert.equal(body.upsertHtml(original, NEW), '<div class="x_elementToProof">Hi</div>' + BLOCK);
  assert.equal(body.removeHtml(original), '<div class="x_elementToProof">Hi</div>');
});

test("a similar but different id is left alone", () => {
  const original = "<div id=\"my-vmr-scheduler-instructions-copy\">Mine</div>";
  assert.equal(body.upsertHtml(original, NEW), original + BLOCK);
});

test("nested divs and markup inside the block are all replaced", () => {
  const nested = "<div id=\"vmr-scheduler-instructions\"><div><div><table><tr><td><div>deep</div></td></tr></table></div>" +
    `<p>${OTHER_MARKER}</p></div><!-- </div> --><div>tail</div></div>`;
  const updated = body.upsertHtml(`<div>a</div>${nested}<div>b</div>`, NEW);
  assert.equal(updated, `<div>a</div>${BLOCK}<div>b</div>`);
});

test("a block whose end tag is missing runs to the end of its parent", () => {
  const original = `<html><body><p>Hi</p><div id="vmr-scheduler-instructions">${OLD}</body></html>`;
  assert.equal(body.upsertHtml(original, NEW), `<html><body><p>Hi</p>${BLOCK}</body></html>`);
});

test("without the id the marker finds the block: innermost plain div, widened over empty wrappers", () => {
  // Outlook on the web kept the structure but dropped the id.
  const original = `<div class="elementToProof">Hello team</div><div>\n<div dir="ltr">${OLD}</div>\n</div><div class="elementToProof"><br></div>`;
  const updated = body.upsertHtml(original, NEW);
  assert.equal(updated, `<div class="elementToProof">Hello team</div>${BLOCK}<div class="elementToProof"><br></div>`);
  assert.equal(body.removeHtml(original), "<div class=\"elementToProof\">Hello team</div><div class=\"elementToProof\"><br></div>");
});

test("the marker never takes Outlook's own containers (class or foreign id) with it", () => {
  // The instructions became paragraphs straight inside the organiser's Word section.
  const content = [
    "<p class=MsoNormal><b>Join the video meeting</b><o:p></o:p></p>",
    "<p class=MsoNormal>Call meet999999@vc.example.com<o:p></o:p></p>",
    `<p class=MsoNormal><span style='font-size:8.0pt;color:gray'>Keep this: ${OTHER_MARKER}</span><o:p></o:p></p>`,
  ].join("\r\n");
  const original = windowsDocument(content);
  const updated = body.upsertHtml(original, NEW);
  assert.deepEqual(markers(updated), [MARKER]);
  assert.ok(updated.includes("<div class=WordSection1>"));
  assert.ok(updated.includes("Agenda: budget &amp; plans"));
  assert.ok(updated.includes("Bring the numbers"));
  // Only the marker's paragraph was taken; the new block took its place.
  const expected = windowsDocument(content.slice(0, content.lastIndexOf("<p class=MsoNormal><span")) + BLOCK);
  assert.equal(updated, expected);

  const signature = `<div id="Signature"><p>Alice</p><p>${OTHER_MARKER}</p></div>`;
  const kept = body.removeHtml(signature);
  assert.equal(kept, "<div id=\"Signature\"><p>Alice</p></div>");
});

test("a marker in a table cell takes only its cell's paragraph, unless the table holds nothing else", () => {
  const table = `<table><tr><td><p>Owner</p></td><td><p>Ref ${OTHER_MARKER}</p></td></tr></table>`;
  assert.equal(body.removeHtml(table), "<table><tr><td><p>Owner</p></td><td></td></tr></table>");
  const bare = `<table><tr><td>Owner</td><td>Ref ${OTHER_MARKER}</td></tr></table>`;
  assert.equal(body.removeHtml(bare), "<table><tr><td>Owner</td><td>Ref </td></tr></table>");
  const lone = `<p>Hi</p><table>\n<tbody><tr><td><p>Ref ${OTHER_MARKER}</p></td></tr></tbody></table>`;
  assert.equal(body.removeHtml(lone), "<p>Hi</p>");
});

test("a Windows Outlook body whose block lost its id but kept its divs", () => {
  const content = "<div><div style='font-family:Calibri'><p class=MsoNormal><b>Join the video meeting</b><o:p></o:p></p>\r\n" +
    `<p class=MsoNormal><span style='font-size:8.0pt'>${OTHER_MARKER}</span><o:p></o:p></p></div></div>`;
  const original = windowsDocument(content);
  const updated = body.upsertHtml(original, NEW);
  assert.equal(updated, windowsDocument(BLOCK));
  assert.equal(body.removeHtml(original), windowsDocument(""));
});

test("a marker only inside a comment, attribute or style is not a block", () => {
  const original = `<!-- ${OTHER_MARKER} --><p title="${OTHER_MARKER}">x</p><style>/* ${OTHER_MARKER} */</style>`;
  assert.deepEqual(body.inspect(original, "html"), { hasBlock: false, marker: null });
  assert.equal(body.upsertHtml(original, NEW), original + BLOCK);
});

test("several earlier blocks: the first is replaced, the others removed", () => {
  const one = `<div id="vmr-scheduler-instructions">${OLD}</div>`;
  const two = `<div id="x_vmr-scheduler-instructions">${OLD}</div>`;
  const updated = body.upsertHtml(`<p>a</p>${one}<p>b</p>${two}<p>c</p>`, NEW);
  assert.equal(updated, `<p>a</p>${BLOCK}<p>b</p><p>c</p>`);
});

test("a placeholder block (id, no marker) is replaced by the instructions", () => {
  const withPlaceholder = body.upsertHtml("<p>Hi</p>", PLACEHOLDER);
  assert.deepEqual(body.inspect(withPlaceholder, "html"), { hasBlock: true, marker: null });
  assert.equal(body.upsertHtml(withPlaceholder, NEW), "<p>Hi</p>" + BLOCK);
});

test("removal takes the block out and leaves the rest as it was", () => {
  for (const original of ["<p>Hi</p>", windowsDocument(""), "", "<html><body></body></html>"]) {
    assert.equal(body.removeHtml(body.upsertHtml(original, NEW)), original);
  }
  assert.equal(body.removeHtml("<p>nothing to remove</p>"), "<p>nothing to remove</p>");
});

test("lone '<', unknown tags, doctype and processing instructions do not confuse the scan", () => {
  const original = "<!DOCTYPE html><?xml version=\"1.0\"?><p>a < b and 3<4</p><o:p></o:p><x-y/></>";
  assert.equal(body.upsertHtml(original, NEW), original + BLOCK);
  const withBlock = `<p>1 < 2</p><div id="vmr-scheduler-instructions">${OLD}</div><p>2 > 1</p>`;
  assert.equal(body.upsertHtml(withBlock, NEW), `<p>1 < 2</p>${BLOCK}<p>2 > 1</p>`);
});

test("inspect reports the block and its marker", () => {
  assert.deepEqual(body.inspect(body.upsertHtml("<p>x</p>", NEW), "html"), { hasBlock: true, marker: MARKER });
  assert.deepEqual(body.inspect("<p>x</p>", "html"), { hasBlock: false, marker: null });
  assert.deepEqual(body.inspect(`<p>${OTHER_MARKER}</p>`, "html"), { hasBlock: true, marker: OTHER_MARKER });
});

test("htmlToText: paragraphs become lines, links show their address, entities are decoded", () => {
  const text = body.htmlToText(NEW);
  assert.equal(text, [
    "Join the video meeting",
    "From a video system or app, call: meet111111@vc.example.com",
    "From a browser: join in your browser: https://vc.example.com/webapp/?conference=meet111111@vc.example.com",
    "Meeting ID: 482913",
    `Please keep the following reference unchanged, it keeps the video meeting room booked: ${MARKER}`,
  ].join("\n"));
});

test("htmlToText: a link whose text is its address appears once", () => {
  assert.equal(body.htmlToText("<p><a href=\"https://x.example/j\">https://x.example/j</a></p>"), "https://x.example/j");
  assert.equal(body.htmlToText("<p>Mail <a href=\"mailto:a@b.example\">a@b.example</a></p>"), "Mail mailto:a@b.example");
  assert.equal(body.htmlToText("<p><a href=\"https://x.example/j\"></a></p>"), "https://x.example/j");
  assert.equal(body.htmlToText("<p><a>no href</a></p>"), "no href");
});

test("htmlToText: breaks, list items, head and scripts, entities", () => {
  const html = "<html><head><title>T</title><style>p{}</style></head><body>" +
    "<p>One<br>Two&nbsp;&amp;&#160;three &lt;4&gt; &#x27;q&#39; &eacute;</p>" +
    "<ul><li>first</li><li>second</li></ul><script>var x = '<p>';</script>" +
    "<table><tr><td>a</td><td>b</td></tr></table></body></html>";
  // Without a browser, named entities outside the common set stay as written.
  assert.equal(body.htmlToText(html), "One\nTwo & three <4> 'q' &eacute;\n- first\n- second\na b");
});

test("decodeEntities: numeric references, the common names, and the browser's for the rest", () => {
  assert.equal(body.decodeEntities("&#233;&#xE9;&#X1F600;&euro;&nbsp;&bogus;&#0;"), "éé😀€\u00a0&bogus;&#0;");
  const decoded = [];
  globalThis.document = {
    createElement: (name) => {
      assert.equal(name, "textarea");
      const scratch = {};
      Object.defineProperty(scratch, "innerHTML", { set: (v) => { decoded.push(v); scratch.value = v === "&eacute;" ? "é" : v; } });
      return scratch;
    },
  };
  try {
    assert.equal(body.decodeEntities("caf&eacute;"), "café");
    assert.deepEqual(decoded, ["&eacute;"]);
  } finally {
    delete globalThis.document;
  }
});

test("text body: the block is appended after a blank line, between delimiter lines", () => {
  const updated = body.upsertText("Agenda\nBudget\n\n", NEW);
  const lines = updated.split("\n");
  assert.deepEqual(lines.slice(0, 4), ["Agenda", "Budget", "", body.TEXT_BEGIN]);
  assert.equal(lines[lines.length - 1], body.TEXT_END);
  assert.equal(lines[lines.length - 2], `Please keep the following reference unchanged, it keeps the video meeting room booked: ${MARKER}`);
  assert.equal(body.upsertText("", NEW), [body.TEXT_BEGIN, body.htmlToText(NEW), body.TEXT_END].join("\n"));
});

test("text body: replaced in place, never duplicated, Windows line ends kept", () => {
  const original = "Agenda\r\nBudget";
  const once = body.upsertText(original, OLD);
  assert.ok(once.includes("\r\n" + body.TEXT_BEGIN + "\r\n"));
  const twice = body.upsertText(once + "\r\n\r\nSee you", NEW);
  assert.equal(count(twice, body.TEXT_BEGIN), 1);
  assert.deepEqual(markers(twice), [MARKER]);
  assert.ok(twice.startsWith("Agenda\r\nBudget\r\n\r\n" + body.TEXT_BEGIN));
  assert.ok(twice.endsWith(body.TEXT_END + "\r\n\r\nSee you"));
  assert.ok(!/[^\r]\n/.test(twice), "only CRLF line ends");
});

test("text body: a block whose end line was deleted ends at its marker line", () => {
  const original = ["Hi", "", body.TEXT_BEGIN, "Join", OTHER_MARKER, "Bye"].join("\n");
  const updated = body.upsertText(original, NEW);
  assert.deepEqual(markers(updated), [MARKER]);
  assert.ok(updated.endsWith(body.TEXT_END + "\nBye"));
  assert.equal(body.removeText(original), "Hi\n\nBye");
});

test("text body: a marker line without delimiters is replaced", () => {
  const original = `Hi\nRef ${OTHER_MARKER}\nBye`;
  const updated = body.upsertText(original, NEW);
  assert.deepEqual(markers(updated), [MARKER]);
  assert.ok(updated.startsWith("Hi\n" + body.TEXT_BEGIN));
  assert.ok(updated.endsWith(body.TEXT_END + "\nBye"));
});

test("text body: removal restores the original text", () => {
  for (const original of ["Agenda\nBudget", "", "One line", "a\r\nb"]) {
    assert.equal(body.removeText(body.upsertText(original, NEW)), original);
  }
  assert.equal(body.removeText("Agenda\n\n"), "Agenda\n\n");
  const middle = body.upsertText("Top", NEW) + "\n\nBottom";
  assert.equal(body.removeText(middle), "Top\n\nBottom");
});

test("text body: inspect finds delimiters and markers", () => {
  assert.deepEqual(body.inspect(body.upsertText("x", NEW), "text"), { hasBlock: true, marker: MARKER });
  assert.deepEqual(body.inspect(body.upsertText("x", PLACEHOLDER), "text"), { hasBlock: true, marker: null });
  assert.deepEqual(body.inspect("plain", "text"), { hasBlock: false, marker: null });
});

test("upsert and remove dispatch on the body type, whatever its case", () => {
  assert.equal(body.upsert("<p>x</p>", NEW, "html"), body.upsertHtml("<p>x</p>", NEW));
  assert.equal(body.upsert("x", NEW, "Text"), body.upsertText("x", NEW));
  assert.equal(body.remove(body.upsert("x", NEW, "text"), "text"), "x");
  assert.equal(body.remove(body.upsert("<p>x</p>", NEW, "HTML"), "html"), "<p>x</p>");
});

test("the wrapper id and the marker pattern are the agreed ones", () => {
  assert.equal(body.BLOCK_ID, "vmr-scheduler-instructions");
  assert.ok(body.MARKER_PATTERN.test(MARKER));
  assert.ok(!body.MARKER_PATTERN.test("[VMRID:AAAAAAAAAAAAAAAAAAA1]"));
});
