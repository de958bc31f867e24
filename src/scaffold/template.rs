//! A Template of the catalog as the runner reads it: its parameter pages (JSON Schemas), its
//! steps with the positions of what they hold (so that an expression that fails names its line)
//! and its output.

use std::path::Path;

use serde_json::Value as Json;

use crate::catalog::{Entity, EntityRef};
use crate::diagnostics::{Diagnostic, Pos};
use crate::yaml::Node;

/// The actions `portico scaffold` runs (or reports) with Backstage's semantics.
pub const SUPPORTED: [&str; 8] = [
    "fetch:template",
    "fetch:plain",
    "fetch:plain:file",
    "fetch:cookiecutter",
    "catalog:write",
    "catalog:register",
    "debug:log",
    "debug:wait",
];

/// Whether `action` is run, reported as not needed, or handed to git (`publish:*`).
pub fn supported(action: &str) -> bool {
    SUPPORTED.contains(&action) || action.starts_with("publish:")
}

#[derive(Clone, Debug)]
pub struct Step {
    pub id: Option<String>,
    pub name: String,
    pub action: String,
    pub input: Option<Node>,
    pub condition: Option<Node>,
    pub each: Option<Node>,
    pub pos: Pos,
}

#[derive(Clone, Debug)]
pub struct Template {
    pub entity_ref: EntityRef,
    pub title: String,
    pub description: Option<String>,
    /// The template file, root-relative.
    pub file: String,
    /// Its directory, root-relative (`""` the root).
    pub dir: String,
    /// The parameter pages (each a JSON Schema object).
    pub pages: Vec<Json>,
    pub steps: Vec<Step>,
    pub output: Option<Node>,
}

impl Template {
    /// Reads the template `entity` from its file (for positions).
    pub fn load(root: &Path, entity: &Entity) -> Result<Template, Box<Diagnostic>> {
        let mut t = Template::load_file(root, &entity.source.file, entity.source.document, &entity.entity_ref)?;
        t.title = entity.display_name().to_owned();
        t.description = entity.description.clone();
        Ok(t)
    }

    /// Reads the template `entity_ref` from document `document` of `file` under `root` (also
    /// an earlier version of the repository, for `scaffold update`).
    pub fn load_file(
        root: &Path,
        file: &str,
        document: usize,
        entity_ref: &EntityRef,
    ) -> Result<Template, Box<Diagnostic>> {
        let fail = |m: String| Box::new(Diagnostic::error("scaffold-template", m).at(file, None));
        let text = crate::input::read_to_string(&root.join(file), crate::input::Limits::default().file)
            .map_err(|e| fail(format!("cannot read the template: {e}")))?;
        let (docs, _) = crate::yaml::parse_documents(&text);
        let doc = docs
            .into_iter()
            .find(|d| d.index == document)
            .ok_or_else(|| fail("the template's document cannot be read".into()))?;
        let spec = doc.root.get("spec").cloned().unwrap_or_else(|| Node::new(doc.root.pos, crate::yaml::Value::Null));
        let pages = match spec.get("parameters").map(Node::to_json) {
            Some(Json::Array(pages)) => pages,
            Some(page @ Json::Object(_)) => vec![page],
            _ => Vec::new(),
        };
        let mut steps = Vec::new();
        for (i, node) in spec.get("steps").and_then(Node::as_seq).unwrap_or_default().iter().enumerate() {
            let text = |k: &str| node.get(k).and_then(Node::as_str).map(str::to_owned);
            let action = text("action").ok_or_else(|| {
                Box::new(
                    Diagnostic::error("scaffold-template", format!("step {} has no `action`", i + 1))
                        .at(file, Some(node.pos)),
                )
            })?;
            steps.push(Step {
                id: text("id"),
                name: text("name").unwrap_or_else(|| action.clone()),
                action,
                input: node.get("input").cloned(),
                condition: node.get("if").cloned(),
                each: node.get("each").cloned(),
                pos: node.pos,
            });
        }
        let dir = Path::new(file).parent().map(|p| p.to_string_lossy().replace('\\', "/")).unwrap_or_default();
        let meta = |k: &str| doc.root.get("metadata").and_then(|m| m.get(k)).and_then(Node::as_str).map(str::to_owned);
        Ok(Template {
            entity_ref: entity_ref.clone(),
            title: meta("title").unwrap_or_else(|| entity_ref.name.clone()),
            description: meta("description"),
            file: file.to_owned(),
            dir,
            pages,
            steps,
            output: spec.get("output").cloned(),
        })
    }

    /// Why steps cannot run here, before anything is rendered: an action this runner does not
    /// know, or a skeleton at a URL (Portico never fetches).
    pub fn blockers(&self) -> Vec<(&Step, String)> {
        let mut out = Vec::new();
        for s in &self.steps {
            if !supported(&s.action) {
                out.push((s, format!("the action `{}` is not supported", s.action)));
            } else if s.action.starts_with("fetch:")
                && let Some(url) = s.input.as_ref().and_then(|i| i.get("url")).and_then(Node::as_str)
                && crate::paths::is_url(url)
            {
                out.push((s, format!("its skeleton is remote ({url}): Portico never fetches")));
            }
        }
        out
    }
}

/// The Template `name` stands for: a name (any case) or an entity reference.
pub fn find<'p>(portal: &'p crate::resolve::Portal, name: &str) -> Result<&'p Entity, String> {
    let templates: Vec<&Entity> =
        portal.entities.values().map(|e| &**e).filter(|e| e.kind.eq_ignore_ascii_case("template")).collect();
    let by_ref = EntityRef::parse(name, Some("template"), "default").ok();
    let found: Vec<&Entity> = templates
        .iter()
        .copied()
        .filter(|e| Some(&e.entity_ref) == by_ref.as_ref() || e.name.eq_ignore_ascii_case(name))
        .collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => {
            let names: Vec<String> = templates.iter().map(|e| e.name.clone()).collect();
            Err(if names.is_empty() {
                format!("no template `{name}`: the catalog has no Template")
            } else {
                format!("no template `{name}`; the catalog's templates are {}", names.join(", "))
            })
        }
        many => Err(format!(
            "`{name}` names {} templates ({}); give the entity reference",
            many.len(),
            many.iter().map(|e| e.entity_ref.to_string()).collect::<Vec<_>>().join(", ")
        )),
    }
}
