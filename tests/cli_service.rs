//! Golden tests of the AWS-mirroring commands (`tests/cmd/pc/`, one case per file), against a store
//! seeded from `tests/cmd/pc/fixtures/seed.json`. The master key is the store's own `master.key` (or an
//! inherited `PAYCRYPT_MASTER_KEY`), so a case can set `PAYCRYPT_MASTER_KEY` to test a wrong one. Regenerate after an intended
//! change with `TRYCMD=overwrite cargo test --test cli_service`.

use std::process::Command;

#[test]
fn aws_cli_golden_files() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("pc-golden-store");
    let _ = std::fs::remove_dir_all(&dir);
    let seeded = Command::new(env!("CARGO_BIN_EXE_paycrypt"))
        .args(["seed", "tests/cmd/pc/fixtures/seed.json"])
        .env("PAYCRYPT_DATA_DIR", &dir)
        .output()
        .expect("run paycrypt seed");
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    trycmd::TestCases::new()
        .env("PAYCRYPT_DATA_DIR", dir.display().to_string())
        .env("PAYCRYPT_REGION", "us-east-1")
        .env("PAYCRYPT_ACCOUNT_ID", "111122223333")
        .case("tests/cmd/pc/*.toml");
}
