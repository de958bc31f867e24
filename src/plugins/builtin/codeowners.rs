//! `codeowners`: who owns each entity's code, by GitHub's CODEOWNERS rules.
//!
//! Input: the portal root, the plugin's config and every entity. The plugin reads the
//! CODEOWNERS file GitHub would use (the first regular file of `.github/CODEOWNERS`,
//! `CODEOWNERS` and `docs/CODEOWNERS`, GitHub's search order, or the root-relative `file` of its
//! config), finds the rule that owns each entity's descriptor (`source.file`: whom GitHub asks to
//! review a change there) and maps the owners to catalog Groups and Users. Output: a
//! `codeowners` card and facts per entity, a page of owner mismatches and unowned entities, and
//! a `codeowners-invalid` warning per line GitHub does not accept (the line is skipped).
//!
//! The rules are GitHub's ("About code owners", docs.github.com): a line is a pattern and
//! owners (`@user`, `@org/team` or an email address); `#` starts a comment; the last matching
//! rule wins and a rule without owners clears them; paths are case-sensitive; files of 3 MB or
//! more are not loaded. Patterns are gitignore patterns without `!` negation, `[ ]` ranges or a
//! `\#` escape: a leading `/` anchors at the root, a pattern with no `/` but a trailing one
//! matches at any depth, a pattern naming a directory owns everything under it, a trailing `/`
//! matches only under a directory, `*` and `?` stay within a path segment, `**` crosses them,
//! and, unlike gitignore, a last segment `*` (`docs/*`) matches only the files directly inside.
//!
//! Invariants: never panics on any file; the output depends only on the request and the file
//! and is sorted by entity reference.

use std::collections::{BTreeMap, BTreeSet};

use regex::{Regex, RegexSet, RegexSetBuilder};
use serde_json::{Map, Value, json};

use super::{BuiltIn, Input};
use crate::catalog::EntityRef;
use crate::catalog::entity_ref::DEFAULT_NAMESPACE;
use crate::input::ReadError;
use crate::plugins::protocol::{
    Block, Cell, Contribution, DiagnosticLevel, Fact, KvItem, LinkItem, PROTOCOL, PluginDiagnostic, RequestEntity,
    Response, StatusLevel,
};

pub const PLUGIN: BuiltIn =
    BuiltIn { id: "codeowners", version: "1", inputs: &["CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS"], run };

/// Where GitHub looks for the file, in its order; the first one found is the only one used.
const LOCATIONS: [&str; 3] = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];

/// GitHub does not load a CODEOWNERS file of 3 MB or more.
const MAX_SIZE: u64 = 3 << 20;

/// The compiled size allowed for all patterns at once; past it each rule is tried in turn.
const SET_SIZE_LIMIT: usize = 64 << 20;

/// The annotations Backstage's GitHub org provider writes on Groups and Users.
const TEAM_SLUG: &str = "github.com/team-slug";
const USER_LOGIN: &str = "github.com/user-login";

fn run(input: &Input) -> Response {
    let mut diagnostics = Vec::new();
    let Some(file) = locate(input, &mut diagnostics) else {
        return Response { protocol: PROTOCOL, diagnostics, ..Response::default() };
    };
    let text = match read(input, &file) {
        Ok(text) => text,
        Err(message) => {
            diagnostics.push(diagnostic(DiagnosticLevel::Warning, "codeowners-unreadable", message, &file, None));
            return Response { protocol: PROTOCOL, diagnostics, ..Response::default() };
        }
    };
    let rules = Rules::parse(&file, &text, &mut diagnostics);
    let mut entities: Vec<&RequestEntity> = input.entities.iter().collect();
    entities.sort_by(|a, b| a.entity_ref.cmp(&b.entity_ref));
    let directory = Directory::new(&entities);

    let mut response = Response { protocol: PROTOCOL, diagnostics, ..Response::default() };
    let mut mismatches = Vec::new();
    let mut unowned = Vec::new();
    for e in entities {
        let me = reference(e);
        let rule = rules.owning(&e.source.file);
        let owners: Vec<(&str, Option<&Target>)> =
            rule.map_or(&[][..], |r| &r.owners[..]).iter().map(|o| (o.as_str(), directory.find(o))).collect();
        let owner_entities: BTreeSet<&str> =
            owners.iter().filter_map(|(_, t)| Some(t.as_ref()?.entity_ref.as_str())).collect();
        let spec_owner = e.spec.get("owner");
        let spec_owner_text = spec_owner.and_then(Value::as_str);
        // `spec.owner` is a reference of default kind Group in the entity's own namespace.
        let matches_owner = spec_owner_text
            .and_then(|o| EntityRef::parse(o, Some("group"), &me.namespace).ok())
            .is_some_and(|r| owner_entities.contains(r.to_string().as_str()));
        let rule_text = rule.map(|r| format!("{} line {}: {}", rules.file, r.line, r.pattern));
        let link = Cell::Link { text: me.short(), url: entity_url(e, &me) };

        if spec_owner.is_some() || !owners.is_empty() {
            let mut values = Map::new();
            values.insert("owners".into(), owners.iter().map(|(o, _)| *o).collect());
            values.insert("owner_entities".into(), owner_entities.iter().copied().collect());
            values.insert(
                "rule".into(),
                rule.map_or(Value::Null, |r| json!({"file": rules.file, "line": r.line, "pattern": r.pattern})),
            );
            values.insert("matches_owner".into(), Value::Bool(matches_owner));
            response.facts.push(Fact { entity: e.entity_ref.clone(), values });
        }

        if owners.is_empty() {
            unowned.push(vec![
                link,
                Cell::Text(if e.source.dir.is_empty() { "(root)".into() } else { e.source.dir.clone() }),
            ]);
        } else if let Some(written) = spec_owner_text.filter(|_| !matches_owner) {
            let listed = owners.iter().map(|(o, _)| *o).collect::<Vec<_>>().join(", ");
            mismatches.push(vec![
                link,
                Cell::Text(written.to_owned()),
                Cell::Text(listed),
                Cell::Text(rule_text.clone().unwrap_or_default()),
            ]);
        }
        response.contributions.push(Contribution::EntityCard {
            entity: e.entity_ref.clone(),
            id: "codeowners".into(),
            title: "Code owners".into(),
            blocks: card(&owners, rule_text),
        });
    }
    response.contributions.push(page(&rules, mismatches, unowned));
    response
}

