//! `paycrypt tr31 wrap|unwrap`: TR-31 (ANSI X9.143) key blocks, a calculator.

use clap::{Args, Subcommand};
use serde::Serialize;
use zeroize::Zeroizing;

use paycrypt::kcv::{KcvAlgorithm, kcv};
use paycrypt::primitives::tr31::{self, Header, Tr31Error};
use paycrypt::{Algorithm, SymmetricKey};

use crate::cli::{CliError, hex_arg, print_json};

#[derive(Subcommand)]
pub(crate) enum Tr31Command {
    /// Wrap a clear key under a key block protection key; prints {"KeyBlock"}.
    Wrap(WrapArgs),
    /// Check and open a key block; prints its header fields, the key and its KCV.
    Unwrap(UnwrapArgs),
}

#[derive(Args)]
pub(crate) struct WrapArgs {
    /// The key block protection key (KBPK), in hex: TDES (32 or 48 digits) for version B, AES (32, 48 or
    /// 64 digits) for version D; TDES or DES (16 digits) for the legacy A and C.
    #[arg(long)]
    kbpk: String,
    /// The header: 16 characters and any optional blocks, e.g. D0000P0AE00E0000 (the length and the
    /// block count are recomputed; a PB padding block is added when needed).
    #[arg(long)]
    header: String,
    /// The key to wrap, in hex.
    #[arg(long)]
    key: String,
    /// Pad the key as if it were this many bytes long. Default: the algorithm's longest key (24 for TDES
    /// and DES, 32 for AES), so the block does not tell the key's length.
    #[arg(long, value_name = "BYTES")]
    masked_length: Option<usize>,
}

#[derive(Args)]
pub(crate) struct UnwrapArgs {
    /// The key block protection key (KBPK), in hex.
    #[arg(long)]
    kbpk: String,
    /// The key block, e.g. D0112P0AE00E0000B826…
    #[arg(long)]
    key_block: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct WrapOut {
    key_block: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct UnwrapOut {
    version: String,
    key_usage: String,
    key_usage_description: &'static str,
    algorithm: String,
    mode_of_use: String,
    key_version_number: String,
    exportability: String,
    optional_blocks: Vec<BlockOut>,
    key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    key_check_value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    key_check_value_algorithm: Option<KcvAlgorithm>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct BlockOut {
    id: String,
    data: String,
}

pub(crate) fn run(cmd: Tr31Command) -> Result<(), CliError> {
    match cmd {
        Tr31Command::Wrap(args) => wrap(&args),
        Tr31Command::Unwrap(args) => unwrap(&args),
    }
}

fn wrap(args: &WrapArgs) -> Result<(), CliError> {
    let kbpk = Zeroizing::new(hex_arg("--kbpk", &args.kbpk)?);
    let key = Zeroizing::new(hex_arg("--key", &args.key)?);
    let header = Header::parse(&args.header)?;
    let key_block = tr31::wrap_with_mask_len(&kbpk, &header, &key, args.masked_length)?;
    print_json(&WrapOut { key_block })
}

fn unwrap(args: &UnwrapArgs) -> Result<(), CliError> {
    let kbpk = Zeroizing::new(hex_arg("--kbpk", &args.kbpk)?);
    let out = tr31::unwrap(&kbpk, args.key_block.trim())?;
    let header = &out.header;
    let check = check_value(header.algorithm, &out.key);
    print_json(&UnwrapOut {
        version: header.version.to_string(),
        key_usage: header.key_usage.clone(),
        key_usage_description: header.key_usage_description().unwrap_or("proprietary"),
        algorithm: header.algorithm.to_string(),
        mode_of_use: header.mode_of_use.to_string(),
        key_version_number: header.key_version.clone(),
        exportability: header.exportability.to_string(),
        optional_blocks: header
            .optional_blocks
            .iter()
            .map(|b| BlockOut { id: b.id.clone(), data: b.data.clone() })
            .collect(),
        key: hex::encode_upper(&out.key[..]),
        key_check_value: check.as_ref().map(|(value, _)| value.clone()),
        key_check_value_algorithm: check.map(|(_, algorithm)| algorithm),
    })
}

/// The KCV AWS would show for the key: ANSI X9.24 for TDES and DES (single DES as TDES with equal
/// halves), CMAC for AES; none for other algorithms or lengths.
fn check_value(algorithm: char, key: &[u8]) -> Option<(String, KcvAlgorithm)> {
    let doubled;
    let (symmetric, bytes) = match (algorithm, key.len()) {
        ('T' | 'D', 8) => {
            doubled = Zeroizing::new([key, key].concat());
            (Algorithm::Tdes2Key, &doubled[..])
        }
        ('T', 16) => (Algorithm::Tdes2Key, key),
        ('T', 24) => (Algorithm::Tdes3Key, key),
        ('A', 16) => (Algorithm::Aes128, key),
        ('A', 24) => (Algorithm::Aes192, key),
        ('A', 32) => (Algorithm::Aes256, key),
        _ => return None,
    };
    let key = SymmetricKey::new(symmetric, bytes).ok()?;
    let kcv_algorithm = KcvAlgorithm::default_for(symmetric);
    Some((hex::encode_upper(kcv(&key, kcv_algorithm)), kcv_algorithm))
}

impl From<Tr31Error> for CliError {
    fn from(err: Tr31Error) -> Self {
        let hint = match &err {
            Tr31Error::Invalid => Some("check --kbpk; the key block must be given whole and unchanged"),
            Tr31Error::KbpkLength { .. } => {
                Some("version B takes a TDES KBPK (32 or 48 hex digits), D an AES one (32, 48 or 64)")
            }
            Tr31Error::KeyLength { .. } => {
                Some("the header's algorithm (T TDES, A AES, D DES) sets the key length")
            }
            Tr31Error::KeyBlockLength { .. } | Tr31Error::NotHex { .. } => {
                Some("the key block must be given whole, as printed by the system that made it")
            }
            Tr31Error::Random | Tr31Error::TooLong { .. } => None,
            _ => Some("see docs/tr31.md for the header's fields and optional blocks"),
        };
        let message = err.to_string();
        match hint {
            Some(hint) => CliError::new(message).hint(hint),
            None => CliError::new(message),
        }
    }
}
