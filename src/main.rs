//! `paycrypt`: AWS Payment Cryptography, KMS and JWE results offline. See `paycrypt --help`.
#![forbid(unsafe_code)]

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
