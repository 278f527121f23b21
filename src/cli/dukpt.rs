//! `paycrypt dukpt derive-key|device`: DUKPT host-side derivation and a terminal simulator.

use clap::{Args, Subcommand};
use serde::Serialize;
use zeroize::Zeroizing;

use paycrypt::dukpt::{self, Error, Ksn, Scheme, Usage};
use paycrypt::kcv::{KcvAlgorithm, kcv};
use paycrypt::{Algorithm, SymmetricKey};

use crate::cli::{CliError, hex_arg, print_json};

#[derive(Subcommand)]
pub(crate) enum DukptCommand {
    /// Derive a transaction's key from the BDK and the KSN (host side); prints
    /// {"InitialKey", "DerivedKey", "KeyCheckValue"}. A 20-hex-digit KSN means TDES DUKPT (X9.24-1), a
    /// 24-hex-digit KSN AES DUKPT (X9.24-3).
    DeriveKey(DeriveKeyArgs),
    /// Play a terminal: load the initial key and KSN, run --count transactions, print each one's KSN and
    /// key as a JSON line.
    Device(DeviceArgs),
}

#[derive(Args)]
pub(crate) struct DeriveKeyArgs {
    /// The base derivation key, in hex: TDES_2KEY or TDES_3KEY (32 or 48 digits) for TDES DUKPT;
    /// AES_128, AES_192 or AES_256 (32, 48 or 64 digits) for AES DUKPT.
    #[arg(long)]
    bdk: String,
    /// The key serial number, in hex: 20 digits (TDES DUKPT) or 24 digits (AES DUKPT).
    #[arg(long)]
    ksn: String,
    /// TDES: PIN, MAC_REQUEST, MAC_RESPONSE, DATA_REQUEST, DATA_RESPONSE. AES: KEY_ENCRYPTION,
    /// PIN_ENCRYPTION, MAC_GENERATION, MAC_VERIFICATION, MAC_BOTH, DATA_ENCRYPTION, DATA_DECRYPTION,
    /// DATA_BOTH, KEY_DERIVATION.
    #[arg(long)]
    usage: String,
    /// The derived key's algorithm: TDES_2KEY, TDES_3KEY, AES_128, AES_192 or AES_256, no stronger than
    /// the BDK. Default: the BDK's for AES DUKPT; TDES_2KEY (the only one) for TDES DUKPT.
    #[arg(long)]
    derived_key_algorithm: Option<Algorithm>,
}

