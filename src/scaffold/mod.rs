//! `portico scaffold`: Backstage's `scaffolder.backstage.io/v1beta3` templates run locally,
//! without a backend.
//!
//! `list` and `show` read the catalog; running a template goes: find it in the catalog
//! (`template.rs`) -> values from the command line, checked against its parameters
//! (`values.rs`) -> every step into memory (`run.rs`, the actions in `actions.rs`, Backstage's
//! templating in `expr.rs`) -> the files written into `--out` with an answers file. Nothing is
//! written when any part fails, and `--dry-run` prints the plan instead.

pub mod actions;
pub mod expr;
pub mod lint;
pub mod publish;
pub mod run;
pub mod template;
pub mod update;
pub mod values;

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use serde_json::{Value as Json, json};

use crate::config::{Config, Overrides};
use crate::diagnostics::Diagnostic;
use crate::pipeline::{StageLog, Verbosity};

/// Prints a line on standard output; a closed pipe (`… | head`) ends the printing quietly.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// How a run prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// `portico scaffold TEMPLATE …`.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub template: String,
    pub values: Vec<String>,
    pub values_file: Option<PathBuf>,
    pub interactive: bool,
    pub out: PathBuf,
    pub dry_run: bool,
    pub format: Format,
    /// `--publish`: hand the result to git / gh.
    pub publish: Option<publish::Publish>,
}

/// The catalog of `root`, for finding templates (problems of the catalog are not this
/// command's: they are left to `portico check`).
pub fn portal(
    root: &std::path::Path,
    config_file: Option<PathBuf>,
) -> Result<(Config, crate::resolve::Portal), Box<Diagnostic>> {
    let overrides = Overrides { config_file, no_plugins: true, no_cache: true, ..Overrides::default() };
    let config = Config::load(root, &overrides)?;
    let checked = crate::pipeline::check(&config, &StageLog::new(Verbosity::Quiet))?;
    Ok((config, checked.portal))
}

/// `portico scaffold list`: every template with whether it can run here.
pub fn list(root: &std::path::Path, portal: &crate::resolve::Portal, format: Format) -> Vec<Json> {
    let mut rows = Vec::new();
    for e in portal.entities.values().filter(|e| e.kind.eq_ignore_ascii_case("template")) {
        let blockers: Vec<String> = match template::Template::load(root, e) {
            Ok(t) => t
                .blockers()
                .into_iter()
                .map(|(s, why)| format!("{}: {why}", s.id.as_deref().unwrap_or(&s.name)))
                .collect(),
            Err(d) => vec![d.message],
        };
        rows.push(json!({
            "ref": e.entity_ref.to_string(),
            "name": e.name,
            "title": e.display_name(),
            "file": e.source.file,
            "runnable": blockers.is_empty(),
            "blockers": blockers,
        }));
    }
    if format == Format::Human {
        for r in &rows {
            let can = match r["blockers"].as_array() {
                Some(b) if !b.is_empty() => {
                    format!("cannot run: {}", b.iter().filter_map(Json::as_str).collect::<Vec<_>>().join("; "))
                }
                _ => "runs".to_owned(),
            };
            out!("{:<32} {:<40} {can}", r["name"].as_str().unwrap_or(""), r["title"].as_str().unwrap_or(""));
        }
    }
    rows
}

