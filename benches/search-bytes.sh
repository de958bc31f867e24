#!/usr/bin/env bash
# Search bytes benchmark: Portico's static search vs Pagefind 1.6 on the same built site.
#
#   bash benches/search-bytes.sh [WORK_DIR]      (default: a temporary directory)
#
# 1. generates ../shared/bench/gen-monorepo.py --components 1000 (about 4,500 docs pages);
# 2. builds it with the release `portico build`; if that output has no search/ files yet, writes
#    SearchIndex::export() there through the ignored test `search::tests::stats`, which also
#    prints the index build and export times;
# 3. runs Pagefind 1.6 (npm package `pagefind`, installed into WORK_DIR) over the same site;
# 4. runs the 20 queries of benches/search-bytes.queries.txt through both clients in headless
#    Chromium (benches/search-bytes.mjs) and prints the bytes each search fetches, cold (runtime
#    included) and warm, plus index size and file count;
# 5. checks that the browser client's top 10 equal SearchIndex::query's for those queries
#    (search::tests::parity_at_scale).
# Needs Rust, Python 3, Node 18+, npm, and Chromium (/usr/bin/chromium or PORTICO_CHROMIUM) with
# `npm ci --prefix tests/browser` done.
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
gen="$work/gen1000"
site="$work/site"
queries="benches/search-bytes.queries.txt"

echo "== generating $gen"
python3 ../shared/bench/gen-monorepo.py "$gen" --components 1000
echo "== building the site (release)"
cargo build --release --quiet
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
echo "== Pagefind 1.6"
if [ ! -x "$work/pagefind/node_modules/.bin/pagefind" ]; then
  npm install --silent --prefix "$work/pagefind" pagefind@1.6.0 >/dev/null
fi
rm -rf "$site/pagefind"
(time "$work/pagefind/node_modules/.bin/pagefind" --site "$site" >/dev/null) 2>&1 | grep real | sed 's/^/   pagefind indexing: /'
echo "== bytes per search (KB, requests in parentheses)"
node benches/search-bytes.mjs "$site" "$queries" --json "$work/search-bytes.json"
echo "== parity of the browser client with SearchIndex::query on these queries"
PORTICO_SEARCH_ROOT="$gen" PORTICO_SEARCH_QUERIES="$PWD/$queries" \
  cargo test --release --quiet --lib search::tests::parity_at_scale -- --ignored 2>&1 | grep -E 'test result|panicked|differs'
