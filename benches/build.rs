//! Build benchmarks on the shared synthetic monorepo (`../shared/bench/gen-monorepo.py`).
//!
//! `cargo bench --bench build` generates the monorepo once per size into a temporary directory
//! (deterministic: same seed, same files) and measures the in-memory pipeline, stage by stage
//! and whole, and TechDocs rendering in pages per second. `PORTICO_BENCH_SIZES=200,1000` chooses
//! the sizes (default: 200).

use std::path::{Path, PathBuf};
use std::process::Command;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use portico::config::Config;
use portico::pipeline::{self, StageLog, Verbosity};

fn generate(components: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("monorepo");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/gen-monorepo.py");
    let status = Command::new("python3")
        .arg(&script)
        .arg(&root)
        .arg("--components")
        .arg(components.to_string())
        .status()
        .expect("python3 runs the generator");
    assert!(status.success(), "gen-monorepo.py failed");
    (dir, root)
}

fn sizes() -> Vec<usize> {
    std::env::var("PORTICO_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![200])
}

fn bench_build(c: &mut Criterion) {
    for n in sizes() {
        let (_dir, root) = generate(n);
        let config = Config::for_root(&root);
        let log = StageLog::new(Verbosity::Quiet);
        let mut group = c.benchmark_group(format!("gen-monorepo-{n}"));
        group.sample_size(10);
        group.bench_function("check (discover+parse+resolve)", |b| {
            b.iter(|| pipeline::check(&config, &log).expect("check runs"))
        });
        group.bench_function("build in memory (check+render)", |b| {
            b.iter(|| pipeline::build(&config, &log).expect("build runs"))
        });
        group.finish();

        // What the output looks like: the number of pages and the largest one (issue 18: no page
        // may grow with the catalog).
        let built = pipeline::build(&config, &log).expect("build runs");
        let pages = built.site.files.iter().filter(|(p, _)| p.ends_with(".html"));
        let (largest, bytes) =
            pages.clone().map(|(p, c)| (p.as_str(), c.len())).max_by_key(|(_, n)| *n).unwrap_or_default();
        eprintln!("gen-monorepo-{n}: {} HTML pages, the largest {largest} ({bytes} bytes)", pages.count());

        // TechDocs alone: every entity's mkdocs site parsed, rendered and sanitised, in pages/s.
        let checked = pipeline::check(&config, &log).expect("check runs");
        let pages = checked.portal.docs.page_count() as u64;
        let entities: Vec<_> = checked.portal.entities.values().cloned().collect();
        let mut group = c.benchmark_group(format!("gen-monorepo-{n}-docs"));
        group.sample_size(10);
        group.throughput(Throughput::Elements(pages));
        group.bench_function(format!("{pages} pages"), |b| {
            b.iter(|| {
                let mut diags = Vec::new();
                portico::docs::load(&config, &checked.inventory, &entities, &mut diags)
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench_build);
criterion_main!(benches);
