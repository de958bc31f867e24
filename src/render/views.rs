//! View structs: the only data templates see, and so the public contract of a theme
//! (documented field by field in `themes/README.md`). Serialize-only; built from the [`Portal`].

use serde::Serialize;

use crate::catalog::kinds::{CHILD_OF, MEMBER_OF, OWNED_BY, OWNER_OF, PART_OF};
use crate::catalog::{Entity, EntityRef, Link};
use crate::config::Config;
use crate::resolve::Portal;

/// Site-wide values, available to every template as `site`.
#[derive(Clone, Debug, Serialize)]
pub struct SiteView {
    pub title: String,
    /// Path every link starts with, e.g. `/` or `/portal/`.
    pub base_path: String,
    pub entity_count: usize,
    /// Whether the portal has scorecards (the header links `scorecards/`).
    pub scorecards: bool,
    /// Content-hashed asset paths relative to `base_path`.
    pub assets: AssetsView,
    /// The Content-Security-Policy for the `<meta http-equiv>` of every page (empty: none).
    pub csp: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct AssetsView {
    pub style: String,
    pub script: String,
    pub search: String,
    pub search_page: String,
    pub scaffold: String,
    /// The catalog graph page's script (`graph.js`).
    pub graph: String,
    pub highlight: String,
    pub mermaid: String,
}

/// A link derived from a well-known annotation (GitHub project, PagerDuty service, ...).
#[derive(Clone, Debug, Serialize)]
pub struct IntegrationLink {
    pub title: String,
    /// Absolute URL, or none when the annotation names something without a public URL
    /// (e.g. a Kubernetes id): then `value` is shown.
    pub url: Option<String>,
    pub value: String,
    /// Icon name (see `macros.html`).
    pub icon: &'static str,
}

/// Characters of an annotation value escaped in a URL template: everything but unreserved
/// characters and the separators slugs and paths use.
const VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/')
    .remove(b':')
    .remove(b'@');

/// Well-known annotations and how they become links, with the `annotation_links` of
/// portico.yaml (which add links, override built-in ones or hide them).
pub fn integration_links(
    annotations: &std::collections::BTreeMap<String, String>,
    configured: &std::collections::BTreeMap<String, crate::config::AnnotationLink>,
) -> Vec<IntegrationLink> {
    let mut out = Vec::new();
    for (key, value) in annotations {
        let v = value.trim();
        if let Some(link) = configured.get(key) {
            let Some(template) = &link.template else { continue };
            let url = template.replace("{value}", &percent_encoding::utf8_percent_encode(v, VALUE).to_string());
            let builtin = builtin_link(key, v).map(|(t, _, i)| (t, i));
            let title = link.title.clone().unwrap_or_else(|| builtin.map_or(key.clone(), |(t, _)| t.to_owned()));
            let url = Some(url).filter(|u| crate::urls::is_web(u));
            out.push(IntegrationLink { title, url, value: v.to_owned(), icon: builtin.map_or("link", |(_, i)| i) });
            continue;
        }
        let Some((title, url, icon)) = builtin_link(key, v) else { continue };
        let url = url.filter(|u| crate::catalog::rules::is_valid_url(u) && crate::urls::is_web(u));
        out.push(IntegrationLink { title: title.to_owned(), url, value: v.to_owned(), icon });
    }
    out
}

/// The built-in link of annotation `key` with value `v`: title, URL (none for values without a
/// public URL, shown as text), icon.
fn builtin_link(key: &str, v: &str) -> Option<(&'static str, Option<String>, &'static str)> {
    {
        let (title, url, icon): (&'static str, Option<String>, &'static str) = match key {
            "github.com/project-slug" => ("GitHub", Some(format!("https://github.com/{v}")), "github"),
            "gitlab.com/project-slug" => ("GitLab", Some(format!("https://gitlab.com/{v}")), "code"),
            "backstage.io/source-location" => match crate::urls::annotation_url(key, v) {
                Some(u) => ("Source", Some(u), "code"),
                None => return None,
            },
            "backstage.io/view-url" => ("View", crate::urls::annotation_url(key, v), "code"),
            "backstage.io/edit-url" => ("Edit", crate::urls::annotation_url(key, v), "edit"),
            "pagerduty.com/service-id" => {
                ("PagerDuty", Some(format!("https://app.pagerduty.com/service-directory/{v}")), "alert")
            }
            "pagerduty.com/integration-key" => ("PagerDuty integration", None, "alert"),
            "opsgenie.com/component-selector" | "opsgenie.com/team" => ("Opsgenie", None, "alert"),
            "circleci.com/project-slug" => {
                ("CircleCI", Some(format!("https://app.circleci.com/pipelines/{v}")), "build")
            }
            "jenkins.io/job-full-name" | "jenkins.io/github-folder" => ("Jenkins job", None, "build"),
            "sonarqube.org/project-key" => ("SonarQube project", None, "check"),
            "sentry.io/project-slug" => match v.split_once('/') {
                Some((org, project)) => {
                    ("Sentry", Some(format!("https://sentry.io/organizations/{org}/projects/{project}/")), "alert")
                }
                None => ("Sentry project", None, "alert"),
            },
            "backstage.io/kubernetes-id" => ("Kubernetes id", None, "cloud"),
            "backstage.io/kubernetes-namespace" => ("Kubernetes namespace", None, "cloud"),
            "backstage.io/kubernetes-label-selector" => ("Kubernetes selector", None, "cloud"),
            "grafana/dashboard-selector" => ("Grafana dashboards", None, "dashboard"),
            "grafana/alert-label-selector" => ("Grafana alerts", None, "dashboard"),
            "lighthouse.com/website-url" => ("Website", crate::urls::annotation_url(key, v), "web"),
            "argocd/app-name" => ("Argo CD app", None, "cloud"),
            "dev.azure.com/project-repo" => ("Azure Repos", None, "code"),
            _ => return None,
        };
        Some((title, url, icon))
    }
}

/// One row of the catalog table (also the record of `catalog/entities.<hash>.json`).
#[derive(Clone, Debug, Serialize)]
pub struct CatalogRow {
    #[serde(rename = "ref")]
    pub entity_ref: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub display_name: String,
    pub url: String,
    pub spec_type: String,
    pub owner: Option<EntityLink>,
    pub system: Option<EntityLink>,
    pub lifecycle: String,
    pub tags: Vec<String>,
    pub description: String,
    /// The columns of some kinds only (empty otherwise): a User's email (`spec.profile.email`)
    /// and first [`ROW_GROUPS_SHOWN`] groups, a Group's parent and number of direct members, a
    /// System's domain.
    pub email: String,
    pub groups: Vec<EntityLink>,
    pub parent: Option<EntityLink>,
    pub members: usize,
    pub domain: Option<EntityLink>,
}

/// Groups of a User listed in its catalog row.
pub const ROW_GROUPS_SHOWN: usize = 5;

/// A link to an entity; `url` is `None` when the entity is not in the catalog.
#[derive(Clone, Debug, Serialize)]
pub struct EntityLink {
    #[serde(rename = "ref")]
    pub entity_ref: String,
    pub kind: String,
    /// Title or name of the entity when known, else the reference's short form.
    pub label: String,
    /// Page path relative to `site.base_path`.
    pub url: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct KeyValue {
    pub key: String,
    pub value: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct SourceView {
    /// Descriptor path relative to the portal root.
    pub file: String,
    pub line: u32,
    /// "View source" link from `source_url` in portico.yaml.
    pub url: Option<String>,
    /// "Edit" link from `edit_url` in portico.yaml.
    pub edit_url: Option<String>,
}

/// How many entries of one list an entity page shows: the rest are counted (`*_count`) and
/// listed in full on the entity's related pages ([`related_url`]), so a page stays small
/// whatever the catalog holds.
pub const LIST_SHOWN: usize = 100;
/// How many groups' lists a user page shows.
pub const VIA_GROUPS_SHOWN: usize = 10;

/// The page listing every target of `entity`'s relations of type `kind`, relative to the base
/// path: `<entity page>related/<type, lower-case>/` (see [`super::related`]).
pub fn related_url(entity_url: &str, kind: &str) -> String {
    format!("{entity_url}related/{}/", kind.to_lowercase())
}

/// A related entity with what people scan a relation table for (Backstage's columns).
#[derive(Clone, Debug, Serialize)]
pub struct RelatedRow {
    pub entity: EntityLink,
    pub spec_type: Option<String>,
    pub lifecycle: Option<String>,
    pub owner: Option<EntityLink>,
    /// The system it is part of.
    pub system: Option<EntityLink>,
    /// Shortened to a line.
    pub description: Option<String>,
}

/// Relations of one type, e.g. "Depends on".
#[derive(Clone, Debug, Serialize)]
pub struct RelationGroup {
    #[serde(rename = "type")]
    pub kind: String,
    pub label: String,
    /// The first [`LIST_SHOWN`] targets.
    pub targets: Vec<EntityLink>,
    /// The same targets as table rows.
    pub rows: Vec<RelatedRow>,
    /// All targets.
    pub count: usize,
    /// The page with every target, when not all are shown.
    pub url: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct OwnedViaGroup {
    pub group: EntityLink,
    /// The first [`LIST_SHOWN`] entities the group owns, their number, and the group's page
    /// listing all of them when not all are shown.
    pub entities: Vec<EntityLink>,
    pub count: usize,
    pub url: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct UserView {
    /// The first [`LIST_SHOWN`] entities the user owns, their number, and the page listing all.
    pub owned: Vec<EntityLink>,
    pub owned_count: usize,
    pub owned_url: Option<String>,
    /// The first [`VIA_GROUPS_SHOWN`] groups of the user that own something, and how many own
    /// something in all.
    pub via_groups: Vec<OwnedViaGroup>,
    pub via_groups_count: usize,
}

/// One entity, as its page and the catalog table see it.
#[derive(Clone, Debug, Serialize)]
pub struct EntityView {
    #[serde(rename = "ref")]
    pub entity_ref: String,
    pub api_version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub title: Option<String>,
    /// Title if set, else `spec.profile.displayName`, else name.
    pub display_name: String,
    pub description: Option<String>,
    /// Page path relative to `site.base_path`.
    pub url: String,
    pub known_kind: bool,
    pub spec_type: Option<String>,
    pub lifecycle: Option<String>,
    pub owner: Option<EntityLink>,
    pub system: Option<EntityLink>,
    pub domain: Option<EntityLink>,
    pub tags: Vec<String>,
    pub links: Vec<Link>,
    pub labels: Vec<KeyValue>,
    pub annotations: Vec<KeyValue>,
    pub relations: Vec<RelationGroup>,
    pub source: SourceView,
    /// `spec` as indented JSON.
    pub spec_json: String,
    pub group: Option<super::org_views::GroupView>,
    pub user: Option<UserView>,
    /// Users and Groups: `spec.profile` and the groups they belong to.
    pub profile: Option<super::org_views::ProfileView>,
    /// The entity's TechDocs, relative to `site.base_path` (its own, or another entity's through
    /// `backstage.io/techdocs-entity`).
    pub docs_url: Option<String>,
    /// An API whose definition is a URL placeholder (`$text: https://…`): where it is, since
    /// Portico does not fetch it.
    pub definition_url: Option<String>,
    /// Links from well-known annotations.
    pub integrations: Vec<IntegrationLink>,
    /// For templates: the parameter steps, steps and outputs.
    pub template: Option<super::template::TemplateView>,
    /// Inline SVG relation diagram (trusted markup generated by Portico).
    pub diagram: String,
    /// For systems: inline SVG of their components, APIs and resources.
    pub system_diagram: String,
    /// The entity's catalog graph page (relative to the base path), when it has one
    /// ([`super::graph`]).
    pub graph_url: Option<String>,
    /// For APIs: the rendered reference.
    pub api: Option<ApiView>,
    /// The tabs of the entity's page (empty when the Overview is the only one).
    pub tabs: Vec<super::tabs::TabLink>,
    /// Cards plugins added to the Overview.
    pub cards: Vec<crate::plugins::Panel>,
}

/// An API's definition, rendered.
#[derive(Clone, Debug, Serialize)]
pub struct ApiView {
    pub format: String,
    /// Reference HTML (trusted markup generated by Portico, all user text escaped).
    pub html: String,
    pub warnings: Vec<String>,
    /// The raw definition file, relative to `site.base_path`.
    pub raw_url: String,
    pub raw_name: String,
    /// The operation index: `(anchor id, method, path, summary)`.
    pub operations: Vec<(String, String, String, String)>,
}

/// `spec` as pretty JSON for the entity page, long strings (an API definition, a `$text`
/// file) shortened: they are shown in full where they belong.
fn spec_json(spec: &serde_json::Value) -> String {
    const LONG: usize = 2000;
    fn shorten(v: &serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::String(s) if s.len() > LONG => {
                let cut = s.char_indices().nth(200).map_or(s.len(), |(i, _)| i);
                serde_json::Value::String(format!("{}… ({} characters in all)", &s[..cut], s.chars().count()))
            }
            serde_json::Value::Array(a) => serde_json::Value::Array(a.iter().map(shorten).collect()),
            serde_json::Value::Object(o) => o.iter().map(|(k, v)| (k.clone(), shorten(v))).collect(),
            other => other.clone(),
        }
    }
    serde_json::to_string_pretty(&shorten(spec)).unwrap_or_default()
}

/// The page path of an entity: `catalog/<namespace>/<kind>/<name>/` (namespace and kind
/// lower-case, the name as written), as Backstage's entity routes.
pub fn entity_path(entity: &Entity) -> String {
    format!("catalog/{}/{}/{}/", entity.namespace.to_lowercase(), entity.kind.to_lowercase(), entity.name)
}

/// File extension of a raw API definition, from its highlight language.
pub fn raw_extension(language: &str) -> &'static str {
    match language {
        "yaml" => "yaml",
        "json" => "json",
        "graphql" => "graphql",
        "protobuf" => "proto",
        "typescript" => "ts",
        _ => "txt",
    }
}

/// Readable label of a relation type, as Backstage's entity pages name them.
pub fn relation_label(kind: &str) -> &str {
    match kind {
        "ownedBy" => "Owned by",
        "ownerOf" => "Owner of",
        "partOf" => "Part of",
        "hasPart" => "Has part",
        "dependsOn" => "Depends on",
        "dependencyOf" => "Dependency of",
        "providesApi" => "Provides API",
        "apiProvidedBy" => "API provided by",
        "consumesApi" => "Consumes API",
        "apiConsumedBy" => "API consumed by",
        "memberOf" => "Member of",
        "hasMember" => "Has member",
        "childOf" => "Child of",
        "parentOf" => "Parent of",
        other => other,
    }
}

pub struct ViewBuilder<'a> {
    pub portal: &'a Portal,
    pub config: &'a Config,
}

impl ViewBuilder<'_> {
    pub fn link(&self, r: &EntityRef) -> EntityLink {
        match self.portal.entities.get(r) {
            Some(e) => EntityLink {
                entity_ref: r.to_string(),
                kind: e.kind.clone(),
                label: e.display_name().to_owned(),
                url: Some(entity_path(e)),
            },
            None => EntityLink { entity_ref: r.to_string(), kind: r.kind.clone(), label: r.short(), url: None },
        }
    }

