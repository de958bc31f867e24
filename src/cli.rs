//! The command line: `portico build`, `check`, `serve` and `search`.
//!
//! Exit codes: 0 when there is nothing at error level (nor warnings, with `--strict`), 1 when
//! there is, 2 for usage and I/O failures (an unreadable root, an output that cannot be written).
//! `search` exits 0 with results and 1 without, like grep.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::{Config, Overrides};
use crate::diagnostics::{Diagnostic, Diagnostics, Format, Printer, Severity};
use crate::pipeline::{self, StageLog, Verbosity};

#[derive(Debug, Parser)]
#[command(name = "portico", version, about = "A static Backstage: catalog, TechDocs and search as a static site")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the portal into a static site.
    Build(BuildArgs),
    /// Validate the catalog and report every problem; writes nothing.
    Check(CheckArgs),
    /// Build into memory, serve on loopback and rebuild + reload the browser on every change.
    Serve(ServeArgs),
    /// Search the portal as its search box does: entities, docs sections and API operations.
    ///
    /// Filters: kind:, type:, lifecycle:, owner:, tag:, system:, namespace: (values of one key are
    /// alternatives); "exact phrase" in quotes. Exits 1 when nothing matches.
    Search(SearchArgs),
    /// Run a scaffolder template (Backstage v1beta3) of the catalog: `scaffold TEMPLATE -v
    /// name=value …`, `scaffold list`, `scaffold show TEMPLATE`.
    Scaffold(ScaffoldArgs),
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ScaffoldArgs {
    #[command(subcommand)]
    pub command: Option<ScaffoldCommand>,
    /// The template: its name or entity reference (`template:default/docs-template`).
    #[arg(required = true)]
    pub template: Option<String>,
    /// A parameter value, `name=value` (repeatable); lists as `a,b` or JSON.
    #[arg(short = 'v', long = "value", value_name = "NAME=VALUE")]
    pub values: Vec<String>,
    /// Values from a YAML or JSON file (`-v` overrides them).
    #[arg(long = "values", value_name = "FILE")]
    pub values_file: Option<PathBuf>,
    /// Ask for every parameter without a value.
    #[arg(long)]
    pub interactive: bool,
    /// Where the files go (relative to the working directory); nothing leaves it.
    #[arg(long, short, value_name = "DIR", default_value = ".")]
    pub out: PathBuf,
    /// Print the plan (files, sizes, skipped files, steps) and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// After writing, hand the result to git/gh: a commit on a new branch, a pull request, or a
    /// new repository from the publish step's repoUrl (their credentials; Portico keeps none).
    #[arg(long, value_enum, value_name = "HOW", conflicts_with = "dry_run")]
    pub publish: Option<crate::scaffold::publish::Publish>,
    #[command(flatten)]
    pub common: ScaffoldCommon,
}

#[derive(Debug, Args)]
pub struct ScaffoldCommon {
    /// The monorepo whose catalog holds the template.
    #[arg(long, value_name = "DIR", default_value = ".", global = true)]
    pub root: PathBuf,
    /// Configuration file [default: ROOT/portico.yaml]
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = crate::scaffold::Format::Human, global = true)]
    pub format: crate::scaffold::Format,
}

