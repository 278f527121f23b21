//! The job's request: the AWS request JSON, as a user writes it for the AWS CLI, with `{column}`
//! placeholders in its string values that take each record's value.
//!
//! `{name}` names a column (CSV) or a top-level member (JSON Lines); `{{` and `}}` are a literal brace.
//! A placeholder may share a string with text or other placeholders (`"{bin}{pan}"`). Object keys are
//! taken as written.

use serde_json::Value;

use crate::batch::BatchError;

/// A request with placeholders, parsed once per job.
#[derive(Clone, Debug)]
pub struct Template {
    /// The request, its placeholder strings left as written (escapes resolved everywhere else).
    value: Value,
    /// Where the placeholders are.
    slots: Vec<Slot>,
    /// The distinct column names the placeholders use, in order of first use.
    columns: Vec<String>,
    /// The request as JSON text, cut at the placeholders: rendering a record is concatenation.
    text: Vec<Segment>,
}

/// A piece of the request's JSON text.
#[derive(Clone, Debug)]
enum Segment {
    /// JSON text as is.
    Json(String),
    /// A column's value, escaped for its place inside a JSON string.
    Column(usize),
}

/// Marks a placeholder in the JSON text while it is cut into segments: private-use characters, which
/// serde_json writes as they are.
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// A string value of the request that holds at least one placeholder.
#[derive(Clone, Debug)]
struct Slot {
    path: Vec<Step>,
    parts: Vec<Part>,
}

#[derive(Clone, Debug)]
enum Step {
    Member(String),
    Index(usize),
}

#[derive(Clone, Debug)]
enum Part {
    Text(String),
    Column(usize),
}

impl Template {
    /// Parses the request text: a JSON object whose strings may hold placeholders.
    ///
    /// # Errors
    /// [`BatchError::Job`] for text that is not a JSON object, or a string with an unbalanced brace or
    /// an empty placeholder.
    pub fn parse(text: &str) -> Result<Self, BatchError> {
        let mut value: Value = serde_json::from_str(text)
            .map_err(|e| BatchError::Job(format!("--request is not JSON: {e}.")))?;
        if !value.is_object() {
            return Err(BatchError::Job("--request must be a JSON object: the operation's request.".into()));
        }
        if text.contains([OPEN, CLOSE]) {
            return Err(BatchError::Job(
                "--request holds the private-use characters U+E000 or U+E001.".into(),
            ));
        }
        let mut template =
            Template { value: Value::Null, slots: Vec::new(), columns: Vec::new(), text: Vec::new() };
        let mut path = Vec::new();
        template.scan(&mut value, &mut path)?;
        template.value = value;
        template.text = template.segments();
        Ok(template)
    }

    /// The request as JSON text for one record, into `out` (cleared first): the same request as
    /// [`Template::render`], without building a `Value`.
    pub fn render_text(&self, values: &[&str], out: &mut String) {
        out.clear();
        for segment in &self.text {
            match segment {
                Segment::Json(t) => out.push_str(t),
                Segment::Column(i) => escape_into(values.get(*i).copied().unwrap_or_default(), out),
            }
        }
    }

    /// How many strings hold placeholders.
    pub(crate) fn slot_count(&self) -> usize {
        self.slots.len()
    }

    /// The member names leading to slot `i`'s string; `None` when an array is on the way.
    pub(crate) fn slot_path(&self, i: usize) -> Option<Vec<&str>> {
        self.slots
            .get(i)?
            .path
            .iter()
            .map(|step| match step {
                Step::Member(m) => Some(m.as_str()),
                Step::Index(_) => None,
            })
            .collect()
    }

