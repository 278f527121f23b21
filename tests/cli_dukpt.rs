//! Golden tests of `paycrypt dukpt`: every case in `tests/cmd/dukpt_*.toml` (one per file) pins the exact
//! stdout, stderr and exit code, every bad-input error included. Regenerate after an intended change with
//! `TRYCMD=overwrite cargo test --test cli_dukpt`.

#[test]
fn cli_dukpt_golden_files() {
    trycmd::TestCases::new().case("tests/cmd/dukpt_*.toml");
}
