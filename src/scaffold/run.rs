//! Running a template: every step in order into the in-memory workspace (the *plan*), then, if
//! everything rendered, the files written into `--out` with the answers file.
//!
//! Steps follow Backstage: the context is `parameters`, `steps.<id>.output`, `secrets` (empty)
//! and `user` (empty); `if` is skipped when its value is falsy in JavaScript's sense (`false`,
//! `0`, `""`, `null`, undefined); `each` runs the step once per item (`each.key`,
//! `each.value`). `catalog:register` is not needed in a monorepo (the new `catalog-info.yaml`
//! is discovered by the next build); `publish:*` is reported and skipped.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Map, Value as Json, json};

use super::actions::{ActionError, Workspace};
use super::expr::{Engine, Flavour, RenderError};
use super::template::{Step, Template};
use crate::diagnostics::{Diagnostic, Pos};

/// What happened to a step.
#[derive(Clone, Debug, Serialize)]
pub struct StepReport {
    pub id: Option<String>,
    pub name: String,
    pub action: String,
    /// `run`, `skipped` (its `if` is false), `not-needed` (`catalog:register`), `not-published`
    /// (`publish:*`).
    pub status: &'static str,
    pub note: Option<String>,
}

/// Everything a run would write, before it writes.
#[derive(Clone, Debug)]
pub struct Plan {
    pub values: Map<String, Json>,
    pub workspace: Workspace,
    pub steps: Vec<StepReport>,
    /// The template's `output`, rendered.
    pub output: Json,
    /// The rendered input of the first `publish:*` step (for `--publish`), with its action.
    pub publish: Option<(String, Json)>,
}

