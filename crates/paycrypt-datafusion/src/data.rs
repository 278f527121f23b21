//! `encrypt_data`, `decrypt_data`, `re_encrypt_data` and their `try_` forms: the data-plane operations
//! over Arrow arrays, one [`DataSession`] per record batch (keys resolved once, DUKPT derivations cached).

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::{DataFusionError, Result, plan_err};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility};
use paycrypt::keys::KeyStore;
use paycrypt::service::{
    DataSession, DecryptDataInput, EncryptDataInput, EncryptionDecryptionAttributes, PaymentCryptography,
    Plane, ReEncryptDataInput, ReEncryptionAttributes, ServiceError,
};

use crate::args::{Attributes, Text};
use crate::output::{self, Output, aws_error};

/// A data-plane operation of AWS Payment Cryptography.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
pub enum DataOperation {
    /// EncryptData: `encrypt_data(key_identifier, encryption_attributes, plain_text)`.
    EncryptData,
    /// DecryptData: `decrypt_data(key_identifier, decryption_attributes, cipher_text)`.
    DecryptData,
    /// ReEncryptData: `re_encrypt_data(incoming_key_identifier, incoming_encryption_attributes,
    /// outgoing_key_identifier, outgoing_encryption_attributes, cipher_text)`.
    ReEncryptData,
}

impl DataOperation {
    /// Every operation.
    pub const ALL: [DataOperation; 3] =
        [DataOperation::EncryptData, DataOperation::DecryptData, DataOperation::ReEncryptData];

    /// The SQL function's name (the plain form).
    pub fn function_name(self) -> &'static str {
        match self {
            DataOperation::EncryptData => "encrypt_data",
            DataOperation::DecryptData => "decrypt_data",
            DataOperation::ReEncryptData => "re_encrypt_data",
        }
    }

    /// AWS's name of the operation.
    pub fn aws_name(self) -> &'static str {
        match self {
            DataOperation::EncryptData => "EncryptData",
            DataOperation::DecryptData => "DecryptData",
            DataOperation::ReEncryptData => "ReEncryptData",
        }
    }

    fn arity(self) -> usize {
        match self {
            DataOperation::EncryptData | DataOperation::DecryptData => 3,
            DataOperation::ReEncryptData => 5,
        }
    }
}

/// One SQL function: a [`DataOperation`], plain or `try_`, over a shared service.
pub struct DataFunction<S> {
    operation: DataOperation,
    try_form: bool,
    name: String,
    signature: Signature,
    service: Arc<PaymentCryptography<S>>,
}

impl<S: KeyStore> DataFunction<S> {
    /// The function for `operation` over `service`; `try_form` gives `try_<name>`, which returns
    /// `{value, error}` instead of failing.
    pub fn new(operation: DataOperation, try_form: bool, service: Arc<PaymentCryptography<S>>) -> Self {
        let name = if try_form {
            format!("try_{}", operation.function_name())
        } else {
            operation.function_name().to_owned()
        };
        // Stable: the result depends on the key store, which does not change within a query.
        let signature = Signature::string(operation.arity(), Volatility::Stable);
        DataFunction { operation, try_form, name, signature, service }
    }

    /// One row: `Ok(None)` when an argument is NULL.
    fn row(
        &self,
        session: &mut DataSession<'_, S>,
        args: &Args,
        i: usize,
    ) -> Result<Option<String>, ServiceError> {
        match (self.operation, args) {
            (DataOperation::EncryptData, Args::Single { key, attributes, text }) => {
                let (Some(key), Some(plain)) = (key.get(i), text.get(i)) else { return Ok(None) };
                let Some(attributes) = attributes.get("EncryptionAttributes", i)? else { return Ok(None) };
                let input = EncryptDataInput {
                    key_identifier: key.to_owned(),
                    plain_text: plain.to_owned(),
                    encryption_attributes: (*attributes).clone(),
                    wrapped_key: None,
                };
                Ok(Some(session.encrypt_data(&input)?.cipher_text))
            }
            (DataOperation::DecryptData, Args::Single { key, attributes, text }) => {
                let (Some(key), Some(cipher)) = (key.get(i), text.get(i)) else { return Ok(None) };
                let Some(attributes) = attributes.get("DecryptionAttributes", i)? else { return Ok(None) };
                let input = DecryptDataInput {
                    key_identifier: key.to_owned(),
                    cipher_text: cipher.to_owned(),
                    decryption_attributes: (*attributes).clone(),
                    wrapped_key: None,
                };
                Ok(Some(session.decrypt_data(&input)?.plain_text))
            }
            (
                DataOperation::ReEncryptData,
                Args::Re { incoming, incoming_attributes, outgoing, outgoing_attributes, cipher_text },
            ) => {
                let (Some(incoming), Some(outgoing), Some(cipher)) =
                    (incoming.get(i), outgoing.get(i), cipher_text.get(i))
                else {
                    return Ok(None);
                };
                let Some(in_attrs) = incoming_attributes.get("IncomingEncryptionAttributes", i)? else {
                    return Ok(None);
                };
                let Some(out_attrs) = outgoing_attributes.get("OutgoingEncryptionAttributes", i)? else {
                    return Ok(None);
                };
                let input = ReEncryptDataInput {
                    incoming_key_identifier: incoming.to_owned(),
                    outgoing_key_identifier: outgoing.to_owned(),
                    cipher_text: cipher.to_owned(),
                    incoming_encryption_attributes: (*in_attrs).clone(),
                    outgoing_encryption_attributes: (*out_attrs).clone(),
                    incoming_wrapped_key: None,
                    outgoing_wrapped_key: None,
                };
                Ok(Some(session.re_encrypt_data(&input)?.cipher_text))
            }
            _ => Err(ServiceError::Internal(format!("{}: arguments do not match the operation", self.name))),
        }
    }

