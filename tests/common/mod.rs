//! The vector reader shared by the test files: loads `vectors/<name>.json` (our format: `source`,
//! `description`, `cases`), typed or as JSON values, reads the upstream files kept as published under
//! `vectors/wycheproof/` (see its SOURCES.md), and counts what a run did. Nothing outside the repository is read.
#![allow(dead_code)]

pub mod service;

use std::path::PathBuf;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A vector file: where the values come from, and the cases.
#[derive(Deserialize)]
pub struct VectorFile<C> {
    /// Source document + section, or upstream file + commit.
    pub source: String,
    /// What the file holds.
    #[serde(default)]
    pub description: String,
    /// The cases.
    pub cases: Vec<C>,
}

/// Loads `vectors/<name>.json`, panicking (this is a test) with the path on any problem.
pub fn load<C: DeserializeOwned>(name: &str) -> VectorFile<C> {
    let path = format!("{}/vectors/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let file: VectorFile<C> = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(!file.source.trim().is_empty(), "{path}: no source");
    file
}

/// Loads `vectors/<name>.json` as a JSON value, checking it names a source and has cases.
pub fn load_value(name: &str) -> Value {
    let path = format!("{}/vectors/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let file = read_json(PathBuf::from(&path));
    assert!(file["source"].as_str().is_some_and(|s| !s.trim().is_empty()), "{path}: no source");
    assert!(file["cases"].as_array().is_some_and(|c| !c.is_empty()), "{path}: no cases");
    file
}

/// Loads one of our vector files by file name (`rsa_oaep_known_answers.json`) as a JSON value.
pub fn ours(file_name: &str) -> Value {
    read_json(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors").join(file_name))
}

/// Loads a Wycheproof file as published (`vectors/wycheproof/<file>`, listed with its checksum in
/// `vectors/wycheproof/SOURCES.md`).
pub fn wycheproof(file: &str) -> Value {
    read_json(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors/wycheproof").join(file))
}

fn read_json(path: PathBuf) -> Value {
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The string member `key` of a JSON object, panicking (this is a test) when it is missing.
pub fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("missing string {key:?} in {v}"))
}

/// The string member `key`, or "" when it is missing.
pub fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key].as_str().unwrap_or_default()
}

/// A JSON string of hex, decoded.
pub fn hex(value: &Value) -> Vec<u8> {
    let s = value.as_str().unwrap_or_default();
    hex::decode(s).unwrap_or_else(|e| panic!("bad hex {s:?}: {e}"))
}

/// Decodes hex (either case), panicking with `what` on bad input.
pub fn unhex(what: &str, s: &str) -> Vec<u8> {
    hex::decode(s).unwrap_or_else(|e| panic!("{what}: bad hex {s:?}: {e}"))
}

/// Counts of one vector run. [`Tally::finish`] prints
/// `DONE: started N passed N skipped N failed N` and fails the test when anything failed or nothing
/// passed, so an empty or mis-parsed file can never pass silently.
#[derive(Default)]
pub struct Tally {
    name: String,
    started: usize,
    passed: usize,
    skipped: usize,
    failures: Vec<String>,
}

impl Tally {
    /// A tally named after the test.
    pub fn new(name: &str) -> Self {
        Tally { name: name.to_owned(), ..Tally::default() }
    }

    /// Records one case: `Ok(())` passed, `Err(why)` failed.
    pub fn record(&mut self, id: &str, outcome: Result<(), String>) {
        self.started += 1;
        match outcome {
            Ok(()) => self.passed += 1,
            Err(why) => self.failures.push(format!("{id}: {why}")),
        }
    }

    /// Records a check of `got` against the hex `want` (either case).
    pub fn eq(&mut self, id: &str, got: impl AsRef<[u8]>, want: &str) {
        let got = hex::encode_upper(got);
        let outcome =
            if got.eq_ignore_ascii_case(want) { Ok(()) } else { Err(format!("got {got}, want {want}")) };
        self.record(id, outcome);
    }

    /// Records a case: `Ok(true)` passed, `Ok(false)` skipped (does not apply), `Err(why)` failed.
    pub fn case(&mut self, id: impl std::fmt::Display, outcome: Result<bool, String>) {
        match outcome {
            Ok(true) => self.record(&id.to_string(), Ok(())),
            Ok(false) => self.skip(),
            Err(why) => self.record(&id.to_string(), Err(why)),
        }
    }

    /// Records a case that this test does not apply to.
    pub fn skip(&mut self) {
        self.started += 1;
        self.skipped += 1;
    }

    /// Records a skipped case and says why on stderr.
    pub fn skip_because(&mut self, id: &str, why: &str) {
        eprintln!("SKIPPED {id}: {why}");
        self.skip();
    }

    /// Prints the counts and fails on any failure or on no pass.
    pub fn finish(self) {
        for f in self.failures.iter().take(20) {
            eprintln!("FAILED {f}");
        }
        println!(
            "{}: DONE: started {} passed {} skipped {} failed {}",
            self.name,
            self.started,
            self.passed,
            self.skipped,
            self.failures.len()
        );
        assert!(self.failures.is_empty(), "{}: {} cases failed", self.name, self.failures.len());
        assert!(self.passed > 0, "{}: no case passed", self.name);
    }
}
