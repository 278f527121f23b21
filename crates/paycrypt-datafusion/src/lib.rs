//! paycrypt's operations as Apache DataFusion SQL functions.
//!
//! Each function is a thin adapter over [`paycrypt::service`]: per row it builds the AWS request from the
//! row's values and runs the same code as a single call (`paycrypt encrypt-data`, the server, `paycrypt
//! batch`), with the same key separation and the same errors. Arguments come in the AWS request's order;
//! attributes are the AWS JSON (a literal, or built per row with SQL string functions); results are as AWS
//! gives them (upper-case hex).
//!
//! | function | AWS operation | result |
//! |---|---|---|
//! | `encrypt_data(key_identifier, encryption_attributes, plain_text)` | EncryptData | `CipherText` |
//! | `decrypt_data(key_identifier, decryption_attributes, cipher_text)` | DecryptData | `PlainText` |
//! | `re_encrypt_data(incoming_key_identifier, incoming_encryption_attributes, outgoing_key_identifier, outgoing_encryption_attributes, cipher_text)` | ReEncryptData | `CipherText` |
//! | `kcv(algorithm, key_hex[, kcv_algorithm])` | none: `paycrypt kcv` | `KeyCheckValue` |
//! | `dukpt_derive_key(bdk_hex, ksn, usage[, derived_key_algorithm])` | none: `paycrypt dukpt derive-key` | `DerivedKey` |
//! | `kms_encrypt(key_id, plaintext[, encryption_context])` | KMS Encrypt | `CiphertextBlob` (base64) |
//! | `kms_decrypt(ciphertext_blob[, encryption_context])` | KMS Decrypt | `Plaintext` (base64) |
//! | `kms_re_encrypt(ciphertext_blob, destination_key_id[, source_encryption_context[, destination_encryption_context]])` | KMS ReEncrypt | `CiphertextBlob` (base64) |
//!
//! Each AWS operation's function has a `try_` form (`try_encrypt_data`, `try_kms_decrypt`, …) that
//! returns a struct `{value, error}` instead of failing the query: `error` is `An error occurred
//! (<Exception>) when calling the <Operation> operation: <message>`, as the AWS CLI prints it. The plain
//! form fails the query with the function's name, the row's place in its record batch and that same text:
//! `re_encrypt_data: row 17 of a record batch of 8192 rows: An error occurred (…) …`. A scalar function
//! sees one record batch, not where it sits in the input, so to locate rejects select the `try_` form
//! next to an id column of your own. A NULL argument gives a NULL result.
//!
//! The KMS functions take the members a call needs first and the optional encryption contexts after
//! them, each in the AWS request's order (SQL has no named arguments); a context is its JSON object.
//!
//! # Examples
//! ```
//! use std::sync::Arc;
//! use paycrypt::keys::MemoryStore;
//! use paycrypt::service::{ImportKeyInput, PaymentCryptography, Settings};
//! use datafusion::prelude::SessionContext;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let svc = Arc::new(PaymentCryptography::new(MemoryStore::new(), Settings::default()));
//! let import: ImportKeyInput = serde_json::from_str(r#"{"KeyMaterial":{"ClearKey":{
//!     "KeyAttributes":{"KeyAlgorithm":"AES_128","KeyClass":"SYMMETRIC_KEY",
//!         "KeyUsage":"TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY","KeyModesOfUse":{"NoRestrictions":true}},
//!     "KeyMaterial":"2B7E151628AED2A6ABF7158809CF4F3C"}}}"#)?;
//! let arn = svc.import_key(import)?.key.key_arn;
//! let ctx = SessionContext::new();
//! paycrypt_datafusion::register(&ctx, svc);
//! let sql = format!(r#"SELECT encrypt_data('{arn}', '{{"Symmetric":{{"Mode":"ECB"}}}}',
//!     '6BC1BEE22E409F96E93D7E117393172A') AS c"#);
//! let batches = ctx.sql(&sql).await?.collect().await?;
//! let text = datafusion::arrow::util::pretty::pretty_format_batches(&batches)?.to_string();
//! assert!(text.contains("3AD77BB40D7A3660A89ECAF32466EF97"));
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]

mod args;
mod data;
mod dukpt;
mod kcv;
mod kms;
mod output;
pub mod results;
pub mod script;

