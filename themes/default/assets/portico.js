// Portico's page script: progressive enhancement only. Every page reads without it.
// - theme toggle (light/dark, remembered; the OS preference is the default)
// - catalog filters, free-text search and sortable columns, with the state in the URL query
"use strict";
(function () {
  var root = document.documentElement;

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

  // Catalog table.
  var form = document.getElementById("catalog-filters");
  var table = document.getElementById("catalog-table");
  if (!form || !table) return;
  var tbody = table.tBodies[0];
  var countLine = document.getElementById("catalog-count");
  var base = form.dataset.base;
  var FIELDS = ["q", "kind", "type", "owner", "lifecycle", "tag", "namespace"];
  var SORTS = { name: 3, kind: 1, type: 5, owner: 6, system: 7, lifecycle: 8 };
  var rows = [];
  var state = { sort: "", dir: "asc" };
  var renderToken = 0;

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
    values.forEach(function (v) { select.append(el("option", { value: v[0] }, [v[1]])); });
  }
  function readUrl() {
    var p = new URLSearchParams(location.search);
    FIELDS.forEach(function (f) { if (form.elements[f]) form.elements[f].value = p.get(f) || ""; });
    state.sort = p.get("sort") || "";
    state.dir = p.get("dir") === "desc" ? "desc" : "asc";
  }
  function writeUrl() {
    var p = new URLSearchParams();
    FIELDS.forEach(function (f) { var v = form.elements[f].value; if (v) p.set(f, v); });
    if (state.sort) { p.set("sort", state.sort); p.set("dir", state.dir); }
    var qs = p.toString();
    history.replaceState(null, "", location.pathname + (qs ? "?" + qs : "") + location.hash);
  }
  function matches(r, f) {
    if (f.kind && r[1] !== f.kind) return false;
    if (f.type && r[5] !== f.type) return false;
    if (f.owner && (!r[6] || r[6][2] !== f.owner)) return false;
    if (f.lifecycle && r[8] !== f.lifecycle) return false;
    if (f.namespace && r[2] !== f.namespace) return false;
    if (f.tag && r[9].indexOf(f.tag) < 0) return false;
    if (f.q) {
      var hay = (r[0] + " " + r[3] + " " + r[10] + " " + r[9].join(" ") + " " + text(r[6]) + " " + text(r[7])).toLowerCase();
      var words = f.q.toLowerCase().split(/\s+/);
      for (var i = 0; i < words.length; i++) if (words[i] && hay.indexOf(words[i]) < 0) return false;
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
  function apply() {
    var f = {};
    FIELDS.forEach(function (k) { f[k] = form.elements[k].value.trim(); });
    var list = rows.filter(function (r) { return matches(r, f); });
    if (state.sort && SORTS[state.sort] !== undefined) {
      var col = SORTS[state.sort], sign = state.dir === "desc" ? -1 : 1;
      list.sort(function (a, b) { return sign * text(a[col]).localeCompare(text(b[col])) || a[0].localeCompare(b[0]); });
    }
    table.querySelectorAll("th[data-sort]").forEach(function (th) {
      th.setAttribute("aria-sort", th.dataset.sort === state.sort ? (state.dir === "desc" ? "descending" : "ascending") : "none");
    });
    countLine.textContent = list.length + (list.length === rows.length ? " entities" : " of " + rows.length + " entities");
    writeUrl();
    // Render in chunks so 10,000 rows never block the page.
    var token = ++renderToken, i = 0;
    tbody.replaceChildren();
    (function chunk() {
      if (token !== renderToken) return;
      var frag = document.createDocumentFragment();
      for (var n = 0; n < 300 && i < list.length; n++, i++) frag.append(row(list[i]));
      tbody.append(frag);
      if (i < list.length) requestAnimationFrame(chunk);
    })();
  }
  function uniq(values) {
    var seen = {}, out = [];
    values.forEach(function (v) { if (v[0] && !seen[v[0]]) { seen[v[0]] = 1; out.push(v); } });
    return out.sort(function (a, b) { return a[1].localeCompare(b[1]); });
  }

  fetch(form.dataset.src).then(function (r) { return r.json(); }).then(function (data) {
    rows = data.rows;
    fill(form.elements.kind, uniq(rows.map(function (r) { return [r[1], r[1]]; })));
    fill(form.elements.type, uniq(rows.map(function (r) { return [r[5], r[5]]; })));
    fill(form.elements.owner, uniq(rows.map(function (r) { return r[6] ? [r[6][2], r[6][0]] : ["", ""]; })));
    fill(form.elements.lifecycle, uniq(rows.map(function (r) { return [r[8], r[8]]; })));
    fill(form.elements.tag, uniq([].concat.apply([], rows.map(function (r) { return r[9].map(function (t) { return [t, t]; }); }))));
    fill(form.elements.namespace, uniq(rows.map(function (r) { return [r[2], r[2]]; })));
    readUrl();
    form.hidden = false;
    table.querySelectorAll("th[data-sort]").forEach(function (th) {
      var b = el("button", { type: "button", class: "sort" }, [th.textContent]);
      th.replaceChildren(b);
      b.addEventListener("click", function () {
        state.dir = state.sort === th.dataset.sort && state.dir === "asc" ? "desc" : "asc";
        state.sort = th.dataset.sort;
        apply();
      });
    });
    form.addEventListener("input", apply);
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    form.addEventListener("reset", function () { setTimeout(function () { state.sort = ""; apply(); }, 0); });
    apply();
  }).catch(function () { /* the full table stays */ });
})();
