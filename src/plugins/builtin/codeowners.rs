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
#[path = "codeowners_tests.rs"]
mod tests;
