//! Incremental builds (issue 12): a build that reuses the build cache (`.portico/cache`) and
//! updates the previous site in place writes exactly what a clean build writes.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::support::Fixture;

/// Every file under `dir` (relative path -> bytes).
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    out
}

/// Asserts that `public/` (the incremental build) equals a clean build of the same sources.
#[track_caller]
fn assert_same_as_clean(f: &Fixture, step: &str) {
    let clean = f.path().join("..").join(format!("{}-clean", f.path().file_name().unwrap().to_string_lossy()));
    let cache = clean.with_extension("cache");
    let _ = fs::remove_dir_all(&clean);
    let _ = fs::remove_dir_all(&cache);
    let (out, cache_dir) = (clean.to_string_lossy().into_owned(), cache.to_string_lossy().into_owned());
    // A build from an empty cache into a new directory: a clean build.
    f.build(&["--cache-dir", &cache_dir, "--out", &out]).assert_code(0);
    let (a, b) = (tree(&f.path().join("public")), tree(&clean));
    let _ = fs::remove_dir_all(&clean);
    let _ = fs::remove_dir_all(&cache);
    let only_a: Vec<&String> = a.keys().filter(|k| !b.contains_key(*k)).collect();
    let only_b: Vec<&String> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    let differ: Vec<&String> = a.keys().filter(|k| b.get(*k).is_some_and(|v| v != &a[*k])).collect();
    assert!(
        only_a.is_empty() && only_b.is_empty() && differ.is_empty(),
        "after {step}: incremental build differs from a clean one: only incremental {only_a:?}, only clean {only_b:?}, different {differ:?}"
    );
}

/// A build with stage lines; returns its stderr.
fn build_logged(f: &Fixture) -> String {
    let run = f.run(&["build", "."]);
    run.assert_code(0);
    run.stderr
}

/// The `write` stage line's count of files written, when the build updated the site in place.
fn changed(log: &str) -> Option<usize> {
    let line = log.lines().find(|l| l.trim_start().starts_with("write"))?;
    let (_, rest) = line.split_once('(')?;
    rest.split_once(" changed, the others kept").and_then(|(n, _)| n.parse().ok())
}

/// A small deterministic generator (xorshift), so that a failing sequence can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

fn files_named(root: &Path, suffix: &str) -> Vec<String> {
    tree(root)
        .into_keys()
        .filter(|p| p.ends_with(suffix) && !p.starts_with("public/") && !p.starts_with(".portico"))
        // Scaffolder skeletons are not published.
        .filter(|p| !p.contains("/skeleton/"))
        .collect()
}

/// One random change to the sources (or to the published site); returns what it did.
fn mutate(f: &Fixture, rng: &mut Rng, step: usize) -> String {
    let root = f.path();
    match rng.next() % 9 {
        0 | 1 => {
            let page = rng.pick(&files_named(root, ".md")).clone();
            let mut text = fs::read_to_string(root.join(&page)).unwrap();
            text.push_str(&format!("\n\n## Step {step}\n\nA paragraph about canary rollouts, step {step}.\n"));
            fs::write(root.join(&page), text).unwrap();
            format!("edited docs page {page}")
        }
        2 | 3 => {
            let file = rng.pick(&files_named(root, "catalog-info.yaml")).clone();
            let text = fs::read_to_string(root.join(&file)).unwrap();
            let edited = text.replacen("description: ", &format!("description: (step {step}) "), 1);
            fs::write(root.join(&file), edited).unwrap();
            format!("edited a description in {file}")
        }
        4 => {
            let name = format!("added-service-{step}");
            let dir = root.join("services").join(&name);
            fs::create_dir_all(&dir).unwrap();
            fs::write(dir.join("catalog-info.yaml"), crate::support::component(&name, "team-routing")).unwrap();
            format!("added component {name}")
        }
        5 => {
            let pages = files_named(root, ".md");
            let page = rng.pick(&pages).clone();
            fs::remove_file(root.join(&page)).unwrap();
            format!("removed docs page {page}")
        }
        6 => {
            let spec = rng.pick(&files_named(root, "openapi.yaml")).clone();
            let text = fs::read_to_string(root.join(&spec)).unwrap();
            fs::write(root.join(&spec), text.replacen("title: ", &format!("title: Step {step} "), 1)).unwrap();
            format!("edited API definition {spec}")
        }
        7 => {
            // Someone changed the published site: the build must notice and restore it.
            let site = tree(&root.join("public"));
            let pages: Vec<&String> = site.keys().filter(|p| p.ends_with(".html")).collect();
            let page = (*rng.pick(&pages)).clone();
            fs::write(root.join("public").join(&page), "tampered").unwrap();
            format!("tampered with public/{page}")
        }
        _ => {
            let config = root.join("portico.yaml");
            let text = fs::read_to_string(&config).unwrap();
            fs::write(&config, text.replacen("title: ", &format!("title: S{step} "), 1)).unwrap();
            "changed the portal title in portico.yaml".to_owned()
        }
    }
}