/// JavaScript truthiness of a rendered value (`None`: undefined).
fn truthy(v: Option<&Json>) -> bool {
    match v {
        None | Some(Json::Null) | Some(Json::Bool(false)) => false,
        Some(Json::String(s)) => !s.is_empty(),
        Some(Json::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        _ => true,
    }
}

/// A diagnostic at the template file.
fn in_template(template: &Template, pos: Pos, step: &Step, e: &RenderError) -> Diagnostic {
    let what = step.id.as_deref().map_or_else(|| format!("`{}`", step.name), |id| format!("`{id}`"));
    let expr = e.expr.as_deref().map(|x| format!(" in `{x}`")).unwrap_or_default();
    Diagnostic::error("scaffold-render", format!("step {what} ({}) does not render{expr}: {}", step.action, e.message))
        .at(&template.file, Some(pos))
}

fn action_error(template: &Template, step: &Step, e: ActionError) -> Diagnostic {
    let what = step.id.as_deref().unwrap_or(&step.name);
    let expr = e.expr.as_deref().map(|x| format!(" in `{x}`")).unwrap_or_default();
    let d = Diagnostic::error("scaffold-action", format!("step `{what}` ({}){expr}: {}", step.action, e.message));
    match e.at {
        Some((file, line)) => d.at(&file, Some(Pos::new(line as u32, 1))),
        None => d.at(&template.file, Some(step.pos)),
    }
}

/// Runs every step into memory. `Err`: every problem (nothing may be written).
pub fn plan(root: &Path, template: &Template, values: Map<String, Json>) -> Result<Plan, Vec<Diagnostic>> {
    let blockers = template.blockers();
    if !blockers.is_empty() {
        return Err(blockers
            .iter()
            .map(|(s, why)| {
                Diagnostic::error(
                    "scaffold-unsupported",
                    format!("step `{}` cannot run here: {why}", s.id.as_deref().unwrap_or(&s.name)),
                )
                .at(&template.file, Some(s.pos))
                .hint(format!(
                    "`portico scaffold` runs {} from skeletons beside the template, and reports publish:*",
                    super::template::SUPPORTED.join(", ")
                ))
            })
            .collect());
    }
    let engine = Engine::new(Flavour::Scaffolder);
    let mut ctx = json!({ "parameters": values, "steps": {}, "secrets": {}, "user": {} });
    let mut workspace = Workspace::default();
    let mut reports = Vec::new();
    let mut publish_input = None;
    for step in &template.steps {
        let render = |node: &crate::yaml::Node, ctx: &Json| {
            engine.render_node(node, ctx).map_err(|(pos, e)| vec![in_template(template, pos, step, &e)])
        };
        let report = |status: &'static str, note: Option<String>| StepReport {
            id: step.id.clone(),
            name: step.name.clone(),
            action: step.action.clone(),
            status,
            note,
        };
        if let Some(cond) = &step.condition
            && !truthy(render(cond, &ctx)?.as_ref())
        {
            reports.push(report("skipped", Some("its `if` is false".into())));
            continue;
        }
        let items: Vec<Option<Json>> = match &step.each {
            None => vec![None],
            Some(node) => match render(node, &ctx)? {
                Some(Json::Array(a)) => {
                    a.into_iter().enumerate().map(|(i, v)| Some(json!({ "key": i, "value": v }))).collect()
                }
                Some(Json::Object(o)) => o.into_iter().map(|(k, v)| Some(json!({ "key": k, "value": v }))).collect(),
                _ => Vec::new(),
            },
        };
        let mut output = json!({});
        let mut status = ("run", None);
        for each in items {
            let mut c = ctx.clone();
            if let Some(each) = each {
                c["each"] = each;
            }
            let input = match &step.input {
                Some(node) => render(node, &c)?.unwrap_or_else(|| json!({})),
                None => json!({}),
            };
            let done = match step.action.as_str() {
                "fetch:template" => workspace.fetch_template(root, template, &input, Flavour::Scaffolder),
                "fetch:cookiecutter" => workspace.fetch_template(root, template, &input, Flavour::Cookiecutter),
                "fetch:plain" => workspace.fetch_plain(root, template, &input, false),
                "fetch:plain:file" => workspace.fetch_plain(root, template, &input, true),
                "catalog:write" => workspace.catalog_write(template, &input, step.id.as_deref().unwrap_or(&step.name)),
                "debug:log" => {
                    workspace.debug_log(&input);
                    Ok(())
                }
                "debug:wait" => Ok(()),
                "catalog:register" => {
                    let path = input.get("catalogInfoPath").and_then(Json::as_str).unwrap_or("catalog-info.yaml");
                    output = json!({ "catalogInfoUrl": path.trim_start_matches('/') });
                    if let Some(r) = registered(&workspace, path) {
                        output["entityRef"] = Json::String(r);
                    }
                    status =
                        ("not-needed", Some("in a monorepo the next build discovers the new catalog-info.yaml".into()));
                    Ok(())
                }
                publish if publish.starts_with("publish:") => {
                    publish_input.get_or_insert_with(|| (publish.to_owned(), input.clone()));
                    status = (
                        "not-published",
                        Some("publishing is left to you (git add, commit and open a pull request)".into()),
                    );
                    Ok(())
                }
                other => unreachable!("unsupported actions are refused above: {other}"),
            };
            done.map_err(|e| vec![action_error(template, step, e)])?;
        }
        if let Some(id) = &step.id {
            ctx["steps"][id] = json!({ "output": output });
        }
        reports.push(report(status.0, status.1));
    }
    let output = match &template.output {
        Some(node) => engine.render_node(node, &ctx).ok().flatten().unwrap_or(Json::Null),
        None => Json::Null,
    };
    let values = ctx["parameters"].as_object().cloned().unwrap_or_default();
    Ok(Plan { values, workspace, steps: reports, output, publish: publish_input })
}

/// The reference of the first entity of the workspace's `path` (what `catalog:register` outputs).
fn registered(workspace: &Workspace, path: &str) -> Option<String> {
    let entry = workspace.files.get(path.trim_start_matches('/'))?;
    let (docs, _) = crate::yaml::parse_documents(std::str::from_utf8(&entry.bytes).ok()?);
    let doc = docs.first()?;
    let kind = doc.root.get("kind")?.as_str()?;
    let meta = doc.root.get("metadata")?;
    let name = meta.get("name")?.as_str()?;
    let ns = meta.get("namespace").and_then(|n| n.as_str()).unwrap_or("default");
    Some(format!("{}:{ns}/{name}", kind.to_lowercase()))
}

