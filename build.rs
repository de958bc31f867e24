//! Names the source this binary was built from (`PORTICO_SOURCE_HASH`): the build cache
//! (`src/cache/disk.rs`) written by one Portico is not read by another, even of the same
//! version number, while rebuilding the same source keeps the cache valid (a binary's file time
//! would not). FNV-1a over the paths and contents of `src/`, `themes/` and `Cargo.lock`: no
//! build dependency needed, and collisions only cost a cold build.

use std::path::Path;

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let mut files = Vec::new();
    for dir in ["src", "themes"] {
        println!("cargo:rerun-if-changed={dir}");
        walk(Path::new(dir), &mut files);
    }
    println!("cargo:rerun-if-changed=Cargo.lock");
    files.push("Cargo.lock".into());
    files.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut add = |bytes: &[u8]| {
        for b in bytes.iter().chain(&(bytes.len() as u64).to_le_bytes()) {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for file in &files {
        add(file.to_string_lossy().as_bytes());
        add(&std::fs::read(file).unwrap_or_default());
    }
    println!("cargo:rustc-env=PORTICO_SOURCE_HASH={hash:016x}");
}