/// The blocks of an entity's card: its owners (links to those in the catalog), and the rule.
fn card(owners: &[(&str, Option<&Target>)], rule: Option<String>) -> Vec<Block> {
    let mut blocks = Vec::new();
    if owners.is_empty() {
        blocks.push(Block::Status { level: StatusLevel::Warning, text: "No code owners".into(), url: None });
    }
    let links: Vec<LinkItem> = owners
        .iter()
        .filter_map(|(o, t)| Some(LinkItem { title: (*o).to_owned(), url: t.as_ref()?.url.clone() }))
        .collect();
    if !links.is_empty() {
        blocks.push(Block::Links { items: links });
    }
    let missing: Vec<KvItem> = owners
        .iter()
        .filter(|(_, t)| t.is_none())
        .map(|(o, _)| KvItem { key: (*o).to_owned(), value: Cell::Text(not_found(o)) })
        .collect();
    if !missing.is_empty() {
        blocks.push(Block::Kv { title: Some("Not in the catalog".into()), items: missing });
    }
    if let Some(rule) = rule {
        blocks.push(Block::Kv { title: None, items: vec![KvItem { key: "Rule".into(), value: Cell::Text(rule) }] });
    }
    blocks
}

/// The plugin's page: counts and tables of owner mismatches and unowned entities.
fn page(rules: &Rules, mismatches: Vec<Vec<Cell>>, unowned: Vec<Vec<Cell>>) -> Contribution {
    let count = |rows: &Vec<Vec<Cell>>| Cell::Number(rows.len().into());
    Contribution::Page {
        path: String::new(),
        title: "Code ownership".into(),
        blocks: vec![
            Block::Markdown {
                text: format!(
                    "Code owners of each entity's descriptor file, by the {} rules of `{}`. A mismatch is an \
                     entity whose `spec.owner` is not among the code owners of its descriptor.",
                    rules.rules.len(),
                    rules.file
                ),
            },
            Block::Stat { label: "Owner mismatches".into(), value: count(&mismatches), unit: None, trend: None },
            Block::Stat {
                label: "Entities without code owners".into(),
                value: count(&unowned),
                unit: None,
                trend: None,
            },
            Block::Table {
                title: Some("Owner mismatches".into()),
                columns: ["Entity", "spec.owner", "CODEOWNERS owners", "Rule"].map(String::from).to_vec(),
                rows: mismatches,
            },
            Block::Table {
                title: Some("Entities without code owners".into()),
                columns: ["Entity", "Directory"].map(String::from).to_vec(),
                rows: unowned,
            },
        ],
    }
}

fn diagnostic(level: DiagnosticLevel, code: &str, message: String, file: &str, line: Option<u32>) -> PluginDiagnostic {
    PluginDiagnostic {
        level,
        code: code.into(),
        message,
        entity: None,
        file: (!file.is_empty()).then(|| file.to_owned()),
        line,
        column: None,
    }
}

fn warn(diags: &mut Vec<PluginDiagnostic>, code: &str, message: String) {
    diags.push(diagnostic(DiagnosticLevel::Warning, code, message, "", None));
}

/// The CODEOWNERS file to read, relative to the root: the config's `file`, else the first of
/// [`LOCATIONS`] that is a regular file inside the root.
fn locate(input: &Input, diags: &mut Vec<PluginDiagnostic>) -> Option<String> {
    if let Some(file) = configured(input.config, diags) {
        let found = crate::paths::resolve_inside(input.root, "", &file);
        return match found {
            Ok(rel) if !rel.is_empty() && crate::input::is_regular(&input.root.join(&rel)) => Some(rel),
            Ok(_) => {
                let message =
                    format!("config `file: {file}` names no file; give the CODEOWNERS path relative to the root");
                warn(diags, "codeowners-missing", message);
                None
            }
            Err(_) => {
                let message =
                    format!("config `file: {file}` is outside the portal root; give a path relative to the root");
                warn(diags, "codeowners-config", message);
                None
            }
        };
    }
    let found = LOCATIONS.iter().find(|rel| {
        crate::paths::check_no_symlink_escape(input.root, rel).is_ok()
            && crate::input::is_regular(&input.root.join(rel))
    });
    if found.is_none() {
        let message = format!("no CODEOWNERS file found (GitHub looks for {}, in that order)", LOCATIONS.join(", "));
        diags.push(diagnostic(DiagnosticLevel::Info, "codeowners-missing", message, "", None));
    }
    found.map(|rel| (*rel).to_owned())
}

/// The `file` of the plugin's config (`null`, or `{file: PATH}`), with a warning for anything
/// else in it.
fn configured(config: &Value, diags: &mut Vec<PluginDiagnostic>) -> Option<String> {
    const EXPECTED: &str = "a mapping like `{file: .github/CODEOWNERS}` (a path relative to the root), or nothing";
    match config {
        Value::Null => None,
        Value::Object(config) => {
            for key in config.keys().filter(|k| *k != "file") {
                warn(
                    diags,
                    "codeowners-config",
                    format!("config key `{key}` is unknown and ignored; expected {EXPECTED}"),
                );
            }
            match config.get("file")? {
                Value::String(file) => Some(file.clone()),
                other => {
                    let message = format!("config `file: {other}` is ignored: expected {EXPECTED}");
                    warn(diags, "codeowners-config", message);
                    None
                }
            }
        }
        other => {
            warn(diags, "codeowners-config", format!("config `{other}` is ignored: expected {EXPECTED}"));
            None
        }
    }
}

/// The text of `file`, or why it cannot be used.
fn read(input: &Input, file: &str) -> Result<String, String> {
    match crate::input::read(&input.root.join(file), MAX_SIZE) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|e| {
            format!(
                "{file} is not UTF-8 text (invalid byte at offset {}), so its rules are not read; save it as UTF-8",
                e.utf8_error().valid_up_to()
            )
        }),
        Err(ReadError::TooLarge { .. }) => Err(format!(
            "{file} is 3 MB or more, and GitHub does not load a CODEOWNERS file that large; merge entries with wildcard patterns to make it smaller"
        )),
        Err(e) => Err(format!("cannot read {file}: {e}")),
    }
}

