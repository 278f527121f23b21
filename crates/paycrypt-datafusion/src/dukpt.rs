//! `dukpt_derive_key(bdk_hex, ksn, usage[, derived_key_algorithm])`: a transaction's DUKPT key from a
//! clear BDK, as `paycrypt dukpt derive-key` gives it. A calculator like `kcv`: it reads no key store.
//!
//! The CLI prints `{"InitialKey", "DerivedKey", "KeyCheckValue"}`; its main output, the key the
//! transaction uses, is the result here (`DerivedKey`, upper-case hex). Its check value is
//! `kcv(algorithm, dukpt_derive_key(…))`. A 20-hex-digit KSN means TDES DUKPT (X9.24-1), a 24-digit one
//! AES DUKPT (X9.24-3); the usages and the algorithm default are the CLI's.
//!
//! # Security Warning
//! The BDK and the result are clear keys in SQL values: in the query text or the input files, and in the
//! output. It is for test data and for checking a terminal's keys, not for production BDKs.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, TypeSignature, Volatility,
};
use paycrypt::Algorithm;
use paycrypt::dukpt::{self, Ksn, Usage};
use zeroize::Zeroizing;

use crate::args::Text;
use crate::output::Output;

/// The `dukpt_derive_key` function.
///
/// # Examples
/// ```
/// use datafusion::logical_expr::ScalarUDF;
/// use datafusion::prelude::SessionContext;
/// use paycrypt_datafusion::DukptDeriveKeyFunction;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let ctx = SessionContext::new();
/// ctx.register_udf(ScalarUDF::from(DukptDeriveKeyFunction::new()));
/// let sql = "SELECT dukpt_derive_key('0123456789ABCDEFFEDCBA9876543210', 'FFFF9876543210E00001', 'PIN')";
/// let batches = ctx.sql(sql).await?.collect().await?;
/// let text = datafusion::arrow::util::pretty::pretty_format_batches(&batches)?.to_string();
/// assert!(text.contains("042666B49184CF5C68DE9628D0397B36"));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Eq, Hash, PartialEq)]
pub struct DukptDeriveKeyFunction {
    signature: Signature,
}

impl DukptDeriveKeyFunction {
    /// The SQL function's name.
    pub const NAME: &'static str = "dukpt_derive_key";

    /// The function.
    pub fn new() -> Self {
        let signature = Signature::one_of(
            vec![TypeSignature::String(3), TypeSignature::String(4)],
            Volatility::Immutable,
        );
        DukptDeriveKeyFunction { signature }
    }
}

impl Default for DukptDeriveKeyFunction {
    fn default() -> Self {
        DukptDeriveKeyFunction::new()
    }
}

/// One row's arguments: `derived_key_algorithm` is `None` when the call has no fourth argument,
/// `Some(None)` when it is NULL.
struct Row<'a> {
    /// `bdk`: base derivation key, hex.
    bdk: Option<&'a str>,
    /// `ksn`: key serial number, 20 or 24 hex digits.
    ksn: Option<&'a str>,
    usage: Option<&'a str>,
    derived_key_algorithm: Option<Option<&'a str>>,
}

/// One row's derived key, upper-case hex; `Ok(None)` when an argument is NULL. The messages are the
/// CLI's and never hold key material.
fn row(args: &Row<'_>) -> Result<Option<Zeroizing<String>>, String> {
    let (Some(bdk), Some(ksn), Some(usage)) = (args.bdk, args.ksn, args.usage) else { return Ok(None) };
    let key_type = match args.derived_key_algorithm {
        None => None,
        Some(None) => return Ok(None),
        Some(Some(name)) => Some(name.parse::<Algorithm>().map_err(|e| e.to_string())?),
    };
    let ksn: Ksn = ksn.parse().map_err(|e: dukpt::Error| e.to_string())?;
    let usage: Usage = usage.parse().map_err(|e: dukpt::Error| e.to_string())?;
    let bytes = Zeroizing::new(hex::decode(bdk).map_err(|_| "the BDK must be hex".to_owned())?);
    let bdk = dukpt::bdk_from_bytes(ksn.scheme(), &bytes).map_err(|e| e.to_string())?;
    let derived = dukpt::derive(&bdk, &ksn, usage, key_type).map_err(|e| e.to_string())?;
    Ok(Some(Zeroizing::new(hex::encode_upper(derived.key.as_bytes()))))
}

impl ScalarUDFImpl for DukptDeriveKeyFunction {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        if !(3..=4).contains(&arg_types.len()) {
            return plan_err!(
                "{} takes 3 or 4 arguments (bdk_hex, ksn, usage[, derived_key_algorithm]), got {}",
                Self::NAME,
                arg_types.len()
            );
        }
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let texts = args.args.iter().map(|v| Text::new(Self::NAME, v)).collect::<Result<Vec<_>>>()?;
        let mut output = Output::new(Self::NAME, false, args.number_rows, 32);
        for i in 0..args.number_rows {
            let arg = |n: usize| texts.get(n).and_then(|t| t.get(i));
            let derived = row(&Row {
                bdk: arg(0),
                ksn: arg(1),
                usage: arg(2),
                derived_key_algorithm: texts.get(3).map(|t| t.get(i)),
            });
            output.push(i, derived)?;
        }
        output.finish()
    }
}
