#!/usr/bin/env python3
"""Regenerate the MkDocs reference data in tests/fixtures/mkdocs-reference/.

Dev tool, NOT run by the test suite. It builds TechDocs sites with the real
MkDocs + mkdocs-techdocs-core and records what MkDocs resolved (nav, page URLs,
page titles, heading ids), so Portico's TechDocs renderer can be checked against
it. It also prints the slug case table used by src/docs/slug.rs, and times
`mkdocs build` the way TechDocs runs it (one process per entity).

Requirements: a virtualenv with mkdocs-techdocs-core installed, e.g.

    python3 -m venv /tmp/mkdocs-venv
    /tmp/mkdocs-venv/bin/pip install mkdocs-techdocs-core

The backstage demo site has a PlantUML page, and plantuml_markdown needs a
`plantuml` binary (TechDocs' container ships one): `apt-get install plantuml
graphviz`. Each site is copied to a temporary directory and built with that
directory as cwd, as TechDocs does (pymdownx.snippets resolves its base_path
"." against the cwd).

Usage (run from the repository root; any python3 can start it, the MkDocs work
runs in the venv's interpreter):

    python3 benches/mkdocs-reference.py [--venv /tmp/mkdocs-venv] [sites]
        Rebuild every reference site and write one JSON per site into
        tests/fixtures/mkdocs-reference/. Options:
          --shared DIR       the shared/ directory (default: ../shared or /work/shared)
          --gen-dir DIR      where to generate the synthetic monorepo
                             (default /tmp/gen1000; made with
                             shared/bench/gen-monorepo.py --components 1000)
          --synthetic N      how many svc-* services to build (default 20)
          --store N          how many of them to store as JSON (default 20)
          --out DIR          output dir (default tests/fixtures/mkdocs-reference)
    python3 benches/mkdocs-reference.py [--venv ...] timing
        Time `mkdocs build -d OUT -v` (TechDocs' local generator command, one
        process per entity, run from the entity directory) for the synthetic
        services svc-0..svc-(N-1) one after another; prints total wall seconds,
        page count and pages/second.
    python3 benches/mkdocs-reference.py [--venv ...] slug-cases [--write-rust]
        Print the heading slug cases (Markdown source -> text fed to slugify ->
        id) as computed by the real Python-Markdown `toc` extension with the
        exact extension set mkdocs-techdocs-core configures, as JSON; with
        --write-rust, rewrite the `// @generated-*` test tables in
        src/docs/slug.rs instead (then run `cargo fmt`).

If --venv is not given, `mkdocs` must be on PATH and its interpreter is used.

JSON shape of tests/fixtures/mkdocs-reference/<site>.json:

    {
      "site": "order-service",                 # file stem
      "source": "content-example/services/order-service",  # project dir (has mkdocs.yml)
      "docs_dir": "docs",                      # relative to source
      "generator": {"mkdocs": "1.6.1", "markdown": "3.10.3", ...},
      "site_name": "Order Service",
      "use_directory_urls": true,
      "nav": [                                 # MkDocs' resolved nav, in order
        {"kind": "page", "title": "Overview", "url": "", "src": "index.md", "children": []},
        {"kind": "section", "title": "Reference", "url": null, "src": null,
         "children": [ ...same node shape... ]},
        {"kind": "link", "title": "...", "url": "https://...", "src": null, "children": []}
      ],
      "pages": [                               # every documentation page, MkDocs' file order
        {"src": "index.md",                    # path under docs_dir, '/' separated
         "url": "",                            # page.url (relative to site root)
         "dest": "index.html",                 # output file under site_dir
         "title": "Overview",                  # page.title after rendering
         "in_nav": true,
         "headings": [                         # page.toc flattened, document order
           {"level": 1, "id": "order-service", "text": "Order service", "html": "Order service",
            "explicit": false}                 # true: id from attr_list {#id}, not slugify
         ],
         "extra_anchors": ["fn:1"]             # other ids MkDocs sees on the page
        }                                      # (present_anchor_ids minus heading ids)
      ],
      "log": [{"level": "WARNING", "logger": "mkdocs.structure.pages", "message": "..."}]
    }

"text" is the heading text as plain text (html.unescape of the toc name);
"html" is the toc name exactly as MkDocs renders it in the sidebar.
"log" keeps MkDocs' INFO+ messages minus the fixed build chatter; temporary
build paths are replaced by "<tmp>".
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

NOISE_PREFIXES = (
    "Cleaning site directory",
    "Building documentation to directory",
    "Documentation built in",
    "[mkdocs-techdocs-core] Overridden",
)


# ---------------------------------------------------------------------------
# Part run inside the venv: extract one site
# ---------------------------------------------------------------------------

def _versions():
    from importlib.metadata import version

    out = {}
    for dist in ("mkdocs", "markdown", "pymdown-extensions", "mkdocs-techdocs-core",
                 "mkdocs-material"):
        try:
            out[dist] = version(dist)
        except Exception:  # pragma: no cover - informational only
            out[dist] = None
    out["python"] = "%d.%d.%d" % sys.version_info[:3]
    return out


def extract_one(config_file, site_dir, out_json, site, source):
    """Build one site in-process with an extra recording plugin; write JSON."""
    import html
    import logging

    from mkdocs.commands import build as mk_build
    from mkdocs.config import load_config
    from mkdocs.plugins import BasePlugin
    from mkdocs.structure.nav import Link, Section
    from mkdocs.structure.pages import Page

    records = []

    class Capture(logging.Handler):
        def emit(self, record):
            msg = record.getMessage()
            if record.levelno < logging.INFO or msg.startswith(NOISE_PREFIXES):
                return
            records.append({"level": record.levelname, "logger": record.name, "message": msg})

    handler = Capture(level=logging.INFO)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)

    state = {}

    slug_calls = []  # (text, slug) passed through toc's slugify, per page

    class Recorder(BasePlugin):
        def on_config(self, config):
            # Runs after techdocs-core rewrote mdx_configs: wrap (not replace) the
            # slugify toc uses, to tell generated ids from explicit attr_list ids.
            from markdown.extensions import toc as toc_mod

            toc_cfg = config["mdx_configs"].setdefault("toc", {})
            inner = toc_cfg.get("slugify", toc_mod.slugify)

            def recording_slugify(value, separator):
                slug = inner(value, separator)
                slug_calls.append((value, slug))
                return slug

            toc_cfg["slugify"] = recording_slugify
            return config

        def on_page_markdown(self, markdown, page, config, files):
            slug_calls.clear()
            return markdown

        def on_page_content(self, html_, page, config, files):
            state.setdefault("slug_calls", {})[page.file.src_uri] = list(slug_calls)
            return html_

        def on_nav(self, nav, config, files):
            state["nav"] = nav
            state["files"] = files
            return nav

    cfg = load_config(config_file=config_file, site_dir=site_dir)
    # Before building: mkdocs-monorepo-plugin swaps docs_dir for a temporary copy.
    docs_dir = os.path.relpath(cfg.docs_dir, os.path.dirname(os.path.abspath(config_file)))
    cfg.plugins["portico-reference-recorder"] = Recorder()
    mk_build.build(cfg)
    root.removeHandler(handler)

    def node(item):
        if isinstance(item, Section):
            return {"kind": "section", "title": item.title, "url": None, "src": None,
                    "children": [node(c) for c in item.children]}
        if isinstance(item, Page):
            return {"kind": "page", "title": item.title, "url": item.url,
                    "src": item.file.src_uri, "children": []}
        if isinstance(item, Link):
            return {"kind": "link", "title": item.title, "url": item.url, "src": None,
                    "children": []}
        raise TypeError(type(item))

    def flatten(toc, out):
        for a in toc:
            out.append({"level": a.level, "id": a.id, "text": html.unescape(a.title),
                        "html": a.title})
            flatten(a.children, out)
        return out

    def mark_explicit(heads, calls):
        # toc calls slugify once per heading without an id, in document order, with
        # exactly the heading's plain text; other headings kept an explicit id.
        calls = list(calls)
        for h in heads:
            if calls and calls[0][0] == h["text"]:
                calls.pop(0)
                h["explicit"] = False
            else:
                h["explicit"] = True
        return heads

    nav = state["nav"]
    pages = []
    for f in state["files"].documentation_pages():
        p = f.page
        heads = mark_explicit(flatten(p.toc, []), state["slug_calls"].get(f.src_uri, []))
        ids = {h["id"] for h in heads}
        pages.append({
            "src": f.src_uri,
            "url": p.url,
            "dest": f.dest_uri,
            "title": p.title,
            "in_nav": any(p is q for q in nav.pages),
            "headings": heads,
            "extra_anchors": sorted((p.present_anchor_ids or set()) - ids),
        })

    tmp_markers = sorted([os.path.dirname(os.path.abspath(config_file)), site_dir, tempfile.gettempdir()],
                         key=len, reverse=True)
    for r in records:
        for m in tmp_markers:
            r["message"] = r["message"].replace(m, "<tmp>")

    data = {
        "site": site,
        "source": source,
        "docs_dir": docs_dir,
        "generator": _versions(),
        "site_name": cfg.site_name,
        "use_directory_urls": cfg.use_directory_urls,
        "nav": [node(i) for i in nav.items],
        "pages": pages,
        "log": records,
    }
    with open(out_json, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1, ensure_ascii=False)
        fh.write("\n")


# ---------------------------------------------------------------------------
# Part run inside the venv: slug cases
# ---------------------------------------------------------------------------

SLUG_CASES = [
    # (markdown heading source, note)
    ("Hello World", "plain"),
    ("Héllo Wörld", "accents are NFKD-decomposed, marks dropped"),
    ("Crème brûlée & café", "accents and ampersand"),
    ("Ärger mit Öl und Übergrößen", "umlauts and sharp s (ß has no decomposition)"),
    ("Straße", "ß dropped"),
    ("Emoji 🚀 rocket", "emoji dropped, spaces collapse"),
    ("🎉", "nothing left: empty slug becomes _1"),
    ("Deploy :rocket: now", "pymdownx.emoji shortcode renders an <img>, no text"),
    ("What's new?", "punctuation removed"),
    ("Hello, World! (v2.0)", "punctuation and dot removed"),
    ("Use `foo_bar()` here", "code span text included"),
    ("`<div>` tags", "code span with angle brackets"),
    ("snake_case_name", "underscores kept"),
    ("__init__ method", "leading underscores kept"),
    ("1. Introduction", "leading digit is fine (setext avoids list)"),
    ("2024 roadmap", "leading digits"),
    ("日本語の見出し", "CJK dropped entirely -> _1"),
    ("API 日本語 guide", "CJK dropped between words"),
    ("Multiple   spaces   here", "spaces collapse"),
    ("Tabs\tand spaces", "tab collapses"),
    ("pre-existing -- hyphens", "hyphens collapse with spaces"),
    ("- leading hyphen", "not a heading-list issue: hyphen kept"),
    ("trailing hyphen -", "trailing hyphen kept"),
    ("Foo - Bar", "spaced hyphen becomes single hyphen"),
    ("A &amp; B", "entity: &amp; unescaped then removed"),
    ("A & B", "bare ampersand removed"),
    ("Less &lt;than&gt; more", "entity angle brackets removed"),
    ("Non&nbsp;breaking", "&nbsp; -> U+00A0 -> NFKD space -> hyphen"),
    ("En–dash and em—dash", "unicode dashes dropped (not ASCII)"),
    ("**Bold** and *italic*", "inline markup stripped"),
    ("[Link text](https://example.com)", "link text kept"),
    ("Version 1.2.3", "dots removed"),
    ("C++ / C# / F#", "symbols removed"),
    ("100% done", "percent removed"),
    ("ＦＵＬＬ ｗｉｄｔｈ", "full width letters NFKD to ASCII"),
    ("ﬁle ligature", "ligature fi -> fi"),
    ("x² + y²", "superscript two -> 2"),
    ("½ cup", "vulgar fraction -> 1 fraction-slash 2 -> 12"),
    ("Copyright (c) 2024", "smartsymbols: (c) -> copyright sign, dropped"),
    ("Brand(tm)", "smartsymbols: (tm) -> trademark sign -> NFKD TM"),
    ("Registered (r) mark", "smartsymbols: (r) -> registered sign, dropped"),
    ("a --> b", "smartsymbols arrow"),
    ("1st place", "smartsymbols ordinal -> 1<sup>st</sup>"),
    ("==marked== text", "pymdownx.mark"),
    ("~~deleted~~ text", "pymdownx.tilde"),
    ("H~2~O and x^2^", "pymdownx sub/sup"),
    ("Escaped \\*star\\*", "backslash escapes"),
    ("Inline <span>html</span> tag", "raw inline html stripped"),
    ("Comment <!-- hidden --> here", "html comment stripped"),
    ("UPPER lower MiXeD", "lowercased"),
    ("Ünïcödé İstanbul", "dotted capital I decomposes to I + dot"),
    ("Ελληνικά", "Greek dropped -> _1"),
    ("Привет мир", "Cyrillic dropped -> _1"),
    ("Tab\u00a0nbsp literal", "literal U+00A0 -> NFKD space"),
    ("Heading with trailing hashes ##", "closing ATX hashes removed"),
    ("Foo {#custom-id}", "attr_list id wins, not slugified"),
    ("Bar {: #Weird_ID.x }", "attr_list id used verbatim"),
    ("Footnote ref[^1]", "footnote reference removed before slugify"),
    ("O'Reilly \"quoted\"", "quotes removed"),
    ("https://example.com/path", "magiclink url text"),
    ("path/to/file.md", "slashes and dots removed"),
    ("key=value; other", "symbols removed"),
    ("Ünder_score-and-hyphen", "mixed"),
]

UNIQUE_DOCS = [
    ("duplicates", ["Setup", "Setup", "Setup"]),
    ("explicit _1 taken first", ["Foo", "Foo_1", "Foo"]),
    ("counter suffix bumps", ["Foo_1", "Foo_1", "Foo_1"]),
    ("empty slugs", ["🎉", "🎉", "日本"]),
    ("attr_list id reserved before auto ids", ["Intro", "Other {#intro}"]),
    ("attr_list duplicates are not deduplicated", ["A {#x}", "B {#x}", "X"]),
    ("leading zeros in counter", ["Foo_01", "Foo_01"]),
    ("case folds into same slug", ["API", "api", "Api"]),
    ("punctuation variants collide", ["Hello!", "Hello?", "hello"]),
]


UNESCAPE_INPUTS = [
    "A &amp; B", "&lt;div&gt;", "&quot;q&quot; &apos;a&apos;", "&copy; &reg; &trade;",
    "&#38;&#x26;&#X26;", "&#65&#66;", "&amp", "&ampfoo", "&amp;foo", "&nbsp;x", "&nbspx",
    "&unknown; &", "& amp;", "&#;", "&#x;", "&#0;", "&#128;&#x9f;", "&#x81;", "&#13;",
    "&#1;x", "&#xD800;", "&#x110000;", "&#99999999999999;", "&#xFFFE;", "&#xFDD0;",
    "&rarr; &larr; &harr; &ne; &plusmn;", "&frac12;&frac14;&frac34;", "&mdash;&ndash;&hellip;",
    "&copyright", "&lt;&lt", "&AMP;", "&#x1F600;", "a&b&c",
]


def _techdocs_markdown_factory():
    """Return (make_md, record) where make_md() builds a Markdown configured like
    techdocs-core, and record is the list of strings passed to slugify."""
    import markdown
    from markdown.extensions import toc as toc_mod
    from mkdocs.config import load_config

    tmp = tempfile.mkdtemp(prefix="slugcases-")
    os.makedirs(os.path.join(tmp, "docs"))
    with open(os.path.join(tmp, "docs", "index.md"), "w") as fh:
        fh.write("# x\n")
    with open(os.path.join(tmp, "mkdocs.yml"), "w") as fh:
        fh.write("site_name: x\nplugins:\n  - techdocs-core\n")
    cfg = load_config(config_file=os.path.join(tmp, "mkdocs.yml"))
    cfg = cfg.plugins.on_config(cfg)
    record = []

    def recording_slugify(value, separator):
        record.append(value)
        return toc_mod.slugify(value, separator)

    mdx = dict(cfg["mdx_configs"])
    mdx["toc"] = dict(mdx.get("toc", {}))
    assert "slugify" not in mdx["toc"], "techdocs-core sets a custom slugify?"
    mdx["toc"]["slugify"] = recording_slugify

    def make_md():
        return markdown.Markdown(extensions=cfg["markdown_extensions"], extension_configs=mdx)

    return make_md, record, cfg


def slug_cases():
    from markdown.extensions import toc as toc_mod

    make_md, record, cfg = _techdocs_markdown_factory()
    out = {"generator": _versions(),
           "markdown_extensions": [str(e) for e in cfg["markdown_extensions"]],
           "toc_config": {k: v for k, v in cfg["mdx_configs"].get("toc", {}).items()},
           "cases": [], "unique": [], "raw_slugify": []}
    for src, note in SLUG_CASES:
        md = make_md()
        record.clear()
        if src.startswith(("1. ", "- ")):
            body = src + "\n" + "=" * 20 + "\n"  # setext so it is not a list
        else:
            body = "## " + src + "\n"
        if "[^1]" in src:
            body += "\n[^1]: note\n"
        md.convert(body)
        toks = md.toc_tokens
        out["cases"].append({
            "markdown": src, "note": note,
            "slugify_input": record[0] if record else None,
            "id": toks[0]["id"], "toc_name": toks[0]["name"],
        })
    for name, heads in UNIQUE_DOCS:
        md = make_md()
        md.convert("\n\n".join("## " + h for h in heads) + "\n")
        flat = []

        def walk(ts):
            for t in ts:
                flat.append(t["id"])
                walk(t["children"])
        walk(md.toc_tokens)
        out["unique"].append({"name": name, "headings": heads, "ids": flat})
    for raw in ["a\x1cb", " \x1fx\x1f ", "a\u2028b", "x\x0bx", "a_b-c d", "--x--", "\t-A B-\n",
                "é", "ﬀ", "Å", "Ǆ", "ⅷ", "⑫", "ß", "ı", "ŉ", "µ"]:
        out["raw_slugify"].append({"input": raw, "slug": toc_mod.slugify(raw, "-")})
    import html as html_mod
    out["unescape"] = [{"input": t, "output": html_mod.unescape(t)} for t in UNESCAPE_INPUTS]
    json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


# ---------------------------------------------------------------------------
# Orchestration (any python3)
# ---------------------------------------------------------------------------

def _rust_lit(x):
    out = '"'
    for ch in x:
        o = ord(ch)
        if ch == "\\":
            out += "\\\\"
        elif ch == '"':
            out += '\\"'
        elif ch == "\t":
            out += "\\t"
        elif ch == "\n":
            out += "\\n"
        elif ch == "\r":
            out += "\\r"
        elif o < 0x20 or 0x7F <= o <= 0xA0 or o in (0x2028, 0x2029, 0xFEFF) or 0xFFF0 <= o <= 0xFFFF:
            out += "\\u{%x}" % o
        else:
            out += ch
    return out + '"'


def write_rust_tables(data, path):
    """Replace the `// @generated-<name>-start/end` regions of src/docs/slug.rs."""
    ind = " " * 8
    lit = _rust_lit
    ok = [c for c in data["cases"] if c["slugify_input"] is not None]
    bodies = {
        "cases": [f"{ind}({lit(c['markdown'])}, {lit(c['slugify_input'])}, {lit(c['id'])})," for c in ok],
        "names": [f"{ind}({lit(c['markdown'])}, {lit(c['toc_name'])}, {lit(c['slugify_input'])})," for c in ok],
        "raw": [f"{ind}({lit(c['input'])}, {lit(c['slug'])})," for c in data["raw_slugify"]],
        "unescape": [f"{ind}({lit(c['input'])}, {lit(c['output'])})," for c in data["unescape"]],
        "unique": [f"{ind}({lit(u['name'])}, &[{', '.join(lit(h) for h in u['headings'])}], "
                   f"&[{', '.join(lit(i) for i in u['ids'])}])," for u in data["unique"]],
    }
    with open(path, encoding="utf-8") as fh:
        src = fh.read()
    for tag, lines in bodies.items():
        a = f"// @generated-{tag}-start\n"
        b = f"{ind}// @generated-{tag}-end"
        i = src.index(a) + len(a)
        j = src.index(b)
        src = src[:i] + "\n".join(lines) + "\n" + src[j:]
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(src)
    print(f"updated {path}; run `cargo fmt` afterwards", file=sys.stderr)


def venv_python(args):
    if args.venv:
        return os.path.join(args.venv, "bin", "python")
    mk = shutil.which("mkdocs")
    if not mk:
        sys.exit("mkdocs not on PATH; pass --venv")
    with open(mk) as fh:
        first = fh.readline()
    return first[2:].strip() if first.startswith("#!") else sys.executable


def mkdocs_bin(args):
    if args.venv:
        return os.path.join(args.venv, "bin", "mkdocs")
    return shutil.which("mkdocs")


def find_shared(args):
    for cand in [args.shared, os.path.join(os.path.dirname(REPO), "shared"), "/work/shared"]:
        if cand and os.path.isdir(cand):
            return os.path.abspath(cand)
    sys.exit("cannot find shared/ (pass --shared)")


def ensure_gen(args, shared):
    if not os.path.isdir(os.path.join(args.gen_dir, "services", "svc-0")):
        subprocess.run([sys.executable, os.path.join(shared, "bench", "gen-monorepo.py"),
                        args.gen_dir, "--components", "1000"], check=True)


def site_list(args):
    shared = find_shared(args)
    sites = [
        ("backstage-demo", os.path.join(shared, "fixtures/backstage-examples/demo"),
         "shared/fixtures/backstage-examples/demo"),
        ("create-app-example-docs",
         os.path.join(shared, "fixtures/backstage-examples/create-app/templates/next-app/examples/example-docs"),
         "shared/fixtures/backstage-examples/create-app/templates/next-app/examples/example-docs"),
    ]
    svc_root = os.path.join(REPO, "content-example", "services")
    for name in sorted(os.listdir(svc_root)):
        if os.path.isfile(os.path.join(svc_root, name, "mkdocs.yml")):
            sites.append((name, os.path.join(svc_root, name), "content-example/services/" + name))
    ensure_gen(args, shared)
    for i in range(args.synthetic):
        sites.append((f"gen1000-svc-{i}", os.path.join(args.gen_dir, "services", f"svc-{i}"),
                      f"gen-monorepo.py --components 1000: services/svc-{i}"))
    return sites


def cmd_sites(args):
    py = venv_python(args)
    os.makedirs(args.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="mkdocs-ref-")
    stored = 0
    for name, path, source in site_list(args):
        is_syn = name.startswith("gen1000-")
        if is_syn and stored >= args.store:
            continue
        proj = os.path.join(work, name)
        shutil.copytree(path, proj)  # never build inside the source tree
        out_json = os.path.join(args.out, name + ".json")
        t0 = time.monotonic()
        # cwd = the project dir, as TechDocs runs mkdocs (pymdownx.snippets resolves
        # its base_path "." against the cwd).
        subprocess.run([py, os.path.abspath(__file__), "_extract", os.path.join(proj, "mkdocs.yml"),
                        os.path.join(work, name + "-site"), out_json, name, source], check=True, cwd=proj)
        stored += is_syn
        with open(out_json) as fh:
            d = json.load(fh)
        warn = sum(1 for r in d["log"] if r["level"] != "INFO")
        print(f"{name}: {len(d['pages'])} pages, {len(d['log'])} log lines ({warn} warnings+)"
              f" in {time.monotonic() - t0:.2f}s -> {os.path.relpath(out_json, REPO)}")
    shutil.rmtree(work, ignore_errors=True)


def cmd_timing(args):
    shared = find_shared(args)
    ensure_gen(args, shared)
    mk = mkdocs_bin(args)
    work = tempfile.mkdtemp(prefix="mkdocs-timing-")
    pages = 0
    projects = []
    for i in range(args.synthetic):
        src = os.path.join(args.gen_dir, "services", f"svc-{i}")
        dst = os.path.join(work, f"svc-{i}")
        shutil.copytree(src, dst)
        projects.append(dst)
        pages += sum(1 for _, _, fs in os.walk(os.path.join(dst, "docs")) for f in fs if f.endswith(".md"))
    per = []
    t0 = time.monotonic()
    for dst in projects:
        s = time.monotonic()
        with open(dst + ".log", "w") as log:
            subprocess.run([mk, "build", "-d", dst + "-site", "-v"], cwd=dst, stdout=log,
                           stderr=subprocess.STDOUT, check=True)
        per.append(time.monotonic() - s)
    total = time.monotonic() - t0
    print(f"command: (cd services/svc-N && {mk} build -d <out> -v) for N in 0..{args.synthetic - 1}")
    print(f"services: {args.synthetic}, pages: {pages}")
    print(f"total wall: {total:.2f} s, pages/s: {pages / total:.2f}")
    print(f"per service: min {min(per):.2f} s, max {max(per):.2f} s, mean {sum(per) / len(per):.2f} s")
    shutil.rmtree(work, ignore_errors=True)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "_extract":
        extract_one(*sys.argv[2:7])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "_slug_cases":
        slug_cases()
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--venv")
    ap.add_argument("--shared")
    ap.add_argument("--gen-dir", default="/tmp/gen1000")
    ap.add_argument("--synthetic", type=int, default=20)
    ap.add_argument("--store", type=int, default=20)
    ap.add_argument("--out", default=os.path.join(REPO, "tests", "fixtures", "mkdocs-reference"))
    ap.add_argument("--write-rust", action="store_true",
                    help="slug-cases: rewrite the generated test tables in src/docs/slug.rs")
    ap.add_argument("command", nargs="?", default="sites", choices=["sites", "timing", "slug-cases"])
    args = ap.parse_args()
    if args.command == "sites":
        cmd_sites(args)
    elif args.command == "timing":
        cmd_timing(args)
    else:
        res = subprocess.run([venv_python(args), os.path.abspath(__file__), "_slug_cases"], check=True,
                             stdout=subprocess.PIPE, text=True)
        if args.write_rust:
            write_rust_tables(json.loads(res.stdout), os.path.join(REPO, "src", "docs", "slug.rs"))
        else:
            sys.stdout.write(res.stdout)


if __name__ == "__main__":
    main()
