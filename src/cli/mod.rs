//! The command line: flag parsing and printing only; the work is done by the library.

mod cipher;
mod common;
mod dukpt;
mod jwe;
mod kcv;
mod keyfile;
mod rsa;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub(crate) use common::{CliError, hex_arg, hex_data_arg, print_json};

/// paycrypt: AWS Payment Cryptography, KMS and JWE results, offline and bit for bit.
#[derive(Parser)]
#[command(name = "paycrypt", version, about, long_about = None, disable_help_subcommand = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// TDES/AES encryption and decryption in any mode: a crypto calculator.
    #[command(subcommand)]
    Cipher(cipher::CipherCommand),
    /// Compute a key check value (KCV).
    Kcv(kcv::KcvArgs),
    /// DUKPT (X9.24-1 TDES, X9.24-3 AES): derive a transaction's key, or play a terminal.
    #[command(subcommand)]
    Dukpt(dukpt::DukptCommand),
    /// RSA keys and RSA encryption (PKCS1, OAEP_SHA1, OAEP_SHA256, OAEP_SHA512).
    #[command(subcommand)]
    Rsa(rsa::RsaCommand),
    /// Compact JWE (RSA-OAEP-256 / RSA-OAEP with AES-GCM) and JSON field encryption.
    #[command(subcommand)]
    Jwe(jwe::JweCommand),
}

/// Parses the command line, runs the command and maps its outcome to an exit code: 0 ok, 1 failure
/// (message on stderr), 2 usage error (from clap).
pub(crate) fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Cipher(cmd) => cipher::run(cmd),
        Command::Kcv(args) => kcv::run(args),
        Command::Dukpt(cmd) => dukpt::run(cmd),
        Command::Rsa(cmd) => rsa::run(cmd),
        Command::Jwe(cmd) => jwe::run(cmd),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprint!("{err}");
            ExitCode::FAILURE
        }
    }
}
