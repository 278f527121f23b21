//! `kms_encrypt`, `kms_decrypt`, `kms_re_encrypt` and their `try_` forms: AWS KMS Encrypt, Decrypt and
//! ReEncrypt per row, blobs in base64 as AWS gives them, an encryption context as its JSON object.
//!
//! Arguments follow the AWS request's member order, with one change SQL forces: a SQL function has no
//! named arguments, so the members a call needs come first and the optional ones (the encryption
//! contexts) after them, each list in AWS's order. ReEncrypt's request is `CiphertextBlob,
//! SourceEncryptionContext, SourceKeyId, DestinationKeyId, DestinationEncryptionContext, …`; the function
//! is `kms_re_encrypt(ciphertext_blob, destination_key_id[, source_encryption_context[,
//! destination_encryption_context]])` (`'{}'` is an empty context, for a destination context alone).

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, TypeSignature, Volatility,
};
use paycrypt::keys::KeyStore;
use paycrypt::service::kms::{Kms, KmsError, KmsOperation};
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::args::{Attributes, Text};
use crate::output::{self, Output, aws_error};

/// A KMS operation as a SQL function.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
pub enum KmsFunctionKind {
    /// `kms_encrypt(key_id, plaintext[, encryption_context])` → `CiphertextBlob`.
    Encrypt,
    /// `kms_decrypt(ciphertext_blob[, encryption_context])` → `Plaintext`.
    Decrypt,
    /// `kms_re_encrypt(ciphertext_blob, destination_key_id[, source_encryption_context[,
    /// destination_encryption_context]])` → `CiphertextBlob`.
    ReEncrypt,
}

impl KmsFunctionKind {
    /// Every one.
    pub const ALL: [KmsFunctionKind; 3] =
        [KmsFunctionKind::Encrypt, KmsFunctionKind::Decrypt, KmsFunctionKind::ReEncrypt];

    /// The SQL function's name (the plain form).
    pub fn function_name(self) -> &'static str {
        match self {
            KmsFunctionKind::Encrypt => "kms_encrypt",
            KmsFunctionKind::Decrypt => "kms_decrypt",
            KmsFunctionKind::ReEncrypt => "kms_re_encrypt",
        }
    }

    /// The KMS operation.
    pub fn operation(self) -> KmsOperation {
        match self {
            KmsFunctionKind::Encrypt => KmsOperation::Encrypt,
            KmsFunctionKind::Decrypt => KmsOperation::Decrypt,
            KmsFunctionKind::ReEncrypt => KmsOperation::ReEncrypt,
        }
    }

    /// The request members the arguments fill, in argument order: (required members, optional
    /// encryption contexts after them).
    fn members(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            KmsFunctionKind::Encrypt => (&["KeyId", "Plaintext"], &["EncryptionContext"]),
            KmsFunctionKind::Decrypt => (&["CiphertextBlob"], &["EncryptionContext"]),
            KmsFunctionKind::ReEncrypt => (
                &["CiphertextBlob", "DestinationKeyId"],
                &["SourceEncryptionContext", "DestinationEncryptionContext"],
            ),
        }
    }

    /// The response member the function returns.
    fn result_member(self) -> &'static str {
        match self {
            KmsFunctionKind::Encrypt | KmsFunctionKind::ReEncrypt => "CiphertextBlob",
            KmsFunctionKind::Decrypt => "Plaintext",
        }
    }
}

/// A KMS function, plain or `try_`, over a shared [`Kms`].
pub struct KmsFunction<S> {
    kind: KmsFunctionKind,
    try_form: bool,
    name: String,
    signature: Signature,
    kms: Arc<Kms<S>>,
}

impl<S: KeyStore> KmsFunction<S> {
    /// The function `kind` over `kms`; `try_form` gives `try_<name>`, which returns `{value, error}`
    /// instead of failing.
    pub fn new(kind: KmsFunctionKind, try_form: bool, kms: Arc<Kms<S>>) -> Self {
        let name =
            if try_form { format!("try_{}", kind.function_name()) } else { kind.function_name().to_owned() };
        let (required, optional) = kind.members();
        let arities = required.len()..=required.len() + optional.len();
        // Volatile: Encrypt and ReEncrypt draw a fresh IV each call.
        let signature = Signature::one_of(arities.map(TypeSignature::String).collect(), Volatility::Volatile);
        KmsFunction { kind, try_form, name, signature, kms }
    }

    /// One row: `Ok(None)` when an argument is NULL.
    fn row(
        &self,
        texts: &[Text],
        contexts: &[Attributes<Map<String, Value>>],
        i: usize,
    ) -> Result<Option<Zeroizing<String>>, KmsError> {
        let (required, optional) = self.kind.members();
        let mut body = Map::new();
        for (member, text) in required.iter().zip(texts) {
            let Some(value) = text.get(i) else { return Ok(None) };
            body.insert((*member).to_owned(), Value::from(value));
        }
        for (member, context) in optional.iter().zip(contexts) {
            let map = context.get(member, i).map_err(|e| KmsError::Validation(e.to_string()))?;
            let Some(map) = map else { return Ok(None) };
            body.insert((*member).to_owned(), Value::Object((*map).clone()));
        }
        let out = self.kms.dispatch(self.kind.operation(), Value::Object(body))?;
        let member = self.kind.result_member();
        match out.get(member).and_then(Value::as_str) {
            Some(v) => Ok(Some(Zeroizing::new(v.to_owned()))),
            None => Err(KmsError::Internal(format!("the response has no {member}."))),
        }
    }
}

impl<S: KeyStore + Send + Sync + 'static> ScalarUDFImpl for KmsFunction<S> {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        let (required, optional) = self.kind.members();
        let most = required.len() + optional.len();
        if !(required.len()..=most).contains(&arg_types.len()) {
            return plan_err!(
                "{} takes {} to {most} arguments, got {}",
                self.name,
                required.len(),
                arg_types.len()
            );
        }
        Ok(output::return_type(self.try_form))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let name = self.name.as_str();
        let (required, optional) = self.kind.members();
        let (texts, contexts) = args.args.split_at(required.len().min(args.args.len()));
        let texts = texts.iter().map(|v| Text::new(name, v)).collect::<Result<Vec<_>>>()?;
        let contexts = optional
            .iter()
            .zip(contexts)
            .map(|(member, v)| Attributes::new(name, member, v))
            .collect::<Result<Vec<_>>>()?;
        let operation = self.kind.operation().as_str();
        let mut output = Output::new(name, self.try_form, args.number_rows, 64);
        for i in 0..args.number_rows {
            let row = self.row(&texts, &contexts, i).map_err(|e| aws_error(e.exception(), operation, &e));
            output.push(i, row)?;
        }
        output.finish()
    }
}

impl<S> PartialEq for KmsFunction<S> {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && Arc::ptr_eq(&self.kms, &other.kms)
    }
}

impl<S> Eq for KmsFunction<S> {}

impl<S> Hash for KmsFunction<S> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl<S> fmt::Debug for KmsFunction<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KmsFunction").field("name", &self.name).finish_non_exhaustive()
    }
}