/// The answers file written into the generated directory.
pub const ANSWERS: &str = ".portico-answers.yaml";

/// What a file of the plan does to `--out`.
#[derive(Clone, Debug, Serialize)]
pub struct FileReport {
    pub path: String,
    pub size: usize,
    pub from: String,
    /// `create`, `replace` (an existing file, with `replace: true`) or `keep` (an existing
    /// file the step may not replace).
    pub action: &'static str,
}

/// What each file would do to `out`.
pub fn file_reports(plan: &Plan, out: &Path) -> Vec<FileReport> {
    plan.workspace
        .files
        .iter()
        .map(|(path, e)| {
            let exists = out.join(path).exists();
            FileReport {
                path: path.clone(),
                size: e.bytes.len(),
                from: e.from.clone(),
                action: match (exists, e.replace) {
                    (false, _) => "create",
                    (true, true) => "replace",
                    (true, false) => "keep",
                },
            }
        })
        .collect()
}

/// The answers: which template made the directory, at which commit, with which values.
pub fn answers(root: &Path, template: &Template, plan: &Plan) -> String {
    let dir = if template.dir.is_empty() { "." } else { template.dir.as_str() };
    let commit = crate::repo::git(root, &["log", "-1", "--format=%H", "--", dir])
        .ok()
        .map(|o| String::from_utf8_lossy(&o).trim().to_owned())
        .filter(|c| !c.is_empty());
    let value = json!({
        "template": template.entity_ref.to_string(),
        "template_file": template.file,
        "commit": commit,
        "values": plan.values,
    });
    format!(
        "# Written by `portico scaffold`: the template and values this directory was made from.\n# `portico scaffold update` reads it to bring in later versions of the template.\n{}",
        crate::yaml::to_string(&value).unwrap_or_default()
    )
}

/// Writes the plan into `out` (files that may not be replaced are kept) and the answers file.
/// On a failure, the files written so far are removed again. Returns the files written.
pub fn write(plan: &Plan, out: &Path, answers: &str) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut written: Vec<PathBuf> = Vec::new();
    let mut created_dirs: Vec<PathBuf> = Vec::new();
    // Files replaced, kept aside until the end so that a failure can put them back.
    let mut backups: Vec<(PathBuf, PathBuf)> = Vec::new();
    let result = (|| -> std::io::Result<()> {
        let files = plan.workspace.files.iter().map(|(p, e)| (p.as_str(), e.bytes.as_slice(), e.executable, e.replace));
        let answers = std::iter::once((ANSWERS, answers.as_bytes(), false, true));
        for (path, bytes, executable, replace) in files.chain(answers) {
            let target = out.join(path);
            if target.exists() && !replace {
                continue;
            }
            let parent = target.parent().unwrap_or(out);
            let mut missing: Vec<PathBuf> =
                parent.ancestors().take_while(|a| !a.exists()).map(Path::to_path_buf).collect();
            std::fs::create_dir_all(parent)?;
            missing.reverse();
            created_dirs.extend(missing);
            let tmp = parent
                .join(format!(".{}.portico-tmp", target.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()));
            std::fs::write(&tmp, bytes)?;
            #[cfg(unix)]
            if executable {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755))?;
            }
            #[cfg(not(unix))]
            let _ = executable;
            if target.exists() {
                let backup = parent.join(format!(
                    ".{}.portico-bak",
                    target.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()
                ));
                std::fs::rename(&target, &backup)?;
                backups.push((target.clone(), backup));
            }
            std::fs::rename(&tmp, &target)?;
            written.push(target);
        }
        Ok(())
    })();
    match result {
        Ok(()) => {
            for (_, backup) in &backups {
                let _ = std::fs::remove_file(backup);
            }
            Ok(written)
        }
        Err(e) => {
            for f in &written {
                let _ = std::fs::remove_file(f);
            }
            for (target, backup) in &backups {
                let _ = std::fs::rename(backup, target);
            }
            for d in created_dirs.iter().rev() {
                let _ = std::fs::remove_dir(d);
            }
            Err(Diagnostic::error(
                "scaffold-write",
                format!("cannot write into {}: {e}; nothing was left behind", out.display()),
            ))
        }
    }
}