#[test]
fn issue_12_incremental_builds_equal_clean_builds_after_random_changes() {
    let seeds: Vec<u64> = match std::env::var("PORTICO_INCREMENTAL_SEED") {
        Ok(s) => vec![s.parse().expect("a number")],
        Err(_) => vec![0x9e37_79b9_7f4a_7c15, 42],
    };
    for seed in seeds {
        let f = Fixture::copy_of(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example"));
        let first = build_logged(&f);
        assert!(first.contains("swapped in"), "a first build writes the whole site:\n{first}");
        assert!(f.path().join(".portico/cache/build.msgpack").is_file(), "the cache is written");
        // Nothing changed: nothing is written.
        assert_eq!(changed(&build_logged(&f)), Some(0), "a build without changes writes nothing");
        let mut rng = Rng(seed);
        let mut updated_in_place = 0;
        for step in 0..10 {
            let what = mutate(&f, &mut rng, step);
            let log = build_logged(&f);
            let n = changed(&log);
            if n.is_some() {
                updated_in_place += 1;
            }
            assert_ne!(n, Some(0), "seed {seed}, {what}: something changed, but nothing was written:\n{log}");
            assert_same_as_clean(&f, &format!("seed {seed}, step {step}: {what}"));
        }
        assert!(updated_in_place >= 5, "seed {seed}: only {updated_in_place} of 10 builds updated the site in place");
    }
}

#[test]
fn issue_12_a_page_edit_rewrites_only_what_depends_on_it() {
    let f = Fixture::copy_of(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example"));
    build_logged(&f);
    let page = f.path().join("services/route-planner/docs/architecture.md");
    let before = fs::metadata(f.path().join("public/catalog/index.html")).unwrap().modified().unwrap();
    let mut text = fs::read_to_string(&page).unwrap();
    text.push_str("\nOne more sentence.\n");
    fs::write(&page, text).unwrap();
    let log = build_logged(&f);
    let n = changed(&log).expect("updated in place");
    let total = tree(&f.path().join("public")).len();
    // The page itself and the search files; not the catalog or the entity pages.
    assert!(n >= 1 && n * 4 < total, "{n} of {total} files written:\n{log}");
    assert!(
        f.read("public/docs/default/component/route-planner/architecture/index.html").contains("One more sentence.")
    );
    let after = fs::metadata(f.path().join("public/catalog/index.html")).unwrap().modified().unwrap();
    assert_eq!(before, after, "the catalog page was rewritten");
    assert_same_as_clean(&f, "a page edit");
}

#[test]
fn issue_12_a_cache_from_another_portico_or_damaged_is_a_cold_start() {
    let f = Fixture::copy_of(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example"));
    build_logged(&f);
    let cache = f.path().join(".portico/cache/build.msgpack");
    // Damaged: cut in half.
    let bytes = fs::read(&cache).unwrap();
    fs::write(&cache, &bytes[..bytes.len() / 2]).unwrap();
    let log = build_logged(&f);
    assert!(!log.contains("    cache  "), "nothing was reused:\n{log}");
    assert!(log.contains("swapped in"), "without a cache the whole site is written:\n{log}");
    assert_same_as_clean(&f, "a damaged cache");
    // Written by another Portico (the stamp names the version and the binary).
    let bytes = fs::read(&cache).unwrap();
    let at = bytes.windows(8).position(|w| w == b"portico ").expect("the stamp is in the file");
    let mut other = bytes.clone();
    other[at + 8] = b'x';
    fs::write(&cache, other).unwrap();
    let log = build_logged(&f);
    assert!(!log.contains("    cache  "), "nothing was reused:\n{log}");
    assert!(log.contains("swapped in"), "{log}");
}

#[test]
fn issue_12_an_update_cut_short_makes_the_next_build_write_everything() {
    let f = Fixture::copy_of(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example"));
    build_logged(&f);
    // A build killed while moving files into the site leaves a marker that names no build.
    let marker = f.path().join("public/.portico-output");
    let text = fs::read_to_string(&marker).unwrap();
    assert!(text.contains("build: "), "{text}");
    let cut: String = text.lines().filter(|l| !l.starts_with("build: ")).map(|l| format!("{l}\n")).collect();
    fs::write(&marker, cut).unwrap();
    fs::write(f.path().join("public/index.html"), "half").unwrap();
    let log = build_logged(&f);
    assert!(log.contains("swapped in"), "the site is written whole:\n{log}");
    assert_same_as_clean(&f, "an interrupted update");
    // --no-cache neither reads nor needs the cache.
    fs::remove_dir_all(f.path().join(".portico")).unwrap();
    f.build(&["--no-cache"]).assert_code(0);
    assert!(!f.path().join(".portico").exists(), "--no-cache wrote a cache");
}

#[test]
fn issue_12_a_site_restored_from_a_ci_cache_is_updated_not_rewritten() {
    let f = Fixture::copy_of(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example"));
    build_logged(&f);
    // `actions/cache` restores files with other modification times: copy the site (new times).
    let public = f.path().join("public");
    let saved = f.path().join("..").join(format!("{}-saved", f.path().file_name().unwrap().to_string_lossy()));
    fs::rename(&public, &saved).unwrap();
    crate::support::copy_dir(&saved, &public);
    fs::remove_dir_all(&saved).unwrap();
    assert_eq!(changed(&build_logged(&f)), Some(0), "the restored site is recognised by its content");
    // And a change after the restore is written as usual.
    let page = f.path().join("services/route-planner/docs/architecture.md");
    fs::write(&page, format!("{}\nRestored and edited.\n", fs::read_to_string(&page).unwrap())).unwrap();
    assert!(changed(&build_logged(&f)).is_some_and(|n| n > 0));
    assert_same_as_clean(&f, "an edit after a restore");
}

#[test]
fn issue_12_a_cache_inside_the_output_is_refused() {
    let f = Fixture::copy_of(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example"));
    let run = f.build(&["--cache-dir", "public/cache"]);
    run.assert_code(2);
    assert!(run.stderr.contains("overlap"), "{}", run.stderr);
    assert!(!f.path().join("public").exists(), "nothing is written");
}

#[test]
fn issue_12_check_reuses_the_build_cache_and_keeps_what_build_wrote() {
    let f = Fixture::copy_of(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example"));
    build_logged(&f);
    let run = f.run(&["check", "."]);
    run.assert_code(0);
    let line = run.stderr.lines().find(|l| l.trim_start().starts_with("cache")).unwrap_or_default();
    assert!(line.contains("catalog files") && line.contains("docs pages"), "{}", run.stderr);
    // The site the build wrote is still the one the cache describes.
    assert_eq!(changed(&build_logged(&f)), Some(0));
}

#[test]
fn issue_12_a_configuration_change_is_a_cold_start() {
    // `catalog.custom_kinds` changes what a file parses to: a cache from before must not be used.
    let f = Fixture::copy_of(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example")).file(
        "services/widgets/catalog-info.yaml",
        "apiVersion: acme.io/v1\nkind: Widget\nmetadata:\n  name: dial\nspec:\n  owner: team-routing\n",
    );
    build_logged(&f);
    assert!(!f.path().join("public/catalog/default/widget/dial/index.html").exists());
    let config = f.path().join("portico.yaml");
    let text = fs::read_to_string(&config).unwrap();
    fs::write(&config, format!("{text}\ncatalog:\n  custom_kinds: [Widget]\n")).unwrap();
    let log = build_logged(&f);
    assert!(!log.contains("    cache  "), "the cache of another configuration was used:\n{log}");
    assert!(f.path().join("public/catalog/default/widget/dial/index.html").is_file(), "{log}");
    assert_same_as_clean(&f, "a configuration change");
}
