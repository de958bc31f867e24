// The catalog graph page: the depth and relation filters. The page carries the graph drawn at
// build time and the neighbourhood as JSON (#graph-data); when a filter changes, this script
// picks the entities within the depth over the checked relation types and draws them again
// with the layout of src/render/diagram (graph.rs, layered.rs, draw.rs), in layers along the
// arrows. Without JavaScript the build-time drawing stays and the controls stay hidden.
(function () {
  "use strict";
  const form = document.getElementById("graph-controls");
  const canvas = document.getElementById("graph-canvas");
  const source = document.getElementById("graph-data");
  if (!form || !canvas || !source) return;
  let data;
  try {
    data = JSON.parse(source.textContent);
  } catch (e) {
    return;
  }
  const status = document.getElementById("graph-status");

  // The sizes of src/render/diagram/mod.rs.
  const LABEL_PX = 13 * 1.1, SMALL_PX = 11, PAD_X = 10, MIN_W = 120, MAX_W = 260;
  const NODE_H = 40, NODE_H_SUBTITLE = 54, GAP_Y = 10, GAP_X = 150, MARGIN = 12, GROUP_PAD = 8;
  const EDGE_LABEL_H = 14, WAYPOINT_H = 8, SWEEPS = 3;

  // The width estimate of char_em in mod.rs.
  function charEm(c) {
    if ("ijlI!|.,:;'\x60".includes(c)) return 0.32;
    if (" ftr()[]/-".includes(c)) return 0.44;
    if (c === "m" || c === "w") return 0.98;
    if (c === "M" || c === "W") return 1.0;
    if (c >= "A" && c <= "Z") return 0.76;
    if ((c >= "a" && c <= "z") || (c >= "0" && c <= "9") || "_+=?#$&*".includes(c)) return 0.64;
    const code = c.codePointAt(0);
    if (code < 128) return 0.7;
    return code >= 0x2e80 ? 1.0 : 0.78;
  }
  function textW(text, px) {
    let w = 0;
    for (const c of text) w += charEm(c);
    return w * px;
  }
  function fit(text, px, max) {
    if (textW(text, px) <= max) return text;
    const room = max - charEm("…") * px;
    let cut = "", w = 0;
    for (const c of text) {
      w += charEm(c) * px;
      if (w > room && cut) break;
      cut += c;
    }
    return cut + "…";
  }
  function nodeSize(n) {
    const w = Math.max(textW(n.label, LABEL_PX), n.sub ? textW(n.sub, SMALL_PX) : 0, textW(n.kind, SMALL_PX));
    return [Math.min(Math.max(w + 2 * PAD_X, MIN_W), MAX_W), n.sub ? NODE_H_SUBTITLE : NODE_H];
  }
  function esc(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }
  function num(v) {
    const r = Math.round(v * 10) / 10;
    return String(Object.is(r, -0) ? 0 : r);
  }
  function sanitize(text) {
    return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  }
  const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

  // The entities within `depth` hops of the center over the relation types in `rels`.
  function select(depth, rels) {
    const adjacent = data.nodes.map(() => []);
    for (const [a, b, type] of data.edges) {
      if (rels.has(type)) {
        adjacent[a].push(b);
        adjacent[b].push(a);
      }
    }
    const dist = new Map([[data.center, 0]]);
    let frontier = [data.center];
    for (let d = 1; d <= depth; d++) {
      const next = [];
      for (const v of frontier) {
        for (const w of adjacent[v]) {
          if (!dist.has(w)) {
            dist.set(w, d);
            next.push(w);
          }
        }
      }
      frontier = next;
    }
    const edges = data.edges.filter(([a, b, type]) => rels.has(type) && dist.has(a) && dist.has(b));
    return { nodes: [...dist.keys()], edges };
  }

  // Longest-path layers after turning around the edges that close a cycle (graph.rs `ranks`).
  function ranks(n, links) {
    const out = Array.from({ length: n }, () => []);
    for (const l of links) out[l.a].push(l.b);
    const state = new Array(n).fill(0);
    const dag = [];
    for (let root = 0; root < n; root++) {
      if (state[root]) continue;
      const stack = [[root, 0]];
      state[root] = 1;
      while (stack.length) {
        const top = stack[stack.length - 1];
        const v = top[0];
        if (top[1] < out[v].length) {
          const w = out[v][top[1]++];
          if (state[w] === 0) {
            dag.push([v, w]);
            state[w] = 1;
            stack.push([w, 0]);
          } else if (state[w] === 1) dag.push([w, v]);
          else dag.push([v, w]);
        } else {
          state[v] = 2;
          stack.pop();
        }
      }
    }
    const indegree = new Array(n).fill(0);
    const succ = Array.from({ length: n }, () => []);
    for (const [a, b] of dag) {
      succ[a].push(b);
      indegree[b]++;
    }
    const rank = new Array(n).fill(0);
    const ready = [];
    for (let v = 0; v < n; v++) if (!indegree[v]) ready.push(v);
    while (ready.length) {
      const v = ready.pop();
      for (const w of succ[v]) {
        rank[w] = Math.max(rank[w], rank[v] + 1);
        if (--indegree[w] === 0) ready.push(w);
      }
    }
    return rank;
  }

  // Median sweeps down and up (order.rs, without counting crossings).
  function orderLayers(layers, columnOf, pairs, real) {
    const adjacent = columnOf.map(() => []);
    for (const [a, b] of pairs) {
      adjacent[a].push(b);
      adjacent[b].push(a);
    }
    const ranksOf = () => {
      const rank = new Array(columnOf.length).fill(0);
      for (const ids of layers) ids.forEach((i, k) => (rank[i] = (k + 0.5) / ids.length));
      return rank;
    };
    for (let pass = 0; pass < SWEEPS * 2; pass++) {
      const down = pass % 2 === 0;
      const cols = [];
      if (down) for (let c = 1; c < layers.length; c++) cols.push(c);
      else for (let c = layers.length - 2; c >= 0; c--) cols.push(c);
      for (const col of cols) {
        const rank = ranksOf();
        const key = (i) => {
          const r = adjacent[i]
            .filter((j) => i >= real || (down ? columnOf[j] < col : columnOf[j] > col))
            .map((j) => rank[j])
            .sort((p, q) => p - q);
          if (!r.length) return rank[i];
          const m = r.length >> 1;
          return r.length % 2 ? r[m] : (r[m - 1] + r[m]) / 2;
        };
        const keyed = layers[col].map((i) => [key(i), i]);
        keyed.sort((p, q) => p[0] - q[0]);
        layers[col] = keyed.map((k) => k[1]);
      }
    }
  }

  function curveTo(points, outDir, end, endDir) {
    const start = points[points.length - 1];
    const d = outDir === endDir ? 30 + Math.abs(end[1] - start[1]) * 0.3 : Math.max(Math.abs(end[0] - start[0]) * 0.5, 30);
    points.push([start[0] + outDir * d, start[1]], [end[0] + endDir * d, end[1]], end);
  }

  function placeLabel(points, text, height, taken) {
    const [p0, p1, p2, p3] = points;
    let mid = [(p0[0] + 3 * p1[0] + 3 * p2[0] + p3[0]) / 8, (p0[1] + 3 * p1[1] + 3 * p2[1] + p3[1]) / 8];
    const w = textW(text, SMALL_PX) + 6;
    if (p0[0] === p3[0]) mid = [mid[0] + Math.sign(p1[0] - p0[0]) * (w / 2 + 2), mid[1]];
    const rect = (dy) => [mid[0] - w / 2, mid[1] + dy - EDGE_LABEL_H / 2, w, EDGE_LABEL_H];
    const overlaps = (r, o) => r[0] < o[0] + o[2] && o[0] < r[0] + r[2] && r[1] < o[1] + o[3] && o[1] < r[1] + r[3];
    for (let k = 0; k < 5; k++) {
      const dy = EDGE_LABEL_H * (k % 2 === 0 ? k / 2 : -(k + 1) / 2);
      const r = rect(dy);
      if (r[1] >= 0 && r[1] + r[3] <= height && r[0] >= 0 && !taken.some((o) => overlaps(r, o))) {
        taken.push(r);
        return [mid[0], mid[1] + dy + 4];
      }
    }
    return null;
  }

  // Lays out the nodes (indices into data.nodes) and edges ([from, to, type]) like graph.rs.
  function layout(ids, edgeList) {
    const nodes = ids.map((i) => data.nodes[i]);
    const order = nodes.map((n, k) => k).sort((p, q) => cmp(nodes[p].label, nodes[q].label) || cmp(nodes[p].id, nodes[q].id));
    const all = order.map((k) => nodes[k]);
    const at = new Map(order.map((k, pos) => [ids[k], pos]));
    const seen = new Set();
    const links = [];
    for (const [a, b, type] of edgeList) {
      const l = { a: at.get(a), b: at.get(b), type, label: data.verbs[type] || type };
      const key = l.a + " " + l.b + " " + type;
      if (l.a !== l.b && !seen.has(key)) {
        seen.add(key);
        links.push(l);
      }
    }
    links.sort((p, q) => p.a - q.a || p.b - q.b || cmp(p.type, q.type));
    const columnOf = ranks(all.length, links);
    const layers = [];
    columnOf.forEach((r, i) => (layers[r] = layers[r] || []).push(i));
    for (let c = 0; c < layers.length; c++) layers[c] = layers[c] || [];
    const real = all.length;
    const chains = links.map(({ a, b }) => {
      const ca = columnOf[a], cb = columnOf[b];
      const between = [];
      if (ca < cb) for (let c = ca + 1; c < cb; c++) between.push(c);
      else for (let c = ca - 1; c > cb; c--) between.push(c);
      const chain = [a];
      for (const col of between) {
        chain.push(columnOf.length);
        layers[col].push(columnOf.length);
        columnOf.push(col);
      }
      chain.push(b);
      return chain;
    });
    const pairs = [];
    for (const c of chains) for (let k = 1; k < c.length; k++) pairs.push([c[k - 1], c[k]]);
    orderLayers(layers, columnOf, pairs, real);

    const size = all.map(nodeSize);
    const slotH = (i) => (i < real ? size[i][1] : WAYPOINT_H);
    const heights = layers.map((l) => l.reduce((s, i) => s + slotH(i) + GAP_Y, 0) - GAP_Y);
    const contentH = Math.max(0, ...heights);
    const boxes = [], waypointY = [], columns = [];
    let x = MARGIN + GROUP_PAD;
    layers.forEach((l, col) => {
      const w = l.filter((i) => i < real).reduce((m, i) => Math.max(m, size[i][0]), 0);
      let y = MARGIN + (contentH - heights[col]) / 2;
      for (const i of l) {
        if (i < real) boxes[i] = { node: all[i], x, y, w, h: size[i][1] };
        else waypointY[i] = y + WAYPOINT_H / 2;
        y += slotH(i) + GAP_Y;
      }
      columns.push([x, w]);
      x += w + GROUP_PAD * 2 + GAP_X;
    });
    let width = x - GAP_X - GROUP_PAD + MARGIN;
    const height = MARGIN * 2 + contentH;
    const centreY = (i) => (i < real ? boxes[i].y + boxes[i].h / 2 : waypointY[i]);
    const sides = links.map(({ a, b }) => [columnOf[a] <= columnOf[b], columnOf[a] >= columnOf[b]]);
    const ports = new Map();
    const use = (key, entry) => (ports.get(key) || ports.set(key, []).get(key)).push(entry);
    chains.forEach((chain, e) => {
      const n = chain.length;
      use(chain[0] + (sides[e][0] ? "r" : "l"), [centreY(chain[1]), e, true, chain[0]]);
      use(chain[n - 1] + (sides[e][1] ? "r" : "l"), [centreY(chain[n - 2]), e, false, chain[n - 1]]);
    });
    const ys = links.map(() => [0, 0]);
    for (const list of ports.values()) {
      list.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
      list.forEach(([, e, start, b], k) => {
        const y = boxes[b].y + (boxes[b].h * (k + 1)) / (list.length + 1);
        ys[e][start ? 0 : 1] = y;
      });
    }
    const taken = boxes.map((b) => [b.x, b.y, b.w, b.h]);
    const edges = links.map((link, e) => {
      const chain = chains[e];
      const a = boxes[link.a], b = boxes[link.b];
      const dir = (right) => (right ? 1 : -1);
      const points = [[sides[e][0] ? a.x + a.w : a.x, ys[e][0]]];
      let outDir = dir(sides[e][0]);
      for (const v of chain.slice(1, -1)) {
        const [cx, cw] = columns[columnOf[v]];
        const [xIn, xOut] = sides[e][0] ? [cx, cx + cw] : [cx + cw, cx];
        const y = waypointY[v];
        const travel = xOut >= xIn ? 1 : -1;
        curveTo(points, outDir, [xIn, y], -travel);
        const third = (xOut - xIn) / 3;
        points.push([xIn + third, y], [xOut - third, y], [xOut, y]);
        outDir = travel;
      }
      curveTo(points, outDir, [sides[e][1] ? b.x + b.w : b.x, ys[e][1]], dir(sides[e][1]));
      const label = placeLabel(points.slice(0, 4), link.label, height, taken);
      for (const p of points) width = Math.max(width, p[0] + MARGIN);
      return { from: a, to: b, points, label, text: link.label, type: link.type };
    });
    for (const r of taken) width = Math.max(width, r[0] + r[2] + MARGIN);
    return { boxes, edges, width, height };
  }

  // Writes a layout as draw.rs does.
  function render(l) {
    const p = "dgg-live";
    const w = num(l.width), h = num(l.height);
    let s = '<svg xmlns="http://www.w3.org/2000/svg" class="dg" role="group" aria-label="Catalog graph" viewBox="0 0 ' + w + " " + h + '" width="' + w + '" height="' + h + '" style="max-width:100%;min-width:' + num(l.width * 0.8) + 'px;height:auto" font-family="system-ui,-apple-system,\'Segoe UI\',sans-serif" font-size="13" fill="currentColor">';
    s += '<defs><marker id="' + p + '-arrow" class="dg-marker" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,1L10,5L0,9z"/></marker></defs>';
    s += '<g class="dg-edges" aria-hidden="true" fill="none" stroke="currentColor" marker-end="url(#' + p + '-arrow)">';
    for (const e of l.edges) {
      const missing = !e.from.node.url || !e.to.node.url;
      let d = "M" + num(e.points[0][0]) + "," + num(e.points[0][1]);
      e.points.slice(1).forEach(([x, y], k) => (d += (k % 3 === 0 ? "C" : " ") + num(x) + "," + num(y)));
      s += '<g class="dg-edge' + (missing ? " dg-edge-missing" : "") + '" data-rel="' + esc(e.type) + '"><title>' + esc(e.from.node.label + " " + e.text + " " + e.to.node.label) + "</title>";
      s += '<path d="' + d + '"' + (missing ? ' stroke-dasharray="5 3"' : "") + "/>";
      if (e.label) s += '<text class="dg-edge-label" x="' + num(e.label[0]) + '" y="' + num(e.label[1]) + '" text-anchor="middle" fill="currentColor" stroke="none">' + esc(e.text) + "</text>";
      s += "</g>";
    }
    s += '</g><g class="dg-nodes">';
    for (const b of l.boxes) {
      const n = b.node;
      const center = n.id === data.nodes[data.center].id;
      const role = center ? " dg-center" : n.url ? "" : " dg-missing";
      const name = n.kind ? n.label + " (" + n.kind + ")" : n.label;
      s += '<g class="dg-node dg-kind-' + (sanitize(n.kind) || "other") + role + '">';
      if (n.url) s += '<a href="' + esc(n.url) + '" aria-label="' + esc(name) + '">';
      s += "<title>" + esc(name + ", " + n.id) + "</title>";
      s += '<rect x="' + num(b.x) + '" y="' + num(b.y) + '" width="' + num(b.w) + '" height="' + num(b.h) + '" rx="6" fill="transparent" stroke="currentColor"' + (role === " dg-missing" ? ' stroke-dasharray="5 3"' : "") + "/>";
      s += '<svg x="' + num(b.x) + '" y="' + num(b.y) + '" width="' + num(b.w - 3) + '" height="' + num(b.h) + '" overflow="hidden">';
      const inner = b.w - 2 * PAD_X;
      s += '<text class="dg-caption" x="' + PAD_X + '" y="14" font-size="10">' + esc(fit(n.kind.toUpperCase(), SMALL_PX, inner)) + "</text>";
      s += '<text class="dg-label" x="' + PAD_X + '" y="30">' + esc(fit(n.label, LABEL_PX, inner)) + "</text>";
      if (n.sub) s += '<text class="dg-sub" x="' + PAD_X + '" y="45" font-size="11">' + esc(fit(n.sub, SMALL_PX, inner)) + "</text>";
      s += "</svg>" + (n.url ? "</a>" : "") + "</g>";
    }
    return s + "</g></svg>";
  }

  function update() {
    const depth = Number(form.elements.depth.value) || 1;
    const rels = new Set([...form.querySelectorAll("input[name=rel]:checked")].map((c) => c.value));
    const picked = select(depth, rels);
    canvas.innerHTML = render(layout(picked.nodes, picked.edges));
    canvas.dataset.nodes = String(picked.nodes.length);
    if (status) {
      const hops = depth === 1 ? "1 hop" : depth + " hops";
      status.textContent = picked.nodes.length + " entities, " + picked.edges.length + " relations within " + hops + ".";
    }
  }

  form.hidden = false;
  form.addEventListener("change", update);
  form.addEventListener("submit", (e) => e.preventDefault());
})();