/// `portico scaffold show TEMPLATE`: its parameters and steps.
pub fn show(t: &template::Template, format: Format) {
    let props = values::properties(t);
    if format == Format::Json {
        let params: Vec<Json> = props.iter().map(|(n, s)| json!({ "name": n, "schema": s })).collect();
        let steps: Vec<Json> =
            t.steps.iter().map(|s| json!({ "id": s.id, "name": s.name, "action": s.action, "supported": template::supported(&s.action) })).collect();
        out!(
            "{}",
            json!({ "ref": t.entity_ref.to_string(), "title": t.title, "file": t.file, "parameters": params, "steps": steps })
        );
        return;
    }
    out!("{} ({})", t.title, t.entity_ref);
    if let Some(d) = &t.description {
        out!("{d}");
    }
    let required: Vec<&str> = t
        .pages
        .iter()
        .flat_map(|p| p.get("required").and_then(Json::as_array).into_iter().flatten().filter_map(Json::as_str))
        .collect();
    out!("\nParameters (-v name=value):");
    for (name, schema) in &props {
        let req = if required.contains(&name.as_str()) { " required" } else { "" };
        out!("  {name}{req}{}", values::describe(schema));
    }
    out!("\nSteps:");
    for s in &t.steps {
        let note = if template::supported(&s.action) { "" } else { "  (not supported)" };
        out!("  {:<16} {:<20} {}{note}", s.id.as_deref().unwrap_or("-"), s.action, s.name);
    }
}

/// `portico scaffold update DIR`. Returns the exit code (1 with conflicts or problems).
pub fn run_update(
    root: &std::path::Path,
    portal: &crate::resolve::Portal,
    dir: &std::path::Path,
    pairs: &[String],
    dry_run: bool,
    format: Format,
    emit: &dyn Fn(Vec<Diagnostic>),
) -> i32 {
    let answers_file = dir.join(run::ANSWERS);
    let fail = |m: String| {
        emit(vec![Diagnostic::error("scaffold-update", m).at(&answers_file.display().to_string(), None)]);
        1
    };
    let answers: update::Answers =
        match std::fs::read_to_string(&answers_file).map_err(|e| e.to_string()).and_then(|t| {
            crate::yaml::from_str(&t).map_err(|e| e.message).and_then(|a| a.ok_or_else(|| "it is empty".into()))
        }) {
            Ok(a) => a,
            Err(e) => {
                return fail(format!(
                    "cannot read {}: {e} (was the directory made by `portico scaffold`?)",
                    run::ANSWERS
                ));
            }
        };
    let entity = match template::find(portal, &answers.template) {
        Ok(e) => e,
        Err(m) => return fail(m),
    };
    let current = match template::Template::load(root, entity) {
        Ok(t) => t,
        Err(d) => {
            emit(vec![*d]);
            return 1;
        }
    };
    let extra = match values::collect(&current, pairs, None) {
        Ok(v) => v,
        Err(problems) => return fail(problems.join("; ")),
    };
    match update::update(root, &current, &answers, dir, extra, dry_run) {
        Ok((changes, conflicts)) => {
            if format == Format::Json {
                out!(
                    "{}",
                    json!({ "dir": dir.display().to_string(), "dry_run": dry_run, "conflicts": conflicts, "files": changes })
                );
            } else {
                for c in &changes {
                    eprintln!("  {:<14} {}", c.outcome, dir.join(&c.path).display());
                }
                let changed = changes.iter().filter(|c| c.outcome != "unchanged").count();
                match (dry_run, conflicts) {
                    (true, _) => eprintln!("dry run: {changed} files would change; nothing was written"),
                    (false, true) => {
                        eprintln!("updated with conflicts: resolve the files marked `conflict` (git's <<<<<<< markers)")
                    }
                    (false, false) => eprintln!("updated {changed} files to the current template"),
                }
            }
            i32::from(conflicts)
        }
        Err(diags) => {
            emit(diags);
            1
        }
    }
}

/// Asks on the terminal for each parameter without a value (empty: its default or none).
fn ask(t: &template::Template, values: &mut serde_json::Map<String, Json>) -> Result<(), String> {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    for (name, schema) in values::properties(t) {
        if values.contains_key(&name) {
            continue;
        }
        let default = schema
            .get("default")
            .map(|d| format!(" [{}]", d.as_str().map_or_else(|| d.to_string(), str::to_owned)))
            .unwrap_or_default();
        eprint!("{name}{}{default}: ", values::describe(&schema));
        let _ = std::io::stderr().flush();
        let Some(line) = lines.next().transpose().map_err(|e| e.to_string())? else { break };
        if line.trim().is_empty() {
            continue;
        }
        let v = values::coerce(&schema, line.trim()).map_err(|expected| format!("`{name}` expects {expected}"))?;
        values.insert(name, v);
    }
    Ok(())
}

