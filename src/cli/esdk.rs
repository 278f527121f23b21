//! `paycrypt esdk encrypt|decrypt`: AWS Encryption SDK messages, as `aws-encryption-cli` makes and
//! reads them, under KMS keys (the key store's, or an endpoint's with `--endpoint-url`) and raw AES
//! wrapping keys.
//!
//! Encryption streams the input frame by frame. Decryption writes the plaintext only once every frame
//! and the signature verified: to a file through `FILE.paycrypt-partial`, renamed into place on
//! success and removed on failure; to standard output from a buffer, after verification.
//!
//! Exit codes, as paycrypt's own commands: 0 ok, 1 failure (`Error: …` and a `hint:` line on
//! stderr; a KMS error keeps its AWS exception name), 2 usage.

use std::io::{Read, Write};

use base64ct::{Base64, Encoding};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Map, Value, json};
use zeroize::Zeroizing;

use paycrypt::esdk::{
    self, CommitmentPolicy, DecryptOptions, EncryptOptions, EncryptionContext, Encryptor, EsdkError, Keyring,
    KmsKeyring, MessageInfo, MultiKeyring, RawAesKeyring, Suite,
};

use crate::cli::CliError;
use crate::cli::esdk_io::{
    Base64Writer, HeadTee, Output, input_name, open_input, read_error, write_error, write_stdout,
};
use crate::cli::global::GlobalArgs;
use crate::cli::kms_client::{CONNECTION_ERROR, CliKms, setup_error};

/// The `esdk` subcommands.
#[derive(Subcommand)]
pub(crate) enum EsdkCommand {
    /// Encrypt a file or standard input to an AWS Encryption SDK message.
    Encrypt(EncryptArgs),
    /// Decrypt an AWS Encryption SDK message; the plaintext is written only once it verified.
    Decrypt(DecryptArgs),
}

/// The wrapping keys.
#[derive(Args)]
#[group(required = true, multiple = true)]
pub(crate) struct KeyArgs {
    /// A KMS key: key id, key ARN, alias name or alias ARN; repeatable (the first generates the data
    /// key)
    #[arg(long = "key-id", value_name = "ID")]
    key_ids: Vec<String>,
    /// A raw AES wrapping key (16, 24 or 32 bytes): namespace=NS,name=NAME,key=BASE64 or
    /// namespace=NS,name=NAME,key-file=PATH; repeatable, and combinable with --key-id
    #[arg(long = "raw-aes-key", value_name = "SPEC")]
    raw_aes_keys: Vec<String>,
}

/// Where the message or plaintext comes from and goes to.
#[derive(Args)]
pub(crate) struct IoArgs {
    /// The input file; - for standard input
    #[arg(long, value_name = "FILE", default_value = "-")]
    input: String,
    /// The output file (written beside as FILE.paycrypt-partial, renamed when done); - for standard
    /// output. `--output FILE` works too: a value other than json, text or table names the file
    #[arg(long = "output-file", value_name = "FILE", default_value = "-")]
    output_file: String,
    /// Write the message's header (suite, message id, encryption context, wrapping keys, frame
    /// length) as JSON to FILE; - for standard output
    #[arg(long, value_name = "FILE")]
    metadata_output: Option<String>,
}

/// `esdk encrypt`.
#[derive(Args)]
pub(crate) struct EncryptArgs {
    #[command(flatten)]
    keys: KeyArgs,
    #[command(flatten)]
    io: IoArgs,
    /// A pair bound to the message: KEY=VALUE; repeatable
    #[arg(long, value_name = "KEY=VALUE", num_args = 1..)]
    encryption_context: Vec<String>,
    /// The algorithm suite: a name such as AES_256_GCM_HKDF_SHA512_COMMIT_KEY, or its id (0x0478)
    #[arg(long, value_name = "NAME|0xNNNN", default_value = "0x0578")]
    algorithm: String,
    /// The plaintext bytes in each frame
    #[arg(long, value_name = "N", default_value_t = 4096)]
    frame_length: u32,
    /// Write the message as base64 (one line)
    #[arg(long)]
    base64: bool,
}