/// A line of the CODEOWNERS file that GitHub accepts.
struct Rule {
    /// 1-based.
    line: u32,
    /// As written.
    pattern: String,
    /// As written, without repeats; empty clears the owners of what the pattern matches.
    owners: Vec<String>,
    regex: Regex,
}

/// The rules of a CODEOWNERS file, in file order.
struct Rules {
    /// The file, relative to the root.
    file: String,
    rules: Vec<Rule>,
    /// Every pattern at once, when they fit [`SET_SIZE_LIMIT`].
    set: Option<RegexSet>,
}

impl Rules {
    /// The rules of `text`, with a `codeowners-invalid` warning per line that is skipped.
    fn parse(file: &str, text: &str, diags: &mut Vec<PluginDiagnostic>) -> Rules {
        let mut rules = Vec::new();
        for (i, line) in text.strip_prefix('\u{feff}').unwrap_or(text).lines().enumerate() {
            let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let parsed = parse_line(line).and_then(|rule| {
                let Some((pattern, owners)) = rule else { return Ok(None) };
                match Regex::new(&pattern_regex(&pattern)) {
                    Ok(regex) => Ok(Some(Rule { line: n, pattern, owners, regex })),
                    Err(_) => Err(format!("the pattern `{pattern}` is too long to match; the line is skipped")),
                }
            });
            match parsed {
                Ok(Some(rule)) => rules.push(rule),
                Ok(None) => {}
                Err(message) => {
                    diags.push(diagnostic(DiagnosticLevel::Warning, "codeowners-invalid", message, file, Some(n)));
                }
            }
        }
        let set = RegexSetBuilder::new(rules.iter().map(|r| r.regex.as_str())).size_limit(SET_SIZE_LIMIT).build().ok();
        Rules { file: file.to_owned(), rules, set }
    }

    /// The rule that decides who owns `path` (root-relative): the last one matching it.
    fn owning(&self, path: &str) -> Option<&Rule> {
        match &self.set {
            Some(set) => set.matches(path).iter().next_back().map(|i| &self.rules[i]),
            None => self.rules.iter().rev().find(|r| r.regex.is_match(path)),
        }
    }
}

/// A rule's pattern and owners, as written; `None` for a blank or comment line.
type Line = Option<(String, Vec<String>)>;

/// The pattern and owners of a line, or why the line is not accepted.
fn parse_line(line: &str) -> Result<Line, String> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    // The pattern ends at the first whitespace not escaped with `\`.
    let mut end = line.len();
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c.is_whitespace() {
            end = i;
            break;
        }
    }
    let (pattern, rest) = line.split_at(end);
    check_pattern(pattern)?;
    let mut owners: Vec<String> = Vec::new();
    // A token starting with `#` starts a comment to the end of the line.
    for owner in rest.split_whitespace().take_while(|t| !t.starts_with('#')) {
        if owner_kind(owner).is_none() {
            return Err(format!(
                "`{owner}` is not an owner: expected `@user`, `@org/team` or an email address; the line is skipped"
            ));
        }
        if !owners.iter().any(|o| o == owner) {
            owners.push(owner.to_owned());
        }
    }
    Ok(Some((pattern.to_owned(), owners)))
}

/// Refuses the gitignore syntax GitHub's docs list as not working in CODEOWNERS.
fn check_pattern(pattern: &str) -> Result<(), String> {
    let unsupported = |what: &str, fix: &str| {
        Err(format!("`{pattern}` uses {what}, which CODEOWNERS does not support; the line is skipped ({fix})"))
    };
    if pattern.starts_with("\\#") {
        return unsupported("`\\#` to escape a leading `#`", "a line starting with `#` is a comment");
    }
    if pattern.starts_with('!') {
        return unsupported("`!` to negate a pattern", "give the exception its own rule after the broader one");
    }
    let mut escaped = false;
    for c in pattern.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '[' => return unsupported("`[ ]` for a character range", "write one rule per alternative"),
            _ => {}
        }
    }
    if escaped {
        return Err(format!("`{pattern}` ends with a lone `\\`; the line is skipped"));
    }
    Ok(())
}

/// What a CODEOWNERS owner names.
#[derive(Debug, PartialEq, Eq)]
enum Owner<'a> {
    /// `@login`.
    User(&'a str),
    /// `@org/team`: the slug `org/team` and the team.
    Team(&'a str, &'a str),
    Email(&'a str),
}

fn owner_kind(token: &str) -> Option<Owner<'_>> {
    let name = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if let Some(handle) = token.strip_prefix('@') {
        return match handle.split_once('/') {
            Some((org, team)) if name(org) && name(team) => Some(Owner::Team(handle, team)),
            None if name(handle) => Some(Owner::User(handle)),
            _ => None,
        };
    }
    let (local, domain) = token.split_once('@')?;
    let local_ok = !local.is_empty() && local.bytes().all(|b| b.is_ascii_alphanumeric() || b"._%+-".contains(&b));
    let domain_ok = domain.split('.').count() > 1
        && domain.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    (local_ok && domain_ok).then_some(Owner::Email(token))
}

/// What the card says of an owner that is not in the catalog: what would map it.
fn not_found(owner: &str) -> String {
    match owner_kind(owner) {
        Some(Owner::Team(slug, team)) => format!("no Group with annotation {TEAM_SLUG}: {slug}, nor named {team}"),
        Some(Owner::User(login)) => format!("no User with annotation {USER_LOGIN}: {login}, nor named {login}"),
        Some(Owner::Email(email)) => format!("no User with spec.profile.email {email}"),
        None => "not an owner".into(),
    }
}

