//! `paycrypt cipher encrypt|decrypt`: the crypto calculator.

use clap::{Args, Subcommand};
use serde::Serialize;

use paycrypt::padding::Padding;
use paycrypt::{Algorithm, Mode, SymmetricKey};

use crate::cli::{CliError, hex_arg, hex_data_arg, print_json};

#[derive(Subcommand)]
pub(crate) enum CipherCommand {
    /// Encrypt hex data; prints {"CipherText": "<HEX>"}.
    Encrypt(CipherArgs),
    /// Decrypt hex data; prints {"PlainText": "<HEX>"}.
    Decrypt(CipherArgs),
}

#[derive(Args)]
pub(crate) struct CipherArgs {
    /// Key algorithm: TDES_2KEY, TDES_3KEY, AES_128, AES_192 or AES_256.
    #[arg(long)]
    algorithm: Algorithm,
    /// Mode: ECB, CBC, CFB (the full-block CFB: CFB64 for TDES, CFB128 for AES), CFB1, CFB8, CFB64,
    /// CFB128 (AES only) or OFB.
    #[arg(long)]
    mode: Mode,
    /// The key, in hex.
    #[arg(long)]
    key: String,
    /// The initialization vector, one block in hex; every mode but ECB needs one.
    #[arg(long)]
    iv: Option<String>,
    /// The data, in hex; `-` reads it from standard input.
    #[arg(long)]
    data: String,
    /// Padding added before encryption and removed after decryption: NONE, PKCS7, ISO9797_M1 or
    /// ISO9797_M2.
    #[arg(long, default_value = "NONE")]
    padding: Padding,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct CipherTextOut {
    cipher_text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PlainTextOut {
    plain_text: String,
}

pub(crate) fn run(cmd: CipherCommand) -> Result<(), CliError> {
    match cmd {
        CipherCommand::Encrypt(args) => {
            let (key, iv, data) = parse(&args)?;
            let padded = args.padding.pad(&data, args.algorithm.block_len());
            let out = key.encrypt(args.mode, iv.as_deref(), &padded)?;
            print_json(&CipherTextOut { cipher_text: hex::encode_upper(out) })
        }
        CipherCommand::Decrypt(args) => {
            let (key, iv, data) = parse(&args)?;
            let out = key.decrypt(args.mode, iv.as_deref(), &data)?;
            let plain = args
                .padding
                .unpad(&out, args.algorithm.block_len())
                .map_err(|e| CliError::new(e.to_string()).hint("check the key, IV, mode and --padding"))?;
            print_json(&PlainTextOut { plain_text: hex::encode_upper(plain) })
        }
    }
}

/// The parsed key, IV and data of a cipher command.
type Parsed = (SymmetricKey, Option<Vec<u8>>, Vec<u8>);

fn parse(args: &CipherArgs) -> Result<Parsed, CliError> {
    let key = SymmetricKey::new(args.algorithm, &zeroize::Zeroizing::new(hex_arg("--key", &args.key)?))?;
    let iv = args.iv.as_deref().map(|iv| hex_arg("--iv", iv)).transpose()?;
    let data = hex_data_arg("--data", &args.data)?;
    Ok((key, iv, data))
}
