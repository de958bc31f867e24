#!/usr/bin/env python3
"""Cost of scorecards: the 1,000-component build with a 10-check card against the same build
without it (issue 14: at most 10 % more build time).

    python3 benches/scorecards.py [--components 1000] [--runs 5] [--work DIR] [--out DIR]

Uses the monorepo of benches/plugins.py (generated once, with a CODEOWNERS and a git history)
so that checks can read plugin facts; both builds run the built-in plugins, so the difference
is the scorecards stage and its pages. The card applies to every Component and has ten checks:
six shorthands, an expression, two facts and a file glob. Alternates `portico build
--no-cache` without and with `scorecards:` and prints wall and CPU medians, their ratio and the
stage lines of a run with the card. The site is written to --out (default /dev/shm).
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import plugins  # noqa: E402  (the same monorepo and timing)

PLUGINS = "plugins:\n  - id: codeowners\n  - id: git-history\n"
CARD = """scorecards:
  levels: [bronze, silver, gold]
  checks:
    team-owned: {title: Owned by a team, owner_kind: Group}
    described: {title: Has a description, field: metadata.description}
    lifecycle: {title: Lifecycle set, field: spec.lifecycle}
    techdocs: {title: Has TechDocs, annotation: backstage.io/techdocs-ref}
    dashboard: {title: Dashboard link, link_title: dashboard}
    docs-index: {title: Docs index, file: docs/index.md}
    runbook: {title: Has a runbook, file: "docs/runbook*.md"}
    production: {title: In production, expr: 'entity.spec.lifecycle == "production"'}
    codeowners: {title: CODEOWNERS names the owner, fact: codeowners.matches_owner}
    active: {title: Changed in 90 days, expr: 'facts["git-history"].commits_90d > 0'}
  cards:
    readiness:
      title: Production readiness
      applies: 'entity.kind == "Component"'
      levels:
        bronze: [team-owned, described, lifecycle]
        silver: [techdocs, docs-index, codeowners, dashboard]
        gold: [runbook, production, active]
      required: [team-owned]
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--components", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--commits", type=int, default=5000)
    ap.add_argument("--work", default="/tmp/portico-plugins-bench")
    ap.add_argument("--out", default="/dev/shm/portico-scorecards-bench-site" if Path("/dev/shm").is_dir() else None)
    args = ap.parse_args()
    work = Path(args.work)
    repo = plugins.prepare(work, args.components, args.commits)
    out = Path(args.out) if args.out else work / "site"
    plugins.compare(repo, out, args.runs, PLUGINS, PLUGINS + CARD, "card", f"{args.components} components")

if __name__ == "__main__":
    main()