/// Runs a template. Returns the exit code (0 written or planned, 1 refused or failed).
pub fn run(root: &std::path::Path, t: &template::Template, o: &RunOptions, emit: &dyn Fn(Vec<Diagnostic>)) -> i32 {
    let fail = |problems: Vec<String>| {
        emit(problems.into_iter().map(|m| Diagnostic::error("scaffold-values", m).at(&t.file, None)).collect());
        1
    };
    let mut given = match values::collect(t, &o.values, o.values_file.as_deref()) {
        Ok(v) => v,
        Err(problems) => return fail(problems),
    };
    if o.interactive {
        if !std::io::stdin().is_terminal() {
            eprintln!("note: --interactive reads the answers from standard input");
        }
        if let Err(e) = ask(t, &mut given) {
            return fail(vec![e]);
        }
    }
    let given = values::with_defaults(t, given);
    let problems = values::validate(t, &given);
    if !problems.is_empty() {
        return fail(problems);
    }
    let plan = match run::plan(root, t, given) {
        Ok(p) => p,
        Err(diags) => {
            emit(diags);
            return 1;
        }
    };
    let files = run::file_reports(&plan, &o.out);
    let report = json!({
        "template": t.entity_ref.to_string(),
        "out": o.out.display().to_string(),
        "dry_run": o.dry_run,
        "values": plan.values,
        "files": files,
        "skipped": plan.workspace.skipped.iter().map(|(p, r)| json!({"path": p, "reason": r})).collect::<Vec<_>>(),
        "steps": plan.steps,
        "log": plan.workspace.log,
        "output": plan.output,
    });
    if o.format == Format::Human {
        for line in &plan.workspace.log {
            eprintln!("[debug:log] {line}");
        }
        for s in &plan.steps {
            let note = s.note.as_deref().map(|n| format!(": {n}")).unwrap_or_default();
            eprintln!("  {:<14} {:<18} {}{note}", s.id.as_deref().unwrap_or("-"), s.action, s.status);
        }
        for f in &files {
            eprintln!("  {:<7} {} ({} bytes)", f.action, o.out.join(&f.path).display(), f.size);
        }
        for (p, r) in &plan.workspace.skipped {
            eprintln!("  skip    {p}: {r}");
        }
    }
    if o.dry_run {
        if o.format == Format::Json {
            out!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
        } else {
            eprintln!("dry run: nothing was written");
        }
        return 0;
    }
    match run::write(&plan, &o.out, &run::answers(root, t, &plan)) {
        Ok(written) => {
            let mut report = report;
            let published =
                o.publish.map(|how| publish::publish(how, &o.out, &t.entity_ref.to_string(), plan.publish.as_ref()));
            if let Some(p) = &published {
                report["published"] = match p {
                    Ok(done) => json!({ "done": done }),
                    Err(e) => json!({ "error": e }),
                };
            }
            if o.format == Format::Json {
                out!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
            } else {
                eprintln!(
                    "wrote {} files into {} ({} records the template and values)",
                    written.len(),
                    o.out.display(),
                    run::ANSWERS
                );
                if let Some(Ok(done)) = &published {
                    eprintln!("published: {done}");
                }
            }
            match published {
                Some(Err(e)) => {
                    emit(vec![Diagnostic::error(
                        "scaffold-publish",
                        format!("the files were written, but publishing failed: {e}"),
                    )]);
                    1
                }
                _ => 0,
            }
        }
        Err(d) => {
            emit(vec![d]);
            1
        }
    }
}