/// `esdk decrypt`.
#[derive(Args)]
pub(crate) struct DecryptArgs {
    #[command(flatten)]
    keys: KeyArgs,
    #[command(flatten)]
    io: IoArgs,
    /// A pair the message's encryption context must hold: KEY=VALUE; repeatable
    #[arg(long, value_name = "KEY=VALUE", num_args = 1..)]
    encryption_context: Vec<String>,
    /// Whether messages without key commitment are refused
    #[arg(long, value_enum, default_value_t = PolicyArg::RequireEncryptRequireDecrypt)]
    commitment_policy: PolicyArg,
    /// Refuse a message with more encrypted data keys than this
    #[arg(long, value_name = "N")]
    max_encrypted_data_keys: Option<u16>,
    /// The input is base64 (whitespace and newlines are ignored)
    #[arg(long)]
    base64: bool,
}

/// `--commitment-policy`.
#[derive(Clone, Copy, Debug, Eq, PartialEq, ValueEnum)]
pub(crate) enum PolicyArg {
    /// Encrypt with key commitment; decrypt only messages with it.
    RequireEncryptRequireDecrypt,
    /// Encrypt with key commitment; decrypt messages without it too.
    RequireEncryptAllowDecrypt,
}

/// Runs an `esdk` command.
pub(crate) fn run(cmd: EsdkCommand, g: &GlobalArgs) -> Result<(), CliError> {
    match cmd {
        EsdkCommand::Encrypt(args) => encrypt(&args, g),
        EsdkCommand::Decrypt(args) => decrypt(&args, g),
    }
}

fn encrypt(args: &EncryptArgs, g: &GlobalArgs) -> Result<(), CliError> {
    let suite = Suite::from_name(&args.algorithm).ok_or_else(|| {
        CliError::new(format!("--algorithm {} is not an AWS Encryption SDK algorithm suite", args.algorithm))
            .hint("use AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384 (0x0578, the default) or AES_256_GCM_HKDF_SHA512_COMMIT_KEY (0x0478)")
    })?;
    let context = context_arg(&args.encryption_context)?;
    let keys = Keys::open(&args.keys, g)?;
    keys.keyrings()?.with(|keyring| {
        let options = EncryptOptions { suite, frame_length: args.frame_length, context };
        let mut input = open_input(&args.io.input)?;
        let mut output = Output::create(&args.io.output_file, false)?;
        let info = if args.base64 {
            let mut b64 = Base64Writer::new(output.writer());
            let info = encrypt_stream(&mut input, &mut b64, keyring, &options, &args.io.input)?;
            b64.finish().map_err(|e| write_error(&args.io.output_file, &e))?;
            info
        } else {
            encrypt_stream(&mut input, output.writer(), keyring, &options, &args.io.input)?
        };
        output.commit()?;
        write_metadata(args.io.metadata_output.as_deref(), &info)
    })
}

/// Encrypts `input` onto `sink` frame by frame; returns the header of the message written.
fn encrypt_stream(
    input: &mut dyn Read,
    sink: &mut dyn Write,
    keyring: &dyn Keyring,
    options: &EncryptOptions,
    input_flag: &str,
) -> Result<MessageInfo, CliError> {
    let mut head = HeadTee::new(sink);
    {
        let mut encryptor =
            Encryptor::new(&mut head, keyring, options).map_err(|e| esdk_error(&e, "encrypt"))?;
        let mut buf = Zeroizing::new(vec![0u8; 64 * 1024]);
        loop {
            let n = input.read(&mut buf).map_err(|e| read_error(input_flag, &e))?;
            if n == 0 {
                break;
            }
            encryptor.update(&buf[..n]).map_err(|e| esdk_error(&e, "encrypt"))?;
        }
        encryptor.finish().map_err(|e| esdk_error(&e, "encrypt"))?;
    }
    esdk::parse_header(head.head()).map_err(|e| esdk_error(&e, "encrypt"))
}

