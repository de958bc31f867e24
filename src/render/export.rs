//! `api/catalog.json`: every entity in the JSON shape Backstage's catalog API serves
//! (`GET /api/catalog/entities`), with `relations: [{type, targetRef}]`, sorted by reference, so
//! scripts written against Backstage can read a Portico site.

use serde_json::{Value, json};

use crate::resolve::Portal;

/// The export, as indented JSON with a final newline (stable for diffs).
pub fn catalog_json(portal: &Portal) -> Vec<u8> {
    let entities: Vec<Value> = portal
        .entities
        .iter()
        .map(|(r, e)| {
            let mut value = e.json.clone();
            let relations: Vec<Value> = portal
                .relations_of(r)
                .map(|rel| json!({ "type": rel.kind, "targetRef": rel.target.to_string() }))
                .collect();
            if let Some(obj) = value.as_object_mut() {
                obj.insert("relations".into(), Value::Array(relations));
            }
            value
        })
        .collect();
    let mut out = serde_json::to_vec_pretty(&entities).expect("JSON values serialise");
    out.push(b'\n');
    out
}
