//! `paycrypt encrypt-data`, `decrypt-data`, `re-encrypt-data`: `aws payment-cryptography-data`'s
//! commands, same flags, same JSON.

use std::process::ExitCode;

use clap::Args;

use paycrypt::service::{DecryptDataInput, EncryptDataInput, ReEncryptDataInput};

use crate::cli::aws::{Failure, StoreArgs, backend, finish, json_arg, print};

/// `encrypt-data`.
#[derive(Args)]
pub(crate) struct EncryptDataArgs {
    /// The key: its ARN or an alias (alias/NAME)
    #[arg(long)]
    key_identifier: String,
    /// The plaintext, hex
    #[arg(long)]
    plain_text: String,
    /// JSON: {"Symmetric":{"Mode":"CBC","InitializationVector":"…"}}, {"Asymmetric":{…}} or {"Dukpt":{…}}
    #[arg(long)]
    encryption_attributes: String,
    /// JSON WrappedKey (not supported by paycrypt)
    #[arg(long)]
    wrapped_key: Option<String>,
    #[command(flatten)]
    store: StoreArgs,
}

/// `decrypt-data`.
#[derive(Args)]
pub(crate) struct DecryptDataArgs {
    /// The key: its ARN or an alias (alias/NAME)
    #[arg(long)]
    key_identifier: String,
    /// The ciphertext, hex
    #[arg(long)]
    cipher_text: String,
    /// JSON: {"Symmetric":{…}}, {"Asymmetric":{…}} or {"Dukpt":{…}}
    #[arg(long)]
    decryption_attributes: String,
    /// JSON WrappedKey (not supported by paycrypt)
    #[arg(long)]
    wrapped_key: Option<String>,
    #[command(flatten)]
    store: StoreArgs,
}

/// `re-encrypt-data`.
#[derive(Args)]
pub(crate) struct ReEncryptDataArgs {
    /// The key the ciphertext is under: ARN or alias
    #[arg(long)]
    incoming_key_identifier: String,
    /// The key to encrypt under: ARN or alias
    #[arg(long)]
    outgoing_key_identifier: String,
    /// The ciphertext, hex
    #[arg(long)]
    cipher_text: String,
    /// JSON: {"Symmetric":{…}} or {"Dukpt":{…}}
    #[arg(long)]
    incoming_encryption_attributes: String,
    /// JSON: {"Symmetric":{…}} or {"Dukpt":{…}}
    #[arg(long)]
    outgoing_encryption_attributes: String,
    #[command(flatten)]
    store: StoreArgs,
}

pub(crate) fn encrypt(args: EncryptDataArgs) -> ExitCode {
    finish(
        "EncryptData",
        (|| {
            let input = EncryptDataInput {
                key_identifier: args.key_identifier,
                plain_text: args.plain_text,
                encryption_attributes: json_arg("--encryption-attributes", &args.encryption_attributes)?,
                wrapped_key: args.wrapped_key.as_deref().map(|w| json_arg("--wrapped-key", w)).transpose()?,
            };
            print(&backend(&args.store)?.call("EncryptData", &input)?)
        })(),
    )
}

pub(crate) fn decrypt(args: DecryptDataArgs) -> ExitCode {
    finish(
        "DecryptData",
        (|| {
            let input = DecryptDataInput {
                key_identifier: args.key_identifier,
                cipher_text: args.cipher_text,
                decryption_attributes: json_arg("--decryption-attributes", &args.decryption_attributes)?,
                wrapped_key: args.wrapped_key.as_deref().map(|w| json_arg("--wrapped-key", w)).transpose()?,
            };
            print(&backend(&args.store)?.call("DecryptData", &input)?)
        })(),
    )
}

pub(crate) fn re_encrypt(args: ReEncryptDataArgs) -> ExitCode {
    finish(
        "ReEncryptData",
        (|| -> Result<(), Failure> {
            let input = ReEncryptDataInput {
                incoming_key_identifier: args.incoming_key_identifier,
                outgoing_key_identifier: args.outgoing_key_identifier,
                cipher_text: args.cipher_text,
                incoming_encryption_attributes: json_arg(
                    "--incoming-encryption-attributes",
                    &args.incoming_encryption_attributes,
                )?,
                outgoing_encryption_attributes: json_arg(
                    "--outgoing-encryption-attributes",
                    &args.outgoing_encryption_attributes,
                )?,
                incoming_wrapped_key: None,
                outgoing_wrapped_key: None,
            };
            print(&backend(&args.store)?.call("ReEncryptData", &input)?)
        })(),
    )
}
