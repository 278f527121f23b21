//! The DUKPT tests' vector reader: loads `vectors/<name>.json` (our format: `source`, `description`,
//! `cases`, plus file-level values) as JSON, and counts what a run did. Kept apart from `tests/common/`
//! so that the two can merge without a clash; the counting rules are the same.
#![allow(dead_code)]

use serde_json::Value;

/// Loads `vectors/<name>.json`, panicking (this is a test) with the path on any problem, and checks that
/// it names its source and holds cases.
pub fn load(name: &str) -> Value {
    let path = format!("{}/vectors/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let file: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(file["source"].as_str().is_some_and(|s| !s.trim().is_empty()), "{path}: no source");
    assert!(file["cases"].as_array().is_some_and(|c| !c.is_empty()), "{path}: no cases");
    file
}

/// The string at `v[key]`, panicking with the key when it is missing.
pub fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("missing string {key:?} in {v}"))
}

/// Decodes hex (either case), panicking with `what` on bad input.
pub fn unhex(what: &str, s: &str) -> Vec<u8> {
    hex::decode(s).unwrap_or_else(|e| panic!("{what}: bad hex {s:?}: {e}"))
}

/// Counts of one vector run. [`Tally::finish`] prints `DONE: started N passed N skipped N failed N` and
/// fails the test when anything failed or nothing passed.
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

    /// Records one check: `Ok(())` passed, `Err(why)` failed.
    pub fn record(&mut self, id: &str, outcome: Result<(), String>) {
        self.started += 1;
        match outcome {
            Ok(()) => self.passed += 1,
            Err(why) => self.failures.push(format!("{id}: {why}")),
        }
    }

    /// Records that `got` equals `want` (hex, either case).
    pub fn eq(&mut self, id: &str, got: impl AsRef<[u8]>, want: &str) {
        let got = hex::encode_upper(got);
        let outcome =
            if got.eq_ignore_ascii_case(want) { Ok(()) } else { Err(format!("got {got}, want {want}")) };
        self.record(id, outcome);
    }

    /// Records a check this test does not apply, with the reason on stderr.
    pub fn skip(&mut self, id: &str, why: &str) {
        eprintln!("SKIPPED {id}: {why}");
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
        assert!(self.failures.is_empty(), "{}: {} checks failed", self.name, self.failures.len());
        assert!(self.passed > 0, "{}: no check passed", self.name);
    }
}
