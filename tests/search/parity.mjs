// Runs queries with the browser client's core (themes/default/assets/search.js) against exported
// search files on disk, printing one JSON line per query:
//   {"q", "plan", "hits": [{ord, score, kind, title, url}], "partial", "bytes", "requests", "files"}
// Usage: node tests/search/parity.mjs SITE_ROOT MANIFEST_PATH QUERIES_FILE [LIMIT]
//   SITE_ROOT      directory holding search/ (the site root)
//   MANIFEST_PATH  the manifest's path relative to SITE_ROOT (search/manifest.bin)
//   QUERIES_FILE   one query per line (lines starting with "#" and blank lines are skipped)
// Each query runs on a fresh client (cold cache); "bytes" counts the file bytes it fetched,
// "files" names them. Range requests are answered with the range, or with PORTICO_NO_RANGES=1
// with the whole file.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL, fileURLToPath } from "node:url";
import path from "node:path";

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const search = require(path.join(here, "../../themes/default/assets/search.js"));

const [root, manifest, queriesFile, limitArg] = process.argv.slice(2);
if (!root || !manifest || !queriesFile) {
  console.error("usage: node parity.mjs SITE_ROOT MANIFEST_PATH QUERIES_FILE [LIMIT]");
  process.exit(2);
}
const limit = Number(limitArg || 10);
const manifestUrl = pathToFileURL(path.join(path.resolve(root), manifest)).href;
const queries = readFileSync(queriesFile, "utf8").split("\n").filter((l) => l.trim() && !l.startsWith("#"));

// The IEEE-754 bits of a score, as 16 hex digits (exact, unlike a decimal round trip).
function bits(x) {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  return view.getBigUint64(0).toString(16).padStart(16, "0");
}

for (const q of queries) {
  let bytes = 0, requests = 0;
  const files = [];
  const index = new search.Index(manifestUrl, async (url, start, len) => {
    let data = readFileSync(fileURLToPath(url));
    // A range request, as static hosts answer it; PORTICO_NO_RANGES=1 plays a server that
    // sends the whole file instead.
    if (len && !process.env.PORTICO_NO_RANGES) data = data.subarray(start, start + len);
    bytes += data.length;
    requests += 1;
    files.push(path.basename(fileURLToPath(url)));
    return new Uint8Array(data.buffer, data.byteOffset, data.length);
  });
  const hits = await index.query(q, limit);
  console.log(JSON.stringify({
    q,
    plan: search.parseQuery(q),
    hits: hits.map((h) => ({ ord: h.ord, score: h.score, bits: bits(h.score), kind: h.kind, title: h.title, url: h.url })),
    partial: hits.partial,
    bytes,
    requests,
    files,
  }));
}
