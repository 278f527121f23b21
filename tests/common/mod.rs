//! The vector reader shared by the test files: loads `vectors/<name>.json` (our format: `source`,
//! `description`, `cases`) and counts what a run did.
#![allow(dead_code)]

use serde::Deserialize;
use serde::de::DeserializeOwned;

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

    /// Records a case that this test does not apply to.
    pub fn skip(&mut self) {
        self.started += 1;
        self.skipped += 1;
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
