//! `paycrypt encrypt-data`, `decrypt-data`, `re-encrypt-data` (also spelled `paycrypt
//! payment-cryptography-data …`): `aws payment-cryptography-data`'s commands, same flags, same JSON.

use std::process::ExitCode;

use clap::{Args, Subcommand};

use paycrypt::service::{EncryptionDecryptionAttributes, ReEncryptionAttributes, WrappedKey};

use crate::cli::aws::{Body, Call, shaped_arg, text_arg};
use crate::cli::global::GlobalArgs;

/// The data plane's commands.
#[derive(Subcommand)]
#[allow(clippy::enum_variant_names)] // The variants name the AWS CLI's commands: encrypt-data, …
pub(crate) enum DataCommand {
    /// Encrypt data (aws payment-cryptography-data encrypt-data).
    EncryptData(EncryptDataArgs),
    /// Decrypt data (aws payment-cryptography-data decrypt-data).
    DecryptData(DecryptDataArgs),
    /// Re-encrypt data from one key to another (aws payment-cryptography-data re-encrypt-data).
    ReEncryptData(ReEncryptDataArgs),
}

/// `encrypt-data`.
#[derive(Args)]
pub(crate) struct EncryptDataArgs {
    /// The key: its ARN or an alias (alias/NAME)
    #[arg(long, required_unless_present = "cli_input_json")]
    key_identifier: Option<String>,
    /// The plaintext, hex
    #[arg(long, required_unless_present = "cli_input_json")]
    plain_text: Option<String>,
    /// JSON: {"Symmetric":{"Mode":"CBC","InitializationVector":"…"}}, {"Asymmetric":{…}} or {"Dukpt":{…}}
    #[arg(long, required_unless_present = "cli_input_json")]
    encryption_attributes: Option<String>,
    /// JSON WrappedKey: {"WrappedKeyMaterial":{"Tr31KeyBlock":"…"}}, the key as a TR-31 block under the KEK --key-identifier names
    #[arg(long)]
    wrapped_key: Option<String>,
}

/// `decrypt-data`.
#[derive(Args)]
pub(crate) struct DecryptDataArgs {
    /// The key: its ARN or an alias (alias/NAME)
    #[arg(long, required_unless_present = "cli_input_json")]
    key_identifier: Option<String>,
    /// The ciphertext, hex
    #[arg(long, required_unless_present = "cli_input_json")]
    cipher_text: Option<String>,
    /// JSON: {"Symmetric":{…}}, {"Asymmetric":{…}} or {"Dukpt":{…}}
    #[arg(long, required_unless_present = "cli_input_json")]
    decryption_attributes: Option<String>,
    /// JSON WrappedKey: {"WrappedKeyMaterial":{"Tr31KeyBlock":"…"}}, the key as a TR-31 block under the KEK --key-identifier names
    #[arg(long)]
    wrapped_key: Option<String>,
}

/// `re-encrypt-data`.
#[derive(Args)]
pub(crate) struct ReEncryptDataArgs {
    /// The key the ciphertext is under: ARN or alias
    #[arg(long, required_unless_present = "cli_input_json")]
    incoming_key_identifier: Option<String>,
    /// The key to encrypt under: ARN or alias
    #[arg(long, required_unless_present = "cli_input_json")]
    outgoing_key_identifier: Option<String>,
    /// The ciphertext, hex
    #[arg(long, required_unless_present = "cli_input_json")]
    cipher_text: Option<String>,
    /// JSON: {"Symmetric":{…}} or {"Dukpt":{…}}
    #[arg(long, required_unless_present = "cli_input_json")]
    incoming_encryption_attributes: Option<String>,
    /// JSON: {"Symmetric":{…}} or {"Dukpt":{…}}
    #[arg(long, required_unless_present = "cli_input_json")]
    outgoing_encryption_attributes: Option<String>,
    /// JSON WrappedKey: the incoming key as a TR-31 block under the KEK --incoming-key-identifier names
    #[arg(long)]
    incoming_wrapped_key: Option<String>,
    /// JSON WrappedKey: the outgoing key as a TR-31 block under the KEK --outgoing-key-identifier names
    #[arg(long)]
    outgoing_wrapped_key: Option<String>,
}

impl DataCommand {
    /// Runs the command.
    pub(crate) fn run(self, g: &GlobalArgs) -> ExitCode {
        match self {
            DataCommand::EncryptData(a) => Call {
                globals: g,
                operation: "EncryptData",
                required: &["KeyIdentifier", "PlainText", "EncryptionAttributes"],
            }
            .run(|| {
                Ok(Body::new()
                    .opt("KeyIdentifier", a.key_identifier)
                    .opt("PlainText", text_arg("--plain-text", a.plain_text)?)
                    .opt(
                        "EncryptionAttributes",
                        shaped_arg::<EncryptionDecryptionAttributes>(
                            "--encryption-attributes",
                            a.encryption_attributes.as_deref(),
                        )?,
                    )
                    .opt("WrappedKey", shaped_arg::<WrappedKey>("--wrapped-key", a.wrapped_key.as_deref())?)
                    .done())
            }),
            DataCommand::DecryptData(a) => Call {
                globals: g,
                operation: "DecryptData",
                required: &["KeyIdentifier", "CipherText", "DecryptionAttributes"],
            }
            .run(|| {
                Ok(Body::new()
                    .opt("KeyIdentifier", a.key_identifier)
                    .opt("CipherText", text_arg("--cipher-text", a.cipher_text)?)
                    .opt(
                        "DecryptionAttributes",
                        shaped_arg::<EncryptionDecryptionAttributes>(
                            "--decryption-attributes",
                            a.decryption_attributes.as_deref(),
                        )?,
                    )
                    .opt("WrappedKey", shaped_arg::<WrappedKey>("--wrapped-key", a.wrapped_key.as_deref())?)
                    .done())
            }),
            DataCommand::ReEncryptData(a) => Call {
                globals: g,
                operation: "ReEncryptData",
                required: &[
                    "IncomingKeyIdentifier",
                    "OutgoingKeyIdentifier",
                    "CipherText",
                    "IncomingEncryptionAttributes",
                    "OutgoingEncryptionAttributes",
                ],
            }
            .run(|| {
                Ok(Body::new()
                    .opt("IncomingKeyIdentifier", a.incoming_key_identifier)
                    .opt("OutgoingKeyIdentifier", a.outgoing_key_identifier)
                    .opt("CipherText", text_arg("--cipher-text", a.cipher_text)?)
                    .opt(
                        "IncomingEncryptionAttributes",
                        shaped_arg::<ReEncryptionAttributes>(
                            "--incoming-encryption-attributes",
                            a.incoming_encryption_attributes.as_deref(),
                        )?,
                    )
                    .opt(
                        "OutgoingEncryptionAttributes",
                        shaped_arg::<ReEncryptionAttributes>(
                            "--outgoing-encryption-attributes",
                            a.outgoing_encryption_attributes.as_deref(),
                        )?,
                    )
                    .opt(
                        "IncomingWrappedKey",
                        shaped_arg::<WrappedKey>(
                            "--incoming-wrapped-key",
                            a.incoming_wrapped_key.as_deref(),
                        )?,
                    )
                    .opt(
                        "OutgoingWrappedKey",
                        shaped_arg::<WrappedKey>(
                            "--outgoing-wrapped-key",
                            a.outgoing_wrapped_key.as_deref(),
                        )?,
                    )
                    .done())
            }),
        }
    }
}
