//! `portico serve`: the portal built into memory, served on loopback, rebuilt and reloaded in
//! every open tab when a file changes.
//!
//! `engine` rebuilds (with caches; a clean build's code path), `watch` turns file events into
//! batches, `http` serves the site and the live-reload events. The reload script is injected by
//! the server into HTML responses only; `build` output never contains it.

pub mod engine;
pub mod http;
pub mod listen;
pub mod watch;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use crate::config::Overrides;
use crate::diagnostics::{Diagnostic, Printer};
use crate::resolve::Portal;
use crate::search::SearchIndex;
use engine::{Engine, Outcome};
use http::{Notice, Shared};

/// What `portico serve` was asked for.
pub struct ServeOptions {
    pub root: PathBuf,
    pub config_file: Option<PathBuf>,
    pub bind: std::net::IpAddr,
    pub port: u16,
    pub open: bool,
    pub poll: bool,
    /// Host names answered besides loopback ones and the bound address (`*`: any).
    pub allow_hosts: Vec<String>,
    /// `--no-plugins`.
    pub no_plugins: bool,
}

fn report_json(list: &[Diagnostic]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

/// Lowers the calling thread's scheduling priority (Linux schedules threads one by one; elsewhere
/// this does nothing).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: plain system calls on the calling thread, with no pointers involved.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, 15);
    }
}

