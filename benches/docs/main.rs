//! Docs benchmark on realistic pages (issue 10): what highlighting costs on real TechDocs.
//!
//! `cargo bench --bench docs` writes a deterministic monorepo of TechDocs sites whose pages hold
//! unique 20-80 line code blocks (see `corpus.rs`) and measures, in this order:
//!
//! 1. **First-block cost per language, cold.** For each language a fresh process (this binary,
//!    re-run with `PORTICO_BENCH_CHILD=first-block:<lang>`) highlights one block and reports the
//!    time of that first call — loading the syntax set, compiling the grammar's regexes, parsing —
//!    the time of a second, different block of the same language, and the process's peak resident
//!    memory (`VmHWM`, the figure `/usr/bin/time -v` reports as "Maximum resident set size")
//!    before and after. Each language runs `PORTICO_BENCH_COLD_RUNS` times (default 3); the
//!    median is printed. Nothing else in the child touches the highlighter first, so this is
//!    what the first fence of that language costs a `portico build`.
//! 2. **Docs stage, cold process.** A fresh process (`PORTICO_BENCH_CHILD=docs-cold:<root>`) runs
//!    discover and parse, then times `docs::load` alone: every grammar is compiled on first use,
//!    as in a real `portico build`. Reported as pages/s (median of the runs).
//! 3. **Docs stage, warm grammars (criterion).** `docs::load` in this process after one warm-up
//!    run, with the highlight cache emptied before every iteration so each block is highlighted
//!    again (`unique blocks`), and once with the cache kept (`cached blocks`, what `serve` sees
//!    on a rebuild).
//!
//! `PORTICO_BENCH_DOCS_SITES` sets the number of sites (default 30, about 130 pages and 330
//! blocks); `PORTICO_BENCH_COLD=0` skips parts 1 and 2. `PORTICO_BENCH_CHILD=write:<dir>` only
//! writes the monorepo to `<dir>` (to run `portico build` on it); `print:<lang>` prints the first
//! block of part 1 (to try other highlighters on the same code).

mod corpus;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use portico::config::Config;
use portico::pipeline::{StageLog, Verbosity};

use corpus::{Corpus, LANGS, Rng};

fn main() {
    if let Ok(job) = std::env::var("PORTICO_BENCH_CHILD") {
        child(&job);
        return;
    }
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--test" || a == "--list");
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("monorepo");
    let pages = write_corpus(&root);

    if !quick && std::env::var("PORTICO_BENCH_COLD").as_deref() != Ok("0") {
        let runs = std::env::var("PORTICO_BENCH_COLD_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(3);
        first_blocks(runs);
        docs_cold(&root, runs);
    }

    let mut c = Criterion::default().configure_from_args();
    docs_warm(&mut c, &root, pages as u64);
    c.final_summary();
}

/// Writes the benchmark's monorepo to `root`; returns its number of pages.
fn write_corpus(root: &Path) -> usize {
    let sites = std::env::var("PORTICO_BENCH_DOCS_SITES").ok().and_then(|s| s.parse().ok()).unwrap_or(30);
    let corpus = Corpus { sites, pages_per_site: (2, 7), blocks_per_page: (1, 4), seed: 10 };
    let (pages, blocks) = corpus::write_monorepo(root, &corpus);
    println!("docs corpus: {sites} sites, {pages} pages, {blocks} unique code blocks ({})", root.display());
    pages
}

/// Part 1: one fresh process per language and run.
fn first_blocks(runs: usize) {
    println!("\nfirst block per language, fresh process each, median of {runs}:");
    println!(
        "{:<12} {:>6} {:>10} {:>11} {:>13} {:>13}  syntax",
        "fence", "lines", "first ms", "second ms", "peak RSS MB", "RSS growth MB"
    );
    for lang in LANGS {
        let mut results: Vec<Vec<String>> = (0..runs).map(|_| run_child(&format!("first-block:{lang}"))).collect();
        results.sort_by(|a, b| a[1].parse::<f64>().unwrap().total_cmp(&b[1].parse::<f64>().unwrap()));
        let r = &results[results.len() / 2];
        let mb = |kb: &str| kb.parse::<f64>().unwrap() / 1024.0;
        println!(
            "{:<12} {:>6} {:>10} {:>11} {:>13.1} {:>13.1}  {}",
            lang,
            r[0],
            r[1],
            r[2],
            mb(&r[4]),
            mb(&r[4]) - mb(&r[3]),
            r[5..].join(" ")
        );
    }
}

/// Part 2: the docs stage in fresh processes.
fn docs_cold(root: &Path, runs: usize) {
    let mut results: Vec<Vec<String>> =
        (0..runs).map(|_| run_child(&format!("docs-cold:{}", root.display()))).collect();
    results.sort_by(|a, b| a[1].parse::<f64>().unwrap().total_cmp(&b[1].parse::<f64>().unwrap()));
    let r = &results[results.len() / 2];
    let pages: f64 = r[0].parse().unwrap();
    let secs: f64 = r[1].parse().unwrap();
    println!(
        "\ndocs stage, fresh process, median of {runs}: {pages} pages in {:.0} ms = {:.0} pages/s, peak RSS {:.1} MB\n",
        secs * 1000.0,
        pages / secs,
        r[2].parse::<f64>().unwrap() / 1024.0
    );
}

/// Part 3: criterion, grammars warm.
fn docs_warm(c: &mut Criterion, root: &Path, pages: u64) {
    let config = Config::for_root(root);
    let log = StageLog::new(Verbosity::Quiet);
    let checked = portico::pipeline::check(&config, &log).expect("check runs");
    assert_eq!(checked.portal.docs.page_count() as u64, pages, "every generated page is built");
    let entities: Vec<_> = checked.portal.entities.values().cloned().collect();
    let mut group = c.benchmark_group("docs-realistic");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(pages));
    group.bench_function(format!("{pages} pages, unique blocks"), |b| {
        b.iter(|| {
            portico::highlight::clear_cache();
            let mut diags = Vec::new();
            portico::docs::load(&config, &checked.inventory, &entities, &mut diags)
        })
    });
    group.bench_function(format!("{pages} pages, cached blocks"), |b| {
        b.iter(|| {
            let mut diags = Vec::new();
            portico::docs::load(&config, &checked.inventory, &entities, &mut diags)
        })
    });
    group.finish();
}

