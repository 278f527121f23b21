//! `paycrypt jwe encrypt|decrypt|encrypt-fields|decrypt-fields`: compact JWE on stdin and stdout.

use clap::{Args, Subcommand};

use paycrypt::jwe::{self, AllowList, EncryptOptions, Field, JweAlg, JweEnc};
use paycrypt::rsa::KeyOp;

use crate::cli::CliError;
use crate::cli::keyfile::{read_keys, read_stdin, read_stdin_text, write_stdout};

#[derive(Subcommand)]
pub(crate) enum JweCommand {
    /// Encrypt stdin to a compact JWE (printed with a newline).
    Encrypt(EncryptArgs),
    /// Decrypt a compact JWE from stdin; prints the payload as it is.
    Decrypt(DecryptArgs),
    /// Replace the --field string values of the JSON on stdin with compact JWEs.
    EncryptFields(EncryptFieldsArgs),
    /// Decrypt the JWE values of the JSON document on stdin (all, or the --field ones).
    DecryptFields(DecryptFieldsArgs),
}

#[derive(Args)]
pub(crate) struct EncryptKeyArgs {
    /// The recipient's public key: a file (JWK, JWKS, PEM or DER) or inline JWK/PEM.
    #[arg(long)]
    key: String,
    /// The kid: chooses the key from a JWKS and goes into the header (default: the key's own kid).
    #[arg(long)]
    kid: Option<String>,
    /// Key encryption: RSA-OAEP-256 or RSA-OAEP.
    #[arg(long, default_value = "RSA-OAEP-256")]
    alg: JweAlg,
    /// Content encryption: A256GCM, A192GCM or A128GCM.
    #[arg(long, default_value = "A256GCM")]
    enc: JweEnc,
    /// A typ header member (e.g. JWE).
    #[arg(long)]
    typ: Option<String>,
    /// A cty header member (e.g. json).
    #[arg(long)]
    cty: Option<String>,
}

#[derive(Args)]
pub(crate) struct DecryptKeyArgs {
    /// The private key(s): a file (JWK, JWKS, PEM or DER) or inline JWK/PEM; the JWE's kid chooses.
    #[arg(long)]
    key: String,
    /// An accepted alg; repeat for several (default: RSA-OAEP-256 and RSA-OAEP).
    #[arg(long = "alg")]
    algs: Vec<JweAlg>,
    /// An accepted enc; repeat for several (default: A256GCM, A192GCM and A128GCM).
    #[arg(long = "enc")]
    encs: Vec<JweEnc>,
}

#[derive(Args)]
pub(crate) struct EncryptArgs {
    #[command(flatten)]
    key: EncryptKeyArgs,
}

#[derive(Args)]
pub(crate) struct DecryptArgs {
    #[command(flatten)]
    key: DecryptKeyArgs,
}

#[derive(Args)]
pub(crate) struct EncryptFieldsArgs {
    #[command(flatten)]
    key: EncryptKeyArgs,
    /// A member name (every member so named) or a JSON pointer (starting with /); repeat for several.
    #[arg(long = "field", required = true)]
    fields: Vec<String>,
}

#[derive(Args)]
pub(crate) struct DecryptFieldsArgs {
    #[command(flatten)]
    key: DecryptKeyArgs,
    /// A member name or JSON pointer to decrypt; repeat for several (default: every compact JWE).
    #[arg(long = "field")]
    fields: Vec<String>,
}

pub(crate) fn run(cmd: JweCommand) -> Result<(), CliError> {
    match cmd {
        JweCommand::Encrypt(args) => {
            let (key, options) = encrypt_key(&args.key)?;
            let payload = zeroize::Zeroizing::new(read_stdin()?);
            let token = jwe::encrypt(&payload, &key, &options)?;
            write_stdout(format!("{token}\n").as_bytes())
        }
        JweCommand::Decrypt(args) => {
            let (keys, allow) = decrypt_keys(&args.key)?;
            let token = read_stdin_text("compact JWE")?;
            let out = jwe::decrypt(&token, &keys, &allow)?;
            write_stdout(&out.payload)
        }
        JweCommand::EncryptFields(args) => {
            let (key, options) = encrypt_key(&args.key)?;
            let doc = zeroize::Zeroizing::new(read_stdin_text("JSON document")?);
            let fields: Vec<Field> = args.fields.iter().map(|f| Field::parse(f)).collect();
            let out = jwe::encrypt_fields(&doc, &fields, &key, &options)?;
            write_stdout(out.as_bytes())
        }
        JweCommand::DecryptFields(args) => {
            let (keys, allow) = decrypt_keys(&args.key)?;
            let doc = read_stdin_text("JSON document")?;
            let fields: Vec<Field> = args.fields.iter().map(|f| Field::parse(f)).collect();
            let out = jwe::decrypt_fields(&doc, &fields, &keys, &allow)?;
            write_stdout(out.as_bytes())
        }
    }
}

fn encrypt_key(args: &EncryptKeyArgs) -> Result<(paycrypt::rsa::Jwk, EncryptOptions), CliError> {
    let keys = read_keys("--key", &args.key)?;
    let key = keys.select(args.kid.as_deref(), KeyOp::Encrypt, args.alg.name())?.clone();
    let options = EncryptOptions {
        alg: args.alg,
        enc: args.enc,
        kid: args.kid.clone(),
        typ: args.typ.clone(),
        cty: args.cty.clone(),
    };
    Ok((key, options))
}

fn decrypt_keys(args: &DecryptKeyArgs) -> Result<(paycrypt::rsa::Jwks, AllowList), CliError> {
    let keys = read_keys("--key", &args.key)?;
    let algs = if args.algs.is_empty() { JweAlg::ALL.to_vec() } else { args.algs.clone() };
    let encs = if args.encs.is_empty() { JweEnc::ALL.to_vec() } else { args.encs.clone() };
    Ok((keys, AllowList::new(&algs, &encs)))
}
