//! The record formats: CSV with a header row (RFC 4180) and JSON Lines. Only the framing lives here:
//! where a record ends, its fields or members, and how a value is written back. Columns that a job
//! does not write are never re-encoded: their bytes go to the output as they came.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::str::FromStr;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

/// A record longer than this stops the job: an unbalanced quote would otherwise make the rest of the
/// file one record, and memory must stay flat.
pub const MAX_RECORD: usize = 1 << 20;

/// How records are framed.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum Format {
    /// CSV with a header row: RFC 4180 quoting, CRLF or LF line ends.
    Csv,
    /// JSON Lines: one JSON object per line.
    JsonLines,
}

impl Format {
    /// The format a file name implies: `.csv`, `.jsonl`, `.ndjson` (case-insensitive).
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Format::Csv),
            "jsonl" | "ndjson" => Some(Format::JsonLines),
            _ => None,
        }
    }

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::JsonLines => "jsonl",
        }
    }

    /// The length of the first record of `buf` (its line end included) and the line ends in it, or
    /// `None` when `buf` holds no whole record yet. At the end of the input (`eof`) whatever is left
    /// is the last record.
    pub fn record_len(self, buf: &[u8], eof: bool) -> Option<(usize, u64)> {
        let newline = memchr::memchr(b'\n', buf);
        let end = match (self, newline) {
            (Format::Csv, Some(i)) if memchr::memchr(b'"', &buf[..i]).is_some() => {
                return csv_record_len(buf, eof);
            }
            (_, Some(i)) => Some((i + 1, 1)),
            (_, None) => None,
        };
        match end {
            Some(end) => Some(end),
            None if eof && !buf.is_empty() => Some((buf.len(), 0)),
            None => None,
        }
    }
}

/// [`Format::record_len`] for a CSV record with quotes: a line end inside a quoted field is part of
/// the field. A quote opens a quoted field only at the start of a field (as [`csv_fields`] reads it), so
/// a stray quote inside an unquoted field does not swallow the lines after it.
fn csv_record_len(buf: &[u8], eof: bool) -> Option<(usize, u64)> {
    #[derive(Clone, Copy)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        /// A quote inside a quoted field: the closing one, or the first of a doubled pair.
        QuoteInQuoted,
    }
    let mut state = State::FieldStart;
    let mut lines = 0;
    for (i, &b) in buf.iter().enumerate() {
        state = match (state, b) {
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, b'\n') => {
                lines += 1;
                State::Quoted
            }
            (State::Quoted, _) => State::Quoted,
            (State::QuoteInQuoted | State::FieldStart, b'"') => State::Quoted,
            (_, b'\n') => return Some((i + 1, lines + 1)),
            (_, b',') => State::FieldStart,
            (_, _) => State::Unquoted,
        };
    }
    (eof && !buf.is_empty()).then_some((buf.len(), lines))
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "jsonl" | "json-lines" | "ndjson" => Ok(Format::JsonLines),
            other => Err(format!("unknown format {other:?}: csv or jsonl")),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A record without its line end, and the line end (`\r\n`, `\n` or nothing for a last line without one).
pub fn split_line_end(record: &[u8]) -> (&[u8], &[u8]) {
    if record.ends_with(b"\r\n") {
        record.split_at(record.len() - 2)
    } else if record.ends_with(b"\n") {
        record.split_at(record.len() - 1)
    } else {
        (record, &[])
    }
}

/// Whether a record holds nothing but white space: passed through, not counted as a record.
pub fn is_blank(body: &[u8]) -> bool {
    body.iter().all(|b| b.is_ascii_whitespace())
}

/// The byte ranges of a CSV record's fields (quotes included), or why it is not RFC 4180 CSV.
///
/// # Errors
/// A quote inside an unquoted field, text after a closing quote, or a quote left open.
pub fn csv_fields(body: &[u8], fields: &mut Vec<Range<usize>>) -> Result<(), String> {
    fields.clear();
    if memchr::memchr(b'"', body).is_none() {
        // No quotes: the fields are what lies between the commas.
        let mut start = 0;
        for comma in memchr::memchr_iter(b',', body) {
            fields.push(start..comma);
            start = comma + 1;
        }
        fields.push(start..body.len());
        return Ok(());
    }
    let mut i = 0;
    loop {
        let start = i;
        if body.get(i) == Some(&b'"') {
            i += 1;
            loop {
                match body.get(i) {
                    None => {
                        return Err(format!("field {} opens a quote that never closes", fields.len() + 1));
                    }
                    Some(b'"') if body.get(i + 1) == Some(&b'"') => i += 2,
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(_) => i += 1,
                }
            }
            match body.get(i) {
                None | Some(b',') => {}
                Some(_) => {
                    return Err(format!("field {} has text after its closing quote", fields.len() + 1));
                }
            }
        } else {
            while let Some(&b) = body.get(i) {
                match b {
                    b',' => break,
                    b'"' => {
                        return Err(format!(
                            "field {} has a quote but does not start with one",
                            fields.len() + 1
                        ));
                    }
                    _ => i += 1,
                }
            }
        }
        fields.push(start..i);
        if i >= body.len() {
            return Ok(());
        }
        i += 1; // the comma
    }
}

