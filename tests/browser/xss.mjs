// The XSS corpus in headless Chromium: visits every page of a built portal (from its sitemap)
// and the search page with the given queries, and reports every way a payload could run:
//   - a dialog (the payloads call alert), or a write to `window.__xss` / `document.title` = "XSS";
//   - an element with an inline event handler attribute (on…=);
//   - a link, image, frame, form or object whose URL resolves to a javascript:, data: or vbscript: scheme;
//   - a <script> element that is not one of the portal's own.
// Run by tests/testsuite/xss.rs:  node xss.mjs <site url ending in /> <query>...
// Prints "visited N" and one "XSS <page>: <what>" line per finding; exits 1 when there is one.
import { chromium } from "playwright-core";

const [base, ...queries] = process.argv.slice(2);
const executablePath = process.env.PORTICO_CHROMIUM || "/usr/bin/chromium";

const browser = await chromium.launch({
  executablePath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const context = await browser.newContext();
const findings = [];
let visited = 0;

async function inspect(page, where) {
  const found = await page.evaluate(() => {
    const out = [];
    if (window.__xss) out.push("window.__xss was set");
    if (document.title === "XSS") out.push("document.title was set");
    for (const el of document.querySelectorAll("*")) {
      for (const attr of el.attributes) {
        if (/^on/i.test(attr.name)) out.push(`<${el.localName} ${attr.name}="${attr.value.slice(0, 60)}">`);
      }
      for (const name of ["href", "src", "action", "formaction", "data", "xlink:href", "poster"]) {
        const raw = el.getAttribute(name);
        if (raw === null) continue;
        let scheme = "";
        try {
          scheme = new URL(raw, document.baseURI).protocol;
        } catch {
          continue;
        }
        // Images may be data: URLs (harmless there); anything else may not.
        if (/^(javascript|vbscript):$/i.test(scheme) || (scheme === "data:" && !(el.localName === "img" && name === "src"))) {
          out.push(`<${el.localName} ${name}="${raw.slice(0, 60)}">`);
        }
      }
      // A JSON data block (the catalog graph's neighbourhood) never runs; it must still be
      // whole JSON, which a payload that closed the element early would break.
      if (el.localName === "script" && el.type === "application/json") {
        try {
          JSON.parse(el.textContent);
        } catch (e) {
          out.push(`broken JSON block <script>${el.textContent.slice(0, 60)}</script>`);
        }
        continue;
      }
      if (el.localName === "script" && !el.src) {
        const text = el.textContent;
        // The portal's own inline scripts: the theme switch and mermaid's start.
        if (!text.startsWith("try{var t=localStorage") && !text.startsWith("mermaid.initialize(")) {
          out.push(`inline <script>${text.slice(0, 60)}</script>`);
        }
      }
      if (["iframe", "object", "embed", "frame"].includes(el.localName)) out.push(`<${el.localName}>`);
    }
    return out;
  });
  for (const f of found) findings.push(`${where}: ${f}`);
}

async function visit(url) {
  const page = await context.newPage();
  page.on("dialog", async (d) => {
    findings.push(`${url}: dialog "${d.message()}"`);
    await d.dismiss();
  });
  await page.goto(url, { waitUntil: "load" });
  await page.waitForTimeout(50);
  visited += 1;
  await inspect(page, url);
  return page;
}

// The sitemaps have the public URLs; the test serves the site elsewhere.
const local = (loc) => new URL(new URL(loc.replaceAll("&amp;", "&"), base).pathname.replace(/^\//, ""), base).href;
const locs = (xml) => [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => local(m[1]));
// sitemap.xml is a sitemap index: the pages are in the sitemaps it lists.
const urls = [];
for (const sitemap of locs(await (await fetch(base + "sitemap.xml")).text())) {
  urls.push(...locs(await (await fetch(sitemap)).text()));
}
for (const url of urls) {
  const page = await visit(url);
  await page.close();
}
// Search results render what users wrote: type each query into the header box.
for (const q of queries) {
  const page = await visit(base);
  await page.fill("#search-input", q);
  await page.waitForTimeout(400);
  await inspect(page, `search box "${q}"`);
  await page.goto(base + "search/?q=" + encodeURIComponent(q), { waitUntil: "load" });
  await page.waitForTimeout(400);
  await inspect(page, `search page "${q}"`);
  await page.close();
}
await browser.close();
console.log(`visited ${visited}`);
for (const f of findings) console.log(`XSS ${f}`);
process.exit(findings.length ? 1 : 0);