/// Runs this binary as a child for `job`; returns the words of its one output line.
fn run_child(job: &str) -> Vec<String> {
    let exe = std::env::current_exe().expect("current exe");
    let out = Command::new(exe).env("PORTICO_BENCH_CHILD", job).output().expect("child runs");
    assert!(out.status.success(), "child {job} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8").split_whitespace().map(str::to_owned).collect()
}

/// The child side: prints one line of numbers.
fn child(job: &str) {
    let blocks = |lang: &str| {
        let index = LANGS.iter().position(|l| *l == lang).expect("known language");
        let mut rng = Rng::new(1000 + index as u64);
        (corpus::block(lang, &mut rng, 1), corpus::block(lang, &mut rng, 2))
    };
    if let Some(lang) = job.strip_prefix("first-block:") {
        let (first, second) = blocks(lang);
        let before = peak_rss_kb();
        let t = Instant::now();
        let h = portico::highlight::highlight(&first, Some(lang));
        let first_ms = t.elapsed().as_secs_f64() * 1000.0;
        let t = Instant::now();
        portico::highlight::highlight(&second, Some(lang));
        let second_ms = t.elapsed().as_secs_f64() * 1000.0;
        let after = peak_rss_kb();
        let syntax = h.language.clone().unwrap_or_else(|| "PLAIN".to_owned());
        println!("{} {first_ms:.1} {second_ms:.2} {before} {after} {syntax}", first.lines().count());
    } else if let Some(root) = job.strip_prefix("docs-cold:") {
        let config = Config::for_root(Path::new(root));
        let inventory = portico::discover::discover(&config).expect("discover");
        let mut diags = Vec::new();
        let parsed = portico::parse::parse(&config, &inventory, &mut diags);
        let t = Instant::now();
        let docs = portico::docs::load(&config, &inventory, &parsed.entities, &mut diags);
        let secs = t.elapsed().as_secs_f64();
        println!("{} {secs:.4} {}", docs.page_count(), peak_rss_kb());
    } else if let Some(lang) = job.strip_prefix("print:") {
        print!("{}", blocks(lang).0);
    } else if let Some(root) = job.strip_prefix("write:") {
        write_corpus(Path::new(root));
    } else {
        panic!("unknown child job {job:?}");
    }
}

/// The process's peak resident set size in KiB (Linux `VmHWM`), 0 where unknown.
fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| l.strip_prefix("VmHWM:").and_then(|v| v.trim().trim_end_matches(" kB").parse().ok()))
        })
        .unwrap_or(0)
}
