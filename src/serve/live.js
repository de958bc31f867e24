// Live reload for `portico serve` (injected by the server only, never written by `build`):
// reloads the page after a rebuild, keeping the scroll position, and shows the diagnostics of a
// failed build in an overlay while the last good site stays up.
(function () {
  var key = "portico-scroll:" + location.pathname;
  try {
    var saved = sessionStorage.getItem(key);
    if (saved) { sessionStorage.removeItem(key); var xy = JSON.parse(saved); addEventListener("load", function () { scrollTo(xy[0], xy[1]); }); }
  } catch (e) {}
  var es = new EventSource("/__portico/events");
  es.addEventListener("reload", function () {
    try { sessionStorage.setItem(key, JSON.stringify([scrollX, scrollY])); } catch (e) {}
    location.reload();
  });
  es.addEventListener("report", function (e) {
    var list = JSON.parse(e.data), box = document.getElementById("portico-overlay");
    if (!box) {
      box = document.createElement("div");
      box.id = "portico-overlay";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 16px 16px 16px;max-height:60vh;overflow:auto;z-index:99999;background:#1b1f24;color:#f0f3f6;border:2px solid #cf222e;border-radius:8px;padding:12px 16px;font:13px/1.5 ui-monospace,monospace;box-shadow:0 8px 24px rgba(0,0,0,.4)";
      document.body.appendChild(box);
    }
    box.replaceChildren();
    var title = document.createElement("strong");
    title.textContent = "Build failed — the last good version is shown. Fix the file and save to rebuild.";
    box.appendChild(title);
    list.forEach(function (d) {
      var line = document.createElement("pre");
      line.style.cssText = "margin:8px 0 0;white-space:pre-wrap";
      line.textContent = (d.file ? d.file + (d.line ? ":" + d.line + ":" + d.column : "") + ": " : "") + d.severity + ": " + d.message + (d.hint ? "\n  hint: " + d.hint : "");
      box.appendChild(line);
    });
  });
})();
