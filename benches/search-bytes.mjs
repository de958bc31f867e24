// Bytes a search fetches, Portico's client vs Pagefind, in headless Chromium.
//
//   node benches/search-bytes.mjs SITE_DIR QUERIES_FILE [--chromium PATH] [--json OUT]
//
// SITE_DIR holds a built site with Portico's search/ files and Pagefind's pagefind/ files.
// Every query runs twice per engine, each in a fresh browser context: cold (empty cache, so
// the runtime, manifest and everything else count) and warm (after one warm-up query, so only
// what this query needs beyond the runtime and shared files counts). Bytes are response body
// sizes from a local server that compresses nothing and answers range requests as static hosts do; JavaScript counts at its gzip -9 size (what
// a static host sends), every other file as stored (both engines store their index files
// compressed already). Both clients fetch the metadata of the top 10 results.
import { createServer } from "node:http";
import { readFileSync, readdirSync, statSync, existsSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "../tests/browser/package.json"));
const { chromium } = require("playwright-core");

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : fallback;
};
const chromiumPath = opt("--chromium", process.env.PORTICO_CHROMIUM || "/usr/bin/chromium");
const jsonOut = opt("--json", null);
// --engines portico[,pagefind]: default both when SITE_DIR has pagefind/, else Portico only.
const enginesOpt = opt("--engines", null);
// --verbose: every counted response (engine, query, path, bytes) on stderr.
const verbose = args.includes("--verbose") && args.splice(args.indexOf("--verbose"), 1);
const [site, queriesFile] = args;
if (!site || !queriesFile) {
  console.error("usage: node benches/search-bytes.mjs SITE_DIR QUERIES_FILE [--chromium PATH] [--json OUT]");
  process.exit(2);
}
const queries = readFileSync(queriesFile, "utf8").split("\n").filter((l) => l.trim() && !l.startsWith("#"));
// The client as the build published it (comment lines stripped), else its source.
const built = existsSync(path.join(site, "assets")) && readdirSync(path.join(site, "assets")).find((f) => /^search\.[0-9a-f]+\.js$/.test(f));
const clientJs = built ? path.join(site, "assets", built) : path.join(here, "../themes/default/assets/search.js");
const manifest = readdirSync(path.join(site, "search")).find((f) => /^manifest\.bin$/.test(f));
if (!manifest) throw new Error(`no search/manifest.bin in ${site}`);

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".wasm": "application/wasm" };
const server = createServer((req, res) => {
  const url = new URL(req.url, "http://x");
  let file;
  if (url.pathname === "/__bench.html") {
    res.writeHead(200, { "content-type": "text/html" });
    return res.end("<!doctype html><title>bench</title>");
  }
  if (url.pathname === "/__search.js") file = clientJs;
  else file = path.join(site, decodeURIComponent(url.pathname));
  if (!existsSync(file) || statSync(file).isDirectory()) {
    res.writeHead(404);
    return res.end();
  }
  const type = TYPES[path.extname(file)] || "application/octet-stream";
  const body = readFileSync(file);
  // Single byte ranges, as GitHub Pages, S3 and common web servers answer them.
  const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range || "");
  if (range && +range[1] <= +range[2] && +range[2] < body.length) {
    res.writeHead(206, { "content-type": type, "cache-control": "max-age=3600", "content-range": `bytes ${range[1]}-${range[2]}/${body.length}` });
    return res.end(body.subarray(+range[1], +range[2] + 1));
  }
  res.writeHead(200, { "content-type": type, "cache-control": "max-age=3600", "accept-ranges": "bytes" });
  res.end(body);
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const origin = `http://127.0.0.1:${server.address().port}`;

const gzipSizes = new Map();
function transferSize(url, body) {
  if (!url.endsWith(".js")) return body.length;
  if (!gzipSizes.has(url)) gzipSizes.set(url, gzipSync(body, { level: 9 }).length);
  return gzipSizes.get(url);
}

const ENGINES = {
  portico: async (page, q) => page.evaluate(async ([q, manifestUrl]) => {
    if (!window.PorticoSearch) {
      await new Promise((resolve, reject) => {
        const s = document.createElement("script");
        s.src = "/__search.js";
        s.onload = resolve;
        s.onerror = reject;
        document.head.append(s);
      });
    }
    window.__index = window.__index || new window.PorticoSearch.Index(manifestUrl);
    const hits = await window.__index.query(q, 10);
    return hits.map((h) => h.title);
  }, [q, `${origin}/search/${manifest}`]),
  pagefind: async (page, q) => page.evaluate(async (q) => {
    window.__pf = window.__pf || (await import("/pagefind/pagefind.js"));
    const search = await window.__pf.search(q);
    const data = await Promise.all(search.results.slice(0, 10).map((r) => r.data()));
    return data.map((d) => d.meta.title);
  }, q),
};

const engines = enginesOpt ? enginesOpt.split(",") : existsSync(path.join(site, "pagefind")) ? ["portico", "pagefind"] : ["portico"];
const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
async function measure(engine, q, warmup) {
  const context = await browser.newContext();
  const page = await context.newPage();
  let bytes = 0, requests = 0, counting = false;
  page.on("response", async (response) => {
    if (!counting || response.url().endsWith("/__bench.html")) return;
    try {
      const body = await response.body();
      bytes += transferSize(response.url(), body);
      requests += 1;
      if (verbose) console.error(`  ${engine} ${q}: ${response.url().replace(origin, "")} ${transferSize(response.url(), body)}`);
    } catch {}
  });
  await page.goto(`${origin}/__bench.html`);
  if (warmup !== null) await ENGINES[engine](page, warmup);
  counting = true;
  const t = performance.now();
  const titles = await ENGINES[engine](page, q);
  const ms = performance.now() - t;
  await page.waitForTimeout(50);
  await context.close();
  return { bytes, requests, results: titles.length, ms, titles };
}

function dirStats(dir) {
  let files = 0, bytes = 0;
  const walk = (d) => readdirSync(d).forEach((f) => {
    const p = path.join(d, f), s = statSync(p);
    if (s.isDirectory()) walk(p); else { files += 1; bytes += s.size; }
  });
  walk(dir);
  return { files, bytes };
}

const WARMUP = "zzzzqqqq";
const rows = [];
for (const q of queries) {
  const row = { q };
  for (const engine of engines) {
    row[engine] = { cold: await measure(engine, q, null), warm: await measure(engine, q, WARMUP) };
  }
  rows.push(row);
  const f = (m) => `${(m.bytes / 1024).toFixed(1)} KB/${m.requests}`;
  console.error(`${q}: ` + engines.map((e) => `${e} ${f(row[e].cold)} ${f(row[e].warm)}`).join(" | "));
}
await browser.close();
server.close();

const kb = (b) => (b / 1024).toFixed(1);
const NAMES = { portico: "Portico", pagefind: "Pagefind" };
const DIRS = { portico: "search", pagefind: "pagefind" };
const sizes = Object.fromEntries(engines.map((e) => [e, dirStats(path.join(site, DIRS[e]))]));
sizes.portico.bytes += gzipSync(readFileSync(clientJs), { level: 9 }).length;
sizes.portico.files += 1;
const both = engines.length === 2;
const head = engines.flatMap((e) => [`${NAMES[e]} cold`, `${NAMES[e]} warm`]).concat(both ? ["cold ratio", "results (P/PF)"] : ["results"]);
let out = `| query | ${head.join(" | ")} |\n|---|${head.map(() => "---:").join("|")}|\n`;
const cell = (m) => `${kb(m.bytes)} KB (${m.requests})`;
for (const r of rows) {
  const cells = engines.flatMap((e) => [cell(r[e].cold), cell(r[e].warm)]);
  if (both) cells.push((r.portico.cold.bytes / r.pagefind.cold.bytes).toFixed(2), `${r.portico.cold.results}/${r.pagefind.cold.results}`);
  else cells.push(`${r.portico.cold.results}`);
  out += `| \`${r.q}\` | ${cells.join(" | ")} |\n`;
}
const sum = (e, k) => rows.reduce((a, r) => a + r[e][k].bytes, 0);
const totals = engines.flatMap((e) => [`${kb(sum(e, "cold"))} KB`, `${kb(sum(e, "warm"))} KB`]);
if (both) totals.push((sum("portico", "cold") / sum("pagefind", "cold")).toFixed(2));
out += `| **total** | ${totals.join(" | ")} | |\n`;
out += `\nIndex on disk: Portico ${(sizes.portico.bytes / 1e6).toFixed(2)} MB in ${sizes.portico.files} files (search/ + gzipped client)` +
  (both ? `; Pagefind ${(sizes.pagefind.bytes / 1e6).toFixed(2)} MB in ${sizes.pagefind.files} files (pagefind/)` : "") + ".\n";
console.log(out);
if (jsonOut) (await import("node:fs")).writeFileSync(jsonOut, JSON.stringify({ rows, sizes }, null, 1));
