//! A function's arguments as strings, and attribute arguments parsed once when they are literals.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::ColumnarValue;
use paycrypt::service::ServiceError;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

/// A string argument: one value for every row, or a column.
pub(crate) enum Text {
    /// A literal (NULL: `None`), zeroized when dropped: it may be a clear key (`kcv`, `dukpt_derive_key`).
    Scalar(Option<Zeroizing<String>>),
    /// A column, as UTF-8.
    Column(ArrayRef),
}

impl Text {
    /// The argument `value` of function `name`.
    pub(crate) fn new(name: &str, value: &ColumnarValue) -> Result<Self> {
        match value {
            ColumnarValue::Scalar(s) => match s {
                ScalarValue::Null => Ok(Text::Scalar(None)),
                other => match other.try_as_str() {
                    Some(v) => Ok(Text::Scalar(v.map(|v| Zeroizing::new(v.to_owned())))),
                    None => exec_err!("{name}: expected a string argument, got {}", other.data_type()),
                },
            },
            ColumnarValue::Array(a) => Ok(Text::Column(cast(a, &DataType::Utf8)?)),
        }
    }

    /// The value in row `i`.
    pub(crate) fn get(&self, i: usize) -> Option<&str> {
        match self {
            Text::Scalar(v) => v.as_ref().map(|v| v.as_str()),
            Text::Column(a) => {
                let a: &StringArray = a.as_string::<i32>();
                (i < a.len() && a.is_valid(i)).then(|| a.value(i))
            }
        }
    }
}

/// An attributes argument (AWS JSON): a literal is parsed once, a column once per row.
pub(crate) enum Attributes<T> {
    /// A literal, parsed (or why it does not parse); NULL: `None`.
    Scalar(Option<Result<Arc<T>, String>>),
    /// A column of JSON.
    Column(Text),
}

impl<T: DeserializeOwned> Attributes<T> {
    /// The argument `value` of function `name`, the request member `member`.
    pub(crate) fn new(name: &str, member: &'static str, value: &ColumnarValue) -> Result<Self> {
        Ok(match Text::new(name, value)? {
            Text::Scalar(v) => Attributes::Scalar(v.map(|json| parse(member, &json).map(Arc::new))),
            column => Attributes::Column(column),
        })
    }

    /// The attributes of row `i`, `None` for NULL.
    ///
    /// # Errors
    /// `ValidationException` when the JSON does not parse into the request member's shape.
    pub(crate) fn get(&self, member: &'static str, i: usize) -> Result<Option<Arc<T>>, ServiceError> {
        match self {
            Attributes::Scalar(None) => Ok(None),
            Attributes::Scalar(Some(Ok(v))) => Ok(Some(Arc::clone(v))),
            Attributes::Scalar(Some(Err(message))) => Err(ServiceError::validation(message.clone())),
            Attributes::Column(text) => match text.get(i) {
                None => Ok(None),
                Some(json) => {
                    parse(member, json).map(|v| Some(Arc::new(v))).map_err(ServiceError::validation)
                }
            },
        }
    }
}

/// The request member `member` from its JSON, with the message a whole request's parse failure has.
fn parse<T: DeserializeOwned>(member: &str, json: &str) -> Result<T, String> {
    serde_json::from_str(json).map_err(|e| format!("Invalid request: {member}: {e}."))
}
