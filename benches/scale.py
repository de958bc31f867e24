#!/usr/bin/env python3
"""Scale benchmark: Portico at M, L (and optionally 30k) components, side by side with Hugo.

    python3 benches/scale.py [--sizes 1000,10000] [--runs 3] [--work DIR] [--out DIR] [--no-hugo]

For each size N it generates ../shared/bench/gen-monorepo.py --components N (once, in WORK),
then alternates runs of
  - `portico build --no-cache` (release) into a fresh directory and over the previous site, with
    PORTICO_TRACE=1 so every stage line carries its time, resident and peak memory;
  - `portico build` with its build cache over its previous site: with nothing changed, and
    after one docs page was edited (incremental builds, issue 12);
  - Hugo (`hugo` on PATH, Debian package `hugo`) building the same TechDocs pages alone: every
    docs/*.md of every service copied into a Hugo content tree with a minimal layout, code
    fences highlighted by Hugo's Chroma, the way a docs-only site would be built.
It prints, per size: wall (median), CPU (user+sys, median) and peak RSS of each tool, the
Portico/Hugo ratios, and Portico's stage lines of the median run. Wall times on a shared
machine are noisy: compare ratios of alternated runs, not absolute numbers.

--out DIR writes both tools' sites under DIR instead of WORK, e.g. a tmpfs (/dev/shm) to
compare the work the tools do rather than the file system: on an ext4 without a journal (this
project's VMs), creating files soon after many were deleted is slow (the kernel's inode
allocator skips recently deleted inodes one by one), and every run here deletes a site.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GEN = ROOT.parent / "shared" / "bench" / "gen-monorepo.py"
PORTICO = ROOT / "target" / "release" / "portico"


def timed(cmd, env=None, cwd=None):
    """Runs cmd under /usr/bin/time; returns (wall s, cpu s, max rss MB, stderr)."""
    start = time.monotonic()
    proc = subprocess.run(
        ["/usr/bin/time", "-f", "__TIME__ %e %U %S %M"] + cmd,
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wall = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(map(str, cmd))}\n{proc.stderr[-3000:]}")
    line = [l for l in proc.stderr.splitlines() if l.startswith("__TIME__")][-1].split()
    cpu = float(line[2]) + float(line[3])
    return wall, cpu, int(line[4]) / 1024, proc.stderr


def hugo_site(gen: Path, dest: Path) -> int:
    """Writes a Hugo site of every TechDocs page of `gen` into `dest`; returns the page count."""
    if dest.exists():
        shutil.rmtree(dest)
    content = dest / "content"
    pages = 0
    for docs in sorted(gen.glob("services/*/docs")):
        service = docs.parent.name
        for md in docs.rglob("*.md"):
            rel = md.relative_to(docs)
            target = content / service / rel
            if rel.name == "index.md":
                target = target.with_name("_index.md")
            target.parent.mkdir(parents=True, exist_ok=True)
            text = md.read_text()
            title = next((l[2:].strip() for l in text.splitlines() if l.startswith("# ")), rel.stem)
            target.write_text(f'---\ntitle: "{title.replace(chr(34), "")}"\n---\n{text}')
            pages += 1
    (dest / "layouts" / "_default").mkdir(parents=True)
    page = "<!doctype html><html><head><title>{{ .Title }}</title></head><body><nav>{{ range .Site.Menus.main }}{{ .Name }}{{ end }}</nav><main>{{ .Content }}</main></body></html>\n"
    (dest / "layouts" / "_default" / "single.html").write_text(page)
    (dest / "layouts" / "_default" / "list.html").write_text(page)
    (dest / "hugo.toml").write_text(
        'baseURL = "https://example.com/"\ntitle = "docs"\ndisableKinds = ["taxonomy", "term", "RSS"]\n'
        "[markup.highlight]\n  noClasses = false\n[markup.goldmark.renderer]\n  unsafe = false\n"
    )
    return pages


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", default=None)
    ap.add_argument("--out", default=None, help="where the sites are written (default: WORK)")
    ap.add_argument("--no-hugo", action="store_true")
    args = ap.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="portico-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    sites = Path(args.out) if args.out else work
    sites.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    hugo = None if args.no_hugo else shutil.which("hugo")
    if not args.no_hugo and not hugo:
        print("hugo not found (apt-get install hugo); running Portico only")
    for n in [int(s) for s in args.sizes.split(",")]:
        gen = work / f"gen{n}"
        if not (gen / "catalog-info.yaml").exists():
            print(f"== generating {n} components")
            subprocess.run([sys.executable, str(GEN), str(gen), "--components", str(n)], check=True, stdout=subprocess.DEVNULL)
        hugo_dir = work / f"hugo{n}"
        hugo_pages = hugo_site(gen, hugo_dir) if hugo else 0
        env = dict(os.environ, PORTICO_TRACE="1", CI="1")
        fresh, over, unchanged, edited, hugo_runs = [], [], [], [], []
        out = sites / f"site{n}"
        inc = sites / f"site{n}-incremental"
        cache = work / f"cache{n}"
        page = gen / "services" / "svc-1" / "docs" / "index.md"
        cached = [str(PORTICO), "build", str(gen), "--out", str(inc), "--cache-dir", str(cache)]
        timed(cached, env=env)  # the first build fills the cache
        for run in range(args.runs):
            shutil.rmtree(out, ignore_errors=True)
            fresh.append(timed([str(PORTICO), "build", str(gen), "--out", str(out), "--no-cache"], env=env))
            over.append(timed([str(PORTICO), "build", str(gen), "--out", str(out), "--no-cache"], env=env))
            unchanged.append(timed(cached, env=env))
            with page.open("a") as f:
                f.write(f"\nEdited for run {run}.\n")
            edited.append(timed(cached, env=env))
            if hugo:
                shutil.rmtree(sites / f"hugo{n}-out", ignore_errors=True)
                hugo_runs.append(timed([hugo, "--quiet", "-s", str(hugo_dir), "-d", str(sites / f"hugo{n}-out")]))
            # Let the background removal of the previous site finish before the next run.
            time.sleep(2)

        def med(runs, i):
            return statistics.median(r[i] for r in runs)

        print(f"\n== {n} components")
        print(f"{'':24} {'wall s':>8} {'cpu s':>8} {'peak MB':>8}")
        rows = [
            ("portico fresh", fresh),
            ("portico over existing", over),
            ("portico cached, no edit", unchanged),
            ("portico cached, 1 page", edited),
        ]
        for name, runs in rows + ([("hugo docs only", hugo_runs)] if hugo else []):
            print(f"{name:24} {med(runs, 0):8.2f} {med(runs, 1):8.2f} {med(runs, 2):8.0f}")
        print(
            f"incremental/fresh wall: no edit {med(unchanged, 0) / med(fresh, 0):.2f}x, "
            f"one docs page edited {med(edited, 0) / med(fresh, 0):.2f}x"
        )
        if hugo:
            print(f"hugo pages: {hugo_pages}")
            print(
                f"ratio portico/hugo: wall {med(fresh, 0) / med(hugo_runs, 0):.2f}x (over existing {med(over, 0) / med(hugo_runs, 0):.2f}x), "
                f"cpu {med(fresh, 1) / med(hugo_runs, 1):.2f}x, peak memory {med(fresh, 2) / med(hugo_runs, 2):.2f}x"
            )
        median_run = sorted(fresh, key=lambda r: r[0])[len(fresh) // 2]
        print("stage lines of the median fresh run:")
        for line in median_run[3].splitlines():
            if re.match(r"^ +[a-z]+  ", line):
                print(line)
        median_run = sorted(edited, key=lambda r: r[0])[len(edited) // 2]
        print("stage lines of the median incremental run (one docs page edited):")
        for line in median_run[3].splitlines():
            if re.match(r"^ +[a-z]+  ", line):
                print(line)
        largest = max((p for p in out.rglob("*.html")), key=lambda p: p.stat().st_size)
        print(f"largest page: {largest.relative_to(out)} {largest.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