#[derive(Debug, Subcommand)]
pub enum ScaffoldCommand {
    /// Every template of the catalog, and whether `portico scaffold` can run it.
    List,
    /// A template's parameters and steps.
    Show {
        /// The template: its name or entity reference.
        template: String,
    },
    /// Bring a directory made by `portico scaffold` up to its template's current version
    /// (three-way merge of each file; conflicts are marked and listed).
    Update {
        /// The generated directory (it holds `.portico-answers.yaml`).
        dir: PathBuf,
        /// A value for a parameter the current template added (repeatable).
        #[arg(short = 'v', long = "value", value_name = "NAME=VALUE")]
        values: Vec<String>,
        /// Report what would change; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The monorepo to read.
    pub root: PathBuf,
    /// The query, e.g. `payments gateway` or `owner:team-a kind:api orders`.
    #[arg(required_unless_present = "queries")]
    pub query: Option<String>,
    /// Run every line of FILE as a query instead (blank lines and lines starting with `#`
    /// skipped); with `--format json`, one line `{"query": …, "hits": […]}` per query.
    #[arg(long, value_name = "FILE", conflicts_with = "query")]
    pub queries: Option<PathBuf>,
    /// Configuration file [default: ROOT/portico.yaml]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SearchFormat::Text)]
    pub format: SearchFormat,
    /// Maximum number of results.
    #[arg(long, short = 'n', default_value_t = 10)]
    pub limit: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SearchFormat {
    /// One result per line: kind, title, URL, owner and context.
    Text,
    /// A JSON array of results with their scores.
    Json,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The monorepo to read.
    #[arg(default_value = ".")]
    pub root: PathBuf,
    /// Configuration file [default: ROOT/portico.yaml]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 4000)]
    pub port: u16,
    /// Address to listen on; loopback unless told otherwise.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Open the portal in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Poll for changes instead of file events (containers, network mounts).
    #[arg(long)]
    pub poll: bool,
    /// Also answer requests for this host name (repeatable; `*` for any). Loopback names and
    /// addresses and the --bind address are always answered; other names are refused, so that a
    /// web page cannot reach the preview through DNS rebinding.
    #[arg(long = "allow-host", value_name = "HOST")]
    pub allow_hosts: Vec<String>,
    /// Run no plugin.
    #[arg(long)]
    pub no_plugins: bool,
}

#[derive(Debug, Args)]
pub struct CommonArgs {
    /// The monorepo to read.
    #[arg(default_value = ".")]
    pub root: PathBuf,
    /// Configuration file [default: ROOT/portico.yaml]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format of diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Treat warnings as errors (exit 1 when there are any).
    #[arg(long)]
    pub strict: bool,
    /// Print only diagnostics, no stage lines.
    #[arg(long, short)]
    pub quiet: bool,
    /// Build cache: what the last run read and wrote, reused when unchanged [default:
    /// ROOT/.portico/cache]
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Neither read nor write the build cache (`build` then writes the whole site).
    #[arg(long, conflicts_with = "cache_dir")]
    pub no_cache: bool,
    /// Run no plugin (for untrusted checkouts): the portal is built without their tabs.
    #[arg(long)]
    pub no_plugins: bool,
    /// Fail on required scorecard checks only for entities whose directory has a file changed
    /// since REV (a git revision, e.g. origin/main).
    #[arg(long, value_name = "REV")]
    pub changed_since: Option<String>,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Output directory [default: ROOT/public]; replaced atomically.
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Public URL of the site (its path prefixes every link), e.g. https://acme.github.io/portal/
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// The scorecard history to append this build's row to: the previous deployment's
    /// `api/scorecards-history.jsonl` (without it a new series starts).
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Runs a parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Build(args) => {
            let overrides = Overrides {
                config_file: args.common.config.clone(),
                base_url: args.base_url.clone(),
                out_dir: args.out.clone(),
                cache_dir: args.common.cache_dir.clone(),
                no_cache: args.common.no_cache,
                no_plugins: args.common.no_plugins,
                mode: Some(crate::plugins::Mode::Build),
                changed_since: args.common.changed_since.clone(),
                history: args.history.clone(),
            };
            run_with(&args.common, &overrides, true)
        }
        Command::Check(args) => {
            let overrides = Overrides {
                config_file: args.common.config.clone(),
                cache_dir: args.common.cache_dir.clone(),
                no_cache: args.common.no_cache,
                no_plugins: args.common.no_plugins,
                mode: Some(crate::plugins::Mode::Check),
                changed_since: args.common.changed_since.clone(),
                ..Overrides::default()
            };
            run_with(&args.common, &overrides, false)
        }
        Command::Serve(args) => {
            let root = args.root.canonicalize().unwrap_or_else(|_| args.root.clone());
            let printer = crate::serve::stderr_printer(root, args.root.clone());
            crate::serve::serve(
                crate::serve::ServeOptions {
                    root: args.root,
                    config_file: args.config,
                    bind: args.bind,
                    port: args.port,
                    open: args.open,
                    poll: args.poll,
                    allow_hosts: args.allow_hosts,
                    no_plugins: args.no_plugins,
                },
                printer,
            )
        }
        Command::Search(args) => search(&args),
        Command::Scaffold(args) => scaffold(&args),
    }
}

fn scaffold(args: &ScaffoldArgs) -> i32 {
    let common = &args.common;
    let root = common.root.canonicalize().unwrap_or_else(|_| common.root.clone());
    let printer = Printer { root, display_root: common.root.clone(), format: Format::Human, color: false };
    let emit_all = |list: Vec<Diagnostic>| emit(&printer, list);
    let (config, portal) = match crate::scaffold::portal(&common.root, common.config.clone()) {
        Ok(p) => p,
        Err(d) => {
            emit_all(vec![*d]);
            return 2;
        }
    };
    let load = |name: &str| -> Result<crate::scaffold::template::Template, i32> {
        let entity = crate::scaffold::template::find(&portal, name).map_err(|m| {
            emit_all(vec![
                Diagnostic::error("scaffold-template", m).hint("`portico scaffold list` lists the templates"),
            ]);
            1
        })?;
        crate::scaffold::template::Template::load(&config.root, entity).map_err(|d| {
            emit_all(vec![*d]);
            1
        })
    };
    match (&args.command, &args.template) {
        (Some(ScaffoldCommand::List), _) => {
            let rows = crate::scaffold::list(&config.root, &portal, common.format);
            if common.format == crate::scaffold::Format::Json {
                use std::io::Write as _;
                let _ = writeln!(std::io::stdout(), "{}", serde_json::to_string_pretty(&rows).unwrap_or_default());
            }
            0
        }
        (Some(ScaffoldCommand::Show { template }), _) => match load(template) {
            Ok(t) => {
                crate::scaffold::show(&t, common.format);
                0
            }
            Err(code) => code,
        },
        (Some(ScaffoldCommand::Update { dir, values, dry_run }), _) => {
            crate::scaffold::run_update(&config.root, &portal, dir, values, *dry_run, common.format, &emit_all)
        }
        (None, Some(name)) => match load(name) {
            Ok(t) => {
                let options = crate::scaffold::RunOptions {
                    template: name.clone(),
                    values: args.values.clone(),
                    values_file: args.values_file.clone(),
                    interactive: args.interactive,
                    out: args.out.clone(),
                    dry_run: args.dry_run,
                    format: common.format,
                    publish: args.publish,
                };
                crate::scaffold::run(&config.root, &t, &options, &emit_all)
            }
            Err(code) => code,
        },
        (None, None) => 2,
    }
}

fn search(args: &SearchArgs) -> i32 {
    let overrides = Overrides { config_file: args.config.clone(), ..Overrides::default() };
    let root = args.root.canonicalize().unwrap_or_else(|_| args.root.clone());
    let printer = Printer { root, display_root: args.root.clone(), format: Format::Human, color: false };
    let config = match Config::load(&args.root, &overrides) {
        Ok(c) => c,
        Err(d) => {
            emit(&printer, vec![*d]);
            return 2;
        }
    };
    let checked = match pipeline::check(&config, &StageLog::new(Verbosity::Quiet)) {
        Ok(c) => c,
        Err(d) => {
            emit(&printer, vec![*d]);
            return 2;
        }
    };
    let errors = checked.diagnostics.count(Severity::Error);
    if errors > 0 {
        eprintln!("note: the catalog has {errors} error(s); `portico check` lists them. Searching what could be read.");
    }
    let queries: Vec<String> = match (&args.query, &args.queries) {
        (Some(q), _) => vec![q.clone()],
        (None, Some(file)) => match std::fs::read_to_string(file) {
            Ok(text) => {
                text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')).map(str::to_owned).collect()
            }
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", file.display());
                return 2;
            }
        },
        (None, None) => return 2, // clap requires one of them
    };
    let index = crate::search::SearchIndex::build(&checked.portal);
    let mut found = false;
    for q in &queries {
        let (mut hits, partial) = index.search(q, &crate::search::QueryOptions { limit: args.limit });
        for hit in &mut hits {
            hit.meta.url = format!("{}{}", config.base_path, hit.meta.url);
        }
        found |= !hits.is_empty();
        match (args.format, args.queries.is_some()) {
            (SearchFormat::Json, false) => {
                println!("{}", serde_json::to_string_pretty(&hits).unwrap_or_else(|_| "[]".into()))
            }
            (SearchFormat::Json, true) => {
                println!("{}", serde_json::json!({ "query": q, "hits": hits }));
            }
            (SearchFormat::Text, batch) => {
                if batch {
                    println!("{q}");
                }
                for (i, hit) in hits.iter().enumerate() {
                    let about: Vec<&str> =
                        [hit.meta.context.as_deref(), hit.meta.owner.as_deref()].into_iter().flatten().collect();
                    println!("{:>2}. {:<10} {}  {}", i + 1, hit.meta.kind, hit.meta.title, hit.meta.url);
                    if !about.is_empty() {
                        println!("    {:<10} {}", "", about.join(" · "));
                    }
                }
                if partial {
                    println!("    (no result has every word: these have some of them)");
                }
            }
        }
    }
    i32::from(!found)
}

