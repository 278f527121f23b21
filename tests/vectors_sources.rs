//! The repository stands alone: the upstream vector files are the published bytes (checked against the
//! SHA-256 sums in their SOURCES.md), every one of our vector files names its source, and nothing that
//! the test command runs reads from outside the repository.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `(file, sha256)` rows of a SOURCES.md table: lines `| `name` | `hex` | ... |`.
fn listed_sums(sources: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(sources).expect("SOURCES.md");
    text.lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let name = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            let sum = cells.get(2)?.strip_prefix('`')?.strip_suffix('`')?;
            (sum.len() == 64).then(|| (name.to_owned(), sum.to_owned()))
        })
        .collect()
}

/// Every file `vectors/<dir>/SOURCES.md` lists has the published SHA-256 it gives, and every JSON file
/// in the folder is listed; returns how many were listed.
fn check_published_files(dir: &str) -> usize {
    let dir = root().join(dir);
    let listed = listed_sums(&dir.join("SOURCES.md"));
    for (name, sum) in &listed {
        let bytes = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(&hex::encode(Sha256::digest(&bytes)), sum, "{name} differs from the published file");
    }
    for entry in std::fs::read_dir(&dir).expect("read the vectors folder") {
        let name = entry.expect("a folder entry").file_name().into_string().expect("a UTF-8 name");
        if name.ends_with(".json") {
            assert!(listed.iter().any(|(n, _)| *n == name), "{name} is not listed in SOURCES.md");
        }
    }
    listed.len()
}

#[test]
fn wycheproof_files_are_the_published_bytes() {
    let listed = check_published_files("vectors/wycheproof");
    assert!(listed >= 10, "SOURCES.md lists {listed} files");
}

#[test]
fn esdk_files_are_the_published_bytes() {
    assert!(check_published_files("vectors/esdk") > 0, "vectors/esdk/SOURCES.md lists no files");
}

#[test]
fn every_vector_file_names_its_source() {
    for entry in std::fs::read_dir(root().join("vectors")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let value: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            let source = &value["source"];
            let named = source.as_str().is_some_and(|s| !s.trim().is_empty())
                || source.as_object().is_some_and(|o| !o.is_empty());
            assert!(named, "{} names no source", path.display());
        }
    }
}

/// Every file under `dir` (recursively) whose name ends with one of `suffixes`.
fn files(dir: &Path, suffixes: &[&str], out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a folder of the repository") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            files(&path, suffixes, out);
        } else if suffixes.iter().any(|s| path.to_string_lossy().ends_with(s)) {
            out.push(path);
        }
    }
}

#[test]
fn nothing_the_tests_run_reads_outside_the_repository() {
    // Spelled in two pieces so that this file does not match itself.
    let outside = [format!("../{}", "shared"), format!("PAYCRYPT_{}", "SHARED_VECTORS")];
    let mut checked = vec![root().join("scripts/test.sh"), root().join(".ci/run")];
    files(&root().join("tests"), &[".rs", ".py", ".sh", ".toml", ".js", ".mjs"], &mut checked);
    files(&root().join("benches"), &[".rs", ".py", ".sh", ".js", ".mjs"], &mut checked);
    files(&root().join("src"), &[".rs"], &mut checked);
    assert!(checked.len() > 50, "found only {} files to check", checked.len());
    for path in &checked {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        for needle in &outside {
            assert!(!text.contains(needle.as_str()), "{} mentions {needle}", path.display());
        }
    }
}
