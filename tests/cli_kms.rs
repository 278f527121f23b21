//! Golden tests of `paycrypt kms …` (`tests/cmd/kms/`, one case per file), against a store seeded from
//! `tests/cmd/kms/fixtures/seed.json`. The cases do not change the store (a failed command changes
//! nothing), so they may run in any order. Regenerate after an intended change with
//! `TRYCMD=overwrite cargo test --test cli_kms`.

use std::process::Command;

#[test]
fn kms_cli_golden_files() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("kms-golden-store");
    let _ = std::fs::remove_dir_all(&dir);
    let seeded = Command::new(env!("CARGO_BIN_EXE_paycrypt"))
        .args(["seed", "tests/cmd/kms/fixtures/seed.json"])
        .env("PAYCRYPT_DATA_DIR", &dir)
        .output()
        .expect("run paycrypt seed");
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    trycmd::TestCases::new()
        .env("PAYCRYPT_DATA_DIR", dir.display().to_string())
        .env("PAYCRYPT_REGION", "us-east-1")
        .env("PAYCRYPT_ACCOUNT_ID", "111122223333")
        .case("tests/cmd/kms/*.toml");
}
