//! The command line: flag parsing and printing only; the work is done by the library.

mod action;
mod aws;
mod batch;
mod cipher;
mod common;
mod completion;
mod control_plane;
mod data_plane;
mod dukpt;
mod esdk;
mod esdk_io;
mod failure;
mod global;
mod jwe;
mod kcv;
mod keyfile;
mod kms;
mod kms_client;
mod load;
mod output;
mod remote;
mod report_file;
mod rsa;
#[cfg(feature = "server")]
mod serve;
mod speed;
mod tr31;

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

pub(crate) use common::{CliError, hex_arg, hex_data_arg, print_json};

/// paycrypt: AWS Payment Cryptography, KMS and JWE results, offline and bit for bit.
#[derive(Parser)]
#[command(name = "paycrypt", version, about, long_about = None, disable_help_subcommand = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    globals: global::GlobalArgs,
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
    /// TR-31 (ANSI X9.143) key blocks: wrap a key, or unwrap a key block (a calculator).
    #[command(subcommand)]
    Tr31(tr31::Tr31Command),
    #[command(flatten)]
    Data(data_plane::DataCommand),
    #[command(flatten)]
    Control(control_plane::ControlCommand),
    /// Pre-load the key store from a seed file of keys and aliases, idempotently.
    Seed(control_plane::SeedArgs),
    /// The data-plane commands, as the AWS CLI spells them (aws payment-cryptography-data …).
    #[command(subcommand)]
    PaymentCryptographyData(data_plane::DataCommand),
    /// The key and alias commands, as the AWS CLI spells them (aws payment-cryptography …).
    #[command(subcommand)]
    PaymentCryptography(control_plane::ControlCommand),
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
    /// AWS Encryption SDK messages under KMS and raw AES keys (as aws-encryption-cli).
    #[command(subcommand)]
    Esdk(esdk::EsdkCommand),
    /// The flow actions Encrypt Data and Decrypt Data: a JSON value to a string under a KMS key, and back.
    #[command(subcommand)]
    Action(action::ActionCommand),
    /// A CSV or JSON Lines file through EncryptData, ReEncryptData, KMS…: once per record, parallel, resumable.
    #[command(subcommand)]
    Batch(batch::BatchCommand),
    /// Measure this machine, like openssl speed: every cipher, mode, KCV, DUKPT, RSA, JWE and service operation.
    Speed(speed::SpeedArgs),
    /// Load-test an AWS Payment Cryptography or KMS endpoint (paycrypt serve or any): SigV4, latency percentiles.
    Load(load::LoadArgs),
    /// Print a shell completion script: paycrypt completion bash|zsh|fish.
    Completion(completion::CompletionArgs),
}

/// Parses the command line, runs the command and maps its outcome to an exit code: 0 ok, 1 failure
/// (message on stderr), 2 usage error (from clap); the AWS-mirroring commands exit as AWS CLI version 2
/// does: 252 for a usage error or a parameter that does not parse, 254 for a service error.
pub(crate) fn run() -> ExitCode {
    let cli = match Cli::try_parse_from(batch::output_file_args(std::env::args_os().collect())) {
        Ok(cli) => cli,
        Err(err) => return usage_error(&err),
    };
    let g = &cli.globals;
    let title = match &cli.command {
        Command::Cipher(_) => "Cipher",
        Command::Kcv(_) => "Kcv",
        Command::Tr31(_) => "Tr31",
        Command::Dukpt(_) => "Dukpt",
        Command::Rsa(_) => "Rsa",
        Command::Jwe(_) => "Jwe",
        Command::Batch(_) => "Batch",
        Command::Esdk(_) => "Esdk",
        Command::Action(_) => "Action",
        Command::Speed(_) => "Speed",
        Command::Load(_) => "Load",
        _ => "paycrypt",
    };
    common::set_own_output(common::OwnOutput { title, format: g.output, query: g.query.clone() });
    let result = match cli.command {
        Command::Data(cmd) | Command::PaymentCryptographyData(cmd) => return cmd.run(g),
        Command::Control(cmd) | Command::PaymentCryptography(cmd) => return cmd.run(g),
        Command::Seed(args) => return control_plane::seed(g, args),
        Command::Kms(cmd) => return kms::run(cmd, g),
        Command::Batch(cmd) => return batch::run(cmd, g),
        Command::Action(cmd) => match action::run(cmd, g) {
            Ok(true) => return ExitCode::SUCCESS,
            Ok(false) => return ExitCode::FAILURE,
            Err(err) => Err(err),
        },
        Command::Esdk(cmd) => esdk::run(cmd, g),
        #[cfg(feature = "server")]
        Command::Serve(args) => serve::run(args, g),
        Command::Cipher(cmd) => cipher::run(cmd),
        Command::Kcv(args) => kcv::run(args),
        Command::Tr31(cmd) => tr31::run(cmd),
        Command::Dukpt(cmd) => dukpt::run(cmd),
        Command::Rsa(cmd) => rsa::run(cmd),
        Command::Jwe(cmd) => jwe::run(cmd),
        Command::Speed(args) => speed::run(args, g),
        Command::Load(args) => load::run(args, g),
        Command::Completion(args) => completion::run(&args, Cli::command()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprint!("{err}");
            ExitCode::FAILURE
        }
    }
}

/// Prints clap's message; exits 252 (as AWS CLI version 2) when the command is an AWS-mirroring one,
/// 2 otherwise, 0 for --help and --version.
fn usage_error(err: &clap::Error) -> ExitCode {
    let _ = err.print();
    if !err.use_stderr() {
        return ExitCode::SUCCESS;
    }
    let command = Cli::command();
    let names: Vec<&str> = command.get_subcommands().map(|c| c.get_name()).collect();
    // The first word naming a command is the command: `batch` in `batch re-encrypt-data`.
    let first = std::env::args().skip(1).find(|a| names.contains(&a.as_str()));
    if first.is_some_and(|a| is_aws_command(&a)) {
        ExitCode::from(failure::EXIT_PARAMETER)
    } else {
        ExitCode::from(2)
    }
}

/// Whether a top-level command mirrors the AWS CLI (its usage errors exit 252).
fn is_aws_command(name: &str) -> bool {
    use clap::Subcommand as _;
    matches!(name, "payment-cryptography-data" | "payment-cryptography" | "kms")
        || data_plane::DataCommand::has_subcommand(name)
        || control_plane::ControlCommand::has_subcommand(name)
}