    /// `r` as a row of a relation table.
    pub fn related_row(&self, r: &EntityRef) -> RelatedRow {
        let e = self.portal.entities.get(r);
        let spec = |k: &str| e.and_then(|e| e.spec_str(k)).map(str::to_owned);
        let description = e.and_then(|e| e.description.as_deref()).map(|d| {
            let line = d.lines().next().unwrap_or_default();
            match line.char_indices().nth(140) {
                Some((i, _)) => format!("{}…", &line[..i]),
                None => line.to_owned(),
            }
        });
        RelatedRow {
            entity: self.link(r),
            spec_type: spec("type"),
            lifecycle: spec("lifecycle"),
            owner: self.portal.targets(r, OWNED_BY).next().map(|o| self.link(o)),
            system: self.portal.targets(r, PART_OF).find(|t| t.kind == "system").map(|s| self.link(s)),
            description,
        }
    }

    pub(crate) fn links<'r>(&self, refs: impl IntoIterator<Item = &'r EntityRef>) -> Vec<EntityLink> {
        refs.into_iter().map(|r| self.link(r)).collect()
    }

    /// Links to the first [`LIST_SHOWN`] of `refs`, their number, and `full` (the page with all
    /// of them) when some are not shown.
    pub(crate) fn capped<'r>(
        &self,
        refs: impl ExactSizeIterator<Item = &'r EntityRef>,
        full: impl FnOnce() -> Option<String>,
    ) -> (Vec<EntityLink>, usize, Option<String>) {
        let count = refs.len();
        let shown = self.links(refs.take(LIST_SHOWN));
        (shown, count, if count > LIST_SHOWN { full() } else { None })
    }

    /// The entity's owner.
    pub fn owner_link(&self, e: &Entity) -> Option<EntityLink> {
        self.first_target(e, OWNED_BY, "")
    }

    /// The catalog table's row of an entity.
    pub fn row(&self, e: &Entity) -> CatalogRow {
        CatalogRow {
            entity_ref: e.entity_ref.to_string(),
            kind: e.kind.clone(),
            namespace: e.namespace.clone(),
            name: e.name.clone(),
            display_name: e.display_name().to_owned(),
            url: entity_path(e),
            spec_type: e.spec_str("type").unwrap_or_default().to_owned(),
            owner: self.first_target(e, OWNED_BY, ""),
            system: self.first_target(e, PART_OF, "system"),
            lifecycle: e.spec_str("lifecycle").unwrap_or_default().to_owned(),
            tags: e.tags.clone(),
            description: e.description.clone().unwrap_or_default(),
            email: match e.kind.to_ascii_lowercase().as_str() {
                "user" | "group" => {
                    e.json.pointer("/spec/profile/email").and_then(|v| v.as_str()).unwrap_or_default().to_owned()
                }
                _ => String::new(),
            },
            groups: if e.kind.eq_ignore_ascii_case("user") {
                self.portal.targets(&e.entity_ref, MEMBER_OF).take(ROW_GROUPS_SHOWN).map(|g| self.link(g)).collect()
            } else {
                Vec::new()
            },
            parent: if e.kind.eq_ignore_ascii_case("group") { self.first_target(e, CHILD_OF, "group") } else { None },
            members: self.portal.ownership.groups.get(&e.entity_ref).map_or(0, |g| g.members.len()),
            domain: if e.kind.eq_ignore_ascii_case("system") { self.first_target(e, PART_OF, "domain") } else { None },
        }
    }

    fn first_target(&self, e: &Entity, relation: &str, kind: &str) -> Option<EntityLink> {
        self.portal.targets(&e.entity_ref, relation).find(|t| t.kind == kind || (kind.is_empty())).map(|t| self.link(t))
    }

    fn fill_url(&self, template: &Option<String>, file: &str) -> Option<String> {
        template.as_ref().map(|t| t.replace("{path}", file))
    }

    pub fn entity(&self, e: &Entity) -> EntityView {
        let r = &e.entity_ref;
        let url = entity_path(e);
        let mut relations: Vec<RelationGroup> = Vec::new();
        let on_cards = super::org_views::card_relations(&e.kind);
        for rel in self.portal.relations_of(r) {
            // A Group's or User's page shows these on its profile, members and ownership cards.
            if on_cards.contains(&rel.kind) {
                continue;
            }
            match relations.last_mut() {
                Some(g) if g.kind == rel.kind => {
                    if g.targets.len() < LIST_SHOWN {
                        g.targets.push(self.link(&rel.target));
                        g.rows.push(self.related_row(&rel.target));
                    }
                    g.count += 1;
                }
                _ => relations.push(RelationGroup {
                    kind: rel.kind.to_owned(),
                    label: relation_label(rel.kind).to_owned(),
                    targets: vec![self.link(&rel.target)],
                    rows: vec![self.related_row(&rel.target)],
                    count: 1,
                    url: None,
                }),
            }
        }
        for g in &mut relations {
            g.url = (g.count > g.targets.len()).then(|| related_url(&url, &g.kind));
        }
        let group = super::org_views::group_view(self, r, &url);
        let user = self.portal.ownership.users.get(r).map(|u| {
            let (owned, owned_count, owned_url) = self.capped(u.owned.iter(), || Some(related_url(&url, OWNER_OF)));
            let via_groups = u
                .owned_via_groups
                .iter()
                .take(VIA_GROUPS_SHOWN)
                .map(|(g, list)| {
                    let group = self.link(g);
                    // A group not in the catalog has no page, so no related page either.
                    let page = group.url.clone();
                    let (entities, count, url) = self.capped(list.iter(), || page.map(|p| related_url(&p, OWNER_OF)));
                    OwnedViaGroup { group, entities, count, url }
                })
                .collect();
            UserView { owned, owned_count, owned_url, via_groups, via_groups_count: u.owned_via_groups.len() }
        });
        EntityView {
            entity_ref: r.to_string(),
            api_version: e.api_version.clone(),
            kind: e.kind.clone(),
            namespace: e.namespace.clone(),
            name: e.name.clone(),
            title: e.title.clone(),
            display_name: e.display_name().to_owned(),
            description: e.description.clone(),
            url: url.clone(),
            known_kind: e.known_kind,
            spec_type: e.spec_str("type").map(str::to_owned),
            lifecycle: e.spec_str("lifecycle").map(str::to_owned),
            owner: self.first_target(e, OWNED_BY, ""),
            system: self.first_target(e, PART_OF, "system"),
            domain: self.first_target(e, PART_OF, "domain"),
            tags: e.tags.clone(),
            links: e.links.clone(),
            labels: e.labels.iter().map(|(k, v)| KeyValue { key: k.clone(), value: v.clone() }).collect(),
            annotations: e.annotations.iter().map(|(k, v)| KeyValue { key: k.clone(), value: v.clone() }).collect(),
            relations,
            source: SourceView {
                file: e.source.file.clone(),
                line: e.source.pos.line,
                url: self.fill_url(&self.config.source_url, &e.source.file),
                edit_url: self.fill_url(&self.config.edit_url, &e.source.file),
            },
            spec_json: spec_json(e.spec()),
            group,
            user,
            profile: super::org_views::profile_view(self, e, &url),
            docs_url: self.portal.docs.entity_docs.get(r).cloned(),
            definition_url: e.json.pointer("/spec/definition").and_then(|d| d.as_object()).and_then(|m| {
                ["$text", "$json", "$yaml"]
                    .iter()
                    .find_map(|k| m.get(*k).and_then(|v| v.as_str()))
                    .filter(|u| crate::urls::is_web(u))
                    .map(str::to_owned)
            }),
            tabs: super::tabs::entity_tabs(
                self.config,
                self.portal,
                e,
                self.portal.docs.entity_docs.get(r).map(String::as_str),
            ),
            cards: self.portal.plugins.cards.get(r).cloned().unwrap_or_default(),
            integrations: integration_links(&e.annotations, &self.config.annotation_links),
            template: (e.kind == "Template").then(|| {
                let mut view = super::template::template_view(&e.name, e.spec());
                super::template_form::fill_pickers(&mut view, self.portal, e.spec());
                let me = r.to_string();
                view.created = self
                    .portal
                    .entities
                    .values()
                    .filter(|c| {
                        c.annotations.get("backstage.io/source-template").is_some_and(|t| t.eq_ignore_ascii_case(&me))
                    })
                    .map(|c| self.link(&c.entity_ref))
                    .collect();
                view
            }),
            diagram: String::new(),
            system_diagram: String::new(),
            graph_url: None,
            api: self.portal.apis.get(r).map(|a| {
                let ext = raw_extension(a.raw_language);
                ApiView {
                    format: a.format.clone(),
                    html: a.html(),
                    warnings: a.warnings.clone(),
                    raw_url: format!("{}definition.{ext}", entity_path(e)),
                    raw_name: format!("{}.{ext}", e.name),
                    operations: a
                        .operations
                        .iter()
                        .map(|o| (o.id.clone(), o.method.clone(), o.path.clone(), o.summary.clone()))
                        .collect(),
                }
            }),
        }
    }
}
