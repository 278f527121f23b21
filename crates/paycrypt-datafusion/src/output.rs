//! What every function gives back: one string per row, or for a `try_` form the struct `{value, error}`;
//! and the one text a failing row has, whichever function it is.
//!
//! A scalar function sees one record batch at a time and not where that batch sits in the whole input
//! (batches are read, split and repartitioned in parallel), so a failing row is named by its place in
//! its batch: `re_encrypt_data: row 17 of a record batch of 8192 rows: …`. To find a reject in the
//! input, select the `try_` form next to a column of your own that names the record (an id).

use std::fmt;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, StringBuilder, StructArray};
use datafusion::arrow::datatypes::{DataType, Field, Fields};
use datafusion::common::{DataFusionError, Result};
use datafusion::logical_expr::ColumnarValue;

/// `An error occurred (<Exception>) when calling the <Operation> operation: <message>`, as the AWS CLI
/// prints a service error.
pub(crate) fn aws_error(exception: &str, operation: &str, message: &dyn fmt::Display) -> String {
    format!("An error occurred ({exception}) when calling the {operation} operation: {message}")
}

/// The result type of a function: a string, or for a `try_` form the struct `{value, error}`.
pub(crate) fn return_type(try_form: bool) -> DataType {
    if try_form { DataType::Struct(try_fields()) } else { DataType::Utf8 }
}

/// The fields of a `try_` form's struct: `value` or `error`, the other NULL.
fn try_fields() -> Fields {
    Fields::from(vec![Field::new("value", DataType::Utf8, true), Field::new("error", DataType::Utf8, true)])
}

/// The rows of one call of a function over one record batch, in order.
pub(crate) struct Output<'a> {
    function: &'a str,
    rows: usize,
    values: StringBuilder,
    errors: Option<StringBuilder>,
}

impl<'a> Output<'a> {
    /// The output of `function` over a batch of `rows` rows, each value about `width` bytes;
    /// `try_form` collects errors instead of failing on the first.
    pub(crate) fn new(function: &'a str, try_form: bool, rows: usize, width: usize) -> Self {
        Output {
            function,
            rows,
            values: StringBuilder::with_capacity(rows, rows.saturating_mul(width)),
            errors: try_form.then(StringBuilder::new),
        }
    }

    /// Row `i`'s outcome: a value, NULL (`Ok(None)`), or an error's text.
    ///
    /// # Errors
    /// The plain form fails on an error: `<function>: row <i + 1> of a record batch of <rows> rows:
    /// <text>`.
    pub(crate) fn push<V: AsRef<str>>(&mut self, i: usize, row: Result<Option<V>, String>) -> Result<()> {
        match (row, self.errors.as_mut()) {
            (Ok(value), errors) => {
                self.values.append_option(value);
                if let Some(errors) = errors {
                    errors.append_null();
                }
                Ok(())
            }
            (Err(text), Some(errors)) => {
                self.values.append_null();
                errors.append_value(text);
                Ok(())
            }
            (Err(text), None) => Err(DataFusionError::Execution(format!(
                "{}: row {} of a record batch of {}: {text}",
                self.function,
                i.saturating_add(1),
                Rows(self.rows)
            ))),
        }
    }

    /// The column: strings, or the `try_` struct.
    ///
    /// # Errors
    /// When the struct cannot be built (rows pushed to one field only: a bug).
    pub(crate) fn finish(mut self) -> Result<ColumnarValue> {
        let values: ArrayRef = Arc::new(self.values.finish());
        match self.errors.as_mut() {
            Some(errors) => {
                let errors: ArrayRef = Arc::new(errors.finish());
                let array = StructArray::try_new(try_fields(), vec![values, errors], None)?;
                Ok(ColumnarValue::Array(Arc::new(array)))
            }
            None => Ok(ColumnarValue::Array(values)),
        }
    }
}

/// `1 row`, `8192 rows`.
struct Rows(usize);

impl fmt::Display for Rows {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            1 => f.write_str("1 row"),
            n => write!(f, "{n} rows"),
        }
    }
}
