// Portico's page script: progressive enhancement only. Every page reads without it.
// - theme toggle (light/dark, remembered; the OS preference is the default)
// - catalog filters, free-text search and sortable columns, with the state in the URL query
// - links to an API's operations on its Overview (`#op-…`, before the Definition tab) follow it
"use strict";
(function () {
  var root = document.documentElement;

  // An API's reference is on its Definition tab: old links to its operations follow it.
  var definition = document.querySelector("[data-definition]");
  if (definition && /^#op-/.test(location.hash)) {
    location.replace(definition.getAttribute("data-definition") + location.hash);
  }

  // Theme toggle.
  var toggle = document.getElementById("theme-toggle");
  if (toggle) {
    var current = function () {
      return root.dataset.theme || (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
    };
    var label = function () {
      var next = current() === "dark" ? "light" : "dark";
      toggle.setAttribute("aria-label", "Switch to the " + next + " theme");
      toggle.setAttribute("title", "Switch to the " + next + " theme");
    };
    toggle.hidden = false;
    label();
    toggle.addEventListener("click", function () {
      var next = current() === "dark" ? "light" : "dark";
      root.dataset.theme = next;
      try { localStorage.setItem("portico-theme", next); } catch (e) {}
      label();
    });
  }

  // Catalog table. The page holds one static page of rows (catalog/, catalog/page/2/, ...);
  // with JavaScript the table pages, filters and sorts the whole catalog. Its data is a small
  // manifest (facets, shard list) and shards of at most 500 rows of one kind, in reference order,
  // fetched only when needed: a kind filter loads that kind's shards, an owner or system filter
  // the shards that hold its rows, a page of an unfiltered view only the shards that hold it;
  // free text, the other filters and sorting load every shard left (the first page shows as soon
  // as the shards before it are in).
  var form = document.getElementById("catalog-filters");
  var table = document.getElementById("catalog-table");
  if (!form || !table) return;
  var tbody = table.tBodies[0];
  var countLine = document.getElementById("catalog-count");
  // A theme's own catalog.html may lack some of these: the script does without them.
  var pagesBox = document.getElementById("catalog-pages") || el("div");
  var sizeSelect = form.elements.size || el("select");
  var kindLinks = document.getElementById("catalog-kinds");
  var base = form.dataset.base;
  var FIELDS = ["q", "kind", "type", "owner", "system", "lifecycle", "tag", "namespace"];
  var SORTS = { name: 3, kind: 1, type: 5, owner: 6, system: 7, lifecycle: 8 };
  var PARALLEL = 4;
  // `located`: the shards that hold each owner's and each system's rows, read from `locator`
  // when an owner or system filter needs it.
  var shards = [], locator, located, locating, total = 0, pageSize = 100;
  // The static page this is (catalog/page/3/ is page 3), shown as it is until the view changes.
  var serverPage = +form.dataset.page || 1, serverPath = location.pathname;
  var state = { sort: "", dir: "asc", page: serverPage, size: 100 };
  var token = 0;

  function text(v) { return Array.isArray(v) ? v[0] : (v || ""); }
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    (children || []).forEach(function (c) { e.append(c); });
    return e;
  }
  function link(l) {
    if (!l) return "";
    return l[1] ? el("a", { href: base + l[1], title: l[2] }, [l[0]]) : el("span", { class: "dangling", title: l[2] }, [l[0]]);
  }
  function fill(select, values) {
    values.forEach(function (v) { select.append(el("option", { value: v[0] }, [v[1] + " (" + v[2] + ")"])); });
  }
  function filters() {
    var f = {};
    FIELDS.forEach(function (k) { f[k] = form.elements[k].value.trim(); });
    return f;
  }
  function readUrl() {
    var p = new URLSearchParams(location.search);
    FIELDS.forEach(function (f) { form.elements[f].value = p.get(f) || ""; });
    state.sort = SORTS[p.get("sort")] !== undefined ? p.get("sort") : "";
    state.dir = p.get("dir") === "desc" ? "desc" : "asc";
    state.size = [20, 50, 100].indexOf(+p.get("size")) >= 0 ? +p.get("size") : pageSize;
    sizeSelect.value = String(state.size);
    state.page = p.get("page") ? Math.max(1, parseInt(p.get("page"), 10) || 1) : location.pathname === serverPath ? serverPage : 1;
  }
  function query(page) {
    var p = new URLSearchParams();
    FIELDS.forEach(function (f) { var v = form.elements[f].value; if (v) p.set(f, v); });
    if (state.sort) { p.set("sort", state.sort); p.set("dir", state.dir); }
    if (state.size !== pageSize) p.set("size", state.size);
    if (page > 1) p.set("page", page);
    var qs = p.toString();
    return base + "catalog/" + (qs ? "?" + qs : "");
  }
  function writeUrl(push) {
    var url = query(state.page);
    if (url !== location.pathname + location.search) history[push ? "pushState" : "replaceState"](null, "", url);
  }
  function matches(r, f) {
    if (f.kind && r[1] !== f.kind) return false;
    if (f.type && r[5] !== f.type) return false;
    if (f.owner && (!r[6] || r[6][2] !== f.owner)) return false;
    if (f.system && (!r[7] || r[7][2] !== f.system)) return false;
    if (f.lifecycle && r[8] !== f.lifecycle) return false;
    if (f.namespace && r[2] !== f.namespace) return false;
    if (f.tag && r[9].indexOf(f.tag) < 0) return false;
    if (f.q) {
      if (!r.hay) r.hay = (r[0] + " " + r[3] + " " + r[10] + " " + r[9].join(" ") + " " + text(r[6]) + " " + text(r[7])).toLowerCase();
      var words = f.q.toLowerCase().split(/\s+/);
      for (var i = 0; i < words.length; i++) if (words[i] && r.hay.indexOf(words[i]) < 0) return false;
    }
    return true;
  }
  function row(r) {
    var name = el("td", {}, [el("a", { href: base + r[4] }, [r[3]])]);
    if (r[2] !== "default") name.append(" ", el("span", { class: "ns" }, [r[2]]));
    var tags = el("td");
    r[9].forEach(function (t) { tags.append(el("span", { class: "tag" }, [t]), " "); });
    return el("tr", {}, [name, el("td", {}, [r[1]]), el("td", {}, [r[5]]), el("td", {}, [link(r[6])]),
      el("td", {}, [link(r[7])]), el("td", {}, [r[8]]), tags, el("td", {}, [r[10]])]);
  }
  function load(s) {
    if (!s.promise) {
      s.promise = fetch(base + s.url).then(function (r) {
        if (!r.ok) throw new Error(r.status + " " + s.url);
        return r.json();
      }).then(function (d) { s.data = d.rows; return s; }, function (e) { s.promise = null; throw e; });
    }
    return s.promise;
  }
  // Loads `list` in order, PARALLEL at a time, calling `step` after each shard.
  function loadAll(list, my, step, fail) {
    var next = 0, running = 0;
    (function pump() {
      while (my === token && running < PARALLEL && next < list.length) {
        running++;
        load(list[next++]).then(function () { running--; if (my === token) { step(); pump(); } }, fail);
      }
    })();
  }
  function status(message, busy) {
    countLine.textContent = message;
    if (busy) table.setAttribute("aria-busy", "true"); else table.removeAttribute("aria-busy");
  }
  function fmt(n) { return n.toLocaleString("en-US"); }
  function pager(count, known) {
    var pages = Math.max(1, Math.ceil(count / state.size));
    var nav = el("nav", { class: "pages", "aria-label": "Pages" });
    function to(n, label, attrs) {
      var a = el("a", Object.assign({ href: query(n), "data-page": n }, attrs || {}), [label]);
      return a;
    }
    nav.append(state.page > 1 ? to(state.page - 1, "‹ Previous", { rel: "prev" }) : el("span", { class: "off" }, ["‹ Previous"]));
    var ol = el("ol"), last = 0;
    for (var n = 1; n <= pages; n++) {
      if (n === 1 || (known && n === pages) || Math.abs(n - state.page) <= 2) {
        if (n > last + 1) ol.append(el("li", {}, ["…"]));
        ol.append(el("li", {}, [to(n, String(n), n === state.page ? { "aria-current": "page" } : {})]));
        last = n;
      }
    }
    if (!known) ol.append(el("li", {}, ["…"]));
    nav.append(ol);
    nav.append(state.page < pages ? to(state.page + 1, "Next ›", { rel: "next" }) : el("span", { class: "off" }, ["Next ›"]));
    pagesBox.replaceChildren(count > state.size || state.page > 1 ? nav : "");
  }
  function countText(count, known) {
    var first = (state.page - 1) * state.size;
    var s = (known ? fmt(count) : "at least " + fmt(count)) + (count === total && known ? " entities" : " of " + fmt(total) + " entities");
    if (count > state.size) s = fmt(first + 1) + "–" + fmt(Math.min(first + state.size, count)) + " · " + s;
    return known ? s : s + ", counting…";
  }
  function show(rows) {
    var frag = document.createDocumentFragment();
    rows.forEach(function (r) { frag.append(row(r)); });
    tbody.replaceChildren(frag);
  }
  function sortRows(list) {
    if (!state.sort) return list;
    var col = SORTS[state.sort], sign = state.dir === "desc" ? -1 : 1;
    return list.sort(function (a, b) { return sign * text(a[col]).localeCompare(text(b[col])) || a[0].localeCompare(b[0]); });
  }
  function update(push) {
    var my = ++token, f = filters();
    writeUrl(push);
    table.querySelectorAll("th[data-sort]").forEach(function (th) {
      th.setAttribute("aria-sort", th.dataset.sort === state.sort ? (state.dir === "desc" ? "descending" : "ascending") : "none");
    });
    var fail = function (e) { if (my === token) status("Could not load the catalog data: " + e.message); };
    // An owner or system filter first reads which shards hold that owner's or system's rows.
    if ((f.owner || f.system) && !located) {
      status("Loading…", true);
      if (!locating) {
        locating = fetch(base + locator).then(function (r) {
          if (!r.ok) throw new Error(r.status + " " + locator);
          return r.json();
        }).then(function (d) { located = d; }, function (e) { locating = null; throw e; });
      }
      locating.then(function () { if (my === token) update(false); }, fail);
      return;
    }
    var list = shards.filter(function (s, i) {
      return (!f.kind || s.kinds.indexOf(f.kind) >= 0) && (!f.namespace || s.namespaces.indexOf(f.namespace) >= 0) &&
        (!f.owner || (located.owner[f.owner] || []).indexOf(i) >= 0) && (!f.system || (located.system[f.system] || []).indexOf(i) >= 0);
    });
    var from = (state.page - 1) * state.size, to = from + state.size;
    // Only kind and namespace filters, default order: every row of these shards is in, so the
    // count is known and only the shards that hold the page are needed.
    var direct = !state.sort && !f.q && !f.type && !f.owner && !f.system && !f.lifecycle && !f.tag &&
      list.every(function (s) { return s.kinds.length === 1 && s.namespaces.length === 1; });
    if (direct) {
      var count = list.reduce(function (n, s) { return n + s.rows; }, 0);
      if (from >= count && state.page > 1) { state.page = Math.max(1, Math.ceil(count / state.size)); return update(false); }
      var needed = [], at = 0;
      list.forEach(function (s) { if (at < to && at + s.rows > from) needed.push({ shard: s, at: at }); at += s.rows; });
      status("Loading…", true);
      Promise.all(needed.map(function (n) { return load(n.shard); })).then(function () {
        if (my !== token) return;
        var rows = [];
        needed.forEach(function (n) { rows = rows.concat(n.shard.data.slice(Math.max(0, from - n.at), to - n.at)); });
        show(rows);
        pager(count, true);
        status(countText(count, true));
      }, fail);
      return;
    }
    // Otherwise scan the shards in order, keeping the matches of the loaded prefix.
    var found = [], prefix = 0, shown = false;
    status("Loading…", true);
    function step() {
      while (prefix < list.length && list[prefix].data) {
        list[prefix].data.forEach(function (r) { if (matches(r, f)) found.push(r); });
        prefix++;
      }
      var done = prefix === list.length;
      if (!done && (state.sort || found.length < to)) {
        if (!shown) status("Loading… " + Math.round(100 * prefix / list.length) + "%", true);
        return;
      }
      if (done && state.page > 1 && from >= found.length) {
        // Past the last page (a shared link after the catalog shrank): show the last one.
        state.page = Math.max(1, Math.ceil(found.length / state.size));
        from = (state.page - 1) * state.size;
        to = from + state.size;
        writeUrl(false);
        shown = false;
      }
      if (!shown) show(sortRows(found).slice(from, to));
      shown = true;
      pager(found.length, done);
      status(countText(found.length, done), !done);
    }
    if (!list.length) step(); else loadAll(list, my, step, fail);
  }
  function go(page) {
    state.page = page;
    update(true);
    table.scrollIntoView({ block: "nearest" });
  }

  fetch(form.dataset.src).then(function (r) { return r.json(); }).then(function (data) {
    if (data.format !== 1) return;
    shards = data.shards;
    locator = data.locator;
    total = data.total;
    pageSize = data.page_size;
    FIELDS = FIELDS.filter(function (k) { return form.elements[k]; });
    FIELDS.forEach(function (k) { if (k !== "q") fill(form.elements[k], data.facets[k]); });
    readUrl();
    form.hidden = false;
    table.querySelectorAll("th[data-sort]").forEach(function (th) {
      var b = el("button", { type: "button", class: "sort" }, [th.textContent]);
      th.replaceChildren(b);
      b.addEventListener("click", function () {
        state.dir = state.sort === th.dataset.sort && state.dir === "asc" ? "desc" : "asc";
        state.sort = th.dataset.sort;
        state.page = 1;
        update(true);
      });
    });
    form.addEventListener("input", function () {
      state.size = +sizeSelect.value || pageSize;
      state.page = 1;
      update(false);
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    form.addEventListener("reset", function () {
      setTimeout(function () { state.sort = ""; state.page = 1; state.size = pageSize; sizeSelect.value = String(pageSize); update(false); }, 0);
    });
    pagesBox.addEventListener("click", function (e) {
      var a = e.target.closest("a[data-page]");
      if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button) return;
      e.preventDefault();
      go(+a.dataset.page);
    });
    if (kindLinks) kindLinks.addEventListener("click", function (e) {
      var a = e.target.closest("a[data-kind]");
      if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button) return;
      e.preventDefault();
      if (!form.elements.kind) return;
      form.elements.kind.value = a.dataset.kind;
      go(1);
    });
    window.addEventListener("popstate", function () { readUrl(); update(false); });
    var f = filters();
    if (FIELDS.every(function (k) { return !f[k]; }) && !state.sort && state.size === pageSize && state.page === serverPage) {
      // The rows on the page are the ones asked for: keep them, load no shard.
      pager(total, true);
      status(countText(total, true));
    } else {
      update(false);
    }
  }).catch(function () { /* the static page stays */ });
})();

