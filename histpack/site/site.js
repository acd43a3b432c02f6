/* histpack site: the essay's panel, table filter and sort, comparison filters, timeline toggle.
   Everything reads the page itself; nothing is fetched. */
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* Essay: select a highlight → list its rows. */
  function essay() {
    var dataNode = document.getElementById("quotes-data");
    var panel = document.getElementById("panel");
    if (!dataNode || !panel) return;
    var quotes = JSON.parse(dataNode.textContent);
    var quoteOfRow = {};
    Object.keys(quotes).forEach(function (qid) {
      quotes[qid].rows.forEach(function (row) { quoteOfRow[row.id] = qid; });
    });
    var content = panel.querySelector(".content");
    panel.hidden = false;

    function show(qid, fromHash, rowId) {
      var quote = quotes[qid];
      var mark = document.getElementById(qid);
      if (!quote || !mark) return;
      document.querySelectorAll("mark.q.selected").forEach(function (m) { m.classList.remove("selected"); });
      document.querySelectorAll('mark.q[data-q="' + qid + '"]').forEach(function (m) { m.classList.add("selected"); });
      content.textContent = "";
      content.appendChild(el("h2", {}, "Quote " + qid));
      var link = el("a", { href: "#" + qid }, "link to this quote");
      content.appendChild(el("p")).appendChild(link);
      content.appendChild(el("blockquote", {}, "“" + (quote.sic || quote.text) + "”"));
      (quote.slips || []).forEach(function (slip) {
        var said = el("p", { class: "sic-note" }, "[sic]: the source's own slip, “" + slip[0] + "”" +
          (slip[1] ? " for “" + slip[1] + "” " : " "));
        said.appendChild(el("a", { href: slip[2] }, "(slip)"));
        content.appendChild(said);
      });
      var cite = el("p", { class: "cite-line" });
      cite.appendChild(el("span", { class: "citation" }, quote.citation));
      var copy = el("button", { type: "button", class: "copy" }, "Copy citation");
      copy.addEventListener("click", function () {
        var done = function () { copy.textContent = "Copied"; };
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(quote.citation).then(done, function () { copy.textContent = "Select and copy"; });
        } else { copy.textContent = "Select and copy"; }
      });
      cite.appendChild(copy);
      content.appendChild(cite);
      var rows = el("div", { class: "rows" });
      rows.appendChild(el("h3", {}, quote.rows.length + (quote.rows.length === 1 ? " row rests" : " rows rest") + " on it"));
      quote.rows.forEach(function (row) {
        var box = el("section", { class: row.id === rowId ? "row current" : "row", "data-row": row.id });
        var head = el("h4");
        head.appendChild(el("a", { href: row.href }, row.id.replace("/", ":")));
        box.appendChild(head);
        var dl = el("dl");
        row.fields.forEach(function (f) { dl.appendChild(el("dt", {}, f[0])); dl.appendChild(el("dd", {}, f[1])); });
        if (row.date) { dl.appendChild(el("dt", {}, "date (EDTF)")); dl.appendChild(el("dd", {}, row.date)); }
        box.appendChild(dl);
        if (row.note) box.appendChild(el("p", { class: "note" }, "Editorial note: " + row.note));
        if (row.links) {
          var list = el("ul", { class: "links" });
          row.links.forEach(function (l) { list.appendChild(el("li")).appendChild(el("a", { href: l[1] }, l[0])); });
          box.appendChild(list);
        }
        rows.appendChild(box);
      });
      if (quote.across) {
        var across = el("section", { class: "across" });
        across.appendChild(el("h3", {}, "What other sources say"));
        var items = el("ul");
        quote.across.forEach(function (a) {
          var li = el("li", {}, a.entity + ": " + a.date + " here; ");
          li.appendChild(el("a", { href: a.href }, a.other_date + " in " + a.source));
          li.appendChild(el("span", { class: "agree-" + a.agreement }, " — " + a.agreement));
          items.appendChild(li);
        });
        across.appendChild(items);
        rows.appendChild(across);
      }
      if (quote.cited) {
        var cites = el("p", {}, "Cites: ");
        cites.appendChild(el("a", { href: "table-citations.html#citations/" + quote.cited }, quote.cited));
        rows.appendChild(cites);
      }
      content.appendChild(rows);
      panel.hidden = false;
      if (fromHash) mark.scrollIntoView({ block: "center" });
    }

    document.addEventListener("click", function (ev) {
      var mark = ev.target.closest && ev.target.closest("mark.q[data-q]");
      if (mark && !mark.closest(".legend")) show(mark.getAttribute("data-q"), false);
    });
    document.addEventListener("keydown", function (ev) {
      var mark = ev.target.closest && ev.target.closest("mark.q[data-q]");
      if (mark && (ev.key === "Enter" || ev.key === " ")) { ev.preventDefault(); show(mark.getAttribute("data-q"), false); }
      if (ev.key === "Escape") panel.hidden = true;
    });
    panel.querySelector(".close").addEventListener("click", function () { panel.hidden = true; });
    function fromHash() {
      var id = decodeURIComponent(location.hash.slice(1));
      if (quotes[id]) show(id, true);
      else if (quoteOfRow[id]) show(quoteOfRow[id], true, id);
    }
    window.addEventListener("hashchange", fromHash);
    fromHash();
  }

  /* Tables: a filter box and sortable columns. */
  function tables() {
    document.querySelectorAll("table[data-filterable]").forEach(function (table) {
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var caption = table.querySelector("caption");
      var label = el("label", { class: "filter" }, "Filter rows ");
      var input = el("input", { type: "search", placeholder: "words in any column", "aria-controls": "count" });
      label.appendChild(input);
      table.parentNode.parentNode.insertBefore(label, table.parentNode);
      input.addEventListener("input", function () {
        var needle = input.value.toLowerCase();
        var shown = 0;
        rows.forEach(function (r) {
          var hit = !needle || r.textContent.toLowerCase().indexOf(needle) >= 0;
          r.hidden = !hit;
          if (hit) shown += 1;
        });
        caption.textContent = shown + " of " + rows.length + " rows";
      });
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
        var button = el("button", { type: "button" }, th.textContent);
        th.textContent = "";
        th.appendChild(button);
        button.addEventListener("click", function () {
          var up = th.getAttribute("aria-sort") !== "ascending";
          Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", up ? "ascending" : "descending");
          var key = function (r) { return r.cells[col].textContent.trim(); };
          rows.sort(function (a, b) {
            var x = key(a), y = key(b);
            var nx = Number(x), ny = Number(y);
            var c = (x !== "" && y !== "" && !isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
            return up ? c : -c;
          });
          rows.forEach(function (r) { body.appendChild(r); });
        });
      });
    });
  }

  /* Comparisons: by regime pair and dimension. */
  function comparisons() {
    var form = document.getElementById("cmp-filters");
    if (!form) return;
    form.hidden = false;
    var out = document.getElementById("cmp-count");
    var items = document.querySelectorAll("article.cmp");
    function apply() {
      var pair = form.elements.pair.value, dim = form.elements.dimension.value, shown = 0;
      items.forEach(function (a) {
        var ok = (!dim || a.getAttribute("data-dimension") === dim) &&
                 (!pair || a.getAttribute("data-pairs").split("|").indexOf(pair) >= 0);
        a.hidden = !ok;
        if (ok) shown += 1;
      });
      out.textContent = shown + " of " + items.length + " shown";
    }
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (ev) { ev.preventDefault(); });
    apply();
  }

  /* Timeline: one axis at a time; with several sources, one source or all. */
  function timeline() {
    var toggle = document.querySelector(".toggle");
    if (!toggle) return;
    toggle.hidden = false;
    var buttons = toggle.querySelectorAll("button");
    function select(view) {
      buttons.forEach(function (b) { b.setAttribute("aria-pressed", String(b.getAttribute("data-view") === view)); });
      document.querySelectorAll(".tl-view").forEach(function (s) { s.hidden = s.id !== "view-" + view; });
    }
    buttons.forEach(function (b) { b.addEventListener("click", function () { select(b.getAttribute("data-view")); }); });
    select(buttons[0].getAttribute("data-view"));
    var form = document.getElementById("tl-filters");
    if (!form) return;
    form.hidden = false;
    form.addEventListener("change", function () {
      var source = form.elements.source.value;
      document.querySelectorAll("svg.timeline a.mark").forEach(function (m) {
        m.classList.toggle("filtered", !!source && m.getAttribute("data-source") !== source);
      });
    });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); });
  }

  essay(); tables(); comparisons(); timeline();
})();
