//! `kms_encrypt(key_id, plaintext[, encryption_context])` and `kms_decrypt(ciphertext_blob[,
//! encryption_context])`: AWS KMS Encrypt and Decrypt per row, blobs in base64 as AWS gives them, the
//! encryption context as its JSON object.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, StringBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{DataFusionError, Result, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, TypeSignature, Volatility,
};
use paycrypt::keys::KeyStore;
use paycrypt::service::kms::{Kms, KmsError, KmsOperation};
use serde_json::{Map, Value};

use crate::args::{Attributes, Text};

/// A KMS operation as a SQL function.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
pub enum KmsFunctionKind {
    /// `kms_encrypt(key_id, plaintext[, encryption_context])` → `CiphertextBlob`.
    Encrypt,
    /// `kms_decrypt(ciphertext_blob[, encryption_context])` → `Plaintext`.
    Decrypt,
}

impl KmsFunctionKind {
    /// Both.
    pub const ALL: [KmsFunctionKind; 2] = [KmsFunctionKind::Encrypt, KmsFunctionKind::Decrypt];

    fn name(self) -> &'static str {
        match self {
            KmsFunctionKind::Encrypt => "kms_encrypt",
            KmsFunctionKind::Decrypt => "kms_decrypt",
        }
    }

    /// (required arguments, the member of the response returned, AWS's operation name).
    fn shape(self) -> (usize, &'static str, &'static str) {
        match self {
            KmsFunctionKind::Encrypt => (2, "CiphertextBlob", "Encrypt"),
            KmsFunctionKind::Decrypt => (1, "Plaintext", "Decrypt"),
        }
    }
}

/// A KMS function over a shared [`Kms`].
pub struct KmsFunction<S> {
    kind: KmsFunctionKind,
    signature: Signature,
    kms: Arc<Kms<S>>,
}

impl<S: KeyStore> KmsFunction<S> {
    /// The function `kind` over `kms`.
    pub fn new(kind: KmsFunctionKind, kms: Arc<Kms<S>>) -> Self {
        let (required, _, _) = kind.shape();
        // Volatile: Encrypt draws a fresh IV each call.
        let signature = Signature::one_of(
            vec![TypeSignature::String(required), TypeSignature::String(required + 1)],
            Volatility::Volatile,
        );
        KmsFunction { kind, signature, kms }
    }

    fn row(
        &self,
        texts: &[Text],
        context: Option<&Attributes<Map<String, Value>>>,
        i: usize,
    ) -> Result<Option<String>, KmsError> {
        let (required, member, _) = self.kind.shape();
        let mut values = Vec::with_capacity(required);
        for t in texts.iter().take(required) {
            match t.get(i) {
                Some(v) => values.push(v),
                None => return Ok(None),
            }
        }
        let mut body = Map::new();
        match (self.kind, values.as_slice()) {
            (KmsFunctionKind::Encrypt, [key, plain]) => {
                body.insert("KeyId".into(), Value::from(*key));
                body.insert("Plaintext".into(), Value::from(*plain));
            }
            (KmsFunctionKind::Decrypt, [blob]) => {
                body.insert("CiphertextBlob".into(), Value::from(*blob));
            }
            _ => return Err(KmsError::Validation("wrong number of arguments.".into())),
        }
        if let Some(context) = context {
            match context.get("EncryptionContext", i).map_err(|e| KmsError::Validation(e.to_string()))? {
                Some(map) => {
                    body.insert("EncryptionContext".into(), Value::Object((*map).clone()));
                }
                None => return Ok(None),
            }
        }
        let op = match self.kind {
            KmsFunctionKind::Encrypt => KmsOperation::Encrypt,
            KmsFunctionKind::Decrypt => KmsOperation::Decrypt,
        };
        let out = self.kms.dispatch(op, Value::Object(body))?;
        Ok(out.get(member).and_then(Value::as_str).map(str::to_owned))
    }
}

impl<S: KeyStore + Send + Sync + 'static> ScalarUDFImpl for KmsFunction<S> {
    fn name(&self) -> &str {
        self.kind.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        let (required, _, _) = self.kind.shape();
        if !(required..=required + 1).contains(&arg_types.len()) {
            return plan_err!(
                "{} takes {required} or {} arguments, got {}",
                self.kind.name(),
                required + 1,
                arg_types.len()
            );
        }
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let name = self.kind.name();
        let (required, _, operation) = self.kind.shape();
        let texts =
            args.args.iter().take(required).map(|v| Text::new(name, v)).collect::<Result<Vec<_>>>()?;
        let context = match args.args.get(required) {
            Some(v) => Some(Attributes::new(name, "EncryptionContext", v)?),
            None => None,
        };
        let mut out = StringBuilder::with_capacity(args.number_rows, args.number_rows * 64);
        for i in 0..args.number_rows {
            match self.row(&texts, context.as_ref(), i) {
                Ok(v) => out.append_option(v),
                Err(e) => {
                    return Err(DataFusionError::Execution(format!(
                        "{name}, row {i}: An error occurred ({}) when calling the {operation} operation: {e}",
                        e.exception()
                    )));
                }
            }
        }
        let out: ArrayRef = Arc::new(out.finish());
        Ok(ColumnarValue::Array(out))
    }
}

impl<S> PartialEq for KmsFunction<S> {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind && Arc::ptr_eq(&self.kms, &other.kms)
    }
}

impl<S> Eq for KmsFunction<S> {}

impl<S> Hash for KmsFunction<S> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.kind.hash(state);
    }
}

impl<S> fmt::Debug for KmsFunction<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KmsFunction").field("name", &self.kind.name()).finish_non_exhaustive()
    }
}
