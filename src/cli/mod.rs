//! The command line: flag parsing and printing only; the work is done by the library.

mod aws;
mod cipher;
mod common;
mod control_plane;
mod data_plane;
mod dukpt;
mod jwe;
mod kcv;
mod keyfile;
mod kms;
mod remote;
mod rsa;
#[cfg(feature = "server")]
mod serve;

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
    /// Serve AWS Payment Cryptography and KMS locally, for unmodified AWS SDKs (SigV4, TLS, faults).
    #[cfg(feature = "server")]
    Serve(serve::ServeArgs),
    /// TDES/AES encryption and decryption in any mode: a crypto calculator.
    #[command(subcommand)]
    Cipher(cipher::CipherCommand),
    /// Compute a key check value (KCV).
    Kcv(kcv::KcvArgs),
    /// Encrypt data (aws payment-cryptography-data encrypt-data).
    EncryptData(data_plane::EncryptDataArgs),
    /// Decrypt data (aws payment-cryptography-data decrypt-data).
    DecryptData(data_plane::DecryptDataArgs),
    /// Re-encrypt data from one key to another (aws payment-cryptography-data re-encrypt-data).
    ReEncryptData(data_plane::ReEncryptDataArgs),
    /// Create a key with random material (aws payment-cryptography create-key).
    CreateKey(control_plane::CreateKeyArgs),
    /// Import a key; paycrypt takes clear key material (ClearKey) for tests.
    ImportKey(control_plane::ImportKeyArgs),
    /// Show a key (aws payment-cryptography get-key).
    GetKey(control_plane::KeyArgs),
    /// List keys (aws payment-cryptography list-keys).
    ListKeys(control_plane::ListKeysArgs),
    /// Schedule a key for deletion (aws payment-cryptography delete-key).
    DeleteKey(control_plane::DeleteKeyArgs),
    /// Cancel a scheduled deletion (aws payment-cryptography restore-key).
    RestoreKey(control_plane::KeyArgs),
    /// Enable a key (aws payment-cryptography start-key-usage).
    StartKeyUsage(control_plane::KeyArgs),
    /// Disable a key (aws payment-cryptography stop-key-usage).
    StopKeyUsage(control_plane::KeyArgs),
    /// Create an alias (aws payment-cryptography create-alias).
    CreateAlias(control_plane::AliasArgs),
    /// Show an alias (aws payment-cryptography get-alias).
    GetAlias(control_plane::AliasNameArgs),
    /// List aliases (aws payment-cryptography list-aliases).
    ListAliases(control_plane::ListAliasesArgs),
    /// Point an alias at another key (aws payment-cryptography update-alias).
    UpdateAlias(control_plane::AliasArgs),
    /// Delete an alias (aws payment-cryptography delete-alias).
    DeleteAlias(control_plane::AliasNameArgs),
    /// Pre-load the key store from a seed file of keys and aliases, idempotently.
    Seed(control_plane::SeedArgs),
    /// DUKPT (X9.24-1 TDES, X9.24-3 AES): derive a transaction's key, or play a terminal.
    #[command(subcommand)]
    Dukpt(dukpt::DukptCommand),
    /// RSA keys and RSA encryption (PKCS1, OAEP_SHA1, OAEP_SHA256, OAEP_SHA512).
    #[command(subcommand)]
    Rsa(rsa::RsaCommand),
    /// Compact JWE (RSA-OAEP-256 / RSA-OAEP with AES-GCM) and JSON field encryption.
    #[command(subcommand)]
    Jwe(jwe::JweCommand),
    /// AWS KMS offline: keys, aliases, grants, Encrypt/Decrypt/ReEncrypt/GenerateDataKey (aws kms).
    #[command(subcommand)]
    Kms(kms::KmsCommand),
}

/// Parses the command line, runs the command and maps its outcome to an exit code: 0 ok, 1 failure
/// (message on stderr), 2 usage error (from clap); the AWS-mirroring commands add the AWS CLI's 252
/// (a parameter that does not parse) and 254 (a service error).
pub(crate) fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::EncryptData(args) => return data_plane::encrypt(args),
        Command::DecryptData(args) => return data_plane::decrypt(args),
        Command::ReEncryptData(args) => return data_plane::re_encrypt(args),
        Command::CreateKey(args) => return control_plane::create_key(args),
        Command::ImportKey(args) => return control_plane::import_key(args),
        Command::GetKey(args) => return control_plane::get_key(args),
        Command::ListKeys(args) => return control_plane::list_keys(args),
        Command::DeleteKey(args) => return control_plane::delete_key(args),
        Command::RestoreKey(args) => return control_plane::restore_key(args),
        Command::StartKeyUsage(args) => return control_plane::start_key_usage(args),
        Command::StopKeyUsage(args) => return control_plane::stop_key_usage(args),
        Command::CreateAlias(args) => return control_plane::create_alias(args),
        Command::GetAlias(args) => return control_plane::get_alias(args),
        Command::ListAliases(args) => return control_plane::list_aliases(args),
        Command::UpdateAlias(args) => return control_plane::update_alias(args),
        Command::DeleteAlias(args) => return control_plane::delete_alias(args),
        Command::Seed(args) => return control_plane::seed(args),
        #[cfg(feature = "server")]
        Command::Serve(args) => serve::run(args),
        Command::Kms(cmd) => return kms::run(cmd),
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