// The main navigation marks the section of the page (the longest matching link).
(function () {
  var best = null, longest = 0;
  document.querySelectorAll("header.top nav a").forEach(function (a) {
    var path = new URL(a.href, location.href).pathname;
    if (location.pathname.indexOf(path) === 0 && path.length > longest) { best = a; longest = path.length; }
  });
  if (best) best.setAttribute("aria-current", "page");
})();

// API references: an operation folds and unfolds at its heading; one button folds them all.
(function () {
  var ops = document.querySelectorAll(".api-op");
  if (!ops.length) return;
  ops.forEach(function (op) {
    var h = op.querySelector("h3");
    if (!h) return;
    h.setAttribute("role", "button");
    h.setAttribute("tabindex", "0");
    h.setAttribute("aria-expanded", "true");
    function toggle() { var c = op.classList.toggle("collapsed"); h.setAttribute("aria-expanded", String(!c)); }
    h.addEventListener("click", toggle);
    h.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(); } });
  });
  var all = document.getElementById("api-collapse");
  if (all) all.addEventListener("click", function () {
    var fold = all.textContent.indexOf("Collapse") === 0;
    ops.forEach(function (op) { op.classList.toggle("collapsed", fold); var h = op.querySelector("h3"); if (h) h.setAttribute("aria-expanded", String(!fold)); });
    all.textContent = fold ? "Expand every operation" : "Collapse every operation";
  });
  // An operation linked to (#op-…) is open.
  if (location.hash) { var t = document.getElementById(location.hash.slice(1)); if (t) t.classList.remove("collapsed"); }
})();

// A filter box over a table's rows (the Docs home): rows without the typed words are hidden.
(function () {
  document.querySelectorAll("input.table-filter").forEach(function (input) {
    var table = document.getElementById(input.dataset.table);
    if (!table) return;
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        var text = tr.textContent.toLowerCase();
        tr.hidden = !words.every(function (w) { return text.indexOf(w) >= 0; });
      });
    });
  });
})();
