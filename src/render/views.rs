//! View structs: the only data templates see, and so the public contract of a theme
//! (documented field by field in `themes/README.md`). Serialize-only; built from the [`Portal`].

use serde::Serialize;

use crate::catalog::kinds::{OWNED_BY, PART_OF};
use crate::catalog::{Entity, EntityRef, Link};
use crate::config::{Config, OwnershipMode};
use crate::resolve::Portal;

/// Site-wide values, available to every template as `site`.
#[derive(Clone, Debug, Serialize)]
pub struct SiteView {
    pub title: String,
    /// Path every link starts with, e.g. `/` or `/portal/`.
    pub base_path: String,
    pub entity_count: usize,
    /// Content-hashed asset paths relative to `base_path`.
    pub assets: AssetsView,
}

#[derive(Clone, Debug, Serialize)]
pub struct AssetsView {
    pub style: String,
    pub highlight: String,
    pub mermaid: String,
}

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

/// Relations of one type, e.g. "Depends on".
#[derive(Clone, Debug, Serialize)]
pub struct RelationGroup {
    #[serde(rename = "type")]
    pub kind: String,
    pub label: String,
    pub targets: Vec<EntityLink>,
}

#[derive(Clone, Debug, Serialize)]
pub struct GroupView {
    /// `ownership` of portico.yaml: which list comes first.
    pub mode: OwnershipMode,
    pub owned: Vec<EntityLink>,
    pub owned_aggregated: Vec<EntityLink>,
    pub members: Vec<EntityLink>,
    pub members_aggregated: Vec<EntityLink>,
    pub descendants: Vec<EntityLink>,
}

#[derive(Clone, Debug, Serialize)]
pub struct OwnedViaGroup {
    pub group: EntityLink,
    pub entities: Vec<EntityLink>,
}

#[derive(Clone, Debug, Serialize)]
pub struct UserView {
    pub owned: Vec<EntityLink>,
    pub via_groups: Vec<OwnedViaGroup>,
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
    pub group: Option<GroupView>,
    pub user: Option<UserView>,
    /// The entity's TechDocs, relative to `site.base_path` (its own, or another entity's through
    /// `backstage.io/techdocs-entity`).
    pub docs_url: Option<String>,
}

/// The page path of an entity: `catalog/<namespace>/<kind>/<name>/` (namespace and kind
/// lower-case, the name as written), as Backstage's entity routes.
pub fn entity_path(entity: &Entity) -> String {
    format!("catalog/{}/{}/{}/", entity.namespace.to_lowercase(), entity.kind.to_lowercase(), entity.name)
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

    fn links<'r>(&self, refs: impl IntoIterator<Item = &'r EntityRef>) -> Vec<EntityLink> {
        refs.into_iter().map(|r| self.link(r)).collect()
    }

    /// The entity's owner.
    pub fn owner_link(&self, e: &Entity) -> Option<EntityLink> {
        self.first_target(e, OWNED_BY, "")
    }

    fn first_target(&self, e: &Entity, relation: &str, kind: &str) -> Option<EntityLink> {
        self.portal.targets(&e.entity_ref, relation).find(|t| t.kind == kind || (kind.is_empty())).map(|t| self.link(t))
    }

    fn fill_url(&self, template: &Option<String>, file: &str) -> Option<String> {
        template.as_ref().map(|t| t.replace("{path}", file))
    }

    pub fn entity(&self, e: &Entity) -> EntityView {
        let r = &e.entity_ref;
        let mut relations: Vec<RelationGroup> = Vec::new();
        for rel in self.portal.relations_of(r) {
            match relations.last_mut() {
                Some(g) if g.kind == rel.kind => g.targets.push(self.link(&rel.target)),
                _ => relations.push(RelationGroup {
                    kind: rel.kind.to_owned(),
                    label: relation_label(rel.kind).to_owned(),
                    targets: vec![self.link(&rel.target)],
                }),
            }
        }
        let group = self.portal.ownership.groups.get(r).map(|g| GroupView {
            mode: self.config.ownership,
            owned: self.links(&g.owned),
            owned_aggregated: self.links(&g.owned_aggregated),
            members: self.links(&g.members),
            members_aggregated: self.links(&g.members_aggregated),
            descendants: self.links(&g.descendants),
        });
        let user = self.portal.ownership.users.get(r).map(|u| UserView {
            owned: self.links(&u.owned),
            via_groups: u
                .owned_via_groups
                .iter()
                .map(|(g, owned)| OwnedViaGroup { group: self.link(g), entities: self.links(owned) })
                .collect(),
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
            url: entity_path(e),
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
            spec_json: serde_json::to_string_pretty(&e.spec).unwrap_or_default(),
            group,
            user,
            docs_url: self.portal.docs.entity_docs.get(r).cloned(),
        }
    }
}
