//! `paycrypt rsa generate|encrypt|decrypt`: RSA keys and RSA encryption with AWS's padding names.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde::Serialize;

use paycrypt::rsa::{Jwk, KeyOp, RsaPadding, RsaPrivateKey};

use crate::cli::keyfile::{read_keys, rsa_decrypt_failed, write_secret_file};
use crate::cli::{CliError, hex_arg, print_json};

#[derive(Subcommand)]
pub(crate) enum RsaCommand {
    /// Generate a key pair: private key to --out (PKCS#8 PEM, mode 0600), public key printed.
    ///
    /// --jwk-out also writes the private key as a JWK (with --kid, and use "enc").
    Generate(GenerateArgs),
    /// Encrypt hex data with a public key; prints {"CipherText": "<HEX>"}.
    Encrypt(EncryptArgs),
    /// Decrypt hex data with a private key; prints {"PlainText": "<HEX>"}.
    Decrypt(DecryptArgs),
}

#[derive(Args)]
pub(crate) struct GenerateArgs {
    /// Key size in bits: 2048, 3072 or 4096.
    #[arg(long, default_value_t = 2048)]
    bits: usize,
    /// Where to write the private key (PKCS#8 PEM).
    #[arg(long)]
    out: PathBuf,
    /// Also write the private key as a JWK to this file.
    #[arg(long)]
    jwk_out: Option<PathBuf>,
    /// The kid to put in the JWK.
    #[arg(long)]
    kid: Option<String>,
    /// Replace existing files.
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
pub(crate) struct EncryptArgs {
    /// The public key: a file (PEM, DER, JWK or JWKS; a private key file works too) or inline JWK/PEM.
    #[arg(long)]
    public_key: String,
    /// The kid choosing a key from a JWKS.
    #[arg(long)]
    kid: Option<String>,
    /// Padding: PKCS1, OAEP_SHA1, OAEP_SHA256 or OAEP_SHA512 (OAEP uses MGF1 with the same hash).
    #[arg(long)]
    padding: RsaPadding,
    /// The data, in hex.
    #[arg(long)]
    plain_text: String,
    /// The OAEP label, in hex (default: empty).
    #[arg(long)]
    label: Option<String>,
}

#[derive(Args)]
pub(crate) struct DecryptArgs {
    /// The private key: a file (PEM, DER, JWK or JWKS) or inline JWK/PEM.
    #[arg(long)]
    private_key: String,
    /// The kid choosing a key from a JWKS.
    #[arg(long)]
    kid: Option<String>,
    /// Padding: PKCS1, OAEP_SHA1, OAEP_SHA256 or OAEP_SHA512. PKCS1 uses implicit rejection: bad
    /// padding gives a pseudorandom plaintext, not an error.
    #[arg(long)]
    padding: RsaPadding,
    /// The ciphertext, in hex.
    #[arg(long)]
    cipher_text: String,
    /// The OAEP label, in hex (default: empty).
    #[arg(long)]
    label: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GenerateOut {
    key_bits: usize,
    private_key_file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    jwk_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kid: Option<String>,
    public_key: String,
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

pub(crate) fn run(cmd: RsaCommand) -> Result<(), CliError> {
    match cmd {
        RsaCommand::Generate(args) => generate(args),
        RsaCommand::Encrypt(args) => {
            let label = args.label.as_deref().map(|l| hex_arg("--label", l)).transpose()?;
            let data = zeroize::Zeroizing::new(hex_arg("--plain-text", &args.plain_text)?);
            let keys = read_keys("--public-key", &args.public_key)?;
            let key = keys.select(args.kid.as_deref(), KeyOp::Encrypt, args.padding.jose_alg())?;
            let ct = key.public_key().encrypt(args.padding, label.as_deref(), &data)?;
            print_json(&CipherTextOut { cipher_text: hex::encode_upper(ct) })
        }
        RsaCommand::Decrypt(args) => {
            let label = args.label.as_deref().map(|l| hex_arg("--label", l)).transpose()?;
            if label.is_some() && !args.padding.is_oaep() {
                return Err(paycrypt::rsa::KeyError::LabelNotAllowed { padding: args.padding }.into());
            }
            let data = hex_arg("--cipher-text", &args.cipher_text)?;
            let keys = read_keys("--private-key", &args.private_key)?;
            let key = keys.select(args.kid.as_deref(), KeyOp::Decrypt, args.padding.jose_alg())?;
            let private = key.private_key().ok_or_else(|| CliError::new("the key is not a private key"))?;
            let pt = private.decrypt(args.padding, label.as_deref(), &data).map_err(rsa_decrypt_failed)?;
            print_json(&PlainTextOut { plain_text: hex::encode_upper(&*pt) })
        }
    }
}

fn generate(args: GenerateArgs) -> Result<(), CliError> {
    let key = RsaPrivateKey::generate(args.bits)?;
    let public_key = key.public_key().to_pem()?;
    write_secret_file(&args.out, key.to_pem()?.as_bytes(), args.force)?;
    if let Some(path) = &args.jwk_out {
        let mut jwk = Jwk::from_private(key).with_use("enc");
        if let Some(kid) = &args.kid {
            jwk = jwk.with_kid(kid.clone());
        }
        let text = jwk.to_private_json()?.ok_or_else(|| CliError::new("the key has no private part"))?;
        let text = zeroize::Zeroizing::new(format!("{}\n", text.as_str()));
        write_secret_file(path, text.as_bytes(), args.force)?;
    }
    print_json(&GenerateOut {
        key_bits: args.bits,
        private_key_file: args.out.display().to_string(),
        jwk_file: args.jwk_out.map(|p| p.display().to_string()),
        kid: args.kid,
        public_key,
    })
}
