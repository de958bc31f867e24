//! The catalog model: entities as Backstage defines them, validated from YAML documents.
//!
//! `validate::entity_from_document` turns one YAML document into an [`Entity`] (or diagnostics
//! only, when the document is not an entity at all); `rules` holds the field format rules,
//! `kinds` the built-in kinds, `placeholder` the `$text`/`$json`/`$yaml` substitution and
//! `entity_ref` the reference syntax.

pub mod appconfig;
pub mod entity_ref;
pub mod kinds;
pub mod placeholder;
pub mod rules;
pub mod skeleton;
pub mod validate;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use entity_ref::EntityRef;

use crate::diagnostics::Pos;

/// Annotation Backstage sets to the location an entity was read from.
pub const MANAGED_BY_LOCATION: &str = "backstage.io/managed-by-location";
/// Annotation Backstage sets to the root location that led to the entity.
pub const MANAGED_BY_ORIGIN_LOCATION: &str = "backstage.io/managed-by-origin-location";

/// Where an entity was written.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Source {
    /// Descriptor path relative to the portal root.
    pub file: String,
    /// Index of the (non-empty) YAML document in the file.
    pub document: usize,
    /// Position of the document's first key.
    pub pos: Pos,
    /// Position of the `kind` value.
    pub kind_pos: Pos,
    /// Position of the `metadata.name` value.
    pub name_pos: Pos,
}

/// A spec field value that names another entity, with where it was written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecRef {
    #[serde(deserialize_with = "crate::cache::disk::static_str")]
    pub field: crate::cache::disk::Interned,
    #[serde(deserialize_with = "crate::cache::disk::static_str")]
    pub relation: crate::cache::disk::Interned,
    #[serde(deserialize_with = "crate::cache::disk::static_str")]
    pub inverse: crate::cache::disk::Interned,
    #[serde(deserialize_with = "crate::cache::disk::option_static_str")]
    pub default_kind: Option<crate::cache::disk::Interned>,
    /// The reference as written.
    pub target: String,
    /// The reference parsed (kind and namespace defaults applied).
    pub target_ref: EntityRef,
    pub pos: Pos,
}

/// A `Location` target, with where it was written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocationTarget {
    pub target: String,
    pub pos: Pos,
    /// `presence: optional`: a missing target is fine.
    pub optional: bool,
}

/// A link from `metadata.links`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The URL to link to; `None` when the URL policy refused it ([`crate::urls`]).
    pub url: Option<String>,
    /// The URL as written.
    pub written: String,
    pub title: Option<String>,
    pub icon: Option<String>,
    #[serde(rename = "type")]
    pub link_type: Option<String>,
}

/// An entity read from a descriptor, with its envelope checked.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Entity {
    /// Canonical (lower-case) reference: the entity's identity.
    pub entity_ref: EntityRef,
    pub api_version: String,
    /// Kind as written (`Component`).
    pub kind: String,
    pub namespace: String,
    /// Name as written (page URLs keep its case, as Backstage's do).
    pub name: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub labels: BTreeMap<String, String>,
    /// Annotations, including `backstage.io/managed-by-location`.
    pub annotations: BTreeMap<String, String>,
    /// Where each annotation's value was written.
    pub annotation_pos: BTreeMap<String, Pos>,
    pub tags: Vec<String>,
    pub links: Vec<Link>,
    /// The whole entity as JSON, placeholders resolved, namespace and annotations filled in.
    pub json: serde_json::Value,
    pub source: Source,
    /// Spec fields naming other entities (from fields that passed validation).
    pub refs: Vec<SpecRef>,
    /// Targets of a `Location` entity.
    pub targets: Vec<LocationTarget>,
    /// Directory of the descriptor, relative to the root (`""` at the root).
    pub dir: String,
    /// Whether the kind is one Backstage knows (others are rendered generically).
    pub known_kind: bool,
    /// Files read through placeholders (root-relative).
    pub reads: Vec<String>,
    /// Which field each placeholder filled, and from which file (`spec.definition` ->
    /// `services/orders/openapi.yaml`), so problems in that content point into that file.
    pub placeholders: Vec<(String, String)>,
    /// Where each top-level spec field's value was written (a placeholder's target for fields
    /// a placeholder filled), and the line of its key.
    pub spec_pos: BTreeMap<String, (Pos, u32)>,
    /// Whether the entity's document had no error: only valid entities enter the catalog
    /// (invalid ones are listed on the problems page), as in Backstage.
    pub valid: bool,
}

impl Entity {
    /// Where a problem in the content of top-level spec `field` should point: the file a
    /// placeholder read it from (at `line`:`col` of that content when known), else the field
    /// in the descriptor.
    pub fn field_location(&self, field: &str, within: Option<(u32, u32)>) -> (String, Option<Pos>) {
        let path = format!("spec.{field}");
        match self.placeholders.iter().find(|(p, _)| *p == path) {
            Some((_, file)) => (file.clone(), Some(within.map_or(Pos::new(1, 1), |(l, c)| Pos::new(l, c)))),
            None => {
                let pos = match (self.spec_pos.get(field), within) {
                    // A block scalar (`definition: |`) starts on the line after its key, its
                    // indentation removed: line L, column C of the content is here.
                    (Some((value, key_line)), Some((l, c))) if value.line > *key_line => {
                        Pos::new(value.line + l.saturating_sub(1), value.column + c.saturating_sub(1))
                    }
                    (Some((value, _)), _) => *value,
                    (None, _) => self.source.pos,
                };
                (self.source.file.clone(), Some(pos))
            }
        }
    }

    /// `spec` as JSON (`Null` when absent): a part of [`Entity::json`], not a copy, so a large
    /// placeholder text is held once.
    pub fn spec(&self) -> &serde_json::Value {
        static NULL: serde_json::Value = serde_json::Value::Null;
        self.json.get("spec").unwrap_or(&NULL)
    }

    /// A string field of `spec`.
    pub fn spec_str(&self, field: &str) -> Option<&str> {
        self.spec().get(field).and_then(serde_json::Value::as_str)
    }

    /// What Backstage shows as the entity's name: `metadata.title`, else (users and groups)
    /// `spec.profile.displayName`, else `metadata.name`.
    pub fn display_name(&self) -> &str {
        self.title
            .as_deref()
            .or_else(|| self.spec().get("profile")?.get("displayName")?.as_str().filter(|s| !s.trim().is_empty()))
            .unwrap_or(&self.name)
    }
}
