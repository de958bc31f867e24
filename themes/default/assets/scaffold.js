// The template page's form: fields enabled, conditional fields shown when their condition
// holds, values checked against the schema's rules, and the outputs kept up to date: the exact
// `portico scaffold` command, a values file (YAML) to download and a `?formData=` link that
// fills the form again. Without this script the page documents the parameters as before.
(function () {
  "use strict";
  var form = document.getElementById("scaffold-form");
  if (!form) return;
  var fields = Array.prototype.slice.call(form.querySelectorAll(".tpl-field"));
  form.querySelectorAll("fieldset").forEach(function (f) { f.disabled = false; });

  function named(name) { return form.querySelectorAll('[name="' + name + '"]'); }

  // A field's value as the template gets it, or undefined when empty.
  function read(field) {
    var name = field.dataset.name, type = field.dataset.type, control = field.dataset.control;
    if (control === "checkbox") return named(name)[0].checked;
    if (control === "multi") {
      var picked = [];
      named(name).forEach(function (c) { if (c.checked) picked.push(c.value); });
      return picked.length ? picked : undefined;
    }
    if (control === "repo") {
      var owner = named(name + ".owner")[0].value.trim(), repo = named(name + ".repo")[0].value.trim();
      if (!owner && !repo) return undefined;
      return named(name + ".host")[0].value + "?owner=" + encodeURIComponent(owner) + "&repo=" + encodeURIComponent(repo);
    }
    var text = named(name)[0].value;
    if (control === "list") {
      var items = text.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
      return items.length ? items : undefined;
    }
    if (text.trim() === "") return undefined;
    if (type === "number" || type === "integer") return Number(text);
    if (type === "boolean") return text === "true";
    return text;
  }

  function write(field, value) {
    var name = field.dataset.name, control = field.dataset.control;
    if (value === undefined || value === null) return;
    if (control === "checkbox") { named(name)[0].checked = value === true; return; }
    if (control === "multi") {
      named(name).forEach(function (c) { c.checked = Array.isArray(value) && value.indexOf(c.value) >= 0; });
      return;
    }
    if (control === "repo") {
      var m = /^([^?]*)\?(.*)$/.exec(String(value));
      if (!m) return;
      var q = new URLSearchParams(m[2]);
      named(name + ".host")[0].value = m[1];
      named(name + ".owner")[0].value = q.get("owner") || "";
      named(name + ".repo")[0].value = q.get("repo") || "";
      return;
    }
    named(name)[0].value = Array.isArray(value) ? value.join("\n") : String(value);
  }

  function shown(field, values) {
    if (!field.dataset.when) return true;
    var w = JSON.parse(field.dataset.when), v = values[w.field];
    var hit = w.values.some(function (x) { return JSON.stringify(x) === JSON.stringify(v === undefined ? null : v); });
    return w.negate ? !hit : hit;
  }

  // The values (shown fields only, in order), and what is wrong with them.
  function collect() {
    var values = {}, problems = [];
    fields.forEach(function (f) { var v = read(f); if (v !== undefined) values[f.dataset.name] = v; });
    fields.forEach(function (f) {
      var visible = shown(f, values);
      f.hidden = !visible;
      if (!visible) { delete values[f.dataset.name]; return; }
      var v = values[f.dataset.name], label = f.querySelector("label").textContent.replace("*", "").trim();
      if (f.hasAttribute("data-required") && (v === undefined || v === false && f.dataset.control !== "checkbox")) {
        problems.push(label + " is required");
      }
      var input = f.querySelector("input[pattern]");
      if (input && typeof v === "string" && !new RegExp("^(?:" + input.getAttribute("pattern") + ")$", "u").test(v)) {
        problems.push(label + " must match " + input.getAttribute("pattern"));
      }
      if (typeof v === "number" && isNaN(v)) problems.push(label + " must be a number");
      if (f.dataset.control === "repo" && v !== undefined && !/owner=[^&]+&repo=./.test(v)) {
        problems.push(label + " needs an owner and a repository");
      }
    });
    return { values: values, problems: problems };
  }

  function quote(s) {
    return /^[A-Za-z0-9_=:\/.,@+%-]+$/.test(s) ? s : "'" + s.replace(/'/g, "'\\''") + "'";
  }

  function asText(v) {
    if (Array.isArray(v)) return v.some(function (x) { return /,/.test(String(x)); }) ? JSON.stringify(v) : v.join(",");
    if (v !== null && typeof v === "object") return JSON.stringify(v);
    return String(v);
  }

  var out = form.querySelector(".scaffold-out");
  var link = document.getElementById("scaffold-link"), download = document.getElementById("scaffold-values");
  var blob = null;

  function update() {
    var r = collect();
    if (!out) return;
    out.hidden = false;
    var list = out.querySelector(".scaffold-problems");
    list.textContent = "";
    r.problems.forEach(function (p) { var li = document.createElement("li"); li.textContent = p; list.appendChild(li); });
    var parts = ["portico", "scaffold", form.dataset.template];
    Object.keys(r.values).forEach(function (k) { parts.push("-v", quote(k + "=" + asText(r.values[k]))); });
    var name = r.values.name || r.values.component_id;
    parts.push("--out", quote(typeof name === "string" && name ? name : "DIR"));
    document.getElementById("scaffold-command").textContent = parts.join(" ");
    var yaml = "# Values for `portico scaffold " + form.dataset.template + " --values FILE`\n" +
      Object.keys(r.values).map(function (k) { return k + ": " + JSON.stringify(r.values[k]); }).join("\n") + "\n";
    if (blob) URL.revokeObjectURL(blob);
    blob = URL.createObjectURL(new Blob([yaml], { type: "application/yaml" }));
    download.href = blob;
    link.href = location.pathname + "?formData=" + encodeURIComponent(JSON.stringify(r.values));
  }

  // `?formData=` (as in Backstage) fills the form; otherwise each field starts at its default.
  var data = null;
  try { data = JSON.parse(new URLSearchParams(location.search).get("formData") || "null"); } catch (e) { data = null; }
  fields.forEach(function (f) {
    if (data && Object.prototype.hasOwnProperty.call(data, f.dataset.name)) write(f, data[f.dataset.name]);
    else if (f.dataset.default && (f.dataset.control === "multi" || f.dataset.control === "list")) write(f, JSON.parse(f.dataset.default));
  });
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  var copy = document.getElementById("scaffold-copy");
  if (copy) copy.addEventListener("click", function () {
    var text = document.getElementById("scaffold-command").textContent;
    if (navigator.clipboard) navigator.clipboard.writeText(text).then(function () { copy.textContent = "Copied"; });
  });
  update();
})();
