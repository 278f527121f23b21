//! Golden tests of the command line: every case in `tests/cmd/` (one per file) pins the exact stdout,
//! stderr and exit code. Regenerate after an intended change with `TRYCMD=overwrite cargo test --test cli`.

#[test]
fn cli_golden_files() {
    // The AWS CLI's default output setting, which paycrypt honours too, must not leak in.
    trycmd::TestCases::new().env("AWS_DEFAULT_OUTPUT", "json").case("tests/cmd/*.toml");
}