fn run_with(common: &CommonArgs, overrides: &Overrides, build: bool) -> i32 {
    let printer = |root: PathBuf| Printer {
        root,
        display_root: common.root.clone(),
        format: common.format,
        color: common.format == Format::Human
            && std::io::stderr().is_terminal()
            && std::env::var_os("NO_COLOR").is_none(),
    };
    let config = match Config::load(&common.root, overrides) {
        Ok(c) => c,
        Err(d) => {
            let root = common.root.canonicalize().unwrap_or_else(|_| common.root.clone());
            emit(&printer(root), vec![*d]);
            return 2;
        }
    };
    let p = printer(config.root.clone());
    let verbosity = if common.quiet || common.format != Format::Human { Verbosity::Quiet } else { Verbosity::Normal };
    let log = StageLog::new(verbosity);

    // `build` publishes everything valid and fails only when there is nothing to publish or,
    // with `--strict`, on any problem; `check` fails on errors (and warnings with `--strict`).
    let mut left_out = 0;
    let (diagnostics, fatal, failed) = if build {
        match pipeline::publish(&config, &log, common.strict, &remove_in_background) {
            Ok(publication) => {
                left_out = publication.left_out;
                (publication.diagnostics, None, !publication.written)
            }
            Err(d) => (Diagnostics::default(), Some(d), true),
        }
    } else {
        match pipeline::verify(&config, &log) {
            Ok(checked) => {
                let failed = checked.diagnostics.has_errors()
                    || (common.strict && checked.diagnostics.count(Severity::Warning) > 0);
                (checked.diagnostics, None, failed)
            }
            Err(d) => (Diagnostics::default(), Some(d), true),
        }
    };
    drop(log);

    let errors = diagnostics.count(Severity::Error);
    let warnings = diagnostics.count(Severity::Warning);
    let mut list = diagnostics.sorted();
    if let Some(d) = &fatal {
        list.push((**d).clone());
    }
    emit(&p, list);
    if fatal.is_some() {
        return 2;
    }
    if common.format == Format::Human && !common.quiet {
        let counts = format!("{errors} error(s), {warnings} warning(s)");
        match (failed, build) {
            (true, true) if common.strict => {
                eprintln!("build failed (--strict): {counts}; nothing was written, the previous site is as it was")
            }
            (true, true) => eprintln!("build failed: {counts}; nothing to publish, nothing was written"),
            (true, false) => eprintln!("check failed: {counts}"),
            (false, true) if errors > 0 => eprintln!(
                "build succeeded with problems: {counts}; {left_out} entities left out, every problem is listed on the portal's problems page (`--strict` fails instead)"
            ),
            (false, true) => eprintln!("build succeeded: {counts}"),
            (false, false) => eprintln!("check passed: {counts}"),
        }
    }
    i32::from(failed)
}

/// Removes a previous site (or a killed build's leftovers) without holding up this build: a
/// detached `portico` process deletes it after this one has exited. (A build over an existing
/// site at 10,000 components would otherwise spend half its time deleting.)
fn remove_in_background(dir: PathBuf) {
    let spawned = std::env::current_exe().and_then(|exe| {
        std::process::Command::new(exe)
            .arg(REMOVE_COMMAND)
            .arg(&dir)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
    });
    if spawned.is_err() {
        let _ = crate::write::remove_leftover(&dir);
    }
}

/// The hidden command of [`remove_in_background`], handled by `main` before argument parsing.
pub const REMOVE_COMMAND: &str = "__remove-leftover";

/// Prints diagnostics: human text on stderr, machine formats on stdout.
fn emit(printer: &Printer, list: Vec<Diagnostic>) {
    let text = printer.render(&list);
    match printer.format {
        Format::Human => eprint!("{text}"),
        Format::Github | Format::Json => print!("{text}"),
    }
}
