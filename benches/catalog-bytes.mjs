// Bytes the catalog table fetches, in headless Chromium (issue 18).
//
//   node benches/catalog-bytes.mjs SITE_DIR [--chromium PATH] [--verbose]
//
// SITE_DIR is a built site (e.g. `portico build gen10000 --out SITE_DIR`). Each view opens in a
// fresh browser context (empty cache) and counts every response until the table is ready (not
// `aria-busy`, every data shard the view asked for loaded) and the network is idle: the HTML,
// stylesheet, scripts, the catalog manifest and the data shards. Bytes are response bodies as
// stored ("raw"), and their gzip -6 size ("gzip", what a static host such as GitHub Pages sends),
// in KB of 1,000 bytes.
// "first screen" is `catalog/` itself: the default Component tab (the server-rendered page, the
// Component rows it shows, the group list of the team picker) and everything needed to filter,
// sort and page it. "all kinds" is the server-rendered page as it is.
import { createServer } from "node:http";
import { readFileSync, existsSync, statSync } from "node:fs";
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
const verbose = args.includes("--verbose") && args.splice(args.indexOf("--verbose"), 1);
const [site] = args;
if (!site) {
  console.error("usage: node benches/catalog-bytes.mjs SITE_DIR [--chromium PATH] [--verbose]");
  process.exit(2);
}

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".bin": "application/octet-stream" };
const server = createServer((req, res) => {
  let file = path.join(site, decodeURIComponent(new URL(req.url, "http://x").pathname));
  if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, "index.html");
  if (!existsSync(file)) {
    res.writeHead(404);
    return res.end();
  }
  res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" });
  res.end(readFileSync(file));
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${server.address().port}/`;

const views = [
  ["first screen", "catalog/"],
  ["all kinds", "catalog/?kind=all"],
  ["kind filter", "catalog/?kind=api"],
  ["kind filter, page 40", "catalog/?kind=Component&page=40"],
  ["owner filter", "catalog/?kind=all&owner=group%3Adefault%2Fteam-1"],
  ["team and sub-groups", "catalog/?kind=all&team=group%3Adefault%2Fdept-1"],
  ["free text over all kinds", "catalog/?kind=all&q=payment"],
  ["sorted by name", "catalog/?kind=all&sort=name&dir=asc"],
];

const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox", "--disable-gpu"] });
console.log("view                          requests      raw KB     gzip KB   ready ms   count line");
for (const [name, url] of views) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const bodies = [];
  page.on("response", async (r) => {
    try {
      const body = await r.body();
      bodies.push({ url: r.url(), raw: body.length, gzip: gzipSync(body, { level: 6 }).length });
    } catch {}
  });
  const started = Date.now();
  await page.goto(base + url);
  await page.waitForSelector("#catalog-filters:not([hidden])", { timeout: 120000 });
  await page.waitForFunction(() => !document.querySelector("#catalog-table").hasAttribute("aria-busy") && !/counting|Loading/.test(document.querySelector("#catalog-count").textContent), null, { timeout: 120000 });
  const ready = Date.now() - started;
  await page.waitForLoadState("networkidle");
  const count = (await page.textContent("#catalog-count")).trim();
  const raw = bodies.reduce((n, b) => n + b.raw, 0), gzip = bodies.reduce((n, b) => n + b.gzip, 0);
  console.log(`${name.padEnd(28)} ${String(bodies.length).padStart(9)} ${(raw / 1000).toFixed(1).padStart(11)} ${(gzip / 1000).toFixed(1).padStart(11)} ${String(ready).padStart(10)}   ${count}`);
  if (verbose) for (const b of bodies) console.error(`  ${name}: ${b.url.slice(base.length)} ${b.raw} raw, ${b.gzip} gzip`);
  await context.close();
}
await browser.close();
server.close();
