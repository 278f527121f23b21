//! Golden tests of the AWS-mirroring commands, one case per file, each suite against its own store
//! seeded from its `fixtures/seed.json`:
//! - `tests/cmd/pc/`: the payment-cryptography commands. The master key is the store's own
//!   `master.key` (or an inherited `PAYCRYPT_MASTER_KEY`), so a case can set `PAYCRYPT_MASTER_KEY` to
//!   test a wrong one.
//! - `tests/cmd/kms/`: `paycrypt kms …`. The cases do not change the store (a failed command changes
//!   nothing), so they may run in any order.
//!
//! Regenerate after an intended change with `TRYCMD=overwrite cargo test --test cli_service`.

use std::process::Command;

/// Seeds a fresh store `target/tmp/<store>` from `tests/cmd/<suite>/fixtures/seed.json` and runs `cases`
/// against it.
fn on_seeded_store(suite: &str, store: &str, cases: &str) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(store);
    let _ = std::fs::remove_dir_all(&dir);
    let seeded = Command::new(env!("CARGO_BIN_EXE_paycrypt"))
        .args(["seed", &format!("tests/cmd/{suite}/fixtures/seed.json")])
        .env("PAYCRYPT_DATA_DIR", &dir)
        .output()
        .expect("run paycrypt seed");
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    trycmd::TestCases::new()
        .env("PAYCRYPT_DATA_DIR", dir.display().to_string())
        .env("PAYCRYPT_REGION", "us-east-1")
        .env("PAYCRYPT_ACCOUNT_ID", "111122223333")
        .case(cases);
}

/// Runs `tests/cmd/<suite>/*.toml` on a store seeded from that suite's fixtures.
fn golden_files_on_seeded_store(suite: &str) {
    on_seeded_store(suite, &format!("{suite}-golden-store"), &format!("tests/cmd/{suite}/*.toml"));
}

#[test]
fn aws_cli_golden_files() {
    golden_files_on_seeded_store("pc");
}

#[test]
fn kms_cli_golden_files() {
    golden_files_on_seeded_store("kms");
}

/// The examples of docs/aws-cli.md, on the payment-cryptography suite's seeded store.
#[test]
fn aws_cli_doc_examples() {
    on_seeded_store("pc", "docs-aws-cli-store", "docs/aws-cli.md");
}
