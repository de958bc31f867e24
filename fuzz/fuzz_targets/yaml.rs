//! YAML with positions and entity validation: any bytes, no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portico::catalog::validate::{DocContext, entity_from_document};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (docs, _) = portico::yaml::parse_documents(text);
    let ctx = DocContext::standalone("catalog-info.yaml");
    let mut diags = Vec::new();
    for doc in docs {
        let _ = entity_from_document(doc, &ctx, &mut diags);
    }
});
