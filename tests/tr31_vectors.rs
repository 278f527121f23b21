//! The published TR-31 key blocks (`vectors/tr31/published_key_blocks.json`, see its SOURCES.md):
//! each one unwraps under its KBPK to its key and to its header, field by field; our own wrap of the key
//! under that header unwraps back to both; and a header written by us reads back the same.
#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

mod common;

use common::Tally;
use paycrypt::primitives::tr31::{self, Header, OptionalBlock, Version};
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    source: String,
    kbpk: String,
    key: String,
    key_block: String,
    header: ExpectedHeader,
}

#[derive(Deserialize)]
struct ExpectedHeader {
    version: String,
    key_usage: String,
    algorithm: String,
    mode_of_use: String,
    key_version: String,
    exportability: String,
    optional_blocks: Vec<(String, String)>,
}

fn one_char(s: &str) -> char {
    s.chars().next().unwrap()
}

fn expected_header(h: &ExpectedHeader) -> Header {
    Header {
        version: Version::from_char(one_char(&h.version)).unwrap(),
        key_usage: h.key_usage.clone(),
        algorithm: one_char(&h.algorithm),
        mode_of_use: one_char(&h.mode_of_use),
        key_version: h.key_version.clone(),
        exportability: one_char(&h.exportability),
        optional_blocks: h.optional_blocks.iter().map(|(id, data)| OptionalBlock::new(id, data)).collect(),
    }
}

fn check(case: &Case) -> Result<(), String> {
    let kbpk = hex::decode(&case.kbpk).unwrap();
    let key = hex::decode(&case.key).unwrap();
    let want = expected_header(&case.header);
    let got = tr31::unwrap(&kbpk, &case.key_block).map_err(|e| format!("unwrap: {e}"))?;
    if got.key[..] != key[..] {
        return Err(format!("key {}", hex::encode_upper(&got.key[..])));
    }
    if got.header != want {
        return Err(format!("header {:?}", got.header));
    }
    if Header::parse(&case.key_block).map_err(|e| e.to_string())? != want {
        return Err("Header::parse differs from unwrap's header".into());
    }
    let again = tr31::wrap(&kbpk, &want, &key).map_err(|e| format!("wrap: {e}"))?;
    let back = tr31::unwrap(&kbpk, &again).map_err(|e| format!("unwrap of our wrap: {e}"))?;
    if back.key[..] != key[..] || back.header != want {
        return Err(format!("our wrap {again} read back differently"));
    }
    if again[5..16] != case.key_block[5..16] || !again.len().is_multiple_of(want.version.block_len()) {
        return Err(format!("our wrap {again} has another fixed header"));
    }
    if Header::parse(&want.to_string()).map_err(|e| e.to_string())? != want {
        return Err(format!("Display {want} does not parse back"));
    }
    Ok(())
}

#[test]
fn published_key_blocks_unwrap_and_rewrap() {
    let file = common::load::<Case>("tr31/published_key_blocks");
    let mut tally = Tally::new("tr31 published key blocks");
    for (i, case) in file.cases.iter().enumerate() {
        assert!(!case.source.trim().is_empty(), "case {i} names no source");
        tally.record(&format!("#{i} {}", &case.key_block[..16]), check(case));
    }
    tally.finish();
}

#[test]
fn every_version_is_in_the_published_set() {
    let file = common::load::<Case>("tr31/published_key_blocks");
    for version in ["A", "B", "C", "D"] {
        assert!(file.cases.iter().any(|c| c.header.version == version), "no version {version} block");
    }
    assert!(file.cases.iter().any(|c| c.key_block.contains("CT0004")), "no extended-length block");
}