/// How much the served site holds, for the server's messages (`serve` keeps the site in memory,
/// unlike `build`): "112.9 MB".
fn held(site: &crate::render::Site) -> String {
    let bytes: usize = site.files.values().map(|c| c.len()).sum();
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// Runs the server until interrupted. Returns the process exit code.
pub fn serve(options: ServeOptions, printer: impl Fn(&[Diagnostic]) + Send + 'static) -> i32 {
    // Links start at `/`: the preview is served at the root whatever the public base URL.
    let overrides = Overrides {
        config_file: options.config_file.clone(),
        base_url: Some("/".into()),
        out_dir: None,
        no_plugins: options.no_plugins,
        mode: Some(crate::plugins::Mode::Serve),
        ..Overrides::default()
    };
    let mut engine = match Engine::new(&options.root, overrides) {
        Ok(e) => e,
        Err(d) => {
            printer(&[*d]);
            return 2;
        }
    };
    let started = Instant::now();
    let site = match engine.rebuild_pages(&[]) {
        Outcome::Built { site, warnings, pages, .. } => {
            printer(&warnings.sorted());
            eprintln!("built {pages} pages ({} in memory) in {} ms", held(&site), started.elapsed().as_millis());
            site
        }
        Outcome::Failed(list) => {
            printer(&list);
            eprintln!("the first build failed; fix the problems above and save to rebuild");
            Arc::new(crate::render::Site::default())
        }
    };
    let (notices, _) = tokio::sync::broadcast::channel(64);
    let shared = Shared {
        site: Arc::new(RwLock::new(site)),
        search: Arc::new(RwLock::new(None)),
        notices,
        failure: Arc::new(RwLock::new(None)),
    };
    let root = engine.config().root.clone();
    let out_dir = engine.config().out_dir.clone();
    let (_watcher, batches) = match watch::watch(&root, &out_dir, options.poll) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: cannot watch {}: {e} (try --poll)", root.display());
            return 2;
        }
    };
    // The search index is built on its own thread, so that the next edit never waits for it:
    // the rebuild thread publishes pages (with the newest index's files) and sends the reload,
    // then hands the portal to the indexer, which swaps its files in when done.
    // `latest` (generation, index) orders the two: an older index never replaces a newer one.
    let latest: Arc<Mutex<(u64, Option<Arc<SearchIndex>>)>> = Arc::new(Mutex::new((0, None)));
    let (to_indexer, jobs) = std::sync::mpsc::channel::<(u64, std::sync::Weak<Portal>)>();
    let index_shared = shared.clone();
    let index_latest = latest.clone();
    std::thread::spawn(move || {
        // Indexing runs in its own low-priority pool: it must never delay the next rebuild,
        // which uses rayon's global pool at normal priority.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(rayon::current_num_threads())
            .thread_name(|i| format!("portico-index-{i}"))
            .start_handler(|_| lower_priority())
            .build();
        lower_priority();
        while let Ok(mut job) = jobs.recv() {
            // Only the newest documents matter, after a quiet moment: while edits keep coming,
            // indexing each would be wasted work.
            while let Ok(newer) = jobs.recv_timeout(std::time::Duration::from_millis(300)) {
                job = newer;
            }
            let t = Instant::now();
            // The portal is read here rather than on the rebuild thread, which the next edit
            // may need, and held only while it is read (a docs edit meanwhile copies it). Gone
            // means a newer rebuild replaced it, and its job follows.
            let (generation, portal) = job;
            let Some(portal) = portal.upgrade() else { continue };
            let index = || {
                let documents = SearchIndex::documents(&portal);
                drop(portal);
                let search = SearchIndex::from_documents(documents);
                search.export();
                Arc::new(search)
            };
            let search = match &pool {
                Ok(pool) => pool.install(index),
                Err(_) => index(),
            };
            let mut latest = index_latest.lock().expect("index lock");
            if generation > latest.0 {
                *latest = (generation, Some(search.clone()));
                let current = index_shared.site.read().expect("site lock").clone();
                *index_shared.site.write().expect("site lock") = engine::with_search(&current, &search);
                *index_shared.search.write().expect("search lock") = Some(search);
                eprintln!("indexed for search in {} ms", t.elapsed().as_millis());
            }
        }
    });
    let rebuild_shared = shared.clone();
    std::thread::spawn(move || {
        let mut generation = 1;
        if let Some(portal) = engine.portal() {
            let _ = to_indexer.send((generation, Arc::downgrade(&portal)));
        }
        let mut waiting: Option<Vec<String>> = None;
        while let Some(changed) = waiting.take().or_else(|| batches.recv().ok()) {
            let t = Instant::now();
            match engine.rebuild_pages(&changed) {
                Outcome::Built { site, warnings, docs_only, .. } => {
                    {
                        let latest = latest.lock().expect("index lock");
                        let site = match &latest.1 {
                            Some(search) => engine::with_search(&site, search),
                            None => site,
                        };
                        *rebuild_shared.site.write().expect("site lock") = site;
                    }
                    *rebuild_shared.failure.write().expect("failure lock") = None;
                    let _ = rebuild_shared.notices.send(Notice::Reload);
                    printer(&warnings.sorted());
                    let what = if docs_only { "docs" } else { "site" };
                    eprintln!(
                        "rebuilt {what} after {} change(s) in {} ms ({} in memory)",
                        changed.len(),
                        t.elapsed().as_millis(),
                        held(&rebuild_shared.site.read().expect("site lock"))
                    );
                    // Changes that arrived meanwhile go first; the index follows the last of them.
                    if let Ok(next) = batches.try_recv() {
                        waiting = Some(next);
                        continue;
                    }
                    generation += 1;
                    if let Some(portal) = engine.portal() {
                        let _ = to_indexer.send((generation, Arc::downgrade(&portal)));
                    }
                }
                Outcome::Failed(list) => {
                    let report = report_json(&list);
                    *rebuild_shared.failure.write().expect("failure lock") = Some(report.clone());
                    let _ = rebuild_shared.notices.send(Notice::Report(report));
                    printer(&list);
                    eprintln!("build failed; still serving the last good version");
                }
            }
        }
    });

    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the server: {e}");
            return 2;
        }
    };
    runtime.block_on(async move {
        let addr = SocketAddr::new(options.bind, options.port);
        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: cannot listen on {addr}: {e}");
                return 2;
            }
        };
        let local = listener.local_addr().map(|a| a.to_string()).unwrap_or_else(|_| addr.to_string());
        let url = format!("http://{local}/");
        eprintln!("serving {} at {url} (Ctrl+C to stop)", root.display());
        if options.open {
            open_browser(&url);
        }
        let policy = listen::Policy { bind: options.bind, allowed: options.allow_hosts };
        let app = http::router(shared).layer(axum::middleware::from_fn_with_state(policy, listen::check_host));
        let result = listen::serve(listener, app, async {
            let _ = tokio::signal::ctrl_c().await;
        });
        match result.await {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("error: server stopped: {e}");
                2
            }
        }
    })
}

fn open_browser(url: &str) {
    let program = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(program).arg(url).spawn().is_err() {
        eprintln!("could not open a browser; visit {url}");
    }
}

/// The printer `serve` uses: human diagnostics on stderr.
pub fn stderr_printer(root: PathBuf, display_root: PathBuf) -> impl Fn(&[Diagnostic]) + Send + 'static {
    move |list: &[Diagnostic]| {
        if list.is_empty() {
            return;
        }
        let p = Printer {
            root: root.clone(),
            display_root: display_root.clone(),
            format: crate::diagnostics::Format::Human,
            color: std::io::IsTerminal::is_terminal(&std::io::stderr()),
        };
        eprint!("{}", p.render(list));
    }
}