    /// Writes slot `i`'s string for one record's `values` into `out` (cleared first).
    pub(crate) fn fill_slot(&self, i: usize, values: &[&str], out: &mut String) {
        out.clear();
        for part in self.slots.get(i).map(|s| s.parts.as_slice()).unwrap_or_default() {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Column(c) => out.push_str(values.get(*c).copied().unwrap_or_default()),
            }
        }
    }

    /// Cuts the request's JSON text at the placeholders.
    fn segments(&self) -> Vec<Segment> {
        let mut marked = self.value.clone();
        for slot in &self.slots {
            if let Some(Value::String(s)) = locate(&mut marked, &slot.path) {
                s.clear();
                for part in &slot.parts {
                    match part {
                        Part::Text(t) => s.push_str(t),
                        Part::Column(i) => {
                            s.push(OPEN);
                            s.push_str(&i.to_string());
                            s.push(CLOSE);
                        }
                    }
                }
            }
        }
        let text = marked.to_string();
        let mut segments = Vec::new();
        let mut rest = text.as_str();
        while let Some(open) = rest.find(OPEN) {
            segments.push(Segment::Json(rest[..open].to_owned()));
            rest = &rest[open + OPEN.len_utf8()..];
            let close = rest.find(CLOSE).unwrap_or(rest.len());
            segments.push(Segment::Column(rest[..close].parse().unwrap_or(usize::MAX)));
            rest = rest.get(close + CLOSE.len_utf8()..).unwrap_or_default();
        }
        segments.push(Segment::Json(rest.to_owned()));
        segments
    }

    /// The column names the placeholders use, each once, in order of first use.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The request as written, placeholders unresolved (for fingerprints and structure checks).
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The request for one record: `values[i]` is the value of `columns()[i]`.
    pub fn render(&self, values: &[&str]) -> Value {
        let mut value = self.value.clone();
        for (i, slot) in self.slots.iter().enumerate() {
            if let Some(Value::String(s)) = locate(&mut value, &slot.path) {
                self.fill_slot(i, values, s);
            }
        }
        value
    }

    fn scan(&mut self, value: &mut Value, path: &mut Vec<Step>) -> Result<(), BatchError> {
        match value {
            Value::Object(map) => {
                for (name, member) in map.iter_mut() {
                    path.push(Step::Member(name.clone()));
                    self.scan(member, path)?;
                    path.pop();
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    path.push(Step::Index(i));
                    self.scan(item, path)?;
                    path.pop();
                }
            }
            Value::String(s) => {
                let pieces = split(s, &display(path))?;
                if pieces.iter().any(|p| matches!(p, Piece::Name(_))) {
                    let parts = pieces
                        .into_iter()
                        .map(|p| match p {
                            Piece::Text(t) => Part::Text(t),
                            Piece::Name(name) => Part::Column(self.column_index(name)),
                        })
                        .collect();
                    self.slots.push(Slot { path: path.clone(), parts });
                } else {
                    *s = pieces
                        .into_iter()
                        .map(|p| match p {
                            Piece::Text(t) => t,
                            Piece::Name(_) => String::new(),
                        })
                        .collect();
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
        Ok(())
    }

    fn column_index(&mut self, name: String) -> usize {
        match self.columns.iter().position(|c| *c == name) {
            Some(i) => i,
            None => {
                self.columns.push(name);
                self.columns.len() - 1
            }
        }
    }
}

/// Appends `value` escaped for the inside of a JSON string.
fn escape_into(value: &str, out: &mut String) {
    if value.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        let quoted = Value::String(value.to_owned()).to_string();
        out.push_str(&quoted[1..quoted.len() - 1]);
    } else {
        out.push_str(value);
    }
}

/// A piece of a string: text, or a placeholder's name.
enum Piece {
    Text(String),
    Name(String),
}

/// `s` as text and placeholders; `where_` names the string for errors.
fn split(s: &str, where_: &str) -> Result<Vec<Piece>, BatchError> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut name = String::new();
                let mut closed = false;
                for c in chars.by_ref() {
                    match c {
                        '}' => {
                            closed = true;
                            break;
                        }
                        '{' => break,
                        c => name.push(c),
                    }
                }
                if !closed {
                    return Err(BatchError::Job(format!(
                        "--request {where_}: a '{{' with no matching '}}' (write {{{{ for a literal brace)."
                    )));
                }
                if name.is_empty() {
                    return Err(BatchError::Job(format!(
                        "--request {where_}: an empty placeholder {{}} (write {{{{}}}} for literal braces)."
                    )));
                }
                if !text.is_empty() {
                    parts.push(Piece::Text(std::mem::take(&mut text)));
                }
                parts.push(Piece::Name(name));
            }
            '}' => {
                return Err(BatchError::Job(format!(
                    "--request {where_}: a '}}' with no matching '{{' (write }}}} for a literal brace)."
                )));
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() || parts.is_empty() {
        parts.push(Piece::Text(text));
    }
    Ok(parts)
}

/// The member path as the AWS CLI's errors write it: `IncomingEncryptionAttributes.Dukpt.KeySerialNumber`.
fn display(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Member(m) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(m);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

fn locate<'v>(value: &'v mut Value, path: &[Step]) -> Option<&'v mut Value> {
    let mut at = value;
    for step in path {
        at = match (step, at) {
            (Step::Member(m), Value::Object(map)) => map.get_mut(m)?,
            (Step::Index(i), Value::Array(items)) => items.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_escapes_and_columns() {
        let t = Template::parse(
            r#"{"KeyIdentifier":"alias/{{zone}}","PlainText":"{pan}{pad}",
                "EncryptionAttributes":{"Symmetric":{"Mode":"CBC","InitializationVector":"{iv}"}},"X":["{pan}"]}"#,
        )
        .unwrap();
        assert_eq!(t.columns(), ["pan", "pad", "iv"]);
        let v = t.render(&["4111", "FF", "00"]);
        assert_eq!(v["KeyIdentifier"], "alias/{zone}");
        assert_eq!(v["PlainText"], "4111FF");
        assert_eq!(v["EncryptionAttributes"]["Symmetric"]["InitializationVector"], "00");
        assert_eq!(v["X"][0], "4111");
        let mut text = String::new();
        for values in [["4111", "FF", "00"], ["a\"b\\c\n", "\u{1}", "é"]] {
            t.render_text(&values, &mut text);
            assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), t.render(&values), "{text}");
        }
    }

    #[test]
    fn bad_templates_are_job_errors() {
        for (text, says) in [
            ("[1]", "must be a JSON object"),
            ("{", "not JSON"),
            (r#"{"A":"{pan"}"#, "no matching '}'"),
            (r#"{"A":"pan}"}"#, "no matching '{'"),
            (r#"{"A":{"B":"{}"}}"#, "A.B: an empty placeholder"),
        ] {
            let e = Template::parse(text).unwrap_err().to_string();
            assert!(e.contains(says), "{text}: {e}");
        }
    }
}