    fn args(&self, values: &[ColumnarValue]) -> Result<Args> {
        let name = self.name.as_str();
        let text = |i: usize| match values.get(i) {
            Some(v) => Text::new(name, v),
            None => Err(DataFusionError::Execution(format!(
                "{name} takes {} arguments, got {}",
                self.operation.arity(),
                values.len()
            ))),
        };
        let attributes = |i: usize, member| match values.get(i) {
            Some(v) => Attributes::new(name, member, v),
            None => Err(DataFusionError::Execution(format!(
                "{name} takes {} arguments, got {}",
                self.operation.arity(),
                values.len()
            ))),
        };
        Ok(match self.operation {
            DataOperation::EncryptData => Args::Single {
                key: text(0)?,
                attributes: attributes(1, "EncryptionAttributes")?,
                text: text(2)?,
            },
            DataOperation::DecryptData => Args::Single {
                key: text(0)?,
                attributes: attributes(1, "DecryptionAttributes")?,
                text: text(2)?,
            },
            DataOperation::ReEncryptData => Args::Re {
                incoming: text(0)?,
                incoming_attributes: re_attributes(name, "IncomingEncryptionAttributes", values.get(1))?,
                outgoing: text(2)?,
                outgoing_attributes: re_attributes(name, "OutgoingEncryptionAttributes", values.get(3))?,
                cipher_text: text(4)?,
            },
        })
    }
}

fn re_attributes(
    name: &str,
    member: &'static str,
    value: Option<&ColumnarValue>,
) -> Result<Attributes<ReEncryptionAttributes>> {
    match value {
        Some(v) => Attributes::new(name, member, v),
        None => Err(DataFusionError::Execution(format!("{name} takes 5 arguments"))),
    }
}

/// The arguments of one call, by operation shape.
enum Args {
    /// EncryptData and DecryptData: key, attributes, plaintext or ciphertext.
    Single { key: Text, attributes: Attributes<EncryptionDecryptionAttributes>, text: Text },
    /// ReEncryptData.
    Re {
        incoming: Text,
        incoming_attributes: Attributes<ReEncryptionAttributes>,
        outgoing: Text,
        outgoing_attributes: Attributes<ReEncryptionAttributes>,
        cipher_text: Text,
    },
}

impl<S: KeyStore + Send + Sync + 'static> ScalarUDFImpl for DataFunction<S> {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        if arg_types.len() != self.operation.arity() {
            return plan_err!(
                "{} takes {} arguments, got {}",
                self.name,
                self.operation.arity(),
                arg_types.len()
            );
        }
        Ok(output::return_type(self.try_form))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let parsed = self.args(&args.args)?;
        let mut session = self.service.session();
        let mut output = Output::new(&self.name, self.try_form, rows, 32);
        for i in 0..rows {
            let row = self
                .row(&mut session, &parsed, i)
                .map_err(|e| aws_error(e.exception(Plane::Data), self.operation.aws_name(), &e));
            output.push(i, row)?;
        }
        output.finish()
    }
}

impl<S> PartialEq for DataFunction<S> {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && Arc::ptr_eq(&self.service, &other.service)
    }
}

impl<S> Eq for DataFunction<S> {}

impl<S> Hash for DataFunction<S> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl<S> fmt::Debug for DataFunction<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataFunction").field("name", &self.name).finish_non_exhaustive()
    }
}
