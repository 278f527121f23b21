//! The vector reader of the RSA and JWE tests: loads our `vectors/*.json` and, in place, the large
//! Wycheproof files under `../shared/vectors` (or `$PAYCRYPT_SHARED_VECTORS`), and counts outcomes.
#![allow(dead_code)]

use std::path::PathBuf;

use serde_json::Value;

/// A file of ours under `vectors/`.
pub fn ours(name: &str) -> Value {
    load(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors").join(name))
}

/// A published file under the shared vectors directory, e.g. `wycheproof/testvectors_v1/x.json`.
pub fn shared(rel: &str) -> Value {
    let root = std::env::var_os("PAYCRYPT_SHARED_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors"));
    load(root.join(rel))
}

fn load(path: PathBuf) -> Value {
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// Hex (either case) to bytes.
pub fn hex(value: &Value) -> Vec<u8> {
    hex::decode(value.as_str().unwrap_or_default()).expect("hex")
}

/// The string at `key`.
pub fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key].as_str().unwrap_or_default()
}

/// Counts a vector run and ends it with `DONE: started N passed N skipped N failed N`.
pub struct Tally {
    name: String,
    started: usize,
    passed: usize,
    skipped: usize,
    failures: Vec<String>,
}

impl Tally {
    pub fn new(name: &str) -> Self {
        Tally { name: name.to_owned(), started: 0, passed: 0, skipped: 0, failures: Vec::new() }
    }

    /// Records one case: `Ok(true)` passed, `Ok(false)` skipped, `Err` failed.
    pub fn case(&mut self, id: impl std::fmt::Display, outcome: Result<bool, String>) {
        self.started += 1;
        match outcome {
            Ok(true) => self.passed += 1,
            Ok(false) => self.skipped += 1,
            Err(why) => self.failures.push(format!("{id}: {why}")),
        }
    }

    /// Prints the counts and fails on any failure or when nothing passed.
    pub fn finish(self) {
        for failure in &self.failures {
            eprintln!("FAIL {}: {failure}", self.name);
        }
        println!(
            "{}: DONE: started {} passed {} skipped {} failed {}",
            self.name,
            self.started,
            self.passed,
            self.skipped,
            self.failures.len()
        );
        assert!(self.failures.is_empty(), "{}: {} vectors failed", self.name, self.failures.len());
        assert!(self.passed > 0, "{}: no vector passed", self.name);
    }
}