/// The regular expression of a CODEOWNERS pattern, matching whole root-relative file paths.
fn pattern_regex(pattern: &str) -> String {
    let mut segments: Vec<&str> = pattern.split('/').collect();
    if segments.len() > 1 && segments[0].is_empty() {
        // A leading `/` anchors the pattern at the root.
        segments.remove(0);
    } else if (segments.len() == 1 || (segments.len() == 2 && segments[1].is_empty())) && segments[0] != "**" {
        // No `/` other than a trailing one: the pattern matches at any depth.
        segments.insert(0, "**");
    }
    // `**/**` is `**`.
    segments.dedup_by(|a, b| *a == "**" && *b == "**");
    if segments.len() > 1
        && let Some(last) = segments.last_mut()
        && last.is_empty()
    {
        // A trailing `/` matches everything under the directory.
        *last = "**";
    }
    let last = segments.len().saturating_sub(1);
    let mut re = String::from(r"(?s)\A");
    let mut slash = false;
    for (i, segment) in segments.iter().enumerate() {
        match *segment {
            "**" if i == 0 && i == last => re.push_str(".+"),
            "**" if i == 0 => re.push_str("(?:.+/)?"),
            "**" if i == last => re.push_str(if slash { "/.*" } else { ".+/.*" }),
            "**" => {
                re.push_str("(?:/.+)?");
                slash = true;
            }
            // GitHub's exception to gitignore: a last `*` matches the files directly inside only.
            "*" => {
                if slash {
                    re.push('/');
                }
                re.push_str("[^/]+");
                slash = true;
            }
            _ => {
                if slash {
                    re.push('/');
                }
                let mut chars = segment.chars();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some(next) = chars.next() {
                                re.push_str(&regex::escape(next.encode_utf8(&mut [0; 4])));
                            }
                        }
                        '*' => re.push_str("[^/]*"),
                        '?' => re.push_str("[^/]"),
                        c => re.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
                    }
                }
                if i == last {
                    // A file or a directory: everything under the directory too.
                    re.push_str("(?:/.*)?");
                }
                slash = true;
            }
        }
    }
    re.push_str(r"\z");
    re
}

/// The reference of `e` (its canonical form; a reference that does not parse is kept whole as
/// the name, so that nothing here can fail).
fn reference(e: &RequestEntity) -> EntityRef {
    EntityRef::parse(&e.entity_ref, None, DEFAULT_NAMESPACE)
        .unwrap_or_else(|_| EntityRef::new(&e.kind, DEFAULT_NAMESPACE, &e.entity_ref))
}

/// The page of an entity, relative to the site root: `catalog/<ns>/<kind>/<name>/` (namespace
/// and kind lower-case, the name as written), as Portico's own entity pages.
fn entity_url(e: &RequestEntity, r: &EntityRef) -> String {
    let name = e.metadata.get("name").and_then(Value::as_str).unwrap_or(r.name.as_str());
    format!("catalog/{}/{}/{}/", r.namespace, r.kind, name)
}

/// A catalog entity an owner stands for.
struct Target {
    entity_ref: String,
    url: String,
}

/// The catalog's Groups and Users by what CODEOWNERS owners name, all keys lower-case.
#[derive(Default)]
struct Directory {
    team_slugs: BTreeMap<String, Target>,
    groups: BTreeMap<String, Target>,
    logins: BTreeMap<String, Target>,
    users: BTreeMap<String, Target>,
    emails: BTreeMap<String, Target>,
}

