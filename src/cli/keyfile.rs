//! Reading and writing key files for the `rsa` and `jwe` commands, and their error messages.

use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::path::Path;

use paycrypt::DecryptError;
use paycrypt::jwe::JweError;
use paycrypt::rsa::{Jwks, KeyError};

use crate::cli::CliError;

/// Reads keys from `arg`: inline (a JWK/JWKS starting with `{`, or a PEM block), or a file path.
pub(crate) fn read_keys(flag: &str, arg: &str) -> Result<Jwks, CliError> {
    let trimmed = arg.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with("-----BEGIN") {
        return Ok(Jwks::parse(trimmed.as_bytes())?);
    }
    let bytes = zeroize::Zeroizing::new(std::fs::read(arg).map_err(|e| {
        CliError::new(format!("cannot read {flag} file '{arg}': {e}"))
            .hint("give a file with a PEM, DER, JWK or JWKS key, or the JWK/PEM text itself")
    })?);
    Ok(Jwks::parse(&bytes)?)
}

/// Reads all of stdin.
pub(crate) fn read_stdin() -> Result<Vec<u8>, CliError> {
    let mut input = Vec::new();
    std::io::stdin().read_to_end(&mut input).map_err(|e| CliError::new(format!("cannot read stdin: {e}")))?;
    Ok(input)
}

/// Reads stdin as UTF-8 text.
pub(crate) fn read_stdin_text(what: &str) -> Result<String, CliError> {
    String::from_utf8(read_stdin()?)
        .map_err(|_| CliError::new("stdin is not UTF-8 text").hint(format!("pipe the {what} on stdin")))
}

/// Writes bytes to stdout as they are.
pub(crate) fn write_stdout(bytes: &[u8]) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| CliError::new(format!("cannot write to stdout: {e}")))
}

/// Writes a secret file readable by its owner only (0600), refusing to replace one unless `force`.
pub(crate) fn write_secret_file(path: &Path, contents: &[u8], force: bool) -> Result<(), CliError> {
    let mut options = OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let shown = path.display();
    let mut file = options.open(path).map_err(|e| {
        let err = CliError::new(format!("cannot create '{shown}': {e}"));
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            err.hint("choose another path, or pass --force to replace the file")
        } else {
            err.hint("check that the directory exists and is writable")
        }
    })?;
    file.write_all(contents).map_err(|e| CliError::new(format!("cannot write '{shown}': {e}")))
}

impl From<KeyError> for CliError {
    fn from(err: KeyError) -> Self {
        let hint = match &err {
            KeyError::Malformed { .. } | KeyError::PemLabel { .. } => {
                "give an RSA key as PEM (PKCS#1, PKCS#8, SubjectPublicKeyInfo), DER, JWK or JWKS"
            }
            KeyError::JwkMember { .. } => "check the JWK against RFC 7518 section 6.3 (RSA keys)",
            KeyError::KeyTooSmall { .. } => {
                "use a key of 2048 bits or more (paycrypt rsa generate --bits 2048)"
            }
            KeyError::KeySize { .. } => "pass --bits 2048, 3072 or 4096",
            KeyError::NotPrivate { .. } => "pass the private key (PEM PRIVATE KEY, or a JWK with d, p, q)",
            KeyError::NotAllowed { .. } => "use a key whose use, key_ops and alg allow this operation",
            KeyError::KidNotFound { .. } => "pass --kid with one of the key set's kids, or the matching key",
            KeyError::KidRequired { .. } => "pass --kid to choose the key",
            KeyError::EmptyKeySet => "give a JWKS with at least one RSA key",
            KeyError::MessageTooLong { .. } => {
                "encrypt a shorter value, or use a larger key or a shorter hash"
            }
            KeyError::LabelNotAllowed { .. } => "drop --label, or use an OAEP padding",
            _ => "",
        };
        let out = CliError::new(err.to_string());
        if hint.is_empty() { out } else { out.hint(hint) }
    }
}

impl From<JweError> for CliError {
    fn from(err: JweError) -> Self {
        let hint = match &err {
            JweError::Key(key) => return CliError::from(key.clone()),
            JweError::Parts { .. } | JweError::Base64 { .. } | JweError::Header { .. } => {
                "pipe one compact JWE (header.key.iv.ciphertext.tag) on stdin"
            }
            JweError::AlgNotAllowed { .. } => "allow it with --alg if you trust it",
            JweError::EncNotAllowed { .. } => "allow it with --enc if you trust it",
            JweError::Decryption => "check that the JWE was made for this key and was not altered",
            JweError::Json { .. } => "pipe a JSON document on stdin",
            JweError::FieldNotFound { .. } => "check the --field names (a leading / makes a JSON pointer)",
            JweError::FieldNotString { .. } => {
                "only string values can be encrypted; select the strings inside"
            }
            _ => "",
        };
        let out = CliError::new(err.to_string());
        if hint.is_empty() { out } else { out.hint(hint) }
    }
}

/// The CLI message for a failed RSA decryption: nothing more than that it failed.
pub(crate) fn rsa_decrypt_failed(_: DecryptError) -> CliError {
    CliError::new("RSA decryption failed").hint("check the private key, --padding and --label")
}