fn decrypt(args: &DecryptArgs, g: &GlobalArgs) -> Result<(), CliError> {
    let required = context_arg(&args.encryption_context)?;
    let keys = Keys::open(&args.keys, g)?;
    keys.keyrings()?.with(|keyring| {
        let options = DecryptOptions {
            commitment_policy: match args.commitment_policy {
                PolicyArg::RequireEncryptRequireDecrypt => CommitmentPolicy::RequireEncryptRequireDecrypt,
                PolicyArg::RequireEncryptAllowDecrypt => CommitmentPolicy::RequireEncryptAllowDecrypt,
            },
            max_encrypted_data_keys: args.max_encrypted_data_keys,
            required_context: required.clone(),
        };
        let mut input: Box<dyn Read> = if args.base64 {
            let mut text = String::new();
            open_input(&args.io.input)?
                .read_to_string(&mut text)
                .map_err(|e| read_error(&args.io.input, &e))?;
            let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            let bytes = Base64::decode_vec(&compact).map_err(|_| {
                CliError::new(format!("{} is not valid base64", input_name(&args.io.input)))
                    .hint("drop --base64 for a binary message")
            })?;
            Box::new(std::io::Cursor::new(bytes))
        } else {
            open_input(&args.io.input)?
        };
        let info = if args.io.output_file == "-" {
            let mut plaintext = Zeroizing::new(Vec::new());
            let info = esdk::decrypt_stream(&mut input, &mut *plaintext, keyring, &options)
                .map_err(|e| esdk_error(&e, "decrypt"))?;
            check_context(&info, &required)?;
            write_stdout(&plaintext)?;
            info
        } else {
            let mut output = Output::create(&args.io.output_file, true)?;
            let info = esdk::decrypt_stream(&mut input, output.writer(), keyring, &options)
                .map_err(|e| esdk_error(&e, "decrypt"))?;
            check_context(&info, &required)?;
            output.commit()?;
            info
        };
        write_metadata(args.io.metadata_output.as_deref(), &info)
    })
}

/// The wrapping keys of the flags: the KMS (opened only for `--key-id`) and the raw AES keys.
struct Keys {
    kms: Option<(CliKms, Vec<String>)>,
    raw: Vec<RawKeySpec>,
}

/// The keyrings built over [`Keys`]: KMS first, so that it generates the data key.
struct Keyrings<'a> {
    kms: Option<KmsKeyring<&'a CliKms>>,
    raw: Vec<RawAesKeyring>,
}

impl Keys {
    fn open(args: &KeyArgs, g: &GlobalArgs) -> Result<Self, CliError> {
        let raw = args.raw_aes_keys.iter().map(|s| RawKeySpec::parse(s)).collect::<Result<Vec<_>, _>>()?;
        let kms = if args.key_ids.is_empty() {
            None
        } else {
            Some((CliKms::open(g).map_err(setup_error)?, args.key_ids.clone()))
        };
        Ok(Keys { kms, raw })
    }