impl Directory {
    /// When two entities share a key, the one in the default namespace wins, then the first by
    /// reference.
    fn new(entities: &[&RequestEntity]) -> Directory {
        let mut order: Vec<(EntityRef, &RequestEntity)> = entities.iter().map(|e| (reference(e), *e)).collect();
        order.sort_by(|(a, _), (b, _)| {
            (a.namespace != DEFAULT_NAMESPACE, a).cmp(&(b.namespace != DEFAULT_NAMESPACE, b))
        });
        let mut d = Directory::default();
        for (r, e) in &order {
            let target = || Target { entity_ref: e.entity_ref.clone(), url: entity_url(e, r) };
            let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_lowercase);
            let annotation = |key: &str| text(e.metadata.get("annotations").and_then(|a| a.get(key)));
            let name = text(e.metadata.get("name"));
            let add = |map: &mut BTreeMap<String, Target>, key: Option<String>| {
                if let Some(key) = key {
                    map.entry(key).or_insert_with(target);
                }
            };
            if e.kind.eq_ignore_ascii_case("group") {
                add(&mut d.team_slugs, annotation(TEAM_SLUG));
                add(&mut d.groups, name);
            } else if e.kind.eq_ignore_ascii_case("user") {
                add(&mut d.logins, annotation(USER_LOGIN));
                add(&mut d.users, name);
                add(&mut d.emails, text(e.spec.pointer("/profile/email")));
            }
        }
        d
    }

    /// The entity `owner` stands for: a Group by team slug annotation, else by team name; a
    /// User by login annotation, else by name; a User by email (all case-insensitive).
    fn find(&self, owner: &str) -> Option<&Target> {
        match owner_kind(owner)? {
            Owner::Team(slug, team) => {
                self.team_slugs.get(&slug.to_lowercase()).or_else(|| self.groups.get(&team.to_lowercase()))
            }
            Owner::User(login) => {
                let login = login.to_lowercase();
                self.logins.get(&login).or_else(|| self.users.get(&login))
            }
            Owner::Email(email) => self.emails.get(&email.to_lowercase()),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::plugins::Mode;
    use crate::plugins::protocol::RequestSource;

    fn entity(entity_ref: &str, kind: &str, metadata: Value, spec: Value, file: &str) -> RequestEntity {
        RequestEntity {
            entity_ref: entity_ref.into(),
            kind: kind.into(),
            metadata,
            spec,
            relations: Vec::new(),
            source: RequestSource { file: file.into(), dir: file.rsplit_once('/').map_or("", |(d, _)| d).into() },
        }
    }

    fn component(name: &str, owner: Option<&str>, file: &str) -> RequestEntity {
        let spec = match owner {
            Some(o) => json!({"type": "service", "lifecycle": "production", "owner": o}),
            None => json!({"type": "service", "lifecycle": "production"}),
        };
        entity(&format!("component:default/{name}"), "Component", json!({"name": name}), spec, file)
    }

    /// Runs the plugin in a fresh root holding `files`.
    fn run_with(files: &[(&str, &[u8])], config: Value, entities: &[RequestEntity]) -> Response {
        let dir = tempfile::TempDir::new().unwrap();
        let root = dir.path().canonicalize().unwrap();
        for (path, content) in files {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        run(&Input { root: &root, config: &config, entities, mode: Mode::Build, commit: None })
    }

    const CODEOWNERS: &str = "\
# Code owners of the Acme monorepo.
# The last matching rule wins.

*                       @acme/platform
/services/              @acme/backend
/services/payments/     @acme/payments jane@acme.com   # money moves here
docs/*                  @acme/docs
apps/                   @octocat
**/legacy/**            @acme/archaeology
/tools/generated
!services/keep/         @acme/nobody
*.[ch]                  @acme/c
\\#notes                @acme/notes
/web/                   frontend-team
";

    /// The catalog of the tests: components all over the tree, and the Groups and Users that
    /// owners map to.
    fn catalog() -> Vec<RequestEntity> {
        let org = "org/catalog-info.yaml";
        vec![
            component("payments", Some("payments"), "services/payments/catalog-info.yaml"),
            component("orders", Some("group:default/backend"), "services/orders/catalog-info.yaml"),
            component("guide", Some("docs-team"), "docs/catalog-info.yaml"),
            component("nested-guide", Some("platform-team"), "docs/guides/catalog-info.yaml"),
            component("mobile", Some("user:octo"), "clients/apps/mobile/catalog-info.yaml"),
            component("old", Some("archaeology"), "services/legacy/old/catalog-info.yaml"),
            component("generated", Some("platform-team"), "tools/generated/catalog-info.yaml"),
            component("keep", None, "services/keep/catalog-info.yaml"),
            entity(
                "resource:default/bare",
                "Resource",
                json!({"name": "bare"}),
                json!({}),
                "tools/generated/bare.yaml",
            ),
            entity(
                "group:default/platform-team",
                "Group",
                json!({"name": "platform-team", "annotations": {"github.com/team-slug": "Acme/Platform"}}),
                json!({"type": "team"}),
                org,
            ),
            entity("group:default/backend", "Group", json!({"name": "backend"}), json!({"type": "team"}), org),
            entity(
                "group:default/server-team",
                "Group",
                json!({"name": "server-team", "annotations": {"github.com/team-slug": "acme/backend"}}),
                json!({"type": "team"}),
                org,
            ),
            entity("group:default/payments", "Group", json!({"name": "Payments"}), json!({"type": "team"}), org),
            entity(
                "group:other/archaeology",
                "Group",
                json!({"name": "archaeology", "namespace": "other"}),
                json!({}),
                org,
            ),
            entity(
                "user:default/jane",
                "User",
                json!({"name": "jane"}),
                json!({"profile": {"email": "Jane@Acme.com"}}),
                org,
            ),
            entity(
                "user:default/octo",
                "User",
                json!({"name": "octo", "annotations": {"github.com/user-login": "OctoCat"}}),
                json!({}),
                org,
            ),
        ]
    }

    fn acme() -> Response {
        run_with(&[(".github/CODEOWNERS", CODEOWNERS.as_bytes())], Value::Null, &catalog())
    }

    fn fact<'a>(r: &'a Response, entity: &str) -> Option<&'a Map<String, Value>> {
        r.facts.iter().find(|f| f.entity == entity).map(|f| &f.values)
    }

    fn card<'a>(r: &'a Response, entity: &str) -> &'a [Block] {
        r.contributions
            .iter()
            .find_map(|c| match c {
                Contribution::EntityCard { entity: e, id, title, blocks } if e == entity => {
                    assert_eq!((id.as_str(), title.as_str()), ("codeowners", "Code owners"));
                    Some(&blocks[..])
                }
                _ => None,
            })
            .unwrap_or_else(|| panic!("no card for {entity}"))
    }

    fn page(r: &Response) -> &[Block] {
        let pages: Vec<_> = r
            .contributions
            .iter()
            .filter_map(|c| match c {
                Contribution::Page { path, title, blocks } => Some((path, title, blocks)),
                _ => None,
            })
            .collect();
        assert_eq!(pages.len(), 1);
        assert_eq!((pages[0].0.as_str(), pages[0].1.as_str()), ("", "Code ownership"));
        pages[0].2
    }

    fn text(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    fn link(text: &str, url: &str) -> Cell {
        Cell::Link { text: text.into(), url: url.into() }
    }

    /// GitHub's own examples (docs.github.com, "About code owners") and gitignore's rules.
    #[test]
    fn patterns_match_like_github() {
        let cases: &[(&str, &str, bool)] = &[
            // No slash: any depth, the name of a file or of a directory above it.
            ("*", "README.md", true),
            ("*", "a/b/c.txt", true),
            ("*.js", "app.js", true),
            ("*.js", "web/src/app.js", true),
            ("*.js", "web/src/app.ts", false),
            ("*.js", "app.jsx", false),
            ("foo", "foo", true),
            ("foo", "bar/foo/baz", true),
            ("foo", "foo.txt", false),
            ("foo", "bar/food", false),
            // A leading slash anchors at the root; a named directory owns what is under it.
            ("/build/logs/", "build/logs/a.log", true),
            ("/build/logs/", "build/logs/deep/a.log", true),
            ("/build/logs/", "src/build/logs/a.log", false),
            ("/build/logs/", "build/logs", false),
            ("/apps/github", "apps/github/x.yaml", true),
            ("/apps/github", "apps/github", true),
            ("/apps/github", "apps/githubx/a", false),
            // A middle slash anchors too.
            ("foo/bar", "foo/bar/baz", true),
            ("foo/bar", "x/foo/bar", false),
            // A trailing slash with no other: any directory of that name, at any depth.
            ("apps/", "apps/a.txt", true),
            ("apps/", "src/apps/deep/a.txt", true),
            ("apps/", "apps", false),
            ("apps/", "myapps/a.txt", false),
            // `docs/*`: files directly in docs/, not nested ones (GitHub's exception).
            ("docs/*", "docs/getting-started.md", true),
            ("docs/*", "docs/build-app/troubleshooting.md", false),
            ("docs/*", "x/docs/a.md", false),
            ("/*", "README.md", true),
            ("/*", "src/main.rs", false),
            ("/*/", "src/main.rs", true),
            // `*` and `?` stay in a segment; `**` crosses them.
            ("foo/*.txt", "foo/a.txt", true),
            ("foo/*.txt", "foo/a/b.txt", false),
            ("foo/*/baz", "foo/bar/baz", true),
            ("foo/*/baz", "foo/bar/qux/baz", false),
            ("f?o", "foo", true),
            ("f?o", "f/o", false),
            ("**/logs", "build/logs/a.log", true),
            ("**/logs", "deeply/nested/logs/x", true),
            ("**/logs", "logs/x", true),
            ("**/logs", "logsx/a", false),
            ("foo/**/bar", "foo/bar", true),
            ("foo/**/bar", "foo/a/b/bar/c", true),
            ("foo/**/bar", "x/foo/bar", false),
            ("foo/**", "foo/a/b", true),
            ("foo/**", "foo", false),
            ("**", "a/b", true),
            ("**/", "a/b", true),
            ("**/", "a", false),
            // Escapes and regex metacharacters are literal.
            ("f\\*o", "f*o", true),
            ("f\\*o", "foo", false),
            ("a+b(c).txt", "a+b(c).txt", true),
            ("a+b(c).txt", "aab(c).txt", false),
            ("path\\ with\\ spaces/", "path with spaces/a", true),
            // Paths are case-sensitive.
            ("/Docs/", "docs/a.md", false),
        ];
        for (pattern, path, want) in cases {
            let re = Regex::new(&pattern_regex(pattern)).unwrap();
            assert_eq!(re.is_match(path), *want, "{pattern} on {path} ({})", re.as_str());
        }
    }

    #[test]
    fn lines_parse_like_github() {
        let ok = |pattern: &str, owners: &[&str]| {
            Ok(Some((pattern.to_owned(), owners.iter().map(|o| (*o).to_owned()).collect())))
        };
        let cases: &[(&str, Result<Line, ()>)] = &[
            ("", Ok(None)),
            ("   \t", Ok(None)),
            ("# a comment @x", Ok(None)),
            ("  # an indented comment", Ok(None)),
            ("*.js @js-owner", ok("*.js", &["@js-owner"])),
            ("*.js\t@a  @org/team-1 docs@example.com", ok("*.js", &["@a", "@org/team-1", "docs@example.com"])),
            ("*.js @js-owner #This is an inline comment.", ok("*.js", &["@js-owner"])),
            ("*.js @a @a", ok("*.js", &["@a"])),
            ("/apps/github", ok("/apps/github", &[])),
            ("/apps/github   # cleared", ok("/apps/github", &[])),
            ("path\\ with\\ spaces/ @space", ok("path\\ with\\ spaces/", &["@space"])),
            ("!*.md @x", Err(())),
            ("*.[ch] @x", Err(())),
            ("\\#notes @x", Err(())),
            ("foo\\", Err(())),
            ("*.md team", Err(())),
            ("*.md @", Err(())),
            ("*.md @org/", Err(())),
            ("*.md @a/b/c", Err(())),
            ("*.md user@localhost", Err(())),
        ];
        for (line, want) in cases {
            assert_eq!(parse_line(line).map_err(|_| ()), *want, "{line:?}");
        }
        assert_eq!(owner_kind("@acme/web"), Some(Owner::Team("acme/web", "web")));
        assert_eq!(owner_kind("@octocat"), Some(Owner::User("octocat")));
        assert_eq!(owner_kind("a.b+c@example.co.uk"), Some(Owner::Email("a.b+c@example.co.uk")));
    }

    #[test]
    fn the_file_is_found_in_githubs_order() {
        let entities = [component("a", None, "a/catalog-info.yaml")];
        let owners_of_a = |files: &[(&str, &[u8])]| {
            let r = run_with(files, Value::Null, &entities);
            fact(&r, "component:default/a").map(|f| f["owners"].clone())
        };
        let github: (&str, &[u8]) = (".github/CODEOWNERS", b"* @from-github\n");
        let root: (&str, &[u8]) = ("CODEOWNERS", b"* @from-root\n");
        let docs: (&str, &[u8]) = ("docs/CODEOWNERS", b"* @from-docs\n");
        assert_eq!(owners_of_a(&[docs, root, github]), Some(json!(["@from-github"])));
        assert_eq!(owners_of_a(&[docs, root]), Some(json!(["@from-root"])));
        assert_eq!(owners_of_a(&[docs]), Some(json!(["@from-docs"])));
        // A directory named CODEOWNERS is not the file.
        assert_eq!(owners_of_a(&[("CODEOWNERS/x", b"* @dir"), docs]), Some(json!(["@from-docs"])));

        let none = run_with(&[("src/OWNERS", b"* @x\n")], Value::Null, &entities);
        assert!(none.facts.is_empty() && none.contributions.is_empty(), "{none:?}");
        assert_eq!(none.protocol, PROTOCOL);
        assert_eq!(none.diagnostics.len(), 1);
        assert_eq!(none.diagnostics[0].level, DiagnosticLevel::Info);
        assert_eq!(none.diagnostics[0].code, "codeowners-missing");
    }

    #[test]
    fn the_last_matching_rule_decides_and_a_rule_without_owners_clears() {
        let r = acme();
        let rule = |e: &str| fact(&r, e).map(|f| (f["owners"].clone(), f["rule"].clone()));
        let at = |line: u32, pattern: &str| json!({"file": ".github/CODEOWNERS", "line": line, "pattern": pattern});
        let cases: &[(&str, Value, Value)] = &[
            ("payments", json!(["@acme/payments", "jane@acme.com"]), at(6, "/services/payments/")),
            ("orders", json!(["@acme/backend"]), at(5, "/services/")),
            ("guide", json!(["@acme/docs"]), at(7, "docs/*")),
            // `docs/*` is not recursive: the default rule owns nested docs.
            ("nested-guide", json!(["@acme/platform"]), at(4, "*")),
            ("mobile", json!(["@octocat"]), at(8, "apps/")),
            // A later `**` rule wins over the earlier `/services/`.
            ("old", json!(["@acme/archaeology"]), at(9, "**/legacy/**")),
            // `/tools/generated` has no owners: it clears the default owners.
            ("generated", json!([]), at(10, "/tools/generated")),
            // The invalid `!services/keep/` line is skipped.
            ("keep", json!(["@acme/backend"]), at(5, "/services/")),
        ];
        for (name, owners, rule_at) in cases {
            assert_eq!(rule(&format!("component:default/{name}")), Some((owners.clone(), rule_at.clone())), "{name}");
        }
        // Without `spec.owner` and without owners, an entity has no facts.
        assert_eq!(fact(&r, "resource:default/bare"), None);
    }

    /// Rules too many for one regex set are tried one by one, with the same answers.
    #[test]
    fn rules_without_a_regex_set_decide_the_same() {
        let mut diags = Vec::new();
        let mut rules = Rules::parse("CODEOWNERS", CODEOWNERS, &mut diags);
        assert!(rules.set.is_some());
        let paths =
            ["a.md", "services/x/y", "services/payments/a", "docs/a", "docs/a/b", "tools/generated/x", "q/legacy/r"];
        let with_set: Vec<_> = paths.iter().map(|p| rules.owning(p).map(|r| r.line)).collect();
        rules.set = None;
        let one_by_one: Vec<_> = paths.iter().map(|p| rules.owning(p).map(|r| r.line)).collect();
        assert_eq!(with_set, one_by_one);
        assert_eq!(one_by_one, [Some(4), Some(5), Some(6), Some(7), Some(4), Some(10), Some(9)]);
    }

    #[test]
    fn unsupported_syntax_is_skipped_with_a_warning() {
        let r = acme();
        let got: Vec<_> = r.diagnostics.iter().map(|d| (d.level, d.code.as_str(), d.file.as_deref(), d.line)).collect();
        let warning = |line| (DiagnosticLevel::Warning, "codeowners-invalid", Some(".github/CODEOWNERS"), Some(line));
        assert_eq!(got, [warning(11), warning(12), warning(13), warning(14)]);
        assert!(r.diagnostics[0].message.contains("`!` to negate"), "{}", r.diagnostics[0].message);
        assert!(r.diagnostics[1].message.contains("`[ ]`"), "{}", r.diagnostics[1].message);
        assert!(r.diagnostics[3].message.contains("`frontend-team` is not an owner"), "{}", r.diagnostics[3].message);
        // `*.[ch]` owns nothing: a C file keeps the default owners.
        let entities = [component("c", None, "src/main.c")];
        let c = run_with(&[("CODEOWNERS", CODEOWNERS.as_bytes())], Value::Null, &entities);
        assert_eq!(fact(&c, "component:default/c").unwrap()["owners"], json!(["@acme/platform"]));
    }

    #[test]
    fn owners_map_to_groups_and_users() {
        let r = acme();
        let mapped = |e: &str| fact(&r, &format!("component:default/{e}")).unwrap()["owner_entities"].clone();
        // By name (case-insensitive), and by email (case-insensitive).
        assert_eq!(mapped("payments"), json!(["group:default/payments", "user:default/jane"]));
        // By team slug annotation, before a Group named `backend`.
        assert_eq!(mapped("orders"), json!(["group:default/server-team"]));
        // By team slug annotation, case-insensitive.
        assert_eq!(mapped("nested-guide"), json!(["group:default/platform-team"]));
        // By login annotation, case-insensitive.
        assert_eq!(mapped("mobile"), json!(["user:default/octo"]));
        // By name in another namespace; not at all.
        assert_eq!(mapped("old"), json!(["group:other/archaeology"]));
        assert_eq!(mapped("guide"), json!([]));

        assert_eq!(
            card(&r, "component:default/payments"),
            [
                Block::Links {
                    items: vec![
                        LinkItem { title: "@acme/payments".into(), url: "catalog/default/group/Payments/".into() },
                        LinkItem { title: "jane@acme.com".into(), url: "catalog/default/user/jane/".into() },
                    ]
                },
                Block::Kv {
                    title: None,
                    items: vec![KvItem {
                        key: "Rule".into(),
                        value: text(".github/CODEOWNERS line 6: /services/payments/")
                    }]
                },
            ]
        );
        assert_eq!(
            card(&r, "component:default/guide"),
            [
                Block::Kv {
                    title: Some("Not in the catalog".into()),
                    items: vec![KvItem {
                        key: "@acme/docs".into(),
                        value: text("no Group with annotation github.com/team-slug: acme/docs, nor named docs")
                    }]
                },
                Block::Kv {
                    title: None,
                    items: vec![KvItem { key: "Rule".into(), value: text(".github/CODEOWNERS line 7: docs/*") }]
                },
            ]
        );
        assert_eq!(
            card(&r, "component:default/generated"),
            [
                Block::Status { level: StatusLevel::Warning, text: "No code owners".into(), url: None },
                Block::Kv {
                    title: None,
                    items: vec![KvItem {
                        key: "Rule".into(),
                        value: text(".github/CODEOWNERS line 10: /tools/generated")
                    }]
                },
            ]
        );
    }

    #[test]
    fn spec_owner_is_checked_against_the_code_owners() {
        let r = acme();
        let matches = |e: &str| fact(&r, &format!("component:default/{e}")).unwrap()["matches_owner"].clone();
        assert_eq!(matches("payments"), json!(true)); // `payments` is group:default/payments
        assert_eq!(matches("mobile"), json!(true)); // `user:octo` is @octocat
        assert_eq!(matches("nested-guide"), json!(true));
        assert_eq!(matches("orders"), json!(false)); // @acme/backend is group:default/server-team
        assert_eq!(matches("guide"), json!(false)); // @acme/docs is not in the catalog
        assert_eq!(matches("old"), json!(false)); // `archaeology` is in namespace default, not other
        assert_eq!(matches("generated"), json!(false));
        assert_eq!(matches("keep"), json!(false)); // no spec.owner
    }

    #[test]
    fn the_page_lists_mismatches_and_unowned_entities() {
        let r = acme();
        let page = page(&r);
        let url = |name: &str| format!("catalog/default/component/{name}/");
        assert_eq!(
            page[1],
            Block::Stat { label: "Owner mismatches".into(), value: Cell::Number(3.into()), unit: None, trend: None }
        );
        assert_eq!(
            page[2],
            Block::Stat {
                label: "Entities without code owners".into(),
                value: Cell::Number(2.into()),
                unit: None,
                trend: None
            }
        );
        let Block::Table { title, columns, rows } = &page[3] else { panic!("{:?}", page[3]) };
        assert_eq!(title.as_deref(), Some("Owner mismatches"));
        assert_eq!(columns, &["Entity", "spec.owner", "CODEOWNERS owners", "Rule"]);
        assert_eq!(
            rows,
            &[
                vec![
                    link("component:guide", &url("guide")),
                    text("docs-team"),
                    text("@acme/docs"),
                    text(".github/CODEOWNERS line 7: docs/*")
                ],
                vec![
                    link("component:old", &url("old")),
                    text("archaeology"),
                    text("@acme/archaeology"),
                    text(".github/CODEOWNERS line 9: **/legacy/**")
                ],
                vec![
                    link("component:orders", &url("orders")),
                    text("group:default/backend"),
                    text("@acme/backend"),
                    text(".github/CODEOWNERS line 5: /services/")
                ],
            ]
        );
        let Block::Table { title, columns, rows } = &page[4] else { panic!("{:?}", page[4]) };
        assert_eq!(title.as_deref(), Some("Entities without code owners"));
        assert_eq!(columns, &["Entity", "Directory"]);
        assert_eq!(
            rows,
            &[
                vec![link("component:generated", &url("generated")), text("tools/generated")],
                vec![link("resource:bare", "catalog/default/resource/bare/"), text("tools/generated")],
            ]
        );
    }

    #[test]
    fn the_output_is_deterministic() {
        let first = serde_json::to_string(&acme()).unwrap();
        assert_eq!(first, serde_json::to_string(&acme()).unwrap());
        // The same catalog in another order gives the same response.
        let mut reversed = catalog();
        reversed.reverse();
        let r = run_with(&[(".github/CODEOWNERS", CODEOWNERS.as_bytes())], Value::Null, &reversed);
        assert_eq!(first, serde_json::to_string(&r).unwrap());
        // Cards and facts come in reference order.
        let cards: Vec<&str> = r
            .contributions
            .iter()
            .filter_map(|c| match c {
                Contribution::EntityCard { entity, .. } => Some(entity.as_str()),
                _ => None,
            })
            .collect();
        assert!(cards.is_sorted() && cards.len() == catalog().len(), "{cards:?}");
        assert!(r.facts.iter().map(|f| &f.entity).is_sorted());
    }

    #[test]
    fn unusable_files_give_a_warning() {
        let entities = [component("a", Some("x"), "a/catalog-info.yaml")];
        let warned = |files: &[(&str, &[u8])]| {
            let r = run_with(files, Value::Null, &entities);
            assert!(r.facts.is_empty() && r.contributions.is_empty(), "{r:?}");
            let got: Vec<_> = r.diagnostics.iter().map(|d| (d.level, d.code.as_str(), d.file.clone())).collect();
            assert_eq!(got, [(DiagnosticLevel::Warning, "codeowners-unreadable", Some("CODEOWNERS".to_owned()))]);
            r.diagnostics[0].message.clone()
        };
        assert!(warned(&[("CODEOWNERS", b"* @a\n\xff\xfe @b\n")]).contains("not UTF-8"));
        let huge = "* @a\n".repeat((3 << 20) / 5 + 1);
        assert!(warned(&[("CODEOWNERS", huge.as_bytes())]).contains("3 MB"));
        // Binary junk that is UTF-8 is read line by line without panicking.
        let junk: Vec<u8> = (0u8..128).cycle().take(10_000).collect();
        let r = run_with(&[("CODEOWNERS", &junk)], Value::Null, &entities);
        assert!(r.diagnostics.iter().all(|d| d.code == "codeowners-invalid"));
    }

    #[test]
    fn config_file_replaces_githubs_locations() {
        let entities = [component("a", None, "a/catalog-info.yaml")];
        let files: &[(&str, &[u8])] = &[("CODEOWNERS", b"* @root\n"), ("meta/OWNERS", b"* @meta\n")];
        let r = run_with(files, json!({"file": "meta/OWNERS"}), &entities);
        assert_eq!(fact(&r, "component:default/a").unwrap()["owners"], json!(["@meta"]));
        assert_eq!(fact(&r, "component:default/a").unwrap()["rule"]["file"], json!("meta/OWNERS"));
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);

        let codes = |config: Value| {
            let r = run_with(files, config, &entities);
            let owners = fact(&r, "component:default/a").map(|f| f["owners"].clone());
            (owners, r.diagnostics.iter().map(|d| d.code.clone()).collect::<Vec<_>>())
        };
        assert_eq!(codes(json!({"file": "meta/missing"})), (None, vec!["codeowners-missing".to_owned()]));
        assert_eq!(codes(json!({"file": "../outside"})), (None, vec!["codeowners-config".to_owned()]));
        assert_eq!(
            codes(json!({"fiel": "meta/OWNERS"})),
            (Some(json!(["@root"])), vec!["codeowners-config".to_owned()])
        );
        assert_eq!(codes(json!("meta/OWNERS")), (Some(json!(["@root"])), vec!["codeowners-config".to_owned()]));
    }

    proptest::proptest! {
        /// Any line parses without panicking, and the pattern of every accepted line compiles.
        #[test]
        fn any_line_parses_and_compiles(line in "[a-z*?/\\\\ .#!\\[\\]()+@{}^$|-]{0,24}") {
            if let Ok(Some((pattern, _))) = parse_line(&line) {
                let re = pattern_regex(&pattern);
                proptest::prop_assert!(Regex::new(&re).is_ok(), "{pattern} gives {re}");
            }
        }
    }
}
