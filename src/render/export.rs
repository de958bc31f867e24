//! `api/catalog.json`: every entity in the JSON shape Backstage's catalog API serves
//! (`GET /api/catalog/entities`), with `relations: [{type, targetRef}]`, sorted by reference, so
//! scripts written against Backstage can read a Portico site.

use rayon::prelude::*;
use serde_json::{Value, json};

use crate::resolve::Portal;

/// The export, as indented JSON with a final newline (stable for diffs). Entities are
/// serialised in parallel, each as its own indented object, and joined as the elements of the
/// array (what `serde_json::to_vec_pretty` writes for the whole, byte for byte: strings never
/// contain a raw line break, so indenting every line is exact).
pub fn catalog_json(portal: &Portal) -> Vec<u8> {
    let refs: Vec<_> = portal.entities.iter().collect();
    let parts: Vec<Vec<u8>> = refs
        .par_iter()
        .map(|(r, e)| {
            let mut value = e.json.clone();
            let relations: Vec<Value> = portal
                .relations_of(r)
                .map(|rel| json!({ "type": rel.kind, "targetRef": rel.target.to_string() }))
                .collect();
            if let Some(obj) = value.as_object_mut() {
                obj.insert("relations".into(), Value::Array(relations));
            }
            let pretty = serde_json::to_vec_pretty(&value).expect("JSON values serialise");
            let mut out = Vec::with_capacity(pretty.len() + pretty.len() / 8);
            for line in pretty.split(|&b| b == b'\n') {
                out.extend_from_slice(b"  ");
                out.extend_from_slice(line);
                out.push(b'\n');
            }
            out.pop();
            out
        })
        .collect();
    if parts.is_empty() {
        return b"[]\n".to_vec();
    }
    let mut out = Vec::with_capacity(parts.iter().map(Vec::len).sum::<usize>() + 2 * parts.len() + 4);
    out.extend_from_slice(b"[\n");
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b",\n");
        }
        out.extend_from_slice(part);
    }
    out.extend_from_slice(b"\n]\n");
    out
}

#[cfg(test)]
mod tests {
    /// The joined parts equal the pretty printing of the whole array.
    #[test]
    fn parts_join_like_pretty_printing_the_array() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example");
        let config = crate::config::Config::load(&root, &Default::default()).expect("config");
        let log = crate::pipeline::StageLog::new(crate::pipeline::Verbosity::Quiet);
        let portal = crate::pipeline::check(&config, &log).expect("portal").portal;
        let ours = super::catalog_json(&portal);
        let parsed: serde_json::Value = serde_json::from_slice(&ours).expect("valid JSON");
        let mut whole = serde_json::to_vec_pretty(&parsed).expect("serialise");
        whole.push(b'\n');
        assert_eq!(String::from_utf8(ours).unwrap(), String::from_utf8(whole).unwrap());
        assert_eq!(parsed.as_array().map(Vec::len), Some(portal.entities.len()));
    }
}
