#!/usr/bin/env bash
# Search bytes benchmark: Portico's static search vs Pagefind 1.6 on the same built site, at one
# or more catalog sizes.
#
#   bash benches/search-bytes.sh [WORK_DIR]      (default: a temporary directory)
#   SIZES="1000 10000" bash benches/search-bytes.sh    (M and L; Pagefind at the first size only)
#
# Per size N (default 1000):
# 1. generates ../shared/bench/gen-monorepo.py --components N (1000: about 4,500 docs pages);
# 2. builds it with the release `portico build`; if that output has no search/ files yet, writes
#    SearchIndex::export() there through the ignored test `search::tests::stats`, which also
#    prints the index build and export times;
# 3. at the first size, runs Pagefind 1.6 (npm package `pagefind`, installed into WORK_DIR) over
#    the same site;
# 4. runs the 20 queries of benches/search-bytes.queries.txt through the clients in headless
#    Chromium (benches/search-bytes.mjs) and prints the bytes each search fetches, cold (runtime
#    included) and warm, plus index size and file count;
# 5. checks that the browser client's top 10 equal SearchIndex::query's for those queries
#    (search::tests::parity_at_scale).
# With several sizes it ends with Portico's cold and warm bytes per query side by side and the
# ratio of the last size to the first.
# To measure other export limits on sites already built here (WORK_DIR/site<N>), write the
# index again with them and rerun step 4, e.g.
#   PORTICO_SEARCH_ROOT=WORK_DIR/gen1000 PORTICO_SEARCH_OUT=WORK_DIR/site1000 \
#   PORTICO_SEARCH_LIMITS=tier_growth=2,stub_docs=8 \
#   cargo test --release --lib search::tests::stats -- --ignored --nocapture
# (keys: list_all, top, list_max, ties, tier_first, tier_growth, out_of_line, stub_docs; see
# src/search/terms.rs, Limits), then delete WORK_DIR/site<N>/assets/search.*.js so that the
# client is read from themes/default/assets/search.js.
# Needs Rust, Python 3, Node 18+, npm, and Chromium (/usr/bin/chromium or PORTICO_CHROMIUM) with
# `npm ci --prefix tests/browser` done.
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
queries="benches/search-bytes.queries.txt"
sizes=(${SIZES:-1000})
cargo build --release --quiet
for n in "${sizes[@]}"; do
gen="$work/gen$n"
site="$work/site$n"
echo "== generating $gen"
[ -f "$gen/catalog-info.yaml" ] || python3 ../shared/bench/gen-monorepo.py "$gen" --components "$n"
echo "== building the site (release)"
rm -rf "$site"
target/release/portico build "$gen" --out "$site" --quiet
pages=$(find "$site" -name '*.html' -not -path "$site/pagefind/*" | wc -l)
echo "   $pages HTML pages; file budget pages/50 + 100 = $((pages / 50 + 100))"
if ! ls "$site"/search/manifest.bin >/dev/null 2>&1; then
  echo "== the build has no search/ files: writing SearchIndex::export() into $site"
  PORTICO_SEARCH_ROOT="$gen" PORTICO_SEARCH_OUT="$site" \
    cargo test --release --quiet --lib search::tests::stats -- --ignored --nocapture 2>&1 | grep -E '^(index build|export|files)'
  rm -f "$site/search/manifest-path.txt"
fi
engines=portico
if [ "$n" = "${sizes[0]}" ]; then
  echo "== Pagefind 1.6"
  if [ ! -x "$work/pagefind/node_modules/.bin/pagefind" ]; then
    npm install --silent --prefix "$work/pagefind" pagefind@1.6.0 >/dev/null
  fi
  rm -rf "$site/pagefind"
  (time "$work/pagefind/node_modules/.bin/pagefind" --site "$site" >/dev/null) 2>&1 | grep real | sed 's/^/   pagefind indexing: /'
  engines=portico,pagefind
fi
echo "== bytes per search at $n components (KB, requests in parentheses)"
node benches/search-bytes.mjs "$site" "$queries" --engines "$engines" --json "$work/search-bytes-$n.json"
echo "== parity of the browser client with SearchIndex::query on these queries"
PORTICO_SEARCH_ROOT="$gen" PORTICO_SEARCH_QUERIES="$PWD/$queries" \
  cargo test --release --quiet --lib search::tests::parity_at_scale -- --ignored 2>&1 | grep -E 'test result|panicked|differs'
done
if [ "${#sizes[@]}" -gt 1 ]; then
  echo "== Portico per query: ${sizes[0]} against ${sizes[-1]} components (KB cold / warm, ratio of cold)"
  node -e '
    const [a, b] = process.argv.slice(1).map((f) => JSON.parse(require("fs").readFileSync(f, "utf8")).rows);
    const kb = (x) => (x / 1024).toFixed(1);
    console.log("| query | cold | warm | cold | warm | ratio |\n|---|---:|---:|---:|---:|---:|");
    a.forEach((r, i) => {
      const p = r.portico, q = b[i].portico;
      console.log(`| \`${r.q}\` | ${kb(p.cold.bytes)} | ${kb(p.warm.bytes)} | ${kb(q.cold.bytes)} | ${kb(q.warm.bytes)} | ${(q.cold.bytes / p.cold.bytes).toFixed(2)} |`);
    });' "$work/search-bytes-${sizes[0]}.json" "$work/search-bytes-${sizes[-1]}.json"
fi
