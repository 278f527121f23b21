//! `kcv(algorithm, key_hex[, kcv_algorithm])`: the key check value of a clear key, as `paycrypt kcv`
//! gives it (upper-case hex; ANSI_X9_24 for TDES and CMAC for AES unless `kcv_algorithm` says).

use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, TypeSignature, Volatility,
};
use paycrypt::kcv::{KcvAlgorithm, kcv};
use paycrypt::{Algorithm, SymmetricKey};
use zeroize::Zeroizing;

use crate::args::Text;
use crate::output::Output;

/// The `kcv` function.
#[derive(Debug, Eq, Hash, PartialEq)]
pub struct KcvFunction {
    signature: Signature,
}

impl KcvFunction {
    /// The function.
    pub fn new() -> Self {
        let signature = Signature::one_of(
            vec![TypeSignature::String(2), TypeSignature::String(3)],
            Volatility::Immutable,
        );
        KcvFunction { signature }
    }
}

impl Default for KcvFunction {
    fn default() -> Self {
        KcvFunction::new()
    }
}

/// One row's check value; `Ok(None)` when an argument is NULL.
fn row(
    algorithm: Option<&str>,
    key: Option<&str>,
    kcv_algorithm: Option<Option<&str>>,
) -> Result<Option<String>, String> {
    let (Some(algorithm), Some(key)) = (algorithm, key) else { return Ok(None) };
    let algorithm: Algorithm = algorithm.parse().map_err(|e| format!("{e}"))?;
    let kcv_algorithm = match kcv_algorithm {
        None => KcvAlgorithm::default_for(algorithm),
        Some(None) => return Ok(None),
        Some(Some(name)) => name.parse().map_err(|e| format!("{e}"))?,
    };
    let bytes = Zeroizing::new(hex::decode(key).map_err(|_| "the key must be hex".to_owned())?);
    let key = SymmetricKey::new(algorithm, &bytes).map_err(|e| format!("{e}"))?;
    Ok(Some(hex::encode_upper(kcv(&key, kcv_algorithm))))
}

impl ScalarUDFImpl for KcvFunction {
    fn name(&self) -> &str {
        "kcv"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        if !(2..=3).contains(&arg_types.len()) {
            return plan_err!(
                "kcv takes 2 or 3 arguments (algorithm, key_hex[, kcv_algorithm]), got {}",
                arg_types.len()
            );
        }
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let texts = args.args.iter().map(|v| Text::new("kcv", v)).collect::<Result<Vec<_>>>()?;
        let mut output = Output::new("kcv", false, args.number_rows, 6);
        for i in 0..args.number_rows {
            let arg = |n: usize| texts.get(n).and_then(|t| t.get(i));
            let kcv_algorithm = texts.get(2).map(|t| t.get(i));
            output.push(i, row(arg(0), arg(1), kcv_algorithm))?;
        }
        output.finish()
    }
}
