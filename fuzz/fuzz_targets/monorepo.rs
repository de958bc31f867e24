//! The whole pipeline on a small monorepo whose descriptor, mkdocs.yml and docs page come from
//! the input (split at 0xFF bytes): no panic, no fatal error.
#![no_main]

use libfuzzer_sys::fuzz_target;

const DESCRIPTOR_HEAD: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n";

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |b| *b == 0xff);
    let (extra, mkdocs, page) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    let dir = tempfile::tempdir().unwrap();
    let mut descriptor = DESCRIPTOR_HEAD.as_bytes().to_vec();
    descriptor.extend_from_slice(extra);
    std::fs::write(dir.path().join("catalog-info.yaml"), descriptor).unwrap();
    std::fs::write(dir.path().join("mkdocs.yml"), mkdocs).unwrap();
    std::fs::create_dir_all(dir.path().join("docs")).unwrap();
    std::fs::write(dir.path().join("docs/index.md"), page).unwrap();
    let config = portico::config::Config::for_root(dir.path());
    let log = portico::pipeline::StageLog::new(portico::pipeline::Verbosity::Quiet);
    portico::pipeline::build(&config, &log).expect("no fatal error on any input");
});
