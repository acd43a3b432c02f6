/* histpack site: the essay's panel, table filter and sort, comparison filters, timeline toggle.
   Everything reads the page itself; nothing is fetched. A filtered view keeps its state in the
   address (?filter=…&sort=…), so it can be shared and reopened as it was. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* The address's query holds the filters; the fragment (a row, a quote) is left as it is. */
  function param(name) { return new URLSearchParams(location.search).get(name) || ""; }
  function setParams(values) {
    var params = new URLSearchParams(location.search);
    Object.keys(values).forEach(function (k) {
      if (values[k]) params.set(k, values[k]); else params.delete(k);
    });
    var query = params.toString();
    try { history.replaceState(history.state, "", location.pathname + (query ? "?" + query : "") + location.hash); }
    catch (e) { /* an address that cannot change is no reason to stop filtering */ }
  }
  function narrow() { return window.matchMedia("(max-width: 900px)").matches; }

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

    /* On a narrow screen the panel is a sheet at the bottom of the window: the quote is scrolled
       into the part of the window above it, so both are in view. */
    function bringIntoView(mark) {
      if (!narrow()) {
        var box = mark.getBoundingClientRect();
        if (box.top < 0 || box.bottom > window.innerHeight) mark.scrollIntoView({ block: "center" });
        return;
      }
      panel.scrollTop = 0;
      var room = window.innerHeight - panel.getBoundingClientRect().height;
      var top = mark.getBoundingClientRect().top;
      if (top < 8 || top > room - 40) window.scrollBy(0, top - Math.max(8, Math.min(room / 3, 120)));
    }

    function show(qid, rowId) {
      var quote = quotes[qid];
      var mark = document.getElementById(qid);
      if (!quote || !mark) return;
      document.querySelectorAll("mark.q.selected").forEach(function (m) { m.classList.remove("selected"); });
      document.querySelectorAll('mark.q[data-q="' + qid + '"]').forEach(function (m) { m.classList.add("selected"); });
      document.querySelectorAll("mark.q[data-in]").forEach(function (m) {
        if (m.getAttribute("data-in").split(" ").indexOf(qid) >= 0) m.classList.add("selected");
      });
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
        if (row.date) {
          dl.appendChild(el("dt", {}, "date"));
          var dd = el("dd", {}, row.when + " ");
          dd.appendChild(el("code", { title: "as the data holds it (EDTF)" }, row.date));
          dl.appendChild(dd);
        }
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
      panel.classList.remove("idle");
      document.body.classList.add("panel-open");
      bringIntoView(mark);
    }

    function close() {
      panel.classList.add("idle");
      document.body.classList.remove("panel-open");
      panel.hidden = true;
    }

    document.addEventListener("click", function (ev) {
      var mark = ev.target.closest && ev.target.closest("mark.q[data-q]");
      if (mark && !mark.closest(".legend")) show(mark.getAttribute("data-q"));
    });
    document.addEventListener("keydown", function (ev) {
      var mark = ev.target.closest && ev.target.closest("mark.q[data-q]");
      if (mark && !mark.closest(".legend") && (ev.key === "Enter" || ev.key === " ")) {
        ev.preventDefault();
        show(mark.getAttribute("data-q"));
      }
      if (ev.key === "Escape") close();
    });
    panel.querySelector(".close").addEventListener("click", close);
    function fromHash() {
      var id = decodeURIComponent(location.hash.slice(1));
      if (quotes[id]) show(id);
      else if (quoteOfRow[id]) show(quoteOfRow[id], id);
    }
    window.addEventListener("hashchange", fromHash);
    if (narrow()) panel.hidden = true;
    fromHash();
  }

  /* Tables: a filter box, sortable columns, long cells folded to a few lines. */
  function tables() {
    var all = document.querySelectorAll("table[data-filterable]");
    all.forEach(function (table, n) {
      var key = all.length > 1 ? "filter" + (n + 1) : "filter";
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var caption = table.querySelector("caption");
      var label = el("label", { class: "filter" }, "Filter rows ");
      var input = el("input", { type: "search", placeholder: "words in any column", "aria-controls": caption.id });
      label.appendChild(input);
      table.parentNode.parentNode.insertBefore(label, table.parentNode);
      function apply() {
        var needle = input.value.toLowerCase();
        var shown = 0;
        rows.forEach(function (r) {
          var hit = !needle || r.textContent.toLowerCase().indexOf(needle) >= 0;
          r.hidden = !hit;
          if (hit) shown += 1;
        });
        caption.textContent = needle ? shown + " of " + rows.length + " rows" : rows.length + " rows";
      }
      input.addEventListener("input", function () {
        apply();
        var values = {}; values[key] = input.value;
        setParams(values);
      });
      var heads = table.tHead.rows[0].cells;
      function sortBy(col, up) {
        Array.prototype.forEach.call(heads, function (c) { c.removeAttribute("aria-sort"); });
        heads[col].setAttribute("aria-sort", up ? "ascending" : "descending");
        var cell = function (r) { return r.cells[col].textContent.trim(); };
        rows.sort(function (a, b) {
          var x = cell(a), y = cell(b);
          var nx = Number(x), ny = Number(y);
          var c = (x !== "" && y !== "" && !isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
          return up ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      Array.prototype.forEach.call(heads, function (th, col) {
        var name = th.textContent;
        var button = el("button", { type: "button" });
        while (th.firstChild) button.appendChild(th.firstChild);
        th.appendChild(button);
        button.addEventListener("click", function () {
          var up = th.getAttribute("aria-sort") !== "ascending";
          sortBy(col, up);
          var values = {}; values[all.length > 1 ? "sort" + (n + 1) : "sort"] = (up ? "" : "-") + name;
          setParams(values);
        });
      });
      table.querySelectorAll("td.long > .clip").forEach(function (clip) {
        if (clip.scrollHeight <= clip.clientHeight + 2) return;
        var more = el("button", { type: "button", class: "more", "aria-expanded": "false" }, "more");
        more.addEventListener("click", function () {
          var open = clip.classList.toggle("open");
          more.setAttribute("aria-expanded", String(open));
          more.textContent = open ? "less" : "more";
        });
        clip.parentNode.appendChild(more);
      });
      var sort = param(all.length > 1 ? "sort" + (n + 1) : "sort");
      if (sort) {
        var down = sort.charAt(0) === "-", wanted = down ? sort.slice(1) : sort;
        Array.prototype.forEach.call(heads, function (th, col) { if (th.textContent === wanted) sortBy(col, !down); });
      }
      input.value = param(key);
      apply();
      if (location.hash) {
        var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
        if (target && body.contains(target)) { target.hidden = false; target.scrollIntoView({ block: "center" }); }
      }
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
    ["pair", "dimension"].forEach(function (name) {
      var wanted = param(name), select = form.elements[name];
      if (wanted && Array.prototype.some.call(select.options, function (o) { return o.value === wanted; })) select.value = wanted;
    });
    form.addEventListener("change", function () {
      apply();
      setParams({ pair: form.elements.pair.value, dimension: form.elements.dimension.value });
    });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); });
    apply();
  }

  /* Timeline: one axis at a time; with several sources, one source or all. */
  function timeline() {
    var toggle = document.querySelector(".toggle");
    if (!toggle) return;
    toggle.hidden = false;
    var buttons = toggle.querySelectorAll("button");
    var form = document.getElementById("tl-filters");
    var count = document.getElementById("tl-count");
    function current() {
      var pressed = toggle.querySelector('button[aria-pressed="true"]');
      return pressed ? pressed.getAttribute("data-view") : buttons[0].getAttribute("data-view");
    }
    function filter() {
      if (!form) return;
      var source = form.elements.source.value;
      var view = document.getElementById("view-" + current());
      document.querySelectorAll("svg.timeline a.mark, ul.left-out li").forEach(function (m) {
        m.classList.toggle("filtered", !!source && m.getAttribute("data-source") !== source);
      });
      if (!source) { count.textContent = ""; return; }
      var name = form.elements.source.options[form.elements.source.selectedIndex].textContent;
      var drawn = view.querySelectorAll("svg.timeline a.mark:not(.filtered)").length;
      var listed = view.querySelectorAll("ul.left-out li:not(.filtered)").length;
      count.textContent = drawn ? drawn + " marks of " + name + " on this axis" + (listed ? ", " + listed + " listed under it" : "")
        : name + " dates nothing on this axis" + (listed ? " (" + listed + " listed under it, off the axis)"
          : ": it dates no event, phase, purge or rhetoric");
    }
    function select(view) {
      buttons.forEach(function (b) { b.setAttribute("aria-pressed", String(b.getAttribute("data-view") === view)); });
      document.querySelectorAll(".tl-view").forEach(function (s) { s.hidden = s.id !== "view-" + view; });
      filter();
    }
    buttons.forEach(function (b) {
      b.addEventListener("click", function () {
        var view = b.getAttribute("data-view");
        select(view);
        setParams({ view: view === buttons[0].getAttribute("data-view") ? "" : view });
      });
    });
    var wanted = param("view");
    select(toggle.querySelector('button[data-view="' + wanted + '"]') ? wanted : buttons[0].getAttribute("data-view"));
    if (!form) return;
    form.hidden = false;
    var source = param("source");
    if (Array.prototype.some.call(form.elements.source.options, function (o) { return o.value === source; })) {
      form.elements.source.value = source;
    }
    form.addEventListener("change", function () {
      filter();
      setParams({ source: form.elements.source.value });
    });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); });
    filter();
  }

  essay(); tables(); comparisons(); timeline();
})();
