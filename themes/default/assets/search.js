/*! Portico search client: static files, no server, no WebAssembly.
 *
 * Markup (in every page's header; every fetch is resolved against data-manifest, so the site
 * works under any base path):
 *
 *   <form role="search" id="search" action="{{ base_path }}search/"
 *         data-manifest="{{ base_path }}search/manifest.bin">
 *     <input type="search" id="search-input" name="q" placeholder="Search" autocomplete="off"
 *            aria-label="Search">
 *   </form>
 *   <script src="{{ base_path }}assets/search.<hash>.js" defer></script>
 *
 * The script adds a results panel after the input (results as you type, labelled by kind,
 * facet filters for kind, owner, lifecycle and tag, highlighted matches, arrow keys and Enter,
 * Escape to close, "/" to focus, a link to every result). The form submits ?q= to its action,
 * the search page, whose script (search-page.js) lists every result with kind tabs and pages.
 *
 * The core (tokenizer, query parser, BM25 scorer, file decoders) mirrors src/search/*.rs
 * operation for operation, so the browser and `portico search` rank identically; it loads in
 * Node too (module.exports) for tests/search/parity.mjs and benches/search-bytes.*.
 */
(function (factory) {
  "use strict";
  var core = factory();
  if (typeof module === "object" && module.exports) module.exports = core;
  else if (typeof window !== "undefined") window.PorticoSearch = core;
  if (typeof document !== "undefined") core.attach(document);
})(function () {
  "use strict";

  // ---- Tokenizer (src/search/tokenize.rs) ----
  var ALNUM = /[\p{Alphabetic}\p{N}]/u, UPPER = /\p{Uppercase}/u, LOWER = /\p{Lowercase}/u;
  var NUMERIC = /\p{N}/u, SPACE = /\p{White_Space}/u, MAX_TOKEN_CHARS = 40;

  function boundary(p, c, next) {
    if (!UPPER.test(c)) return false;
    return LOWER.test(p) || NUMERIC.test(p) || (UPPER.test(p) && next !== undefined && LOWER.test(next));
  }

  // The lower-case parts of every compound of `text`.
  function compounds(text) {
    var out = [], parts = [], part = "", n = 0, prev, chars = Array.from(text);
    function endPart() {
      if (part) {
        if (n <= MAX_TOKEN_CHARS) parts.push(part.toLowerCase());
        part = "";
        n = 0;
      }
    }
    for (var i = 0; i <= chars.length; i++) {
      var c = chars[i];
      if (c !== undefined && ALNUM.test(c)) {
        if (prev !== undefined && ALNUM.test(prev) && boundary(prev, c, chars[i + 1])) endPart();
        part += c;
        n++;
      } else if (c === "-" || c === "_" || c === ".") {
        endPart();
      } else {
        endPart();
        if (parts.length) out.push(parts);
        parts = [];
      }
      prev = c;
    }
    return out;
  }

  function queryTerms(text) {
    var out = [];
    compounds(text).forEach(function (parts) {
      var joined = parts.join("");
      if (parts.length === 1 || Array.from(joined).length > MAX_TOKEN_CHARS) out.push.apply(out, parts);
      else out.push(joined);
    });
    return out;
  }

  function phraseTerms(text) {
    return [].concat.apply([], compounds(text));
  }

  // ---- Query parser (src/search/query.rs, parse) ----
  var FILTER_KEYS = ["kind", "type", "lifecycle", "owner", "tag", "system", "namespace"];

  function trim(s) {
    return s.replace(/^\p{White_Space}+|\p{White_Space}+$/gu, "");
  }

  function parseQuery(q) {
    var chars = Array.from(q), chunks = [], i = 0, j;
    while (i < chars.length) {
      if (SPACE.test(chars[i])) i++;
      else if (chars[i] === '"') {
        for (j = i + 1; j < chars.length && chars[j] !== '"'; j++);
        chunks.push({ phrase: true, text: chars.slice(i + 1, j).join("") });
        i = j + 1;
      } else {
        for (j = i; j < chars.length && !SPACE.test(chars[j]) && chars[j] !== '"'; j++);
        chunks.push({ phrase: false, text: chars.slice(i, j).join("") });
        i = j;
      }
    }
    var last = chars[chars.length - 1];
    var typing = last !== undefined && !SPACE.test(last) && last !== '"';
    var plan = { groups: [], exact: null, filters: [] }, texts = [];
    function pushTerm(term, prefix) {
      for (var g = 0; g < plan.groups.length; g++) if (plan.groups[g].term === term) return;
      plan.groups.push({ term: term, prefix: prefix });
    }
    chunks.forEach(function (chunk, n) {
      if (!chunk.phrase) {
        var colon = chunk.text.indexOf(":");
        if (colon >= 0) {
          var key = FILTER_KEYS.indexOf(chunk.text.slice(0, colon).replace(/[A-Z]/g, function (c) { return c.toLowerCase(); }));
          var value = chunk.text.slice(colon + 1);
          if (key >= 0 && value) {
            var f = plan.filters.find(function (f) { return f[0] === key; });
            if (f) f[1].push(value.toLowerCase());
            else plan.filters.push([key, [value.toLowerCase()]]);
            return;
          }
        }
        var terms = queryTerms(chunk.text);
        terms.forEach(function (t, k) { pushTerm(t, typing && n + 1 === chunks.length && k + 1 === terms.length); });
      } else {
        var p = phraseTerms(chunk.text);
        if (p.length === 1) pushTerm(p[0], false);
        else if (p.length > 1) plan.groups.push({ phrase: p });
      }
      texts.push(chunk.text);
    });
    plan.filters.sort(function (a, b) { return a[0] - b[0]; });
    var exact = trim(texts.join(" ")).toLowerCase();
    plan.exact = exact ? exact : null;
    return plan;
  }

  // ---- BM25 (src/search/score.rs) ----
  var K1 = 1.2, B = 0.75, FIELDNORMS = [];
  (function () {
    for (var id = 0, v = 0, step = 2; id < 256; id++) {
      if (id <= 40) v = id;
      else {
        v += step;
        if ((id - 40) % 8 === 0) step *= 2;
      }
      FIELDNORMS.push(v);
    }
  })();

  function ln(x) {
    if (!(x > 0)) return NaN;
    var m = x, e = 0;
    while (m > 1.4142135623730951) { m /= 2; e += 1; }
    while (m < 0.7071067811865476) { m *= 2; e -= 1; }
    var s = (m - 1) / (m + 1), s2 = s * s, term = s, sum = 0, k = 1;
    for (var i = 0; i < 16; i++) { sum += term / k; term *= s2; k += 2; }
    return e * 0.6931471805599453 + 2 * sum;
  }
  function idf(df, n) { return ln(1 + ((n - df) + 0.5) / (df + 0.5)); }
  function weight(idf) { return idf * (1 + K1); }
  function norms(tokens, n) {
    var avgdl = tokens / Math.max(n, 1), out = new Float64Array(256);
    for (var id = 0; id < 256; id++) out[id] = K1 * (1 - B + B * FIELDNORMS[id] / avgdl);
    return out;
  }
  function bm25(norm, boost, w, tf, fnid) { return boost * (w * (tf / (tf + norm[fnid]))); }

  // ---- Decoding (src/search/encode.rs) ----
  var utf8 = new TextDecoder();
  function Reader(bytes, pos) { this.b = bytes; this.i = pos || 0; }
  Reader.prototype.varint = function () {
    var v = 0, mul = 1, x;
    do { x = this.b[this.i++]; v += (x & 127) * mul; mul *= 128; } while (x & 128);
    return v;
  };
  Reader.prototype.byte = function () { return this.b[this.i++]; };
  Reader.prototype.f32 = function () {
    var v = new DataView(this.b.buffer, this.b.byteOffset + this.i, 4).getFloat32(0, true);
    this.i += 4;
    return v;
  };
  Reader.prototype.bytes = function (n) { var s = this.b.subarray(this.i, this.i + n); this.i += n; return s; };
  Reader.prototype.string = function () { return utf8.decode(this.bytes(this.varint())); };
  // Front-coded strings of one column (`opt`: length stored plus one, 0 = none).
  Reader.prototype.column = function (count, opt) {
    var out = [], prev = new Uint8Array(0);
    for (var k = 0; k < count; k++) {
      var shared = this.varint(), len = this.varint();
      if (opt) {
        if (len === 0) { out.push(null); prev = new Uint8Array(0); continue; }
        len -= 1;
      }
      var value = new Uint8Array(shared + len);
      value.set(prev.subarray(0, shared));
      value.set(this.bytes(len), shared);
      out.push(utf8.decode(value));
      prev = value;
    }
    return out;
  };

  function slug(title) {
    var out = "";
    for (var c of title) {
      if (/^[A-Za-z0-9_]$/.test(c)) out += c.toLowerCase();
      else if ((c === "-" || /^[ \t\n\f\r]$/.test(c)) && out && out[out.length - 1] !== "-") out += "-";
    }
    return out.replace(/-+$/, "");
  }

  function metaBlock(r, ords, into) {
    var count = r.varint(), cols = [];
    for (var c = 0; c < 6; c++) cols.push(r.column(count, true));
    for (var k = 0; k < count; k++) {
      var url = cols[2][k];
      if (url.charCodeAt(url.length - 1) === 1) url = url.slice(0, -1) + slug(cols[1][k]);
      into.set(ords[k], { kind: cols[0][k], title: cols[1][k], url: url, owner: cols[3][k], context: cols[4][k], excerpt: cols[5][k] });
    }
  }

  // A document list (src/search/export.rs, encode_docs): ords and per document its fields'
  // [tf, fieldnorm id] (null when absent).
  function docList(r) {
    var n = r.varint(), ords = [], fields = [], o = 0, k, f;
    for (k = 0; k < n; k++) { o += r.varint(); ords.push(o); }
    for (k = 0; k < n; k++) {
      var mask = r.byte(), row = [];
      for (f = 0; f < 6; f++) row.push(mask & (1 << f) ? [0, 0] : null);
      fields.push(row);
    }
    for (f = 0; f < 6; f++) for (k = 0; k < n; k++) if (fields[k][f]) fields[k][f][0] = r.varint();
    for (f = 0; f < 6; f++) for (k = 0; k < n; k++) if (fields[k][f]) fields[k][f][1] = r.byte();
    return { ords: ords, fields: fields };
  }

  function cmp(a, b) {
    // Code point order (= Rust's byte order of UTF-8).
    var x = Array.from(a), y = Array.from(b);
    for (var i = 0; i < x.length && i < y.length; i++) {
      var d = x[i].codePointAt(0) - y[i].codePointAt(0);
      if (d) return d;
    }
    return x.length - y.length;
  }

  async function inflate(bytes) {
    if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  // ---- The index (src/search/export.rs describes the files) ----
  // `fetchBytes(url, start, len)` returns the raw bytes of a URL (default: fetch()): all of
  // them, or with `len` those from `start` (a range request), or all when the server ignores
  // the range.
  function Index(manifestUrl, fetchBytes) {
    this.base = new URL(".", manifestUrl).href;
    this.root = new URL("..", manifestUrl).href;
    this.manifestUrl = manifestUrl;
    this.fetchBytes = fetchBytes || function (url, start, len) {
      var init = len ? { headers: { Range: "bytes=" + start + "-" + (start + len - 1) } } : undefined;
      return fetch(url, init).then(function (r) {
        if (!r.ok) throw new Error(url + ": " + r.status);
        return r.arrayBuffer();
      }).then(function (b) { return new Uint8Array(b); });
    };
    this.files = new Map();
    this.pieces = new Map();
    this.wholes = new Map();
    this.offsets = new Map();
    this.shards = new Map();
    this.dirs = new Map();
    this.metas = new Map();
    this.parsed = new Map();
    this.manifest = null;
  }

  Index.prototype.file = function (name) {
    var url = new URL(name, this.base).href;
    if (!this.files.has(url)) this.files.set(url, this.fetchBytes(url).then(inflate));
    return this.files.get(url);
  };

  // The piece of file `i` at [start, start + len) (src/search/export.rs: pieces), inflated:
  // fetched with a range request, or cut from the whole file when the server sent it all.
  Index.prototype.piece = function (i, start, len) {
    var url = new URL(this.manifest.files[i], this.base).href, key = url + " " + start, self = this;
    if (!this.pieces.has(key)) {
      this.pieces.set(key, (async function () {
        var bytes = self.wholes.has(url) ? await self.wholes.get(url) : await self.fetchBytes(url, start, len);
        if (bytes.length !== len) {
          if (!self.wholes.has(url)) self.wholes.set(url, Promise.resolve(bytes));
          bytes = bytes.subarray(start, start + len);
        }
        return inflate(bytes);
      })());
    }
    return this.pieces.get(key);
  };

  // File `i` of the manifest's list, parsed once by `parse(bytes)` when given.
  Index.prototype.fileAt = function (i, parse) {
    if (!parse) return this.file(this.manifest.files[i]);
    if (!this.parsed.has(i)) this.parsed.set(i, this.file(this.manifest.files[i]).then(parse));
    return this.parsed.get(i);
  };

  Index.prototype.load = function () {
    var self = this;
    if (!this.ready) {
      this.ready = this.file(this.manifestUrl).then(function (bytes) {
        var m = JSON.parse(utf8.decode(bytes)), names = [];
        // File names from runs of kinds (src/search/export.rs): `<kind>-<i>.<gen>.bin`.
        m.files.forEach(function (run) {
          for (var k = 0; k < run[1]; k++) names.push(run[0] + "-" + names.length + "." + m.gen + ".bin");
        });
        m.files = names;
        self.manifest = m;
        self.n = m.docs;
        self.norms = m.tokens.map(function (t) { return norms(t, m.docs); });
      });
    }
    return this.ready;
  };

  // Index of the last row of `table` ([first key, file] rows, sorted) whose key is <= `key`.
  function row(table, key, compare) {
    var lo = 0, hi = table.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (compare(table[mid][0], key) <= 0) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  // The directory of term file `f` (its first piece): [first key, offset, length] per shard.
  Index.prototype.dir = function (f) {
    var t = this.manifest.terms[f];
    if (!this.dirs.has(f)) {
      this.dirs.set(f, this.piece(t[1], 0, t[2]).then(function (bytes) {
        var r = new Reader(bytes), n = r.varint(), keys = r.column(n, false), out = [], at = t[2];
        for (var k = 0; k < n; k++) { var len = r.varint(); out.push([keys[k], at, len]); at += len; }
        return out;
      }));
    }
    return this.dirs.get(f);
  };

  // The term file of shard `s` (shards are numbered across files) and its directory.
  Index.prototype.shardDir = function (s) {
    var f = row(this.manifest.terms.map(function (t) { return [t[3]]; }), s, function (a, b) { return a - b; });
    return this.dir(f).then(function (d) { return { f: f, row: d[s - this.manifest.terms[f][3]] }; }.bind(this));
  };

  // The shard whose keys include `term`'s place.
  Index.prototype.shardOf = async function (term) {
    var f = row(this.manifest.terms, term, cmp);
    return this.manifest.terms[f][3] + row(await this.dir(f), term, cmp);
  };

  Index.prototype.shard = function (s) {
    var self = this;
    if (!this.shards.has(s)) {
      this.shards.set(s, this.shardDir(s).then(function (at) {
        return self.piece(self.manifest.terms[at.f][1], at.row[1], at.row[2]);
      }).then(function (bytes) { return self.parseShard(s, bytes); }));
    }
    return this.shards.get(s);
  };

  // Skips `count` varints.
  Reader.prototype.skip = function (count) {
    while (count > 0) if (!(this.b[this.i++] & 128)) count--;
  };

  // A record after its document frequencies (src/search/export.rs, write_record): `tail`,
  // the file and offset of its tiers when they follow the record (an out-of-line record).
  function readRecord(rec, r, bytes, tail) {
    var flags = rec.flags, extra = rec.extra, f, k;
    rec.complete = !(flags & 128);
    if (flags & 128) {
      // Tiers (src/search/terms.rs): per tier its piece's length and the best score after it.
      rec.bound = rec.bound0 = r.f32();
      rec.tiers = [];
      rec.tailLists = [];
      rec.loaded = 0;
      k = r.varint();
      rec.tail = tail || [r.varint(), r.varint()];
      // Split tiers (extra bit 3): the unlisted entities' tiers, then the other documents',
      // each sequence with its own bounds.
      rec.eTiers = 0;
      if (extra & 8) {
        rec.eTiers = r.varint();
        rec.seqBound = [r.f32(), r.f32()];
        rec.seqBound0 = rec.seqBound.slice();
      }
      for (; k > 0; k--) rec.tiers.push([r.varint(), r.f32()]);
    }
    if (flags & 63 && (!(extra & 1) || flags & 128)) {
      rec.x = [r.varint(), r.varint()];
      rec.xLens = [];
      for (k = rec.tiers ? rec.tiers.length : 0; k >= 0; k--) rec.xLens.push(r.varint());
    }
    if (flags & 32) rec.bodyFrac = r.f32();
    var list = flags & 63 ? docList(r) : { ords: [], fields: [] };
    rec.listed = list;
    rec.ords = list.ords;
    rec.fields = list.fields;
    rec.scores = null;
    if (extra & 1) {
      // Positions of the listed documents: read when a phrase needs them.
      rec.short = [bytes, r.i];
      var count = 0;
      for (k = 0; k < rec.ords.length; k++) for (f = 0; f < 6; f++) if (rec.fields[k][f]) count += rec.fields[k][f][0];
      r.skip(count);
    }
  }

  Index.prototype.parseShard = function (s, bytes) {
    var r = new Reader(bytes), n = r.varint(), terms = r.column(n, false), recs = new Map(), f;
    for (var t = 0; t < n; t++) {
      var flags = r.byte(), extra = r.byte(), df = [0, 0, 0, 0, 0, 0], textDf = 0;
      for (f = 0; f < 6; f++) if (flags & (1 << f)) df[f] = r.varint();
      for (f = 0; f < 6; f++) textDf += df[f];
      var rec = { term: terms[t], shard: s, pos: t, flags: flags, extra: extra, df: df, textDf: textDf };
      if (extra & 4) {
        // A stub (src/search/terms.rs, EXTRA_OUT_OF_LINE): the best score of the documents
        // it does not list, where the record is, and its best documents.
        rec.stub = true;
        rec.complete = false;
        rec.bound = r.f32();
        rec.at = [r.varint(), r.varint(), r.varint()];
        rec.listed = docList(r);
        rec.ords = rec.listed.ords;
        rec.fields = rec.listed.fields;
      } else {
        readRecord(rec, r, bytes, null);
      }
      if (flags & 64) {
        // Entity names and references with this key (src/search/export.rs, exact_key).
        rec.exact = new Map();
        for (var e = r.varint(); e > 0; e--) {
          var value = r.string(), postings = [];
          for (var c = r.varint(), o = 0; c > 0; c--) { o += r.varint(); postings.push([o, r.varint(), r.byte()]); }
          rec.exact.set(value, postings);
        }
      }
      recs.set(terms[t], rec);
    }
    var ords = [], o2 = 0;
    for (var c = r.varint(); c > 0; c--) { o2 += r.varint(); ords.push(o2); }
    metaBlock(r, ords, this.metas);
    return { terms: terms, recs: recs };
  };

  // Reads a stub's record (in front of its tiers), with the metadata it carries.
  Index.prototype.unstub = function (rec) {
    if (!rec.stub) return Promise.resolve(rec);
    if (!rec.reading) {
      var self = this;
      rec.reading = this.piece(rec.at[0], rec.at[1], rec.at[2]).then(function (bytes) {
        if (!rec.stub) return rec;
        var r = new Reader(bytes);
        readRecord(rec, r, bytes, [rec.at[0], rec.at[1] + rec.at[2]]);
        var ords = [], o = 0;
        for (var c = r.varint(); c > 0; c--) { o += r.varint(); ords.push(o); }
        metaBlock(r, ords, self.metas);
        rec.stub = false;
        return rec;
      });
    }
    return rec.reading;
  };

  // The entry of `term` in its shard (a record or a stub), or null.
  Index.prototype.entry = function (term) {
    var self = this;
    return this.shardOf(term).then(function (s) { return self.shard(s); }).then(function (sh) { return sh.recs.get(term) || null; });
  };

  // The record of `term` (read whole, when its shard has a stub), or null.
  Index.prototype.record = function (term) {
    var self = this;
    return this.entry(term).then(function (rec) { return rec ? self.unstub(rec) : null; });
  };

  // The sequence of tier `t` of `rec` (0: entities, 1: other documents; 1 without split tiers).
  function seqOf(rec, t) { return t < rec.eTiers ? 0 : 1; }

  // The first tier of sequence `seq` not loaded yet, or -1.
  function nextTier(rec, seq) {
    for (var t = seq === 0 ? 0 : rec.eTiers, end = seq === 0 ? rec.eTiers : rec.tiers.length; t < end; t++) {
      if (!rec.tailLists[t]) return t;
    }
    return -1;
  }

  // Best single-term score of a document `d` of `rec` not loaded yet.
  function boundFor(rec, d, entities) {
    return rec.seqBound ? rec.seqBound[d < entities ? 0 : 1] : rec.bound;
  }

  // Loads the next tier of a tiered term's postings: of sequence `seq` (0: entities, 1: other
  // documents) when its tiers are split and that sequence has one left, else of the sequence
  // whose unread documents may score most.
  Index.prototype.complete = function (rec, seq) {
    if (rec.complete) return Promise.resolve();
    if (rec.stub) return this.unstub(rec);
    if (!rec.loading) {
      var self = this, t = -1;
      if (rec.seqBound) {
        var e = nextTier(rec, 0), o = nextTier(rec, 1);
        if (seq === 0 && e >= 0) t = e;
        else if (seq === 1 && o >= 0) t = o;
        else t = e >= 0 && (o < 0 || rec.seqBound[0] >= rec.seqBound[1]) ? e : o;
      } else {
        t = nextTier(rec, 1);
      }
      rec.loading = this.loadTier(rec, t).then(function () { rec.loading = null; });
    }
    return rec.loading;
  };

  Index.prototype.loadTier = async function (rec, t) {
    var start = rec.tail[1], list, k;
    for (k = 0; k < t; k++) start += rec.tiers[k][0];
    var r = new Reader(await this.piece(rec.tail[0], start, rec.tiers[t][0]));
    if (rec.extra & 1) {
      // Documents having the term in `body` only: ordinals, term frequencies, fieldnorm ids.
      list = { ords: [], fields: [] };
      for (var c = r.varint(), o = 0; c > 0; c--) { o += r.varint(); list.ords.push(o); }
      for (k = 0; k < list.ords.length; k++) list.fields.push([null, null, null, null, null, [r.varint(), 0]]);
      for (k = 0; k < list.ords.length; k++) list.fields[k][5][1] = r.byte();
    } else {
      list = docList(r);
    }
    rec.tailLists[t] = list;
    rec.loaded++;
    var ords = rec.ords.concat(list.ords), fields = rec.fields.concat(list.fields), order = ords.map(function (_, i) { return i; });
    order.sort(function (a, b) { return ords[a] - ords[b]; });
    rec.ords = order.map(function (i) { return ords[i]; });
    rec.fields = order.map(function (i) { return fields[i]; });
    if (rec.seqBound) {
      rec.seqBound[seqOf(rec, t)] = rec.tiers[t][1];
      rec.bound = Math.max(rec.seqBound[0], rec.seqBound[1]);
    } else {
      rec.bound = rec.tiers[t][1];
    }
    rec.complete = rec.loaded === rec.tiers.length;
    rec.scores = null;
  };

  // Positions of `list`'s documents (fields `from` to `to` of `rec`) read from `r` into `out`
  // ([Map ord -> [fieldnorm id, positions]] by field).
  function readPositions(out, r, rec, list, from, to) {
    for (var f = from; f < to; f++) {
      if (!(rec.flags & (1 << f))) continue;
      for (var k = 0; k < list.ords.length; k++) {
        var field = list.fields[k][f];
        if (!field) continue;
        for (var c = field[0], p = 0, pos = []; c > 0; c--) { p += r.varint(); pos.push(p); }
        out[f].set(list.ords[k], [field[1], pos]);
      }
    }
  }

  // Positions of the documents `rec` lists, in each text field: from the record, or from the
  // first positions piece.
  Index.prototype.positions = async function (rec) {
    var out = [];
    for (var f = 0; f < 6; f++) out.push(new Map());
    if (rec.extra & 1) readPositions(out, new Reader(rec.short[0], rec.short[1]), rec, rec.listed, 0, 6);
    else readPositions(out, new Reader(await this.piece(rec.x[0], rec.x[1], rec.xLens[0])), rec, rec.listed, 0, 6);
    return out;
  };

  // Single-term scores of the listed documents: Map ord -> [score over all text fields, over
  // name and title (null without either)].
  Index.prototype.scores = function (rec) {
    if (rec.scores) return rec.scores;
    var m = this.manifest, w = [], out = new Map();
    for (var f = 0; f < 6; f++) w.push(weight(idf(Math.max(rec.df[f], 1), this.n)));
    for (var k = 0; k < rec.ords.length; k++) {
      var fields = rec.fields[k], all = 0, nt = 0;
      for (f = 0; f < 6; f++) {
        if (!fields[f]) continue;
        var s = bm25(this.norms[f], m.boosts[f], w[f], fields[f][0], fields[f][1]);
        all += s;
        if (f < 2) nt += s;
      }
      out.set(rec.ords[k], [all, fields[0] || fields[1] ? nt : null]);
    }
    rec.scores = out;
    return out;
  };

  // The first `window` records of longer terms of the text fields starting with `prefix`.
  Index.prototype.withPrefix = async function (prefix, window) {
    var first = await this.shardOf(prefix), out = [];
    for (var s = first; s < this.manifest.shards && (s === first || (await this.shardDir(s)).row[0].startsWith(prefix)); s++) {
      var sh = await this.shard(s);
      for (var i = 0; i < sh.terms.length; i++) {
        var term = sh.terms[i], rec = sh.recs.get(term);
        if (cmp(term, prefix) < 0) continue;
        if (!term.startsWith(prefix) || out.length === window) return out;
        if (term !== prefix && rec.flags & 63) out.push(rec);
      }
    }
    return out;
  };

  Index.prototype.vocab = function () {
    return this.fileAt(this.manifest.vocab, function (bytes) {
      var r = new Reader(bytes), n = r.varint(), out = [], prev = new Uint8Array(0);
      for (var k = 0; k < n; k++) {
        var shared = r.varint(), len = r.varint(), v = new Uint8Array(shared + len);
        v.set(prev.subarray(0, shared));
        v.set(r.bytes(len), shared);
        prev = v;
        out.push([utf8.decode(v), r.varint()]);
      }
      return out;
    });
  };

  function oneEdit(a, b) {
    b = Array.from(b);
    if (Math.abs(a.length - b.length) > 1) return false;
    var i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    var same = function (x, y) { return x.length === y.length && x.every(function (c, k) { return c === y[k]; }); };
    if (a.length === b.length) {
      if (i === a.length) return false;
      return same(a.slice(i + 1), b.slice(i + 1)) ||
        (i + 1 < a.length && a[i] === b[i + 1] && a[i + 1] === b[i] && same(a.slice(i + 2), b.slice(i + 2)));
    }
    return a.length < b.length ? same(a.slice(i), b.slice(i + 1)) : same(a.slice(i + 1), b.slice(i));
  }

  // The candidates of a term group (src/search/query.rs, candidates).
  Index.prototype.expand = async function (term, prefix) {
    var p = this.manifest.params, out = [], length = Array.from(term).length, self = this;
    var exact = await this.record(term);
    if (exact && exact.flags & 63) out.push({ rec: exact, weight: 1, nt: false });
    function rank(list, max) {
      list.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
      return list.slice(0, max);
    }
    if (prefix && length >= p.prefixMin) {
      var found = (await this.withPrefix(term, p.prefixWindow))
        .map(function (r) { return [r.textDf, r.shard * 1e7 + r.pos, r]; });
      rank(found, p.prefixMax).forEach(function (f) { out.push({ rec: f[2], weight: p.prefixWeight, nt: false }); });
    }
    if (length >= p.fuzzyMin && !(exact && (exact.df[0] || exact.df[1])) && /^\p{Alphabetic}+$/u.test(term)) {
      var chars = Array.from(term), vocab = await this.vocab(), near = [];
      vocab.forEach(function (v, i) { if (oneEdit(chars, v[0])) near.push([v[1], i, v[0]]); });
      var recs = await Promise.all(rank(near, p.fuzzyMax).map(function (f) { return self.record(f[2]); }));
      recs.forEach(function (rec) { if (rec) out.push({ rec: rec, weight: p.fuzzyWeight, nt: true }); });
    }
    return out;
  };

  // A phrase group (tantivy's PhraseQuery per field, src/search/query.rs phrase_group): per
  // document its score in each field (`scores`: Map ord -> [score or undefined by field]);
  // `open`: an upper bound of the score of a document not scored yet (-Infinity when every
  // score is known). The positions of the documents the terms list are read first; those of
  // their tiers tier by tier (`evaluatePhrase`) while `open` can reach the results: a document of a
  // term's unread tiers scores at most that term's tier bound times the largest ratio of the
  // phrase's weight to the term's in a field (for a record listing every document having the
  // term outside `body`, only `body`, also bounded by the terms' largest tf / (tf + norm)).
  Index.prototype.phrase = async function (terms) {
    var recs = await Promise.all(terms.map(this.record, this)), m = this.manifest, n = this.n;
    var g = { phrase: terms, recs: recs, scores: new Map(), todo: [], open: -Infinity };
    if (recs.some(function (r) { return !r || !(r.flags & 63); })) return g;
    for (var f = 0; f < 6; f++) if (recs.every(function (r) { return r.df[f] > 0; })) g.todo.push(f);
    g.pos = await Promise.all(recs.map(function (rec) { return this.positions(rec); }, this));
    this.phraseFields(g, g.pos, g.todo);
    g.known = recs.map(function (r) { return new Set(r.listed.ords); });
    // Per term, the next tier whose positions to read in each sequence (entities', others').
    g.read = recs.map(function (r) { return [0, r.eTiers || 0]; });
    g.w = [];
    g.frac = Infinity;
    g.todo.forEach(function (f) {
      var idfSum = 0;
      recs.forEach(function (r) { idfSum += idf(r.df[f], n); });
      g.w[f] = weight(idfSum);
    });
    recs.forEach(function (r) { if (r.df[5]) g.frac = Math.min(g.frac, r.bodyFrac); });
    this.phraseBound(g);
    return g;
  };

  // Upper bound of the phrase's score of a document in term `i`'s unread tiers (-Infinity when
  // all are read).
  Index.prototype.phraseCap = function (g, i) {
    var r = g.recs[i], m = this.manifest, n = this.n;
    if (!r.tiers) return -Infinity;
    var unread = Math.max(positionsCap(r, g.read[i], 0), positionsCap(r, g.read[i], 1));
    if (unread === -Infinity) return -Infinity;
    var bound = unread * (1 + 1e-9);
    if (r.extra & 1) {
      if (g.todo.indexOf(5) < 0) return -Infinity;
      return m.boosts[5] * (g.w[5] * Math.min(g.frac, bound / (m.boosts[5] * weight(idf(r.df[5], n)))));
    }
    var ratio = 0;
    g.todo.forEach(function (f) { ratio = Math.max(ratio, g.w[f] / weight(idf(Math.max(r.df[f], 1), n))); });
    return bound * ratio;
  };

  // Best single-term score of a document of `r`'s tiers of sequence `seq` from tier `read[seq]`
  // on (-Infinity when none is left).
  function positionsCap(r, read, seq) {
    var t = read[seq], E = r.eTiers;
    if (seq === 0) {
      if (!r.seqBound0 || t >= E) return -Infinity;
      return t === 0 ? r.seqBound0[0] : r.tiers[t - 1][1];
    }
    if (t >= r.tiers.length) return -Infinity;
    if (t === E) return r.seqBound0 ? r.seqBound0[1] : r.bound0;
    return r.tiers[t - 1][1];
  }

  Index.prototype.phraseBound = function (g) {
    g.open = -Infinity;
    for (var i = 0; i < g.recs.length; i++) g.open = Math.max(g.open, this.phraseCap(g, i));
  };

  // Reads the positions of the next tier of the term that bounds the phrase most.
  Index.prototype.evaluatePhrase = async function (g) {
    var best = -1;
    for (var i = 0; i < g.recs.length; i++) {
      if (this.phraseCap(g, i) > -Infinity && (best < 0 || this.phraseCap(g, i) > this.phraseCap(g, best))) best = i;
    }
    var rec = g.recs[best], read = g.read[best], start = rec.x[1];
    var seq = positionsCap(rec, read, 0) >= positionsCap(rec, read, 1) ? 0 : 1, t = read[seq];
    while (!rec.tailLists[t]) await this.complete(rec, seq);
    for (var k = 0; k <= t; k++) start += rec.xLens[k];
    var bytes = await this.piece(rec.x[0], start, rec.xLens[t + 1]);
    if (read[seq] !== t) return;
    var list = rec.tailLists[t];
    readPositions(g.pos[best], new Reader(bytes), rec, list, rec.extra & 1 ? 5 : 0, 6);
    list.ords.forEach(function (d) { g.known[best].add(d); });
    read[seq] = t + 1;
    this.phraseFields(g, g.pos, g.todo);
    this.phraseBound(g);
  };

  Index.prototype.phraseFields = function (g, blocks, fields) {
    var m = this.manifest, self = this;
    fields.forEach(function (f) {
      var idfSum = 0;
      for (var i = 0; i < g.recs.length; i++) idfSum += idf(g.recs[i].df[f], self.n);
      var w = weight(idfSum), first = blocks[0][f];
      var docs = Array.from(first.keys()).filter(function (d) { return blocks.every(function (b) { return b[f].has(d); }); });
      docs.sort(function (a, b) { return a - b; });
      docs.forEach(function (d) {
        var count = 0;
        first.get(d)[1].forEach(function (p) {
          if (blocks.every(function (b, k) { return k === 0 || b[f].get(d)[1].indexOf(p + k) >= 0; })) count++;
        });
        if (count > 0) {
          if (!g.scores.has(d)) g.scores.set(d, []);
          g.scores.get(d)[f] = bm25(self.norms[f], m.boosts[f], w, count, first.get(d)[0]);
        }
      });
    });
  };

  // A phrase group's score of `d` from the fields evaluated (field order), or undefined.
  function phraseScore(g, d) {
    var s = g.scores.get(d), total = 0;
    if (!s) return undefined;
    for (var f = 0; f < 6; f++) if (s[f] !== undefined) total += s[f];
    return total;
  }

  // Documents passing the filters (a Set), or null without filters.
  Index.prototype.allowed = async function (filters) {
    var allowed = null;
    for (var [key, values] of filters) {
      var table = this.manifest.filters[FILTER_KEYS[key]], docs = new Set();
      if (table) {
        for (var v of values) {
          var lists = await this.fileAt(table[row(table, namePart(v), cmp)][1], filterLists);
          (lists.get(v) || []).forEach(function (d) { docs.add(d); });
        }
      }
      allowed = allowed === null ? docs : new Set(Array.from(allowed).filter(function (d) { return docs.has(d); }));
    }
    return allowed;
  };

  // The part of a filter value its aliases share (`team-a` of `group:default/team-a`).
  function namePart(v) { return v.split(/[:/]/).pop(); }

  function filterLists(bytes) {
    var r = new Reader(bytes), out = new Map(), lists = [];
    for (var n = r.varint(); n > 0; n--) {
      var value = r.string(), same = r.varint(), docs = [];
      if (same) docs = lists[same - 1];
      else for (var runs = r.varint(), end = 0; runs > 0; runs--) {
        var x = r.varint(), start = end + Math.floor(x / 2), len = x % 2 ? r.varint() + 2 : 1;
        for (var d = start; d < start + len; d++) docs.push(d);
        end = start + len;
      }
      lists.push(docs);
      out.set(value, docs);
    }
    return out;
  }

  // The best `limit` documents for `q`: [{ord, score}], exactly as src/search/query.rs ranks them.
  Index.prototype.search = async function (q, limit) {
    await this.load();
    var plan = parseQuery(q), m = this.manifest, self = this;
    var allowed = await this.allowed(plan.filters);
    if (!plan.groups.length) {
      if (!allowed) return [];
      return Array.from(allowed).sort(function (a, b) { return a - b; }).slice(0, limit).map(function (d) { return { ord: d, score: 0 }; });
    }
    var groups = await Promise.all(plan.groups.map(function (g) {
      return g.phrase ? self.phrase(g.phrase) : self.expand(g.term, g.prefix).then(function (cands) { return { cands: cands }; });
    }));
    var someEmpty = groups.some(function (g) { return g.phrase ? !g.scores.size && g.open === -Infinity : !g.cands.length; });
    if (someEmpty && groups.length < 2) return [];
    var bonus = new Map(), key = plan.exact ? await this.entry(queryTerms(plan.exact).join("")) : null;
    var exact = key && key.exact && key.exact.get(plan.exact);
    if (exact) {
      var wx = weight(idf(exact.length, this.n));
      exact.forEach(function (e) { bonus.set(e[0], bm25(self.norms[6], m.boosts[6], wx, e[1], e[2])); });
    }
    var terms = [];
    groups.forEach(function (g) {
      if (g.cands) g.cands.forEach(function (c) { terms.push(c.rec.term); });
      else terms.push.apply(terms, g.phrase);
    });
    // Every group, then (when no document has them all) the partial matches (query.rs, evaluate).
    for (var partial = someEmpty; ;) {
      var result = this.rank(groups, bonus, allowed, limit, partial);
      if (result && !result.length && !partial && groups.length > 1) {
        partial = true;
        continue;
      }
      if (result) {
        result.terms = terms;
        result.partial = partial;
        return result;
      }
      // The loaded postings do not settle the ranking: load what most stands in the way (a
      // tail, or the rest of a phrase's positions).
      var next = this.blocking;
      await (next.phrase ? this.evaluatePhrase(next) : this.complete(next.rec, this.blockingSeq));
    }
  };

  // Whether candidate `c` might score `d` after loading its tail (any document a stub does not
  // list, before its record is read): a tail holds no entity with
  // extra bit 1, and no document having the term in `name` or `title` with extra bit 0 (all a
  // typo candidate scores).
  function mayHave(c, d, entities) {
    if (c.rec.stub) return true;
    if (c.rec.seqBound) return nextTier(c.rec, d < entities ? 0 : 1) >= 0;
    return !c.rec.complete && !(d < entities && c.rec.extra & 2) && !(c.nt && c.rec.extra & 1);
  }

  // Upper bound of a phrase group's score of a document it has scored (`value`): exact when
  // every term lists the document (its `body` is known then).
  Index.prototype.phraseOpen = function (g, d, value) {
    var cap = Infinity;
    for (var k = 0; k < g.recs.length; k++) {
      if (g.known[k].has(d)) continue;
      var c = this.phraseCap(g, k);
      if (c === -Infinity) return -Infinity;
      cap = Math.min(cap, c);
    }
    return cap === Infinity ? -Infinity : value + cap;
  };

  // The bound of what loading a source would settle for a document `d`: a candidate's tail, a
  // phrase's `body`.
  function openOf(source, d, entities) {
    return source.phrase ? source.open : source.weight * boundFor(source.rec, d, entities);
  }

  // Index of `d` in `rec`'s (sorted) ordinals, or -1.
  function position(rec, d) {
    var lo = 0, hi = rec.ords.length - 1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (rec.ords[mid] === d) return mid;
      if (rec.ords[mid] < d) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
  }

  // Ranks with what is loaded; null when documents not known well enough might still rank.
  // `partial`: a document needs only one group, the others count 0 (query.rs, evaluate).
  Index.prototype.rank = function (groups, bonus, allowed, limit, partial) {
    var self = this, seen = new Set(), entities = this.manifest.entities;
    groups.forEach(function (g) {
      if (g.phrase) { g.scores.forEach(function (_, d) { seen.add(d); }); return; }
      g.cands.forEach(function (c) {
        c.scores = self.scores(c.rec);
        c.scores.forEach(function (_, d) { seen.add(d); });
      });
    });
    bonus.forEach(function (_, d) { seen.add(d); });
    // Best score an unseen document can have in each group (-Infinity: none can match), for an
    // entity and for another document.
    function unseenBound(d) {
      var any = false, sum = groups.reduce(function (sum, g) {
        var best = -Infinity;
        if (g.phrase) best = g.open;
        else g.cands.forEach(function (c) { if (mayHave(c, d, entities)) best = Math.max(best, c.weight * boundFor(c.rec, d, entities)); });
        if (best > -Infinity) any = true;
        return sum + (partial ? Math.max(best, 0) : best);
      }, 0);
      return any ? sum : -Infinity;
    }
    // The best an unseen entity and another unseen document can score.
    var unseen = [-Infinity, -Infinity], open = [unseenBound(0), unseenBound(entities)];
    if (!allowed) unseen = [entities > 0 ? open[0] : -Infinity, open[1]];
    else allowed.forEach(function (d) { if (!seen.has(d)) { var e = d < entities ? 0 : 1; unseen[e] = open[e]; } });
    var resolved = [], pending = [];
    seen.forEach(function (d) {
      if (allowed && !allowed.has(d)) return;
      var total = 0, upper = 0, exact = true, sources = [], matched = false;
      for (var i = 0; i < groups.length; i++) {
        var g = groups[i], value, known = false, openHere = -Infinity;
        if (g.phrase) {
          value = phraseScore(g, d);
          known = value !== undefined;
          if (known) openHere = self.phraseOpen(g, d, value);
          else if (g.open > -Infinity) openHere = g.open;
          else if (partial) continue;
          else return;
          if (openHere > -Infinity) sources.push(g);
        } else {
          value = 0;
          for (var k = 0; k < g.cands.length; k++) {
            var c = g.cands[k], s = c.scores.get(d);
            if (s !== undefined) {
              if (c.nt && s[1] === null) continue;
              var v = c.weight * (c.nt ? s[1] : s[0]);
              if (!known || v > value) value = v;
              known = true;
            } else if (mayHave(c, d, entities)) {
              openHere = Math.max(openHere, c.weight * boundFor(c.rec, d, entities));
              sources.push(c);
            }
          }
          if (!known && openHere === -Infinity) {
            if (!partial) return;
            continue;
          }
        }
        matched = true;
        if (!known || openHere > value) exact = false;
        if (!known && partial) value = 0;
        total += value;
        upper += known ? Math.max(value, openHere) : partial ? Math.max(openHere, 0) : openHere;
      }
      if (!matched) return;
      if (bonus.has(d)) { total += bonus.get(d); upper += bonus.get(d); }
      if (exact) resolved.push([d, total]);
      else pending.push([upper, sources, d]);
    });
    resolved.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
    if (unseen[0] > -Infinity || unseen[1] > -Infinity || pending.length) {
      var threshold = resolved.length < limit ? -Infinity : resolved[limit - 1][1];
      var unseenSources = [];
      groups.forEach(function (g) {
        if (g.phrase) { if (g.open > -Infinity) unseenSources.push(g); }
        else g.cands.forEach(function (c) { if (!c.rec.complete) unseenSources.push(c); });
      });
      if (unseen[0] > -Infinity) pending.push([unseen[0], unseenSources, 0]);
      if (unseen[1] > -Infinity) pending.push([unseen[1], unseenSources, entities]);
      // What stands in the way: the source of the highest upper bound not below the threshold.
      var best = null;
      pending.forEach(function (p) {
        if (p[0] < threshold || (best && p[0] <= best[0])) return;
        best = p;
      });
      if (best) {
        var d = best[2];
        this.blocking = best[1].reduce(function (a, b) { return openOf(b, d, entities) > openOf(a, d, entities) ? b : a; });
        // Which of a split record's tier sequences the document that stands in the way is in.
        this.blockingSeq = d < entities ? 0 : 1;
        return null;
      }
    }
    return resolved.slice(0, limit).map(function (r) { return { ord: r[0], score: r[1] }; });
  };

  // Metadata of document `ord`.
  Index.prototype.meta = async function (ord) {
    if (this.metas.has(ord)) return this.metas.get(ord);
    var m = this.manifest, t = m.meta, at = row(t, ord, function (a, b) { return a - b; });
    // Offsets of the file's pieces, from its first piece.
    if (!this.offsets.has(at)) {
      this.offsets.set(at, this.piece(t[at][1], 0, t[at][2]).then(function (bytes) {
        var r = new Reader(bytes), list = [t[at][2]];
        for (var c = r.varint(); c > 0; c--) list.push(list[list.length - 1] + r.varint());
        return list;
      }));
    }
    var offsets = await this.offsets.get(at);
    var p = Math.floor((ord - t[at][0]) / m.metaPiece);
    var bytes = await this.piece(t[at][1], offsets[p], offsets[p + 1] - offsets[p]);
    if (!this.metas.has(ord)) {
      var r = new Reader(bytes), count = r.varint(), ords = [];
      for (var k = 0; k < count; k++) ords.push(t[at][0] + p * m.metaPiece + k);
      metaBlock(new Reader(bytes), ords, this.metas);
    }
    return this.metas.get(ord);
  };

  // `hits` of `search` with their metadata and absolute URLs (`href`).
  Index.prototype.describe = function (hits) {
    var self = this;
    return Promise.all(hits.map(async function (h) {
      var meta = await self.meta(h.ord);
      return Object.assign({ ord: h.ord, score: h.score }, meta, { href: new URL(meta.url, self.root).href });
    }));
  };

  // Search with metadata: [{ord, score, kind, title, url (absolute), owner, context, excerpt}].
  // (`hits.terms`: the index terms the query matched, for highlighting.)
  Index.prototype.query = async function (q, limit) {
    var hits = await this.search(q, limit || 10);
    var out = await this.describe(hits);
    out.terms = hits.terms || [];
    out.partial = !!hits.partial;
    return out;
  };

  // ---- User interface ----
  var CSS = "#search{position:relative}#search-results{position:absolute;right:0;top:calc(100% + 4px);z-index:50;" +
    "width:min(36rem,92vw);max-height:70vh;overflow:auto;background:var(--bg,#fff);color:var(--fg,#111);" +
    "border:1px solid var(--line,#ccc);border-radius:8px;box-shadow:0 8px 24px rgba(0,0,0,.18);padding:.25rem}" +
    "#search-results[hidden]{display:none}#search-results .facets{display:flex;flex-wrap:wrap;gap:.25rem;padding:.25rem}" +
    "#search-results select{font:inherit;font-size:.8rem;max-width:9rem}#search-results ul{list-style:none;margin:0;padding:0}" +
    "#search-results a{display:block;padding:.4rem .5rem;border-radius:6px;color:inherit;text-decoration:none}" +
    "#search-results li[aria-selected=true] a,#search-results a:hover{background:var(--card,#f3f3f3)}" +
    "#search-results .k{font-size:.7rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted,#666);margin-right:.4rem}" +
    "#search-results .t{font-weight:600}#search-results .c,#search-results .x{display:block;font-size:.8rem;color:var(--muted,#666)}" +
    "#search-results mark{background:none;color:var(--accent,#0969da);font-weight:700}#search-results .none{padding:.5rem;color:var(--muted,#666)}";

  // `text` with the words whose parts or joins are in `terms` (a Set) marked.
  function highlight(text, terms) {
    var frag = document.createDocumentFragment(), re = /[\p{Alphabetic}\p{N}]+(?:[-_.][\p{Alphabetic}\p{N}]+)*/gu, last = 0, m;
    while ((m = re.exec(text))) {
      var hit = compounds(m[0]).some(function (parts) {
        for (var i = 0; i < parts.length; i++) {
          for (var j = i + 1; j <= parts.length; j++) if (terms.has(parts.slice(i, j).join(""))) return true;
        }
        return false;
      });
      if (!hit) continue;
      frag.append(text.slice(last, m.index));
      var mark = document.createElement("mark");
      mark.textContent = m[0];
      frag.append(mark);
      last = m.index + m[0].length;
    }
    frag.append(text.slice(last));
    return frag;
  }

  function attach(doc) {
    var form = doc.getElementById("search"), input = doc.getElementById("search-input");
    if (!form || !input || !form.dataset.manifest) return;
    var index = new Index(new URL(form.dataset.manifest, doc.baseURI).href);
    var style = doc.createElement("style");
    style.textContent = CSS;
    doc.head.append(style);
    var panel = doc.createElement("div"), facets = doc.createElement("div"), list = doc.createElement("ul");
    panel.id = "search-results";
    panel.hidden = true;
    facets.className = "facets";
    list.id = "search-list";
    list.setAttribute("role", "listbox");
    panel.append(facets, list);
    form.append(panel);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-controls", "search-list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-autocomplete", "list");
    var selects = {}, active = -1, timer = 0, token = 0, items = [];

    function buildFacets() {
      ["kind", "owner", "lifecycle", "tag"].forEach(function (key) {
        var values = (index.manifest.facets || {})[key];
        if (!values || !values.length) return;
        var select = doc.createElement("select");
        select.setAttribute("aria-label", "Filter by " + key);
        select.append(new Option(key + ": any", ""));
        values.forEach(function (v) { select.append(new Option(v[0] + " (" + v[1] + ")", v[0])); });
        select.addEventListener("change", function () { run(); input.focus(); });
        selects[key] = select;
        facets.append(select);
      });
    }

    function query() {
      var filters = Object.keys(selects).filter(function (k) { return selects[k].value; })
        .map(function (k) { return k + ":" + selects[k].value; });
      return filters.concat([input.value]).join(" ");
    }

    function setActive(i) {
      items.forEach(function (li, k) { li.setAttribute("aria-selected", String(k === i)); });
      active = i;
      if (items[i]) {
        input.setAttribute("aria-activedescendant", items[i].id);
        items[i].scrollIntoView({ block: "nearest" });
      }
    }

    function show(open) {
      panel.hidden = !open;
      input.setAttribute("aria-expanded", String(open));
    }

    async function run() {
      var mine = ++token;
      if (!input.value.trim() && !Object.keys(selects).some(function (k) { return selects[k].value; })) { show(false); return; }
      await index.load();
      if (!facets.childNodes.length) buildFacets();
      var hits = await index.query(query(), 10);
      if (mine !== token) return;
      var terms = new Set(hits.terms);
      list.textContent = "";
      items = hits.map(function (h, i) {
        var li = doc.createElement("li"), a = doc.createElement("a"), k = doc.createElement("span"), t = doc.createElement("span");
        li.id = "search-hit-" + i;
        li.setAttribute("role", "option");
        a.href = h.href;
        k.className = "k";
        k.textContent = h.kind;
        t.className = "t";
        t.append(highlight(h.title, terms));
        a.append(k, t);
        var context = [h.context, h.owner].filter(Boolean).join(" · ");
        if (context) {
          var c = doc.createElement("span");
          c.className = "c";
          c.textContent = context;
          a.append(c);
        }
        if (h.excerpt) {
          var x = doc.createElement("span");
          x.className = "x";
          x.append(highlight(h.excerpt, terms));
          a.append(x);
        }
        li.append(a);
        list.append(li);
        return li;
      });
      if (!items.length) {
        var none = doc.createElement("li");
        none.className = "none";
        none.textContent = "No results";
        list.append(none);
      } else if (hits.partial) {
        var some = doc.createElement("li");
        some.className = "none";
        some.textContent = "No result has every word: these have some of them.";
        list.prepend(some);
      }
      if (input.value.trim()) {
        // Every result, on the search page.
        var all = doc.createElement("li"), more = doc.createElement("a"), to = new URL(form.action, doc.baseURI);
        to.searchParams.set("q", input.value.trim());
        all.className = "all";
        more.href = to.href;
        more.textContent = "All results for “" + input.value.trim() + "” →";
        all.append(more);
        list.append(all);
      }
      setActive(items.length ? 0 : -1);
      show(true);
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 120);
    });
    input.addEventListener("focus", function () { if (input.value.trim() && panel.hidden) run(); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        if (!items.length) return;
        setActive((active + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length);
      } else if (e.key === "Enter") {
        if (items[active]) {
          e.preventDefault();
          doc.defaultView.location.href = items[active].firstChild.href;
        }
      } else if (e.key === "Escape") {
        show(false);
      }
    });
    doc.addEventListener("keydown", function (e) {
      var t = e.target, typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
      if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault();
        input.focus();
        input.select();
      }
    });
    doc.addEventListener("click", function (e) { if (!form.contains(e.target)) show(false); });
    // The search page (the form's action) lists the results itself (search-page.js).
    var here = doc.defaultView.location, asked = new URLSearchParams(here.search).get("q");
    if (asked && new URL(form.action, doc.baseURI).pathname === here.pathname) input.value = asked;
  }

  return {
    attach: attach, Index: Index, highlight: highlight, parseQuery: parseQuery, queryTerms: queryTerms, phraseTerms: phraseTerms,
    compounds: compounds, ln: ln, FIELDNORMS: FIELDNORMS
  };
});
