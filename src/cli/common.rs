//! What every command shares: hex arguments, JSON output, error printing.

use std::fmt;
use std::io::Write;

use std::sync::OnceLock;

use serde::Serialize;

use crate::cli::failure::Failure;
use crate::cli::global::OutputFormat;
use crate::cli::output;

/// A failed command: what happened, and one line on what to do about it.
#[derive(Debug)]
pub(crate) struct CliError {
    message: String,
    hint: Option<String>,
}

impl CliError {
    /// An error with a message (a full sentence) and no hint.
    pub(crate) fn new(message: impl Into<String>) -> Self {
        CliError { message: message.into(), hint: None }
    }

    /// The message, without the hint.
    pub(crate) fn message(&self) -> &str {
        &self.message
    }

    /// Adds the `hint:` line.
    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = self.message.trim_end_matches('.');
        writeln!(f, "Error: {message}.")?;
        if let Some(hint) = &self.hint {
            writeln!(f, "hint: {hint}")?;
        }
        Ok(())
    }
}

impl From<paycrypt::CipherError> for CliError {
    fn from(err: paycrypt::CipherError) -> Self {
        let hint = match &err {
            paycrypt::CipherError::KeyLength { algorithm, .. } => {
                Some(format!("{algorithm} keys are {} hex digits", algorithm.key_len() * 2))
            }
            paycrypt::CipherError::IvLength { expected, .. } => {
                Some(format!("pass --iv with {} hex digits (one block)", expected * 2))
            }
            paycrypt::CipherError::IvMissing { .. } => {
                Some("pass --iv with one block of hex digits".to_owned())
            }
            paycrypt::CipherError::IvNotAllowed => Some("drop --iv for ECB".to_owned()),
            paycrypt::CipherError::PartialBlock { .. } => {
                Some("pad the data (--padding PKCS7) or use CFB or OFB".to_owned())
            }
            paycrypt::CipherError::ModeNotSupported { .. } => {
                Some("for TDES use CFB64 (or plain CFB) as the full-block CFB".to_owned())
            }
            _ => None,
        };
        CliError { message: err.to_string(), hint }
    }
}

/// Decodes a hex argument (either case). `flag` names it in the error.
pub(crate) fn hex_arg(flag: &str, value: &str) -> Result<Vec<u8>, CliError> {
    hex::decode(value).map_err(|err| {
        let why = match err {
            hex::FromHexError::OddLength => format!("an odd number of hex digits ({})", value.len()),
            hex::FromHexError::InvalidHexCharacter { c, index } => {
                format!("'{}' at position {} is not a hex digit", c.escape_default(), index + 1)
            }
            hex::FromHexError::InvalidStringLength => "the wrong length".to_owned(),
        };
        CliError::new(format!("{flag} is not valid hex: {why}"))
            .hint("give the value as hex digits 0-9 and A-F, two per byte")
    })
}

/// Decodes a hex data argument; `-` reads the hex from standard input (surrounding whitespace ignored).
pub(crate) fn hex_data_arg(flag: &str, value: &str) -> Result<Vec<u8>, CliError> {
    if value != "-" {
        return hex_arg(flag, value);
    }
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
        .map_err(|e| CliError::new(format!("cannot read {flag} from standard input: {e}")))?;
    hex_arg(flag, text.trim())
}

/// How paycrypt's own commands (`cipher`, `kcv`, `dukpt`, `rsa`, `jwe`) print their result: the
/// global `--output` and `--query`, and the table title. Set once by `cli::run` before the command runs.
pub(crate) struct OwnOutput {
    /// The title of `--output table`, e.g. `Kcv`.
    pub(crate) title: &'static str,
    /// `--output`.
    pub(crate) format: OutputFormat,
    /// `--query`.
    pub(crate) query: Option<String>,
}

static OWN_OUTPUT: OnceLock<OwnOutput> = OnceLock::new();

/// Sets how [`print_json`] prints, for this process.
pub(crate) fn set_own_output(output: OwnOutput) {
    let _ = OWN_OUTPUT.set(output);
}

/// Prints `value` to stdout as the AWS CLI prints JSON (indented by four spaces, one trailing newline),
/// or as `--output text|table` and `--query` ask, with the AWS CLI's rules.
pub(crate) fn print_json<T: Serialize>(value: &T) -> Result<(), CliError> {
    if let Some(own) = OWN_OUTPUT.get().filter(|o| o.format != OutputFormat::Json || o.query.is_some()) {
        let value =
            serde_json::to_value(value).map_err(|e| CliError::new(format!("cannot write JSON: {e}")))?;
        let response = output::Response::One(value);
        return output::print(
            output::Api::PaymentCryptography,
            own.title,
            response,
            own.format,
            own.query.as_deref(),
        )
        .map_err(|failure| match failure {
            Failure::Local(e) => e,
            _ => CliError::new("cannot print the result."),
        });
    }
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    value.serialize(&mut ser).map_err(|e| CliError::new(format!("cannot write JSON: {e}")))?;
    out.push(b'\n');
    std::io::stdout().write_all(&out).map_err(|e| CliError::new(format!("cannot write to stdout: {e}")))
}
