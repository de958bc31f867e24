// Portico's page script: progressive enhancement only. Every page reads without it.
// - theme toggle (light/dark, remembered; the OS preference is the default)
// - catalog filters, kind tabs with their own columns, free-text search, sortable columns and
//   "my team", with the state in the URL query
// - Home's shortcuts of "my team"
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
  // As in Backstage, `catalog/` shows Components unless the URL names a kind (`?kind=api`,
  // `?kind=all`); each kind has its own columns. "My team" (kept in localStorage) filters to
  // what that group owns (`owner=`), or owns with its sub-groups (`team=`).
  var form = document.getElementById("catalog-filters");
  var table = document.getElementById("catalog-table");
  if (!form || !table) return;
  var tbody = table.tBodies[0];
  var countLine = document.getElementById("catalog-count");
  // A theme's own catalog.html may lack some of these: the script does without them.
  var pagesBox = document.getElementById("catalog-pages") || el("div");
  var sizeSelect = form.elements.size || el("select");
  var kindLinks = document.getElementById("catalog-kinds");
  var teamBox = document.getElementById("my-team");
  var base = form.dataset.base;
  var FIELDS = ["q", "kind", "type", "owner", "system", "lifecycle", "tag", "namespace"];
  function more(r) { return r[11] || {}; }
  // Every column: its header, sort key (none: not sortable) and cell.
  var COLUMNS = {
    name: { label: "Name", get: function (r) { return r[3]; }, cell: function (r) {
      var td = el("td", {}, [el("a", { href: base + r[4] }, [r[3]])]);
      if (r[2] !== "default") td.append(" ", el("span", { class: "ns" }, [r[2]]));
      return td;
    } },
    kind: { label: "Kind", get: function (r) { return r[1]; } },
    type: { label: "Type", get: function (r) { return r[5]; } },
    owner: { label: "Owner", get: function (r) { return text(r[6]); }, cell: function (r) { return el("td", {}, [link(r[6])]); } },
    system: { label: "System", get: function (r) { return text(r[7]); }, cell: function (r) { return el("td", {}, [link(r[7])]); } },
    lifecycle: { label: "Lifecycle", get: function (r) { return r[8]; } },
    tags: { label: "Tags", cell: function (r) {
      var td = el("td");
      r[9].forEach(function (t) { td.append(el("span", { class: "tag" }, [t]), " "); });
      return td;
    } },
    description: { label: "Description", cell: function (r) { return el("td", { class: "desc" }, [r[10]]); } },
    email: { label: "Email", get: function (r) { return more(r).email || ""; }, cell: function (r) {
      var m = more(r).email;
      return el("td", {}, [m ? el("a", { href: "mailto:" + m }, [m]) : ""]);
    } },
    groups: { label: "Groups", cell: function (r) {
      var td = el("td");
      (more(r).groups || []).forEach(function (g, i) { if (i) td.append(", "); td.append(link(g)); });
      return td;
    } },
    parent: { label: "Parent", get: function (r) { return text(more(r).parent); }, cell: function (r) { return el("td", {}, [link(more(r).parent)]); } },
    members: { label: "Members", numeric: true, get: function (r) { return more(r).members || 0; } },
    domain: { label: "Domain", get: function (r) { return text(more(r).domain); }, cell: function (r) { return el("td", {}, [link(more(r).domain)]); } }
  };
  // The columns of each kind's tab (lower-case kind); other kinds and "all" get ALL.
  var ALL = ["name", "kind", "type", "owner", "system", "lifecycle", "tags", "description"];
  var KIND_COLUMNS = {
    component: ["name", "system", "owner", "type", "lifecycle", "tags", "description"],
    api: ["name", "system", "owner", "type", "lifecycle", "tags", "description"],
    resource: ["name", "system", "owner", "type", "tags", "description"],
    system: ["name", "domain", "owner", "tags", "description"],
    domain: ["name", "owner", "tags", "description"],
    template: ["name", "type", "owner", "tags", "description"],
    group: ["name", "type", "parent", "members", "description"],
    user: ["name", "email", "groups"]
  };
  var PARALLEL = 4;
  // `located`: the shards that hold each owner's and each system's rows, read from `locator`
  // when an owner, system or team filter needs it. `groups`: the group tree (for "my team").
  var shards = [], locator, located, locating, groups, groupsLoading, groupsUrl, total = 0, pageSize = 100;
  var facets = {}, kindFacets = {}, defaultKind = "", columns = null;
  // The static page this is (catalog/page/3/ is page 3), shown as it is until the view changes.
  var serverPage = +form.dataset.page || 1, serverPath = location.pathname;
  var state = { sort: "", dir: "asc", page: serverPage, size: 100, team: "" };
  var token = 0;
  var TEAM_KEY = "portico-team";
  function myTeam() { try { return localStorage.getItem(TEAM_KEY) || ""; } catch (e) { return ""; } }

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
  // The options of a filter; a value not among them is kept, unless `strict` (a kind's types).
  function fill(select, values, strict) {
    var keep = select.value;
    while (select.options.length > 1) select.remove(1);
    values.forEach(function (v) { select.append(el("option", { value: v[0] }, [v[1] + " (" + v[2] + ")"])); });
    if (keep && !values.some(function (v) { return v[0] === keep; })) {
      if (strict) keep = ""; else select.append(el("option", { value: keep }, [keep]));
    }
    select.value = keep;
  }
  function kindColumns(kind) { return KIND_COLUMNS[kind.toLowerCase()] || ALL; }
  // A kind as the URL says it (any case; "all" for every kind) -> the facet's value.
  function canonKind(k) {
    if (k === null) return null;
    if (k.toLowerCase() === "all") return "";
    var hit = (facets.kind || []).find(function (v) { return v[0].toLowerCase() === k.toLowerCase(); });
    return hit ? hit[0] : k;
  }
  function filters() {
    var f = {};
    FIELDS.forEach(function (k) { f[k] = form.elements[k].value.trim(); });
    return f;
  }
  function readUrl() {
    var p = new URLSearchParams(location.search);
    FIELDS.forEach(function (f) { form.elements[f].value = p.get(f) || ""; });
    if (form.elements.kind) {
      var k = canonKind(p.get("kind"));
      // catalog/ shows the default kind; a static page (catalog/page/2/) shows what it holds.
      if (k === null) k = location.pathname === base + "catalog/" ? defaultKind : "";
      if (k && !Array.prototype.some.call(form.elements.kind.options, function (o) { return o.value === k; })) {
        form.elements.kind.append(el("option", { value: k }, [k]));
      }
      form.elements.kind.value = k;
    }
    state.team = p.get("team") || "";
    state.sort = COLUMNS[p.get("sort")] && COLUMNS[p.get("sort")].get ? p.get("sort") : "";
    state.dir = p.get("dir") === "desc" ? "desc" : "asc";
    state.size = [20, 50, 100].indexOf(+p.get("size")) >= 0 ? +p.get("size") : pageSize;
    sizeSelect.value = String(state.size);
    state.page = p.get("page") ? Math.max(1, parseInt(p.get("page"), 10) || 1) : location.pathname === serverPath ? serverPage : 1;
  }
  function query(page) {
    var p = new URLSearchParams();
    FIELDS.forEach(function (f) {
      var v = form.elements[f].value;
      if (f === "kind" && v !== defaultKind) p.set(f, v || "all");
      else if (f !== "kind" && v) p.set(f, v);
    });
    if (state.team) p.set("team", state.team);
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
  // The group `ref` and every group below it (the tree is in preorder with depths).
  function subtree(ref) {
    var out = new Set([ref]);
    if (!groups) return out;
    for (var i = 0; i < groups.length; i++) {
      if (groups[i][0] !== ref) continue;
      for (var j = i + 1; j < groups.length && groups[j][3] > groups[i][3]; j++) out.add(groups[j][0]);
      break;
    }
    return out;
  }
  function matches(r, f, owners) {
    if (f.kind && r[1] !== f.kind) return false;
    if (f.type && r[5] !== f.type) return false;
    if (f.owner && (!r[6] || r[6][2] !== f.owner)) return false;
    if (owners && (!r[6] || !owners.has(r[6][2]))) return false;
    if (f.system && (!r[7] || r[7][2] !== f.system)) return false;
    if (f.lifecycle && r[8] !== f.lifecycle) return false;
    if (f.namespace && r[2] !== f.namespace) return false;
    if (f.tag && r[9].indexOf(f.tag) < 0) return false;
    if (f.q) {
      if (!r.hay) r.hay = (r[0] + " " + r[3] + " " + r[10] + " " + r[9].join(" ") + " " + text(r[6]) + " " + text(r[7]) + " " + (more(r).email || "")).toLowerCase();
      var words = f.q.toLowerCase().split(/\s+/);
      for (var i = 0; i < words.length; i++) if (words[i] && r.hay.indexOf(words[i]) < 0) return false;
    }
    return true;
  }
  function row(r) {
    return el("tr", {}, columns.map(function (c) {
      var col = COLUMNS[c];
      return col.cell ? col.cell(r) : el("td", col.numeric ? { class: "num" } : {}, [String(col.get(r))]);
    }));
  }
  // The header of `kind`'s columns, each sortable one a button with its direction shown.
  function setColumns(kind) {
    var list = kindColumns(kind);
    if (columns && columns.join() === list.join()) return;
    columns = list;
    var tr = el("tr");
    list.forEach(function (c) {
      var col = COLUMNS[c], th = el("th", { scope: "col" });
      if (col.get) {
        th.dataset.sort = c;
        var b = el("button", { type: "button", class: "sort" }, [col.label]);
        b.addEventListener("click", function () {
          state.dir = state.sort === c && state.dir === "asc" ? "desc" : "asc";
          state.sort = c;
          state.page = 1;
          update(true);
        });
        th.append(b);
      } else th.textContent = col.label;
      if (col.numeric) th.className = "num";
      tr.append(th);
    });
    table.tHead.replaceChildren(tr);
  }
  // Filters that mean nothing for the kind shown are hidden (and cleared); type and lifecycle
  // offer the values of that kind.
  function fitFilters(kind) {
    var cols = kindColumns(kind);
    ["type", "owner", "system", "lifecycle"].forEach(function (k) {
      var input = form.elements[k];
      if (!input) return;
      var shown = cols.indexOf(k) >= 0;
      input.closest("label").hidden = !shown;
      if (!shown) input.value = "";
    });
    var kf = kindFacets[kind] || facets;
    ["type", "lifecycle"].forEach(function (k) { if (form.elements[k] && kf[k]) fill(form.elements[k], kf[k], true); });
    if (form.elements.namespace) form.elements.namespace.closest("label").hidden = (facets.namespace || []).length < 2 && !form.elements.namespace.value;
    if (kindLinks) kindLinks.querySelectorAll("a[data-kind]").forEach(function (a) {
      if (a.dataset.kind === kind) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
    });
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
  function loadGroups() {
    if (!groupsLoading) {
      groupsLoading = groupsUrl ? fetch(base + groupsUrl).then(function (r) {
        if (!r.ok) throw new Error(r.status + " " + groupsUrl);
        return r.json();
      }).then(function (d) { groups = d.groups; return groups; }, function (e) { groupsLoading = null; throw e; })
        : Promise.resolve((groups = []));
    }
    return groupsLoading;
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
    if (state.team) {
      var g = (groups || []).find(function (x) { return x[0] === state.team; });
      s += " · owned by " + (g ? g[1] : state.team) + " or a group below it";
    }
    return known ? s : s + ", counting…";
  }
  function show(rows) {
    var frag = document.createDocumentFragment();
    rows.forEach(function (r) { frag.append(row(r)); });
    tbody.replaceChildren(frag);
  }
  function sortRows(list) {
    if (!state.sort) return list;
    var get = COLUMNS[state.sort].get, sign = state.dir === "desc" ? -1 : 1;
    var cmp = COLUMNS[state.sort].numeric ? function (a, b) { return get(a) - get(b); } : function (a, b) { return String(get(a)).localeCompare(String(get(b))); };
    return list.sort(function (a, b) { return sign * cmp(a, b) || a[0].localeCompare(b[0]); });
  }
  function syncTeam() {
    if (!teamBox) return;
    var mine = myTeam(), f = filters(), box = teamBox.querySelector("#mine"), sub = teamBox.querySelector("#mine-sub");
    box.disabled = !mine;
    box.checked = !!mine && (state.team === mine || (!state.team && f.owner === mine));
    if (box.checked) sub.checked = state.team === mine;
  }
  function update(push) {
    var my = ++token, f = filters();
    setColumns(f.kind);
    fitFilters(f.kind);
    f = filters();
    if (state.sort && columns.indexOf(state.sort) < 0) state.sort = "";
    writeUrl(push);
    syncTeam();
    table.querySelectorAll("th[data-sort]").forEach(function (th) {
      if (th.dataset.sort === state.sort) th.setAttribute("aria-sort", state.dir === "desc" ? "descending" : "ascending");
      else th.removeAttribute("aria-sort");
    });
    var fail = function (e) { if (my === token) status("Could not load the catalog data: " + e.message); };
    // A team filter first reads the group tree; an owner, system or team filter then reads
    // which shards hold those owners' or that system's rows.
    if (state.team && !groups) {
      status("Loading…", true);
      loadGroups().then(function () { if (my === token) update(false); }, fail);
      return;
    }
    if ((f.owner || f.system || state.team) && !located) {
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
    var owners = state.team ? subtree(state.team) : null, teamShards = null;
    if (owners) {
      teamShards = new Set();
      owners.forEach(function (o) { (located.owner[o] || []).forEach(function (i) { teamShards.add(i); }); });
    }
    var list = shards.filter(function (s, i) {
      return (!f.kind || s.kinds.indexOf(f.kind) >= 0) && (!f.namespace || s.namespaces.indexOf(f.namespace) >= 0) &&
        (!f.owner || (located.owner[f.owner] || []).indexOf(i) >= 0) && (!f.system || (located.system[f.system] || []).indexOf(i) >= 0) &&
        (!teamShards || teamShards.has(i));
    });
    var from = (state.page - 1) * state.size, to = from + state.size;
    // Only kind and namespace filters, default order: every row of these shards is in, so the
    // count is known and only the shards that hold the page are needed.
    var direct = !state.sort && !f.q && !f.type && !f.owner && !f.system && !f.lifecycle && !f.tag && !owners &&
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
        list[prefix].data.forEach(function (r) { if (matches(r, f, owners)) found.push(r); });
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
  // "My team": chosen once (localStorage), then a checkbox filters to what it owns.
  function setupTeam() {
    if (!teamBox) return;
    var select = teamBox.querySelector("select"), box = teamBox.querySelector("#mine"), sub = teamBox.querySelector("#mine-sub");
    function apply() {
      var mine = myTeam(), owner = form.elements.owner;
      // Drop a filter of the previous choice, then set the current one.
      if (state.team) state.team = "";
      if (owner && box.dataset.was && owner.value === box.dataset.was) owner.value = "";
      if (box.checked && mine) {
        if (sub.checked) state.team = mine;
        else if (owner) {
          if (!Array.prototype.some.call(owner.options, function (o) { return o.value === mine; })) owner.append(el("option", { value: mine }, [mine]));
          owner.value = mine;
        }
      }
      box.dataset.was = mine;
      state.page = 1;
      update(true);
    }
    loadGroups().then(function (list) {
      list.forEach(function (g) {
        select.append(el("option", { value: g[0] }, ["\u00a0\u00a0".repeat(Math.min(g[3], 6)) + g[1]]));
      });
      select.value = myTeam();
      teamBox.hidden = false;
      box.dataset.was = myTeam();
      syncTeam();
    }, function () { /* no team picker */ });
    select.addEventListener("change", function () {
      try { if (select.value) localStorage.setItem(TEAM_KEY, select.value); else localStorage.removeItem(TEAM_KEY); } catch (e) {}
      if (!select.value) box.checked = false;
      apply();
    });
    box.addEventListener("change", apply);
    sub.addEventListener("change", function () { if (box.checked) apply(); });
  }

  fetch(form.dataset.src).then(function (r) { return r.json(); }).then(function (data) {
    if (data.format !== 1) return;
    shards = data.shards;
    locator = data.locator;
    total = data.total;
    pageSize = data.page_size;
    facets = data.facets;
    kindFacets = data.kind_facets || {};
    groupsUrl = data.groups;
    var component = (facets.kind || []).find(function (v) { return v[0].toLowerCase() === "component"; });
    defaultKind = component ? component[0] : "";
    FIELDS = FIELDS.filter(function (k) { return form.elements[k]; });
    FIELDS.forEach(function (k) { if (k !== "q") fill(form.elements[k], facets[k]); });
    readUrl();
    form.hidden = false;
    form.addEventListener("input", function () {
      state.size = +sizeSelect.value || pageSize;
      state.page = 1;
      update(false);
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    form.addEventListener("reset", function () {
      setTimeout(function () {
        state.sort = ""; state.team = ""; state.page = 1; state.size = pageSize; sizeSelect.value = String(pageSize);
        if (form.elements.kind) form.elements.kind.value = defaultKind;
        update(false);
      }, 0);
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
    setupTeam();
    var f = filters();
    if (FIELDS.every(function (k) { return !f[k]; }) && !state.team && !state.sort && state.size === pageSize && state.page === serverPage) {
      // The rows on the page are the ones asked for: keep them, load no shard.
      setColumns("");
      fitFilters("");
      table.querySelectorAll("th[data-sort]").forEach(function (th) { th.removeAttribute("aria-sort"); });
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

// Home: the shortcuts of "my team" (the group chosen here or on the catalog, kept in
// localStorage): its page, what it owns (directly, and with its sub-groups) and links to the
// catalog filtered to it. Without a team, a prompt to choose one.
(function () {
  var box = document.getElementById("team-home");
  if (!box) return;
  var base = box.dataset.base, select = document.getElementById("team-home-select"), body = document.getElementById("team-home-body");
  var KEY = "portico-team";
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    (children || []).forEach(function (c) { e.append(c); });
    return e;
  }
  function mine() { try { return localStorage.getItem(KEY) || ""; } catch (e) { return ""; } }
  fetch(box.dataset.groups).then(function (r) {
    if (!r.ok) throw new Error(r.status);
    return r.json();
  }).then(function (data) {
    var groups = data.groups || [];
    if (!groups.length) return;
    groups.forEach(function (g) { select.append(el("option", { value: g[0] }, ["\u00a0\u00a0".repeat(Math.min(g[3], 6)) + g[1]])); });
    var label = document.querySelector("label[for=team-home-select]"), prompt = label ? label.textContent : "";
    function render() {
      var ref = mine(), g = groups.find(function (x) { return x[0] === ref; });
      select.value = g ? ref : "";
      box.classList.toggle("chosen", !!g);
      // Once chosen, the picker only switches teams.
      if (label) label.textContent = g ? "Your team (change it here):" : prompt;
      if (!g) {
        body.replaceChildren(el("p", { class: "none" }, ["No team chosen yet."]));
        return;
      }
      var q = encodeURIComponent(ref), direct = g[5], all = g[6];
      function card(count, agg, label, href, sub) {
        var a = el("a", { href: href }, [el("span", { class: "count" }, [String(count)]), " " + label]);
        a.append(el("span", { class: "sub" }, [agg !== count ? agg + " with its sub-groups" : sub]));
        return el("li", {}, [a]);
      }
      body.replaceChildren(
        el("p", { class: "team-name" }, [el("a", { href: base + g[2] }, [g[1]]), g[4] ? " " : "", g[4] ? el("span", { class: "tag" }, [g[4]]) : ""]),
        el("ul", { class: "cards entry team-shortcuts" }, [
          card(direct[0], all[0], "Components", base + "catalog/?owner=" + q, "owned directly"),
          card(direct[1], all[1], "APIs", base + "catalog/?kind=api&owner=" + q, "owned directly"),
          card(direct[2], all[2], "Docs", base + g[2] + "#ownership", "entities with TechDocs"),
          card(direct[3], all[3], "Everything it owns", base + "catalog/?kind=all&owner=" + q, "every kind")
        ]),
        el("p", {}, [el("a", { href: base + "catalog/?kind=all&team=" + q, class: "team-all" }, ["Everything owned by " + g[1] + " and its sub-groups"]), " in the catalog"])
      );
    }
    select.addEventListener("change", function () {
      try { if (select.value) localStorage.setItem(KEY, select.value); else localStorage.removeItem(KEY); } catch (e) {}
      render();
    });
    render();
    box.hidden = false;
  }).catch(function () { /* no shortcuts */ });
})();
