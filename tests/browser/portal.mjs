// Browser tests of a built portal, in headless Chromium (Debian's /usr/bin/chromium) driven
// by playwright-core. Run by tests/testsuite/browser.rs, which builds the site and serves it:
//   node portal.mjs <site url ending in /> <scenario>...
// Prints one line per scenario ("ok <name>" or "FAIL <name>: <why>") and exits 1 on a failure.
import { chromium } from "playwright-core";

const [base, ...scenarios] = process.argv.slice(2);
const executablePath = process.env.PORTICO_CHROMIUM || "/usr/bin/chromium";

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

const tests = {
  // Issue 13: an entity page is tabs. The payment gateway has its Overview and the CI/CD tab of
  // content-example's command plugin (tools/ci_plugin.py); a tab is its own URL, marked in the
  // tab bar, and a person without tabs has no tab bar.
  async "entity-tabs"(page) {
    await page.goto(base + "catalog/default/component/payment-gateway/");
    const tabs = page.locator("nav.tabs a");
    const titles = await tabs.allTextContents();
    assert(titles[0] === "Overview" && titles.includes("CI/CD"), `tab bar: ${titles}`);
    assert((await page.locator("nav.tabs a[aria-current=page]").textContent()) === "Overview", "Overview is current");
    await page.click("nav.tabs >> text=CI/CD");
    await page.waitForURL(/\/payment-gateway\/ci\/$/);
    assert((await page.locator("nav.tabs a[aria-current=page]").textContent()) === "CI/CD", "CI/CD is current");
    const rows = await page.locator(".plugin-tab table tbody tr").count();
    assert(rows === 3, `CI runs table: ${rows} rows`);
    const status = await page.locator(".plugin-tab .status a").getAttribute("href");
    assert(status === "https://ci.northwind.example/payment-gateway-main", `status link: ${status}`);
    await page.click("nav.tabs >> text=Overview");
    await page.waitForURL(/\/payment-gateway\/$/);
    // Issue 16: the main navigation marks the page's section; a favicon is declared.
    const current = await page.locator("header.top nav a[aria-current=page]").allTextContents();
    assert(current.length === 1 && current[0] === "Catalog", `current section: ${current}`);
    assert((await page.locator("link[rel=icon]").count()) === 1, "a favicon");
    // Issue 16: the Teams page counts over sub-groups too.
    await page.goto(base + "teams/");
    assert((await page.locator("ul.tree li:has-text('with the groups below')").count()) > 0, "aggregated counts on Teams");
    assert((await page.locator("header.top nav a[aria-current=page]").textContent()) === "Teams", "Teams is current");
    await page.goto(base + "catalog/default/user/alice.nguyen/");
    assert((await page.locator("nav.tabs").count()) === 0, "a person without tabs has no tab bar");
    // Issue 14: the team's Scorecards tab rolls up what it owns; the service's shows its level.
    await page.goto(base + "catalog/default/group/team-payments/");
    await page.click("nav.tabs >> text=Scorecards");
    await page.waitForURL(/\/team-payments\/scorecards\/$/);
    assert((await page.locator(".distribution").count()) >= 1, "the team's distribution of levels");
    await page.click("table.level-checks >> text=Payment Gateway");
    await page.waitForURL(/\/payment-gateway\/scorecards\/$/);
    const level = (await page.locator(".scorecard-head .level").first().textContent()).trim();
    // Gold needs recent git activity: a copy without history stays at silver (activity unknown).
    const activity = (await page.locator("tr:has-text('Changed in the last 90 days') .outcome").textContent()).trim();
    assert(level === (activity === "pass" ? "gold" : "silver"), `payment gateway's level: ${level}, activity ${activity}`);
    // An API's reference is its Definition tab; a link to an operation on the Overview (as
    // before the tab existed) lands on it.
    await page.goto(base + "catalog/default/api/payments-api/#op-createPaymentIntent");
    await page.waitForURL(/\/payments-api\/definition\/#op-createPaymentIntent$/);
    assert((await page.locator("#op-createPaymentIntent").count()) === 1, "the operation is on the Definition tab");
    assert((await page.locator("nav.tabs a[aria-current=page]").textContent()) === "Definition", "Definition is current");
  },

  // Filters change the table and the URL; a shared URL restores the filtered view. (The table is
  // `aria-busy` while it loads the data shards a view needs.)
  // Issue 15: a template's page is a working form. Filling it writes the exact `portico
  // scaffold` command; conditional rules are checked; the `?formData=` link fills it again.
  async "template-form"(page) {
    await page.goto(base + "catalog/default/template/go-grpc-service/");
    const command = () => page.locator("#scaffold-command").textContent();
    const problems = () => page.locator(".scaffold-problems li").allTextContents();
    assert((await problems()).includes("Name is required"), `problems: ${await problems()}`);
    await page.fill("#f-name", "Billing API");
    assert((await problems()).some((p) => p.startsWith("Name must match")), `pattern: ${await problems()}`);
    await page.fill("#f-name", "billing-api");
    await page.fill("#f-description", "Bills the customers");
    // Catalog-backed pickers: the owner's choices are the catalog's groups.
    const owners = await page.locator("#dl-owner option").evaluateAll((os) => os.map((o) => o.value));
    assert(owners.includes("group:default/team-platform"), `owner choices: ${owners}`);
    await page.fill("#f-owner", "group:default/team-platform");
    const systems = await page.locator("#dl-system option").evaluateAll((os) => os.map((o) => o.value));
    assert(systems.length > 0 && systems.every((s) => s.startsWith("system:")), `system choices: ${systems}`);
    await page.fill("#f-system", systems[0]);
    await page.fill("[name='repoUrl.owner']", "northwind");
    await page.fill("[name='repoUrl.repo']", "billing-api");
    assert((await problems()).length === 0, `no problems left: ${await problems()}`);
    const expected =
      "portico scaffold go-grpc-service -v name=billing-api -v 'description=Bills the customers' " +
      `-v owner=group:default/team-platform -v system=${systems[0]} -v lifecycle=experimental -v goVersion=1.22 ` +
      "-v grpcPort=9090 -v 'repoUrl=github.com?owner=northwind&repo=billing-api' --out billing-api";
    assert((await command()) === expected, `command:\n${await command()}\n${expected}`);
    // The shareable link fills a fresh form with the same values.
    const link = await page.locator("#scaffold-link").getAttribute("href");
    await page.goto(new URL(link, page.url()).href);
    assert((await page.locator("#f-name").inputValue()) === "billing-api", "the link refills the name");
    assert((await command()) === expected, `command after the link: ${await command()}`);
    // The values file is a download of the same values.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#scaffold-values")]);
    const yaml = (await import("node:fs")).readFileSync(await download.path(), "utf8");
    assert(download.suggestedFilename() === "go-grpc-service-values.yaml", `file name: ${download.suggestedFilename()}`);
    assert(yaml.includes('name: "billing-api"') && yaml.includes("grpcPort: 9090"), `values file:\n${yaml}`);
  },

  // Issue 16: relations are tables with the columns people scan; no page type scrolls
  // sideways on a 420 px wide screen.
  async "relation-tables-and-mobile"(page) {
    await page.goto(base + "catalog/default/component/payment-gateway/");
    const row = page.locator("table.rel-table tr:has-text('Payments API')");
    const cells = (await row.locator("td").allTextContents()).map((t) => t.trim());
    assert(cells[1] === "API" && cells[2] === "openapi" && cells[3] === "Payments Team" && cells[4] === "production", `row: ${cells}`);
    // The home page's search hero leads to the results page.
    await page.goto(base);
    await page.fill("#hero-q", "payment");
    await page.press("#hero-q", "Enter");
    await page.waitForURL(/\/search\/\?q=payment$/);
    // The Docs home: owner, kind and last update per site, and a filter.
    await page.goto(base + "docs/");
    const heads = await page.locator("#docs-table thead th").allTextContents();
    assert(heads.join("|") === "Site|Entity|Kind|Owner|Pages|Last update", `docs columns: ${heads}`);
    const all = await page.locator("#docs-table tbody tr").count();
    await page.fill("input.table-filter", "warehouse");
    const shown = await page.locator("#docs-table tbody tr:visible").allTextContents();
    assert(shown.length >= 1 && shown.length < all && shown.every((t) => /warehouse/i.test(t)), `filtered: ${shown.length} of ${all}`);
    // A person's profile card: name, email as mailto, groups.
    await page.goto(base + "catalog/default/user/alice.nguyen/");
    assert((await page.locator(".profile-name").textContent()) === "Alice Nguyen", "profile name");
    assert((await page.locator(".profile a[href^='mailto:']").getAttribute("href")) === "mailto:alice.nguyen@northwind.example", "mailto");
    assert((await page.locator(".profile-groups a").allTextContents()).includes("Routing Team"), "groups");
    await page.setViewportSize({ width: 420, height: 900 });
    const pages = [
      "catalog/default/user/alice.nguyen/",
      "", "catalog/", "teams/", "apis/", "docs/", "templates/", "scorecards/",
      "catalog/default/component/payment-gateway/", "catalog/default/component/payment-gateway/scorecards/",
      "catalog/default/api/payments-api/definition/", "catalog/default/group/team-payments/",
      "catalog/default/template/go-grpc-service/", "docs/default/component/payment-gateway/",
    ];
    const wide = [];
    for (const p of pages) {
      await page.goto(base + p);
      const w = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      if (w[0] > w[1]) wide.push(`${p || "/"}: ${w[0]}px`);
    }
    await page.setViewportSize({ width: 1400, height: 900 });
    assert(wide.length === 0, `pages wider than 420 px: ${wide.join(", ")}`);
  },

  // Issue 16, item 2: diagrams that read right. Every text of a diagram fits its box and the
  // drawing, as the browser measures it (not as Portico estimates it); on a 420 px screen the
  // diagram scrolls in its card and the page does not. The catalog graph page: the depth changes
  // the entities drawn, unchecking a relation type removes its arrows.
  async "catalog-graph"(page) {
    const clipped = () =>
      page.evaluate(() => {
        const out = [];
        for (const inner of document.querySelectorAll(".dg .dg-node svg")) {
          const room = Number(inner.getAttribute("width"));
          for (const t of inner.querySelectorAll("text")) {
            const end = Number(t.getAttribute("x")) + t.getComputedTextLength();
            if (end > room) out.push(`${t.textContent}: ends at ${end.toFixed(1)} of ${room}`);
          }
        }
        for (const t of document.querySelectorAll(".dg .dg-edge-label, .dg .dg-group-label")) {
          const box = t.getBBox();
          const view = t.ownerSVGElement.viewBox.baseVal;
          if (box.x < 0 || box.y < 0 || box.x + box.width > view.width || box.y + box.height > view.height) {
            out.push(`${t.textContent}: outside the drawing`);
          }
        }
        return out;
      });
    await page.goto(base + "catalog/default/component/payment-gateway/");
    let problems = await clipped();
    assert(problems.length === 0, `clipped on the entity page: ${problems.join("; ")}`);
    await page.click("section.diagram >> text=View graph");
    await page.waitForURL(/\/payment-gateway\/graph\/$/);
    await page.waitForSelector("#graph-controls:not([hidden])");
    const nodes = () => page.locator("#graph-canvas .dg-node").count();
    const arrows = (rel) => page.locator(`#graph-canvas .dg-edge${rel ? `[data-rel=${rel}]` : ""}`).count();
    const built = await nodes();
    await page.selectOption("#graph-controls select[name=depth]", "1");
    const one = await nodes();
    await page.selectOption("#graph-controls select[name=depth]", "3");
    const three = await nodes();
    await page.selectOption("#graph-controls select[name=depth]", "2");
    const two = await nodes();
    assert(one < two && two < three && two === built, `entities at depth 1, 2, 3: ${one}, ${two}, ${three} (built: ${built})`);
    problems = await clipped();
    assert(problems.length === 0, `clipped on the graph page: ${problems.join("; ")}`);
    const owns = await arrows("ownerOf");
    assert(owns > 0, "ownership arrows at depth 2");
    await page.uncheck("#graph-controls input[value=ownerOf]");
    const left = await arrows();
    assert((await arrows("ownerOf")) === 0 && left > 0, `after unchecking owns: ${await arrows("ownerOf")} owns, ${left} arrows`);
    // The arrows drawn in the browser read in their direction too: each title starts with the
    // name of the box its path starts on.
    const wrong = await page.evaluate(() => {
      const boxes = [...document.querySelectorAll("#graph-canvas .dg-node rect")].map((r) => ({
        x: +r.getAttribute("x"), y: +r.getAttribute("y"), w: +r.getAttribute("width"), h: +r.getAttribute("height"),
        name: r.parentElement.querySelector("title").textContent.replace(/ \([^)]*\), [^,]*$/, ""),
      }));
      const out = [];
      for (const g of document.querySelectorAll("#graph-canvas .dg-edge")) {
        const [x, y] = g.querySelector("path").getAttribute("d").slice(1).split(/[ C]/)[0].split(",").map(Number);
        const from = boxes.find((b) => (Math.abs(x - b.x) < 0.2 || Math.abs(x - b.x - b.w) < 0.2) && y >= b.y && y <= b.y + b.h);
        const title = g.querySelector("title").textContent;
        if (!from || !title.startsWith(from.name + " ")) out.push(title);
      }
      return out;
    });
    assert(wrong.length === 0, `arrows not starting at their subject: ${wrong.join("; ")}`);
    await page.setViewportSize({ width: 420, height: 900 });
    for (const p of ["catalog/default/component/payment-gateway/", "catalog/default/component/payment-gateway/graph/"]) {
      await page.goto(base + p);
      const [doc, view] = await page.evaluate(() => [document.documentElement.scrollWidth, innerWidth]);
      assert(doc <= view, `${p}: the page is ${doc} px wide at ${view} px`);
      const scroll = await page.locator(".dg-scroll").first().evaluate((d) => [d.scrollWidth, d.clientWidth, getComputedStyle(d).overflowX]);
      assert(scroll[0] > scroll[1] && scroll[2] === "auto", `${p}: the diagram does not scroll in its card: ${scroll}`);
      const text = await page.locator(".dg-scroll .dg-label").first().evaluate((t) => t.getBoundingClientRect().height);
      assert(text >= 10, `${p}: names are ${text} px high`);
    }
  },

  async "catalog-filters"(page) {
    await page.goto(base + "catalog/?kind=all");
    await page.waitForSelector("#catalog-filters:not([hidden])");
    await page.waitForSelector("#catalog-table:not([aria-busy])");
    const all = await page.locator("#catalog-table tbody tr").count();
    await page.selectOption("select[name=kind]", "API");
    await page.waitForFunction(() => location.search.includes("kind=API"));
    // The rows come once the data they need is loaded.
    await page.waitForSelector("#catalog-table:not([aria-busy])");
    const apis = await page.locator("#catalog-table tbody tr").count();
    assert(apis > 0 && apis < all, `kind filter: ${apis} of ${all} rows`);
    const links = await page.locator("#catalog-table tbody tr td:first-child a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    assert(links.every((h) => h.includes("/api/")), `non-API rows: ${links}`);
    await page.fill("#catalog-filters input[name=q]", "payment");
    await page.waitForFunction(() => location.search.includes("q=payment"));
    await page.waitForSelector("#catalog-table:not([aria-busy])");
    const found = await page.locator("#catalog-table tbody tr").count();
    assert(found >= 1 && found < apis, `text filter left ${found} rows`);
    // Shared URL: a fresh page with the query shows the same rows and controls.
    const url = page.url();
    const other = await page.context().newPage();
    await other.goto(url);
    await other.waitForSelector("#catalog-filters:not([hidden])");
    await other.waitForFunction((n) => document.querySelectorAll("#catalog-table tbody tr").length === n, found);
    assert((await other.inputValue("select[name=kind]")) === "API", "kind not restored from the URL");
    assert((await other.inputValue("#catalog-filters input[name=q]")) === "payment", "search not restored from the URL");
    // Sorting by name descending, kept in the URL.
    await other.fill("#catalog-filters input[name=q]", "");
    await other.click("th[data-sort=name] button");
    await other.click("th[data-sort=name] button");
    await other.waitForFunction(() => location.search.includes("dir=desc"));
    await other.waitForSelector("#catalog-table:not([aria-busy])");
    const names = await other.locator("#catalog-table tbody tr td:first-child a").allTextContents();
    const sorted = [...names].sort((a, b) => b.localeCompare(a));
    assert(names.length === apis && JSON.stringify(names) === JSON.stringify(sorted), `not sorted descending: ${names}`);
    // Clear resets everything: the default view, Components.
    await page.click("button[type=reset]");
    await page.waitForFunction(() => location.search === "");
    await page.waitForSelector("#catalog-table:not([aria-busy])");
    assert((await page.inputValue("select[name=kind]")) === "Component", "Clear goes back to Components");
  },

  // Issue 16: the catalog as Backstage's. Kind tabs default to Component (`?kind=api` picks
  // APIs, any case; "All" every kind), each kind with its own columns; sortable headers show
  // their direction; the filter bar is one row at 1400 px and wraps at 420 px without the page
  // scrolling sideways.
  async "catalog-kinds"(page) {
    const heads = () => page.locator("#catalog-table thead th").allTextContents();
    const current = () => page.locator("#catalog-kinds a[aria-current=page]").getAttribute("data-kind");
    const ready = async () => {
      await page.waitForSelector("#catalog-filters:not([hidden])");
      await page.waitForSelector("#catalog-table:not([aria-busy])");
    };
    await page.goto(base + "catalog/");
    await ready();
    await page.waitForFunction(() => document.querySelector("#catalog-table thead th:nth-child(2)")?.textContent === "System");
    assert((await current()) === "Component", `default tab: ${await current()}`);
    assert((await heads()).join("|") === "Name|System|Owner|Type|Lifecycle|Tags|Description", `Component columns: ${await heads()}`);
    const components = await page.locator("#catalog-table tbody tr").count();
    const facet = await page.locator("#catalog-kinds a[data-kind=Component] .count").textContent();
    assert(String(components) === facet.trim(), `${components} rows, ${facet} components`);
    assert((await page.locator("#catalog-table tbody tr:has-text('Payment Gateway')").count()) === 1, "Payment Gateway listed");
    // ?kind=api, as Backstage's links say it.
    await page.goto(base + "catalog/?kind=api");
    await ready();
    await page.waitForFunction(() => document.querySelector("#catalog-kinds a[aria-current=page]")?.dataset.kind === "API");
    const apiNames = await page.locator("#catalog-table tbody td:first-child a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    assert(apiNames.length > 0 && apiNames.every((h) => h.includes("/api/")), `API rows: ${apiNames}`);
    // Users: name, email, groups; no empty type or lifecycle columns, no filters for them.
    await page.click("#catalog-kinds a[data-kind=User]");
    await page.waitForFunction(() => location.search === "?kind=User");
    await ready();
    assert((await heads()).join("|") === "Name|Email|Groups", `User columns: ${await heads()}`);
    assert(!(await page.isVisible("select[name=lifecycle]")) && !(await page.isVisible("select[name=type]")), "type and lifecycle filters hidden for users");
    const alice = (await page.locator("#catalog-table tbody tr:has-text('Alice Nguyen') td").allTextContents()).map((t) => t.trim());
    assert(alice[1] === "alice.nguyen@northwind.example" && alice[2] === "Routing Team", `Alice's row: ${alice}`);
    // Groups: type, parent, members.
    await page.click("#catalog-kinds a[data-kind=Group]");
    await page.waitForFunction(() => location.search === "?kind=Group");
    await ready();
    assert((await heads()).join("|") === "Name|Type|Parent|Members|Description", `Group columns: ${await heads()}`);
    const routing = (await page.locator("#catalog-table tbody tr:has-text('Routing Team') td").allTextContents()).map((t) => t.trim());
    assert(routing[1] === "team" && routing[2] === "Engineering" && routing[3] === "3", `Routing Team's row: ${routing}`);
    // All kinds: the Kind column is back; the URL says so.
    await page.click("#catalog-kinds a[data-kind='']");
    await page.waitForFunction(() => location.search === "?kind=all");
    await ready();
    assert((await heads()).includes("Kind"), `All columns: ${await heads()}`);
    // Sort affordances: every sortable header shows an arrow, the sorted one its direction.
    await page.goto(base + "catalog/");
    await ready();
    const arrow = (sel) => page.evaluate((s) => getComputedStyle(document.querySelector(s), "::after").content, sel);
    assert((await arrow("th[data-sort=owner] .sort")).includes("↕"), `unsorted arrow: ${await arrow("th[data-sort=owner] .sort")}`);
    assert((await page.locator("th[aria-sort]").count()) === 0, "no header is sorted yet");
    await page.click("th[data-sort=owner] button");
    await page.waitForFunction(() => document.querySelector("th[data-sort=owner]").getAttribute("aria-sort") === "ascending");
    assert((await arrow("th[data-sort=owner] .sort")).includes("▲"), "ascending arrow");
    await page.click("th[data-sort=owner] button");
    await page.waitForFunction(() => document.querySelector("th[data-sort=owner]").getAttribute("aria-sort") === "descending");
    assert((await arrow("th[data-sort=owner] .sort")).includes("▼"), "descending arrow");
    assert((await page.locator("th[aria-sort]").count()) === 1, "one sorted header");
    // The filter bar is one row at 1400 px: every control's box overlaps every other vertically.
    await page.setViewportSize({ width: 1400, height: 900 });
    const boxes = async () => page.locator("#catalog-filters > label:visible, #catalog-filters > button").evaluateAll((els) =>
      els.map((e) => { const r = e.getBoundingClientRect(); return [r.top, r.bottom, r.left, r.right]; }));
    const wide = await boxes();
    const lowestTop = Math.max(...wide.map((b) => b[0])), highestBottom = Math.min(...wide.map((b) => b[1]));
    assert(wide.length >= 7 && lowestTop < highestBottom, `filter bar not one row at 1400 px: ${JSON.stringify(wide)}`);
    // At 420 px it wraps, inside the page.
    await page.setViewportSize({ width: 420, height: 900 });
    for (const p of ["catalog/", "catalog/?kind=User", "catalog/?kind=all"]) {
      await page.goto(base + p);
      await ready();
      const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      assert(scroll <= inner, `${p} is ${scroll} px wide at 420 px`);
    }
    const narrow = await boxes();
    const rowsOf = new Set(narrow.map((b) => Math.round(b[0])));
    assert(rowsOf.size >= 2 && narrow.every((b) => b[3] <= 420), `filter bar at 420 px: ${JSON.stringify(narrow)}`);
  },

  // Issue 16: "my team", chosen once and kept: the catalog shows what it owns, directly or with
  // its sub-groups; Home shows its shortcuts, or asks for a team.
  async "my-team"(page) {
    const ready = async () => {
      await page.waitForSelector("#catalog-filters:not([hidden])");
      await page.waitForSelector("#my-team:not([hidden])");
      await page.waitForSelector("#catalog-table:not([aria-busy])");
    };
    const owners = () => page.locator("#catalog-table tbody td:nth-child(3)").allTextContents();
    // Home without a team: a prompt.
    await page.goto(base);
    await page.waitForSelector("#team-home:not([hidden])");
    assert((await page.textContent("#team-home-body")).includes("No team chosen"), "Home asks for a team");
    await page.goto(base + "catalog/");
    await ready();
    assert(await page.isDisabled("#mine"), "the filter waits for a team");
    await page.selectOption("#my-team-select", "group:default/team-routing");
    await page.check("#mine");
    await page.waitForFunction(() => location.search.includes("owner=group%3Adefault%2Fteam-routing"));
    await ready();
    const direct = await owners();
    assert(direct.length === 4 && direct.every((o) => o === "Routing Team"), `Routing's components: ${direct}`);
    // Another team, with its sub-groups: Engineering owns no component itself.
    await page.selectOption("#my-team-select", "group:default/engineering");
    await page.waitForFunction(() => location.search.includes("owner=group%3Adefault%2Fengineering"));
    await ready();
    assert((await page.locator("#catalog-table tbody tr").count()) === 0, "Engineering owns no component directly");
    await page.check("#mine-sub");
    await page.waitForFunction(() => location.search.includes("team=group%3Adefault%2Fengineering") && !location.search.includes("owner="));
    await ready();
    const aggregated = await owners();
    assert(aggregated.length === 10 && aggregated.every((o) => ["Routing Team", "Payments Team", "Platform Team"].includes(o)), `Engineering's components: ${aggregated}`);
    assert((await page.textContent("#catalog-count")).includes("owned by Engineering"), await page.textContent("#catalog-count"));
    // The choice survives a reload (localStorage), the filter too (the URL).
    await page.reload();
    await ready();
    assert((await page.inputValue("#my-team-select")) === "group:default/engineering", "team not remembered");
    assert((await page.isChecked("#mine")) && (await page.isChecked("#mine-sub")), "filter not restored");
    assert((await page.locator("#catalog-table tbody tr").count()) === 10, "rows after reload");
    // A fresh catalog view shows every owner until the filter is asked for.
    await page.goto(base + "catalog/");
    await ready();
    assert((await page.inputValue("#my-team-select")) === "group:default/engineering" && !(await page.isChecked("#mine")), "plain catalog after reload");
    // Home: the team's shortcuts.
    await page.goto(base);
    await page.waitForSelector("#team-home .team-name");
    assert((await page.textContent("#team-home .team-name")).includes("Engineering"), "Home names the team");
    assert(/^Your team/.test(await page.textContent("label[for=team-home-select]")), "the picker no longer asks to pick");
    const cards = await page.locator("#team-home .team-shortcuts li").allTextContents();
    assert(cards[0].startsWith("0 Components") && cards[0].includes("10 with its sub-groups"), `shortcuts: ${cards}`);
    await page.selectOption("#team-home-select", "group:default/team-routing");
    await page.waitForFunction(() => document.querySelector("#team-home .team-name")?.textContent.includes("Routing Team"));
    const first = page.locator("#team-home .team-shortcuts a").first();
    assert((await first.locator(".count").textContent()) === "4", "Routing owns 4 components");
    await first.click();
    await page.waitForURL(/catalog\/\?owner=group%3Adefault%2Fteam-routing$/);
    await ready();
    assert((await owners()).length === 4, "the shortcut lands on the team's components");
    assert(await page.isChecked("#mine"), "and on my team's filter");
  },

  // Issue 16: a Group's page as Backstage's: profile card (parent, children), members and owned
  // entities as tables, each entity once, with a direct / aggregated switch that works without
  // JavaScript.
  async "group-page"(page) {
    for (const js of [true, false]) {
      const context = js ? page.context() : await page.context().browser().newContext({ javaScriptEnabled: false });
      const p = js ? page : await context.newPage();
      await p.goto(base + "catalog/default/group/engineering/");
      assert((await p.textContent(".profile-name")) === "Engineering", "profile name");
      assert((await p.getAttribute(".profile a[href^='mailto:']", "href")) === "mailto:engineering@northwind.example", "mailto");
      assert((await p.locator(".profile-groups a").allTextContents()).join() === "Northwind Logistics", "parent group");
      assert((await p.locator(".profile-children a").allTextContents()).includes("Routing Team"), "children");
      // Members: none directly, eight with the teams below.
      assert(await p.isVisible("section[aria-labelledby=members] .scope-direct"), "direct members shown first");
      await p.click("label[for=members-aggregated]");
      const members = p.locator("section[aria-labelledby=members] .scope-aggregated table.member-table tbody tr");
      assert(await members.first().isVisible(), "members table shown");
      assert((await members.count()) === 8, `members: ${await members.count()}`);
      const alice = (await p.locator("section[aria-labelledby=members] .scope-aggregated tr:has-text('Alice Nguyen') td").allTextContents()).map((t) => t.trim());
      assert(alice[1] === "alice.nguyen@northwind.example", `member row: ${alice}`);
      // Ownership: direct first, the switch shows everything owned below.
      const directRows = p.locator("#owned-direct-list tbody tr");
      const aggRows = p.locator("#owned-aggregated-list tbody tr");
      assert((await directRows.count()) === 1 && (await directRows.first().isVisible()), "direct table");
      assert(!(await aggRows.first().isVisible()), "aggregated hidden at first");
      await p.click("label[for=owned-aggregated]");
      assert(await aggRows.first().isVisible(), "aggregated shown by the switch");
      assert(!(await directRows.first().isVisible()), "direct hidden by the switch");
      const names = await aggRows.locator("td:first-child a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
      assert(names.length === 25 && new Set(names).size === 25, `aggregated rows: ${names.length}, ${new Set(names).size} different`);
      const heads = await p.locator("#owned-aggregated-list thead th").allTextContents();
      assert(heads.join("|") === "Name|Kind|Type|Lifecycle|System|Owner|Description", `owned columns: ${heads}`);
      const gateway = (await aggRows.filter({ hasText: "Payment Gateway" }).locator("td").allTextContents()).map((t) => t.trim());
      assert(gateway[1] === "Component" && gateway[2] === "service" && gateway[3] === "production" && gateway[4] === "Checkout" && gateway[5] === "Payments Team", `gateway row: ${gateway}`);
      // The relations tables do not list them again.
      const relations = await p.locator("section[aria-labelledby=relations] h3").allTextContents();
      assert(!relations.some((t) => /Owner of|Has member|Parent of|Child of/.test(t)), `repeated relations: ${relations}`);
      if (!js) await context.close();
    }
    await page.setViewportSize({ width: 420, height: 900 });
    await page.goto(base + "catalog/default/group/engineering/");
    await page.click("label[for=owned-aggregated]");
    const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert(scroll <= inner, `group page is ${scroll} px wide at 420 px`);
  },

  // A catalog of more than one page (tests/testsuite/browser.rs writes it: 300 APIs api-000..,
  // 1,200 components svc-0000.. owned by team-0..team-9 in turn, 10 groups): the table pages,
  // filters and sorts the whole catalog while fetching only the data shards it needs.
  async "catalog-shards"(page) {
    const shards = [];
    page.on("request", (r) => { if (/catalog\/entities-\d+\.[0-9a-f]+\.json$/.test(r.url())) shards.push(r.url()); });
    const rows = () => page.locator("#catalog-table tbody tr");
    const names = () => page.locator("#catalog-table tbody tr td:first-child a").allTextContents();
    const manifestUrl = await (async () => {
      await page.goto(base + "catalog/");
      await page.waitForSelector("#catalog-filters:not([hidden])");
      return page.getAttribute("#catalog-filters", "data-src");
    })();
    const manifest = await (await page.request.get(new URL(manifestUrl, page.url()).href)).json();
    const kindOf = (url) => manifest.shards.find((s) => url.endsWith(s.url)).kinds[0];
    // The first screen shows Components, the default kind: it fetches the first Component shard
    // only, which holds just that page.
    await page.waitForFunction(() => document.querySelector("#catalog-table tbody tr td:first-child a")?.textContent === "svc-0000");
    assert((await rows().count()) === 100, `first page has ${await rows().count()} rows`);
    assert(shards.length === 1 && kindOf(shards[0]) === "Component", `shards fetched for the first page: ${shards}`);
    assert(manifest.shards.find((s) => shards[0].endsWith(s.url)).rows === 100, "the first Component shard is one page");
    assert((await page.textContent("#catalog-count")).includes("1,200 of 1,510"), await page.textContent("#catalog-count"));
    // All kinds, page 2, needs only the shard that holds it.
    await page.click("#catalog-kinds a[data-kind='']");
    await page.waitForFunction(() => location.search === "?kind=all");
    await page.waitForFunction(() => document.querySelector("#catalog-table tbody tr td:first-child a")?.textContent === "api-000");
    assert((await page.textContent("#catalog-count")).includes("1,510 entities"), "count line");
    const before = shards.length;
    await page.click("#catalog-pages a[rel=next]");
    await page.waitForFunction(() => location.search.includes("page=2"));
    await page.waitForFunction(() => document.querySelector("#catalog-table tbody tr td:first-child a")?.textContent === "api-100");
    assert(shards.length === before + 1 && kindOf(shards[before]) === "API", `page 2 fetched ${shards.slice(before)}`);
    // Back: page 1 again.
    await page.goBack();
    await page.waitForFunction(() => document.querySelector("#catalog-table tbody tr td:first-child a")?.textContent === "api-000");
    // The Component tab filters by kind again, with the shard already in.
    await page.click("#catalog-kinds a[data-kind=Component]");
    await page.waitForFunction(() => location.search === "");
    await page.waitForFunction(() => document.querySelector("#catalog-table tbody tr td:first-child a")?.textContent === "svc-0000");
    assert((await page.inputValue("select[name=kind]")) === "Component", "kind select not set by the chip");
    assert(shards.length === before + 1, `the Component tab fetched ${shards.slice(before + 1)}`);
    assert((await page.textContent("#catalog-count")).includes("1,200 of 1,510"), await page.textContent("#catalog-count"));
    shards.splice(0, shards.length, ...shards.filter((u) => kindOf(u) === "Component"));
    // Free text searches every Component shard, and only those.
    await page.fill("#catalog-filters input[name=q]", "svc-11");
    await page.waitForFunction(() => /^100 of 1,510 entities$/.test(document.querySelector("#catalog-count").textContent));
    const found = await names();
    assert(found.length === 100 && found.every((n) => n.startsWith("svc-11")), `text filter: ${found.slice(0, 3)}`);
    assert(shards.every((u) => kindOf(u) === "Component"), "a shard of another kind was fetched");
    assert(new Set(shards).size === manifest.shards.filter((s) => s.kinds[0] === "Component").length, `fetched ${shards.length} shards`);
    // Sorting by name, descending, over every component.
    await page.fill("#catalog-filters input[name=q]", "");
    await page.click("th[data-sort=name] button");
    await page.click("th[data-sort=name] button");
    await page.waitForFunction(() => location.search.includes("dir=desc"));
    await page.waitForFunction(() => document.querySelector("#catalog-table tbody tr td:first-child a")?.textContent === "svc-1199");
    const sorted = await names();
    assert(JSON.stringify(sorted) === JSON.stringify([...sorted].sort((a, b) => b.localeCompare(a))), "not sorted descending");
    // A shared URL with an owner filter on its second page.
    const other = await page.context().newPage();
    await other.goto(base + "catalog/?kind=Component&owner=group%3Adefault%2Fteam-3&page=2");
    await other.waitForSelector("#catalog-filters:not([hidden])");
    await other.waitForFunction(() => /^101–120 · 120 of 1,510 entities$/.test(document.querySelector("#catalog-count").textContent));
    // Component columns: name, system, owner, ...
    const owners = await other.locator("#catalog-table tbody tr td:nth-child(3)").allTextContents();
    assert(owners.length === 20 && owners.every((o) => o === "team-3"), `owner filter page 2: ${owners.length} rows`);
    assert((await other.inputValue("select[name=owner]")) === "group:default/team-3", "owner not restored from the URL");
    assert((await other.getAttribute("#catalog-pages [aria-current=page]", "data-page")) === "2", "page 2 not current");
    // Without JavaScript the static pages link to each other.
    const noJs = await page.context().browser().newContext({ javaScriptEnabled: false });
    const p2 = await noJs.newPage();
    await p2.goto(base + "catalog/page/2/");
    assert((await p2.locator("#catalog-table tbody tr").count()) === 100, "static page 2 rows");
    assert((await p2.textContent("#catalog-table tbody tr td:first-child a")) === "api-100", "static page 2 starts at api-100");
    await p2.click("#catalog-pages a[rel=next]");
    await p2.waitForURL(/catalog\/page\/3\/$/);
    await p2.click("#catalog-kinds a[data-kind=Group]");
    await p2.waitForURL(/catalog\/page\/16\/$/);
    await noJs.close();
  },

  // The toggle switches the theme and the choice survives a reload.
  async "theme-toggle"(page) {
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto(base);
    const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await bg();
    await page.click("#theme-toggle");
    assert((await page.getAttribute("html", "data-theme")) === "dark", "data-theme not dark");
    const dark = await bg();
    assert(dark !== light, `background did not change (${light})`);
    await page.reload();
    assert((await page.getAttribute("html", "data-theme")) === "dark", "theme not remembered");
    assert((await bg()) === dark, "dark background not applied after reload");
    await page.click("#theme-toggle");
    assert((await page.getAttribute("html", "data-theme")) === "light", "toggle back to light");
  },

  // From a component to its owner, to an entity the group owns.
  async "owner-navigation"(page) {
    await page.goto(base + "catalog/default/component/route-planner/");
    await page.click(".about dd a[href*='/group/']");
    await page.waitForURL(/\/group\//);
    assert((await page.textContent("h1")).includes("Routing"), "owner page is not the routing team");
    const owned = page.locator("#ownership ~ ul a, section[aria-labelledby=ownership] a[href*='/component/']").first();
    const href = await owned.getAttribute("href");
    await owned.click();
    await page.waitForURL((u) => u.pathname === href);
    assert((await page.locator(".about").count()) === 1, "owned entity page has no about card");
  },

  // A miss is a 404 with the portal's page.
  async "not-found"(page) {
    const response = await page.goto(base + "no/such/page/");
    assert(response.status() === 404, `status ${response.status()}`);
    assert((await page.textContent("h1")).includes("Page not found"), "404 page not shown");
    await page.click("main a[href$='catalog/']");
    await page.waitForURL(/catalog\/$/);
  },

  // The header search box: "/" focuses it, results come as you type (first the exact entity, with
  // the match highlighted), a typo still finds it, the kind facet filters, arrows and Enter open a
  // result, and the search page answers ?q= from its URL. No request fails (base path included).
  async "search-box"(page) {
    const failed = [];
    page.on("response", (r) => { if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`); });
    await page.goto(base + "teams/");
    await page.keyboard.press("/");
    assert(await page.evaluate(() => document.activeElement.id === "search-input"), "/ does not focus the search box");
    await page.keyboard.type("payment gateway");
    await page.waitForSelector("#search-results:not([hidden]) li[role=option]");
    // Results come as you type: those of "payment" may show before those of the whole query.
    const firstTitle = () => document.querySelector("#search-results li[role=option] .t")?.textContent.trim();
    await page
      .waitForFunction(() => document.querySelector("#search-results li[role=option] .t")?.textContent.trim() === "Payment Gateway", null, { timeout: 15000 })
      .catch(async () => assert(false, `first result ${await page.evaluate(firstTitle)}`));
    const first = page.locator("#search-results li[role=option]").first();
    assert((await first.locator(".k").textContent()).trim() === "Component", "result not labelled by kind");
    assert((await first.locator("mark").count()) >= 1, "no highlighted match");
    const href = await first.locator("a").getAttribute("href");
    assert(new URL(href, page.url()).pathname.startsWith(new URL(base).pathname + "catalog/"), `result link ${href}`);
    // Arrow down and Enter open the second result.
    const second = await page.locator("#search-results li[role=option] a").nth(1).getAttribute("href");
    await page.keyboard.press("ArrowDown");
    await page.waitForSelector("#search-results li[role=option][aria-selected=true] >> nth=0");
    assert((await page.locator("#search-results li[role=option]").nth(1).getAttribute("aria-selected")) === "true", "ArrowDown did not select the second result");
    await Promise.all([page.waitForURL((u) => u.href === new URL(second, page.url()).href), page.keyboard.press("Enter")]);
    await page.goBack();
    await page.focus("#search-input");
    // A typo in the name.
    await page.fill("#search-input", "paymnet gatewy");
    await page.waitForFunction(() => {
      const t = document.querySelector("#search-results li[role=option] .t");
      return t && t.textContent.trim() === "Payment Gateway" && document.querySelector("#search-input").value === "paymnet gatewy";
    });
    // The kind facet keeps only APIs.
    await page.fill("#search-input", "payment");
    await page.waitForSelector("#search-results select[aria-label='Filter by kind']");
    await page.selectOption("#search-results select[aria-label='Filter by kind']", "api");
    await page.waitForFunction(() => {
      const kinds = [...document.querySelectorAll("#search-results li[role=option] .k")].map((k) => k.textContent.trim());
      return kinds.length > 0 && kinds.every((k) => k === "API");
    });
    // Nonsense finds nothing.
    await page.fill("#search-input", "zzqxjv");
    await page.waitForSelector("#search-results .none");
    // The dropdown links every result, on the search page.
    await page.fill("#search-input", "tracking");
    await page.waitForSelector("#search-results li.all a[href$='?q=tracking']");
    await Promise.all([page.waitForURL(/\/search\/\?q=tracking$/), page.click("#search-results li.all a")]);
    await page.waitForSelector("#search-page-results li");
    assert(failed.length === 0, failed.join(", "));
  },

  // Issue 16: the search results page lists every result: kind tabs, pages of 20, highlighted
  // context and owners, partial matches; at 1400 and 420 px.
  async "search-page"(page) {
    for (const width of [1400, 420]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(base + "search/?q=payment");
      await page.waitForSelector("#search-page-results li");
      const summary = await page.locator("#search-summary").textContent();
      assert(/^Results 1–20 for “payment”/.test(summary), `summary: ${summary}`);
      assert((await page.locator("#search-page-results > li").count()) === 20, "a page holds 20 results");
      assert((await page.locator("#search-page-results mark").count()) > 0, "highlighted matches");
      assert((await page.locator("#search-page-results .result-context").count()) > 0, "context and owners");
      assert((await page.locator("#search-kinds a[aria-current=page]").textContent()) === "All", "the All tab is current");
      const w = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      assert(w[0] <= w[1], `search page ${w[0]}px wide at ${width}px`);
    }
    await page.setViewportSize({ width: 1400, height: 900 });
    // The next page continues where the first ended.
    const firstPage = await page.locator("#search-page-results .result-title").allTextContents();
    await Promise.all([page.waitForURL(/page=2$/), page.click("#search-pager >> text=Next →")]);
    await page.waitForFunction(() => /^Results 21–/.test(document.querySelector("#search-summary").textContent));
    assert((await page.locator("#search-page-results").getAttribute("start")) === "21", "numbered from 21");
    const secondPage = await page.locator("#search-page-results .result-title").allTextContents();
    assert(secondPage.length > 0 && secondPage.every((t) => !firstPage.includes(t) || firstPage.filter((x) => x === t).length < 2), "page 2 differs");
    assert((await page.locator("#search-pager a", { hasText: "Previous" }).count()) === 1, "a link back");
    // A kind tab keeps the query and shows that kind only.
    await Promise.all([page.waitForURL(/kind=api/), page.click("#search-kinds >> text=APIs")]);
    await page.waitForSelector("#search-page-results li");
    const kinds = await page.locator("#search-page-results .kind-badge").allTextContents();
    assert(kinds.length > 0 && kinds.every((k) => k === "API"), `kinds on the APIs tab: ${kinds}`);
    assert((await page.inputValue("#search-page-q")) === "payment", "the query stays in the box");
    // No document has both words: the best partial matches, said so.
    await page.goto(base + "search/?q=payment+xyzzyqwv");
    await page.waitForSelector("#search-page-results li");
    assert(/some of them/.test(await page.locator("#search-summary").textContent()), "partial matches are announced");
    // Nothing at all.
    await page.goto(base + "search/?q=zzqxjv");
    await page.waitForFunction(() => /^No results/.test(document.querySelector("#search-summary").textContent));
  },

  // Every stylesheet, script and image of a few pages loads (checks the base path too).
  async "assets-load"(page) {
    const failed = [];
    page.on("response", (r) => { if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`); });
    page.on("requestfailed", (r) => failed.push(`failed ${r.url()}`));
    const pending = new Set();
    page.on("request", (r) => pending.add(r));
    page.on("requestfinished", (r) => pending.delete(r));
    page.on("requestfailed", (r) => pending.delete(r));
    // Quiet: the page loaded and none of its requests has been pending for half a second.
    // (Chromium's own "networkidle" sometimes never came on a loaded machine, with no request
    // of the page pending: seen for the mermaid page in the full test run.)
    const quiet = async (path) => {
      const deadline = Date.now() + 60000;
      let since = Date.now();
      while (Date.now() - since < 500) {
        if (pending.size > 0) since = Date.now();
        if (Date.now() > deadline) {
          throw new Error(`${path}: still loading after 60 s: ${[...pending].map((r) => r.url()).join(", ")}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    for (const path of ["", "catalog/", "teams/", "docs/default/component/route-planner/architecture/", "catalog/default/api/tracking-api/"]) {
      await page.goto(base + path, { waitUntil: "load" });
      await quiet(path);
    }
    assert(failed.length === 0, failed.join(", "));
    const css = await page.evaluate(() => [...document.styleSheets].length);
    assert(css >= 1, "no stylesheet applied");
  },

  // Docs: mermaid draws an SVG; content tabs switch without JavaScript.
  async "docs-features"(page) {
    await page.goto(base + "docs/default/component/route-planner/architecture/");
    await page.waitForSelector("pre.mermaid svg", { timeout: 15000 });
    // Tabs are CSS only: they must switch with JavaScript off.
    const noJs = await page.context().browser().newContext({ javaScriptEnabled: false });
    const p2 = await noJs.newPage();
    await p2.goto(base + "docs/default/component/route-planner/api-usage/");
    const tabs = p2.locator(".tabbed-set").first();
    assert((await tabs.count()) === 1, "no content tabs on the page");
    await tabs.locator("label").nth(1).click();
    const visible = await tabs.locator(".tabbed-content").evaluateAll((els) => els.map((e) => getComputedStyle(e).display));
    assert(visible[1] === "block" && visible[0] === "none", `tabs did not switch: ${visible}`);
    // Pages without diagrams do not load the diagram script.
    assert((await p2.locator("script[src*='mermaid']").count()) === 0, "mermaid loaded on a page without diagrams");
    await noJs.close();
  },
};

// Issue 16: every page type at 1400 and 420 px: nothing scrolls sideways, and each page type
// shows what it is for. With PORTICO_SCREENSHOTS=DIR, a full-page screenshot of each is saved
// as DIR/<page type>-<width>.png (tests/testsuite/browser.rs keeps them in target/screenshots/).
const PAGE_TYPES = [
  ["home", "", ".hero, main h1"],
  ["catalog", "catalog/", "table"],
  ["component", "catalog/default/component/payment-gateway/", "nav.tabs"],
  ["component-scorecards", "catalog/default/component/payment-gateway/scorecards/", ".scorecard-head"],
  ["api-definition", "catalog/default/api/payments-api/definition/", ".api-index-table"],
  ["group", "catalog/default/group/team-payments/", "nav.tabs"],
  ["user", "catalog/default/user/alice.nguyen/", ".profile"],
  ["system", "catalog/default/system/delivery-routing/", "main h1"],
  ["domain", "catalog/default/domain/logistics/", "main h1"],
  ["template", "catalog/default/template/go-grpc-service/", "#scaffold-form"],
  ["catalog-graph", "catalog/default/component/payment-gateway/graph/", "#graph-controls"],
  ["apis", "apis/", "table"],
  ["teams", "teams/", "ul.tree"],
  ["docs-home", "docs/", "#docs-table"],
  ["docs-page", "docs/default/component/payment-gateway/", "article, main"],
  ["search-results", "search/?q=payment", "#search-page-results li"],
  ["scorecards", "scorecards/", "main h1"],
  ["templates", "templates/", "main h1"],
  ["not-found", "no/such/page/", "main h1"],
];

tests["page-types"] = async function (page) {
  const dir = process.env.PORTICO_SCREENSHOTS;
  if (dir) (await import("node:fs")).mkdirSync(dir, { recursive: true });
  const problems = [];
  for (const width of [1400, 420]) {
    await page.setViewportSize({ width, height: 900 });
    for (const [name, path, shows] of PAGE_TYPES) {
      await page.goto(base + path);
      if (!(await page.locator(shows).first().isVisible({ timeout: 5000 }).catch(() => false))) {
        await page.waitForSelector(shows, { timeout: 5000 }).catch(() => problems.push(`${name} at ${width}px: no ${shows}`));
      }
      const w = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      if (w[0] > w[1]) problems.push(`${name} is ${w[0]}px wide at ${width}px`);
      if (dir) await page.screenshot({ path: `${dir}/${name}-${width}.png`, fullPage: true });
    }
  }
  assert(problems.length === 0, problems.join("; "));
};

const browser = await chromium.launch({
  executablePath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
let failures = 0;
for (const name of scenarios) {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    if (!tests[name]) throw new Error("no such scenario");
    await tests[name](page);
    console.log(`ok ${name}`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}: ${process.env.PORTICO_DEBUG ? e.stack : e.message.split("\n")[0]}`);
  } finally {
    await context.close();
  }
}
await browser.close();
process.exit(failures ? 1 : 0);