/// A CSV field's value: its quotes removed and doubled quotes undone.
pub fn csv_value(raw: &[u8]) -> Cow<'_, [u8]> {
    match raw {
        [b'"', inner @ .., b'"'] => {
            if inner.contains(&b'"') {
                let mut out = Vec::with_capacity(inner.len());
                let mut i = 0;
                while let Some(&b) = inner.get(i) {
                    out.push(b);
                    i += if b == b'"' { 2 } else { 1 };
                }
                Cow::Owned(out)
            } else {
                Cow::Borrowed(inner)
            }
        }
        _ => Cow::Borrowed(raw),
    }
}

/// Appends `value` as a CSV field, quoted only when it must be.
pub fn csv_write(out: &mut Vec<u8>, value: &[u8]) {
    if value.iter().any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n')) {
        out.push(b'"');
        for &b in value {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(value);
    }
}

/// A JSON Lines record's top-level members in order, each value as its exact text.
pub struct Members<'a>(pub Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'a> Members<'a> {
    /// Parses one line.
    ///
    /// # Errors
    /// Text that is not one JSON object (the parser's message).
    pub fn parse(body: &'a [u8]) -> Result<Self, String> {
        serde_json::from_slice(body).map_err(|e| {
            let text = e.to_string();
            if text.contains("invalid type") { "the line is not a JSON object".to_owned() } else { text }
        })
    }
}

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members = Vec::new();
                while let Some(name) = map.next_key::<Cow<'de, str>>()? {
                    let value: &'de RawValue = map.next_value()?;
                    members.push((name, value));
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(MembersVisitor)
    }
}

/// A JSON Lines member's value as a placeholder takes it: a string's text, a number as written.
///
/// # Errors
/// For null, true/false, arrays and objects.
pub fn json_value(raw: &RawValue) -> Result<Cow<'_, str>, &'static str> {
    let text = raw.get();
    match text.as_bytes().first() {
        Some(b'"') => serde_json::from_str::<Cow<'_, str>>(text).map_err(|_| "is not a valid JSON string"),
        Some(b'-' | b'0'..=b'9') => Ok(Cow::Borrowed(text)),
        _ => Err("is not a string or a number"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_records_end_outside_quotes() {
        let buf = b"a,\"b\nc\",d\r\ne,f";
        assert_eq!(Format::Csv.record_len(buf, false), Some((11, 2)));
        assert_eq!(Format::Csv.record_len(&buf[11..], false), None);
        assert_eq!(Format::Csv.record_len(&buf[11..], true), Some((3, 0)));
        assert_eq!(Format::Csv.record_len(b"\"a\nb", false), None);
        assert_eq!(Format::Csv.record_len(b"\"a\nb", true), Some((4, 1)));
        assert_eq!(Format::JsonLines.record_len(b"{}\n{}", false), Some((3, 1)));
        // A stray quote does not open a quoted field: its line is one (malformed) record.
        assert_eq!(Format::Csv.record_len(b"1,a\"b\n2,c\n", false), Some((6, 1)));
        assert_eq!(Format::Csv.record_len(b"1,\"a\"b\"\n2\n", false), Some((8, 1)));
        assert_eq!(Format::Csv.record_len(b"1,\"a\"\"\n\"\n2\n", false), Some((9, 2)));
    }

    #[test]
    fn csv_fields_and_values() {
        let body = b"1,\"a,\"\"b\"\"\",,\"\"";
        let mut f = Vec::new();
        csv_fields(body, &mut f).unwrap();
        let values: Vec<Vec<u8>> = f.iter().map(|r| csv_value(&body[r.clone()]).into_owned()).collect();
        assert_eq!(values, [b"1".to_vec(), b"a,\"b\"".to_vec(), vec![], vec![]]);
        assert!(csv_fields(b"a\"b", &mut f).is_err());
        assert!(csv_fields(b"\"ab\"c", &mut f).is_err());
        assert!(csv_fields(b"\"ab", &mut f).is_err());
        let mut out = Vec::new();
        csv_write(&mut out, b"x\"y");
        assert_eq!(out, b"\"x\"\"y\"");
    }

    #[test]
    fn json_members_keep_order_and_text() {
        let m = Members::parse(br#"{"z": 1.50, "a":"x\u0041", "n":null}"#).unwrap();
        let names: Vec<&str> = m.0.iter().map(|(n, _)| n.as_ref()).collect();
        assert_eq!(names, ["z", "a", "n"]);
        assert_eq!(m.0[0].1.get(), "1.50");
        assert_eq!(json_value(m.0[1].1).unwrap(), "xA");
        assert!(json_value(m.0[2].1).is_err());
        assert!(Members::parse(b"[1]").is_err());
    }
}
