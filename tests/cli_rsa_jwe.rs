//! Golden tests of `paycrypt rsa` and `paycrypt jwe`: every case in tests/cmd/{rsa,jwe}_*.toml, one
//! case per file, run against the fixture keys in tests/cmd/fixtures (test keys only).

#[test]
#[cfg(feature = "cli")]
fn cli_rsa_jwe() {
    trycmd::TestCases::new().case("tests/cmd/rsa_*.toml").case("tests/cmd/jwe_*.toml");
}
