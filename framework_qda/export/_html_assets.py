"""The style sheet and script inlined in the HTML matrices (see export/html.py).

The script never puts a participant's words into the page as markup: every
text is set with ``textContent``.  The fragment of the address opens a cell
(``#cell=THEME:CASE:SUBTOPIC``, each part URI-encoded), filters a group
(``group=NAME``) or searches (``q=WORDS``), joined by ``&``; so a link can
point at one cell, and a headless browser can be told what to click.
"""

CSS = """
:root { --rule: #b0b0b0; --band: #eef2f8; --head: #e4e4e4; --ink: #1a1a1a; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
       color: var(--ink); background: #fff; }
header.top { position: sticky; top: 0; z-index: 20; background: #fff;
             border-bottom: 1px solid var(--rule); padding: .5rem 1rem; }
header.top h1 { font-size: 1.25rem; margin: 0 0 .35rem; }
.controls { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; }
.controls label { font-weight: 600; }
.controls input[type=search] { min-width: 18em; padding: .2rem .4rem; }
nav.themes a { margin-right: .9rem; }
.key { font-size: .85rem; margin: .35rem 0 0; }
.key span { margin-right: 1.2rem; white-space: nowrap; }
main { padding: .5rem 1rem 2rem; }
section.matrix { margin: 1rem 0 2rem; }
section.matrix h2 { font-size: 1.1rem; margin: 0 0 .25rem; }
section.matrix p.definition { margin: 0 0 .5rem; color: #444; }
.scroll { overflow: auto; max-height: 75vh; border: 1px solid var(--rule); }
table { border-collapse: separate; border-spacing: 0; }
th, td { border-right: 1px solid var(--rule); border-bottom: 1px solid var(--rule);
         padding: .3rem .45rem; vertical-align: top; text-align: left; }
thead th { position: sticky; top: 0; z-index: 3; background: var(--head);
           min-width: 15em; max-width: 24em; font-weight: 600; }
thead th.case, thead th.group { min-width: 5em; }
thead th.case { left: 0; z-index: 4; }
tbody th { position: sticky; left: 0; z-index: 2; background: #fff; white-space: nowrap; }
tbody td.group { white-space: nowrap; color: #333; }
tr.band-1 > * { background: var(--band); }
tr.band-1 > th { background: var(--band); }
tr.group-start > * { border-top: 3px solid #555; }
td.cell { cursor: pointer; max-width: 24em; }
td.cell .summary { display: -webkit-box; -webkit-line-clamp: 6; -webkit-box-orient: vertical;
                   overflow: hidden; }
td.cell .count { display: block; font-size: .8rem; color: #555; margin-top: .2rem; }
td.cell:focus, td.cell.open { outline: 3px solid #1f4e79; outline-offset: -3px; }
td.cell.hit { box-shadow: inset 0 0 0 2px #000; }
.marker { font-weight: 700; font-style: normal; margin-right: .25rem; }
td.state-draft .summary { font-style: italic; color: #404040; }
td.state-stale, tr > td.state-stale { background: #ffe699; }
td.state-not-applicable, tr > td.state-not-applicable { background: #e7e6e6; color: #595959; }
td.state-coded .summary { font-style: italic; color: #555; }
#panel { position: fixed; top: 0; right: 0; bottom: 0; width: min(38em, 92vw); z-index: 30;
         overflow: auto; background: #fff; border-left: 2px solid #333;
         box-shadow: -6px 0 18px rgba(0,0,0,.2); padding: 1rem 1.2rem 2rem; }
#panel[hidden] { display: none; }
#panel h2 { font-size: 1.1rem; margin: 0 1.5rem .3rem 0; }
#panel .state { margin: 0 0 .6rem; }
#panel .provenance { color: #555; font-size: .85rem; }
#panel blockquote { margin: .4rem 0 .2rem; padding: .2rem .6rem; border-left: 3px solid #888;
                    white-space: pre-wrap; }
#panel cite { display: block; font-style: normal; font-size: .85rem; color: #333;
              margin-bottom: .7rem; text-align: right; }
#panel button.close { position: absolute; top: .6rem; right: .8rem; font-size: 1rem; }
.none { color: #555; font-style: italic; }
@media print {
  header.top { position: static; }
  .scroll { max-height: none; overflow: visible; }
  #panel, .controls { display: none; }
}
"""

JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("fqda-data").textContent);
  var panel = document.getElementById("panel");
  var search = document.getElementById("search");
  var groupFilter = document.getElementById("group-filter");
  var status = document.getElementById("shown");
  var opened = null;

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }

  function open(td) {
    var cell = data.cells[td.getAttribute("data-key")];
    if (!cell) { return; }
    if (opened) { opened.classList.remove("open"); }
    opened = td;
    td.classList.add("open");
    panel.textContent = "";
    var close = el("button", "Close", "close");
    close.type = "button";
    close.addEventListener("click", shut);
    panel.appendChild(close);
    panel.appendChild(el("h2", cell.case + " \u00d7 " + cell.subtopic));
    panel.appendChild(el("p", cell.theme + " \u00b7 " + cell.group, "where"));
    panel.appendChild(el("p", "State: " + cell.state_label, "state"));
    panel.appendChild(el("h3", "Summary"));
    if (cell.summary) {
      var summary = el("p", null, "summary");
      if (cell.marker) { summary.appendChild(el("span", cell.marker, "marker")); }
      summary.appendChild(document.createTextNode(cell.summary));
      panel.appendChild(summary);
      if (cell.provenance) { panel.appendChild(el("p", cell.provenance, "provenance")); }
    } else {
      panel.appendChild(el("p", cell.marker || "No summary yet.", "none"));
    }
    panel.appendChild(el("h3", "Evidence (" + cell.evidence.length + ")"));
    if (!cell.evidence.length) { panel.appendChild(el("p", "Nothing coded.", "none")); }
    cell.evidence.forEach(function (e) {
      var block = el("div", null, "evidence");
      block.appendChild(el("blockquote", e.text));
      block.appendChild(el("cite", "[" + e.ref + "]" + (e.speaker ? " " + e.speaker : "") +
                                   (e.where ? " \u00b7 " + e.where : "")));
      panel.appendChild(block);
    });
    panel.hidden = false;
    close.focus();
  }

  function shut() {
    panel.hidden = true;
    if (opened) { opened.classList.remove("open"); opened.focus(); opened = null; }
  }

  function filter() {
    var q = search.value.trim().toLowerCase();
    var g = groupFilter.value;
    var rows = 0;
    Array.prototype.forEach.call(document.querySelectorAll("tbody tr"), function (tr) {
      var groupOk = !g || tr.getAttribute("data-group") === g;
      var hits = 0;
      Array.prototype.forEach.call(tr.querySelectorAll("td.cell"), function (td) {
        var cell = data.cells[td.getAttribute("data-key")];
        var hit = !!q && groupOk && cell.words.indexOf(q) !== -1;
        td.classList.toggle("hit", hit);
        if (hit) { hits += 1; }
      });
      var caseHit = !!q && tr.getAttribute("data-case").toLowerCase() === q;
      tr.hidden = !groupOk || (!!q && !hits && !caseHit);
      if (!tr.hidden) { rows += 1; }
    });
    status.textContent = (q || g) ? rows + " row(s) shown" : "";
  }

  function fromFragment() {
    var wanted = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      var at = part.indexOf("=");
      if (at > 0) { wanted[part.slice(0, at)] = part.slice(at + 1); }
    });
    if (wanted.group !== undefined) { groupFilter.value = decodeURIComponent(wanted.group); }
    if (wanted.q !== undefined) { search.value = decodeURIComponent(wanted.q); }
    filter();
    if (wanted.cell) {
      var parts = wanted.cell.split(":").map(decodeURIComponent);
      Array.prototype.some.call(document.querySelectorAll("td.cell"), function (td) {
        var tr = td.parentNode;
        if (td.getAttribute("data-theme") === parts[0] &&
            tr.getAttribute("data-case") === parts[1] &&
            td.getAttribute("data-code") === parts[2]) {
          td.click();
          return true;
        }
        return false;
      });
    }
  }

  document.addEventListener("click", function (event) {
    var td = event.target.closest ? event.target.closest("td.cell") : null;
    if (td) { open(td); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) { shut(); return; }
    var td = event.target.closest ? event.target.closest("td.cell") : null;
    if (td && (event.key === "Enter" || event.key === " ")) { event.preventDefault(); open(td); }
  });
  search.addEventListener("input", filter);
  groupFilter.addEventListener("change", filter);
  window.addEventListener("hashchange", fromFragment);
  fromFragment();
  document.body.setAttribute("data-ready", "yes");
})();
"""