#[derive(Args)]
pub(crate) struct DeviceArgs {
    /// The initial key loaded into the terminal, in hex: the IPEK (32 digits) for TDES DUKPT; the AES
    /// initial key (32, 48 or 64 digits) for AES DUKPT.
    #[arg(long, visible_alias = "initial-key")]
    ipek: String,
    /// The KSN, in hex (20 digits TDES, 24 digits AES). With counter 0 the terminal is freshly loaded and
    /// its first transaction is counter 1; with another counter it resumes at that transaction.
    #[arg(long)]
    ksn: String,
    /// How many transactions to run.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    count: u32,
    /// Also print each transaction's key for this usage (names as for derive-key) and its KCV.
    #[arg(long)]
    usage: Option<String>,
    /// The usage key's algorithm (AES DUKPT), as for derive-key.
    #[arg(long)]
    derived_key_algorithm: Option<Algorithm>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DeriveOut {
    initial_key: String,
    derived_key: String,
    key_check_value: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct TransactionOut {
    key_serial_number: String,
    transaction_key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    derived_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    key_check_value: Option<String>,
}

pub(crate) fn run(cmd: DukptCommand) -> Result<(), CliError> {
    match cmd {
        DukptCommand::DeriveKey(args) => derive_key(&args),
        DukptCommand::Device(args) => device(&args),
    }
}

fn derive_key(args: &DeriveKeyArgs) -> Result<(), CliError> {
    let ksn = parse_ksn(&args.ksn)?;
    let bdk = Zeroizing::new(hex_arg("--bdk", &args.bdk)?);
    let bdk = dukpt::bdk_from_bytes(ksn.scheme(), &bdk)?;
    let usage: Usage = args.usage.parse()?;
    let out = dukpt::derive(&bdk, &ksn, usage, args.derived_key_algorithm)?;
    print_json(&DeriveOut {
        initial_key: hex::encode_upper(out.initial_key.as_bytes()),
        derived_key: hex::encode_upper(out.key.as_bytes()),
        key_check_value: key_check_value(&out.key),
    })
}

fn device(args: &DeviceArgs) -> Result<(), CliError> {
    let ksn = parse_ksn(&args.ksn)?;
    let ik = Zeroizing::new(hex_arg("--ipek", &args.ipek)?);
    let ik = dukpt::initial_key_from_bytes(ksn.scheme(), &ik)?;
    let usage = args.usage.as_deref().map(str::parse::<Usage>).transpose()?;
    let key_type = dukpt::resolve_key_type(ksn.scheme(), ik.algorithm(), args.derived_key_algorithm)?;
    match ksn {
        Ksn::Tdes(ksn) => {
            let variant = usage.map(Usage::tdes).transpose()?;
            let mut device = dukpt::TdesDevice::resume_at(&ik, &ksn)?;
            for _ in 0..args.count {
                let txn = device.next_transaction()?;
                let derived = variant.map(|v| txn.key(v)).transpose()?;
                print_line(&txn.ksn().to_string(), &txn.transaction_key()?, derived.as_ref())?;
            }
        }
        Ksn::Aes(ksn) => {
            let usage = usage.map(Usage::aes).transpose()?;
            let mut device = dukpt::AesDevice::resume_at(&ik, &ksn)?;
            for _ in 0..args.count {
                let txn = device.next_transaction()?;
                let derived = usage.map(|u| txn.working_key(u, key_type)).transpose()?;
                print_line(&txn.ksn().to_string(), &txn.intermediate_key()?, derived.as_ref())?;
            }
        }
    }
    Ok(())
}

/// Prints one transaction as one line of JSON.
fn print_line(ksn: &str, key: &SymmetricKey, derived: Option<&SymmetricKey>) -> Result<(), CliError> {
    let line = TransactionOut {
        key_serial_number: ksn.to_owned(),
        transaction_key: hex::encode_upper(key.as_bytes()),
        derived_key: derived.map(|k| hex::encode_upper(k.as_bytes())),
        key_check_value: derived.map(key_check_value),
    };
    let text = serde_json::to_string(&line).map_err(|e| CliError::new(format!("cannot write JSON: {e}")))?;
    println!("{text}");
    Ok(())
}

fn parse_ksn(hex: &str) -> Result<Ksn, CliError> {
    Ok(Ksn::from_slice(&hex_arg("--ksn", hex)?)?)
}

/// AWS's KCV of a key: ANSI X9.24 for TDES, CMAC for AES.
fn key_check_value(key: &SymmetricKey) -> String {
    hex::encode_upper(kcv(key, KcvAlgorithm::default_for(key.algorithm())))
}

impl From<Error> for CliError {
    fn from(err: Error) -> Self {
        let hint = match &err {
            Error::KsnLength { .. } => Some("a TDES DUKPT KSN is 20 hex digits, an AES DUKPT KSN 24"),
            Error::CounterBits { scheme: Scheme::Tdes, .. } => {
                Some("TDES DUKPT counters (the rightmost 21 bits) have at most 10 one-bits")
            }
            Error::CounterBits { scheme: Scheme::Aes, .. } => {
                Some("AES DUKPT counters (the rightmost 8 hex digits) have at most 16 one-bits")
            }
            Error::CounterZero { .. } => Some("give the KSN of a transaction: its counter is 1 or more"),
            Error::CounterReserved => Some("no device uses counter FFFFFFFF; it only names the update key"),
            Error::BdkLength { scheme: Scheme::Tdes, .. } => {
                Some("a 20-digit KSN takes a TDES_2KEY or TDES_3KEY BDK (32 or 48 hex digits)")
            }
            Error::BdkLength { scheme: Scheme::Aes, .. } => {
                Some("a 24-digit KSN takes an AES_128, AES_192 or AES_256 BDK (32, 48 or 64 hex digits)")
            }
            Error::InitialKeyLength { scheme: Scheme::Tdes, .. } => {
                Some("a TDES DUKPT IPEK is 32 hex digits")
            }
            Error::InitialKeyLength { scheme: Scheme::Aes, .. } => {
                Some("an AES DUKPT initial key is 32, 48 or 64 hex digits")
            }
            Error::DerivedKeyTooStrong { .. } => Some(
                "pick a --derived-key-algorithm no stronger than the BDK: \
                 TDES_2KEY < TDES_3KEY < AES_128 < AES_192 < AES_256",
            ),
            Error::DerivedKeyNotSupported { .. } => Some("drop --derived-key-algorithm or pass TDES_2KEY"),
            Error::UsageNotSupported { .. } => {
                Some("a 20-digit KSN takes the TDES usages, a 24-digit KSN the AES usages")
            }
            Error::UnknownUsage { .. } => Some("see paycrypt dukpt derive-key --help for the usages"),
            Error::Exhausted { .. } => Some("load the terminal with a new initial key and KSN"),
            _ => None,
        };
        let cli = CliError::new(err.to_string());
        match hint {
            Some(h) => cli.hint(h),
            None => cli,
        }
    }
}