use std::path::Path;
use std::sync::Arc;

use datafusion::logical_expr::ScalarUDF;
use datafusion::prelude::SessionContext;
use paycrypt::keys::{FileStore, KeyStore, OpenOptions, StoreError, default_data_dir};
use paycrypt::service::kms::Kms;
use paycrypt::service::{PaymentCryptography, Settings};

pub use data::{DataFunction, DataOperation};
pub use dukpt::DukptDeriveKeyFunction;
pub use kcv::KcvFunction;
pub use kms::{KmsFunction, KmsFunctionKind};

/// AWS Payment Cryptography and AWS KMS over one key store.
pub struct Services<S> {
    /// AWS Payment Cryptography: the data-plane functions and `kcv`.
    pub payment: Arc<PaymentCryptography<Arc<S>>>,
    /// AWS KMS: `kms_encrypt`, `kms_decrypt`, `kms_re_encrypt`.
    pub kms: Arc<Kms<Arc<S>>>,
}

impl<S: KeyStore> Services<S> {
    /// Both services over `store`, in `settings`' region and account.
    pub fn new(store: S, settings: Settings) -> Self {
        let store = Arc::new(store);
        Services {
            payment: Arc::new(PaymentCryptography::new(Arc::clone(&store), settings.clone())),
            kms: Arc::new(Kms::new(store, settings)),
        }
    }
}

/// Opens the key store in `data_dir` (else [`default_data_dir`]: `PAYCRYPT_DATA_DIR`, …) with its master
/// key, as every `paycrypt` command does. Open it once per process and share it.
///
/// # Errors
/// The store's [`StoreError`]: no master key, locked by another process, sealed under another key.
pub fn open_services(data_dir: Option<&Path>) -> Result<Services<FileStore>, StoreError> {
    let dir = data_dir.map_or_else(default_data_dir, Path::to_path_buf);
    let store = FileStore::open(&dir, &OpenOptions::default())?;
    Ok(Services::new(store, Settings::default()))
}

/// The data-plane functions over `service`, the plain and the `try_` form of each operation, and the
/// calculators `kcv` and `dukpt_derive_key`.
pub fn functions<S: KeyStore + Send + Sync + 'static>(
    service: Arc<PaymentCryptography<S>>,
) -> Vec<ScalarUDF> {
    let mut functions: Vec<ScalarUDF> = DataOperation::ALL
        .into_iter()
        .flat_map(|op| [false, true].map(|try_form| (op, try_form)))
        .map(|(op, try_form)| ScalarUDF::from(DataFunction::new(op, try_form, Arc::clone(&service))))
        .collect();
    functions.push(ScalarUDF::from(KcvFunction::new()));
    functions.push(ScalarUDF::from(DukptDeriveKeyFunction::new()));
    functions
}

/// The KMS functions over `kms`: `kms_encrypt`, `kms_decrypt`, `kms_re_encrypt` and their `try_` forms.
pub fn kms_functions<S: KeyStore + Send + Sync + 'static>(kms: Arc<Kms<S>>) -> Vec<ScalarUDF> {
    KmsFunctionKind::ALL
        .into_iter()
        .flat_map(|kind| [false, true].map(|try_form| (kind, try_form)))
        .map(|(kind, try_form)| ScalarUDF::from(KmsFunction::new(kind, try_form, Arc::clone(&kms))))
        .collect()
}

/// Every function over `services`: [`functions`] and [`kms_functions`].
pub fn all_functions<S: KeyStore + Send + Sync + 'static>(services: &Services<S>) -> Vec<ScalarUDF> {
    let mut all = functions(Arc::clone(&services.payment));
    all.extend(kms_functions(Arc::clone(&services.kms)));
    all
}

/// Registers [`all_functions`] with `ctx`.
pub fn register_all<S: KeyStore + Send + Sync + 'static>(ctx: &SessionContext, services: &Services<S>) {
    for f in all_functions(services) {
        ctx.register_udf(f);
    }
}

/// Registers [`functions`] with `ctx`.
pub fn register<S: KeyStore + Send + Sync + 'static>(
    ctx: &SessionContext,
    service: Arc<PaymentCryptography<S>>,
) {
    for f in functions(service) {
        ctx.register_udf(f);
    }
}