    fn keyrings(&self) -> Result<Keyrings<'_>, CliError> {
        let kms = match &self.kms {
            Some((client, ids)) => Some(KmsKeyring::new(client, ids.clone()).map_err(|e| {
                CliError::new(format!("--key-id: {e}"))
                    .hint("give a key id, key ARN, alias name or alias ARN")
            })?),
            None => None,
        };
        let raw = self
            .raw
            .iter()
            .map(|spec| {
                RawAesKeyring::new(&spec.namespace, &spec.name, &spec.key).map_err(|e| {
                    CliError::new(format!(
                        "--raw-aes-key namespace={},name={}: {e}",
                        spec.namespace, spec.name
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Keyrings { kms, raw })
    }
}

impl Keyrings<'_> {
    /// Runs `f` with the one keyring, or with a multi-keyring over all of them (KMS first).
    fn with<T>(&self, f: impl FnOnce(&dyn Keyring) -> T) -> T {
        match self.list().as_slice() {
            [one] => f(*one),
            list => f(&MultiKeyring(list.to_vec())),
        }
    }

    fn list(&self) -> Vec<&dyn Keyring> {
        let mut list: Vec<&dyn Keyring> = Vec::with_capacity(1 + self.raw.len());
        if let Some(kms) = &self.kms {
            list.push(kms);
        }
        list.extend(self.raw.iter().map(|k| k as &dyn Keyring));
        list
    }
}

/// One `--raw-aes-key`.
struct RawKeySpec {
    namespace: String,
    name: String,
    key: Zeroizing<Vec<u8>>,
}

impl RawKeySpec {
    /// Parses `namespace=NS,name=NAME,key=BASE64` (or `key-file=PATH`, the raw bytes or their base64).
    fn parse(spec: &str) -> Result<Self, CliError> {
        let hint = "give --raw-aes-key namespace=NS,name=NAME,key=BASE64 (or key-file=PATH)";
        let (mut namespace, mut name, mut key) = (None, None, None);
        for part in spec.split(',').filter(|p| !p.is_empty()) {
            let Some((field, value)) = part.split_once('=') else {
                return Err(CliError::new(format!(
                    "--raw-aes-key: '{}' is not FIELD=VALUE",
                    field_shown(part)
                ))
                .hint(hint));
            };
            let slot = match field {
                "namespace" => &mut namespace,
                "name" => &mut name,
                "key" | "key-file" => &mut key,
                other => {
                    return Err(CliError::new(format!("--raw-aes-key: unknown field '{other}'")).hint(hint));
                }
            };
            if slot.is_some() {
                return Err(CliError::new(format!("--raw-aes-key: {field} given twice")).hint(hint));
            }
            *slot = Some((field, value));
        }
        let (Some((_, namespace)), Some((_, name)), Some((field, value))) = (namespace, name, key) else {
            return Err(CliError::new("--raw-aes-key needs namespace, name and key (or key-file)").hint(hint));
        };
        let key = if field == "key" {
            Zeroizing::new(Base64::decode_vec(value).map_err(|_| {
                CliError::new(format!(
                    "--raw-aes-key namespace={namespace},name={name}: key is not valid base64"
                ))
                .hint(hint)
            })?)
        } else {
            let bytes =
                Zeroizing::new(std::fs::read(value).map_err(|e| {
                    CliError::new(format!("cannot read the key file {value}: {e}")).hint(hint)
                })?);
            if matches!(bytes.len(), 16 | 24 | 32) {
                bytes
            } else {
                let text = Zeroizing::new(String::from_utf8_lossy(&bytes).trim().to_owned());
                Zeroizing::new(Base64::decode_vec(&text).map_err(|_| {
                    CliError::new(format!(
                        "the key file {value} holds neither 16, 24 or 32 bytes nor their base64"
                    ))
                    .hint(hint)
                })?)
            }
        };
        Ok(RawKeySpec { namespace: namespace.to_owned(), name: name.to_owned(), key })
    }
}

/// The start of a malformed `--raw-aes-key` part, without what could be key material.
fn field_shown(part: &str) -> String {
    part.chars().take(12).collect::<String>() + if part.chars().count() > 12 { "…" } else { "" }
}

/// `--encryption-context KEY=VALUE …` as a context.
fn context_arg(pairs: &[String]) -> Result<EncryptionContext, CliError> {
    let mut context = EncryptionContext::new();
    for pair in pairs {
        let Some((k, v)) = pair.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            return Err(CliError::new(format!("--encryption-context {pair} is not KEY=VALUE"))
                .hint("give each pair as KEY=VALUE, e.g. --encryption-context purpose=test"));
        };
        if context.insert(k.to_owned(), v.to_owned()).is_some() {
            return Err(CliError::new(format!("--encryption-context names {k} twice")));
        }
    }
    Ok(context)
}

/// Refuses a message whose context lacks a required pair.
fn check_context(info: &MessageInfo, required: &EncryptionContext) -> Result<(), CliError> {
    for (k, v) in required {
        if info.context.get(k) != Some(v) {
            return Err(CliError::new(format!("the message's encryption context does not hold {k}={v}"))
                .hint("check --encryption-context against the message's (see --metadata-output)"));
        }
    }
    Ok(())
}

/// The header as `--metadata-output` prints it.
fn metadata(info: &MessageInfo) -> Value {
    let keys: Vec<Value> = info
        .encrypted_data_keys
        .iter()
        .map(|edk| {
            let mut key = Map::new();
            key.insert("providerId".into(), json!(edk.provider_id));
            match std::str::from_utf8(&edk.provider_info) {
                Ok(text) if !text.chars().any(char::is_control) => {
                    key.insert("providerInfo".into(), json!(text));
                }
                _ => {
                    key.insert("providerInfoBase64".into(), json!(Base64::encode_string(&edk.provider_info)));
                }
            }
            Value::Object(key)
        })
        .collect();
    json!({
        "algorithm": info.suite.name(),
        "algorithmId": format!("0x{:04X}", info.suite.id()),
        "messageId": Base64::encode_string(&info.message_id),
        "encryptionContext": info.context,
        "wrappingKeys": keys,
        "frameLength": info.frame_length,
    })
}

fn write_metadata(target: Option<&str>, info: &MessageInfo) -> Result<(), CliError> {
    let Some(target) = target else { return Ok(()) };
    let mut text = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut text, formatter);
    serde::Serialize::serialize(&metadata(info), &mut ser)
        .map_err(|e| CliError::new(format!("cannot write JSON: {e}")))?;
    text.push(b'\n');
    if target == "-" {
        write_stdout(&text)
    } else {
        std::fs::write(target, &text).map_err(|e| write_error(target, &e))
    }
}

/// The CLI error for a failed ESDK operation.
fn esdk_error(e: &EsdkError, doing: &str) -> CliError {
    if let EsdkError::Kms(call) = e {
        let err = CliError::new(format!(
            "AWS KMS refused ({}): {}",
            call.exception,
            call.message.trim_end_matches('.')
        ));
        return match call.exception.as_str() {
            CONNECTION_ERROR => CliError::new(format!("AWS KMS could not be called: {}", call.message))
                .hint("is `paycrypt serve` running at --endpoint-url?"),
            "NotFoundException" => {
                err.hint("check --key-id: the key or alias must exist (paycrypt kms list-aliases)")
            }
            "DisabledException" => err.hint("enable the key: paycrypt kms enable-key --key-id …"),
            "KMSInvalidStateException" => {
                err.hint("the key is pending deletion: paycrypt kms cancel-key-deletion --key-id …")
            }
            _ => err,
        };
    }
    let err = CliError::new(format!("cannot {doing}: {e}"));
    match e {
        EsdkError::SuiteNotAllowed(_) if doing == "encrypt" => {
            err.hint("encrypt with a committing suite: 0x0578 (the default) or 0x0478")
        }
        EsdkError::SuiteNotAllowed(_) => {
            err.hint("--commitment-policy require-encrypt-allow-decrypt reads messages without key commitment")
        }
        EsdkError::RequiredContextMismatch(_) => {
            err.hint("check --encryption-context against the message's (see --metadata-output)")
        }
        EsdkError::NoKeyringUnwrapped { .. } => err.hint(
            "give a wrapping key the message was encrypted for: its KMS key, or a raw AES key of the same namespace and name",
        ),
        EsdkError::InvalidKey => err.hint("a raw AES key is 16, 24 or 32 bytes"),
        EsdkError::Io(_) => err,
        _ if doing == "decrypt" => err.hint(
            "check that the input is an AWS Encryption SDK message (pass --base64 for base64 text) and was not altered",
        ),
        _ => err,
    }
}
