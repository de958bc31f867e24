/*! Portico search results page (search/?q=…&kind=…&page=…), over search.js's client.
 *
 * Markup (themes/default/templates/search.html): a form #search-page with the query box
 * #search-page-q and a hidden #search-page-kind, the kind tabs #search-kinds, a summary
 * #search-summary, the list #search-page-results and the pager #search-pager.
 *
 * Every state is in the URL: `q` the query, `kind` a kind tab (added to the query as
 * `kind:<kind>`), `page` the page of PAGE results. A page fetches only what its results need:
 * the client ranks the first page × PAGE + 1 documents (the one more tells whether there is a
 * next page) and reads the metadata of the shown ones.
 */
(function () {
  "use strict";
  var PAGE = 20;
  var LABELS = {
    component: "Components", api: "APIs", docs: "Docs", operation: "API operations", system: "Systems",
    domain: "Domains", resource: "Resources", group: "Groups", user: "Users", template: "Templates", location: "Locations"
  };

  function label(kind) {
    return LABELS[kind] || kind.charAt(0).toUpperCase() + kind.slice(1) + "s";
  }

  function start() {
    var search = window.PorticoSearch, doc = document, form = doc.getElementById("search-page");
    if (!search || !form) return;
    var box = doc.getElementById("search-page-q"), kindInput = doc.getElementById("search-page-kind");
    var tabs = doc.getElementById("search-kinds"), summary = doc.getElementById("search-summary");
    var list = doc.getElementById("search-page-results"), pager = doc.getElementById("search-pager");
    var params = new URLSearchParams(window.location.search);
    var q = (params.get("q") || "").trim(), kind = (params.get("kind") || "").toLowerCase();
    var page = Math.max(1, parseInt(params.get("page"), 10) || 1);
    box.value = q;
    kindInput.value = kind;
    if (!kind) kindInput.disabled = true;
    if (!q) {
      box.focus();
      return;
    }
    doc.title = q + " · " + doc.title;
    var index = new search.Index(new URL(form.dataset.manifest, doc.baseURI).href);

    function href(k, p) {
      var u = new URLSearchParams();
      u.set("q", q);
      if (k) u.set("kind", k);
      if (p > 1) u.set("page", String(p));
      return "?" + u.toString();
    }

    function link(text, url, current) {
      var a = doc.createElement("a");
      a.textContent = text;
      a.href = url;
      if (current) a.setAttribute("aria-current", "page");
      return a;
    }

    function renderTabs() {
      var kinds = ((index.manifest.facets || {}).kind || []).map(function (v) { return v[0]; });
      if (kind && kinds.indexOf(kind) < 0) kinds.push(kind);
      tabs.textContent = "";
      tabs.append(link("All", href("", 1), !kind));
      kinds.forEach(function (k) { tabs.append(link(label(k), href(k, 1), k === kind)); });
      tabs.hidden = false;
    }

    function result(h, terms) {
      var li = doc.createElement("li"), head = doc.createElement("div"), k = doc.createElement("span");
      var a = doc.createElement("a");
      k.className = "kind-badge";
      k.textContent = h.kind;
      a.href = h.href;
      a.className = "result-title";
      a.append(search.highlight(h.title, terms));
      head.append(k, " ", a);
      li.append(head);
      var about = [h.context, h.owner ? "owner " + h.owner : null].filter(Boolean).join(" · ");
      if (about) {
        var c = doc.createElement("div");
        c.className = "result-context";
        c.textContent = about;
        li.append(c);
      }
      if (h.excerpt) {
        var x = doc.createElement("p");
        x.className = "result-excerpt";
        x.append(search.highlight(h.excerpt, terms));
        li.append(x);
      }
      var u = doc.createElement("div");
      u.className = "result-url";
      u.textContent = new URL(h.href).pathname;
      li.append(u);
      return li;
    }

    async function run() {
      summary.textContent = "Searching…";
      await index.load();
      renderTabs();
      var text = (kind ? "kind:" + kind + " " : "") + q;
      var hits = await index.search(text, page * PAGE + 1);
      var more = hits.length > page * PAGE, shown = hits.slice((page - 1) * PAGE, page * PAGE);
      var described = await index.describe(shown);
      var terms = new Set(hits.terms || []);
      list.textContent = "";
      list.start = (page - 1) * PAGE + 1;
      described.forEach(function (h) { list.append(result(h, terms)); });
      var where = kind ? " among " + label(kind) : "";
      if (!shown.length) {
        summary.textContent = page > 1 ? "No more results for “" + q + "”" + where + "." : "No results for “" + q + "”" + where + ".";
      } else {
        var first = (page - 1) * PAGE + 1, last = first + shown.length - 1;
        summary.textContent = "Results " + first + "–" + last + (more ? "" : " of " + last) + " for “" + q + "”" + where +
          (hits.partial ? ". No result has every word: these have some of them." : ".");
      }
      pager.textContent = "";
      if (page > 1) pager.append(link("← Previous", href(kind, page - 1)));
      var at = doc.createElement("span");
      at.textContent = "Page " + page;
      pager.append(at);
      if (more) pager.append(link("Next →", href(kind, page + 1)));
      pager.hidden = page === 1 && !more;
    }

    run().catch(function (e) {
      summary.textContent = "Search failed: " + e.message;
    });
  }

  // After search.js (a deferred script after this one in the page) has run: deferred scripts
  // all run before DOMContentLoaded.
  if (document.readyState === "complete") start();
  else document.addEventListener("DOMContentLoaded", start);
})();
