//! Golden tests of the command line: every case in `tests/cmd/` (one per file) pins the exact stdout,
//! stderr and exit code. Regenerate after an intended change with `TRYCMD=overwrite cargo test --test cli`.

#[test]
fn cli_golden_files() {
    trycmd::TestCases::new().case("tests/cmd/*.toml");
}
