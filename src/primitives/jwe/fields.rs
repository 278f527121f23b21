//! JSON field encryption: the sensitive string values of a JSON document replaced by compact JWEs,
//! and back.
//!
//! The document is edited as text: only the selected string literals change, so key order,
//! whitespace, number spellings (`1.10`, `1e400`, 20-digit ids) and every other byte stay as they
//! were.

use std::str::FromStr;

use base64ct::{Base64UrlUnpadded, Encoding};
use zeroize::Zeroizing;

use crate::jwe::{AllowList, EncryptOptions, JweError, decrypt, encrypt};
use crate::rsa::{Jwk, Jwks};

/// Which values to encrypt: every member with a name, or the one value at a JSON pointer.
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum Field {
    /// Every object member with this name, at any depth (e.g. `password`).
    Name(String),
    /// The value at this JSON pointer (RFC 6901, e.g. `/credentials/0/otp`).
    Pointer(String),
}

impl Field {
    /// A JSON pointer when `s` starts with `/`, a member name otherwise.
    pub fn parse(s: &str) -> Field {
        if s.starts_with('/') { Field::Pointer(s.to_owned()) } else { Field::Name(s.to_owned()) }
    }

    fn describe(&self) -> String {
        match self {
            Field::Name(name) => format!("'{name}'"),
            Field::Pointer(pointer) => format!("at pointer '{pointer}'"),
        }
    }
}

impl FromStr for Field {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Field::parse(s))
    }
}

/// Replaces each string value that `fields` select in the JSON document `json` with its compact
/// JWE under `key`, and returns the new document. Every other byte is kept.
///
/// # Errors
/// [`JweError::Json`] for a document that is not JSON, [`JweError::FieldNotFound`] for a field that
/// selects nothing, [`JweError::FieldNotString`] for a selected value that is not a string, and the
/// errors of [`encrypt`].
///
/// # Examples
/// ```
/// use paycrypt::jwe::{self, AllowList, EncryptOptions, Field};
/// use paycrypt::rsa::{Jwk, Jwks, RsaPrivateKey};
///
/// let key = Jwk::from_private(RsaPrivateKey::generate(2048)?).with_kid("k1");
/// let request = r#"{"login": "jdoe", "password": "hunter2", "amount": 1.10}"#;
/// let sealed = jwe::encrypt_fields(request, &[Field::parse("password")], &key, &EncryptOptions::default())?;
/// assert!(sealed.starts_with(r#"{"login": "jdoe", "password": "eyJ"#));
/// assert!(sealed.ends_with(r#"", "amount": 1.10}"#));
///
/// let opened = jwe::decrypt_fields(&sealed, &[], &Jwks::new(vec![key]), &AllowList::default())?;
/// assert_eq!(opened.as_str(), request);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn encrypt_fields(
    json: &str,
    fields: &[Field],
    key: &Jwk,
    options: &EncryptOptions,
) -> Result<String, JweError> {
    let entries = scan(json)?;
    let mut chosen: Vec<&Entry> = Vec::new();
    for field in fields {
        let matched: Vec<&Entry> = entries.iter().filter(|e| e.selected_by(field)).collect();
        if matched.is_empty() {
            return Err(JweError::FieldNotFound { field: field.describe() });
        }
        chosen.extend(matched);
    }
    splice(json, chosen, |entry| {
        let value = entry.string_value(json)?;
        Ok(Zeroizing::new(format!("\"{}\"", encrypt(value.as_bytes(), key, options)?)))
    })
}

/// The reverse of [`encrypt_fields`]: decrypts the compact JWEs at `fields`, or, when `fields` is
/// empty, every string value that is a compact JWE, and puts the plaintexts back as JSON strings.
///
/// # Errors
/// [`JweError::Json`], [`JweError::FieldNotFound`], [`JweError::FieldNotString`],
/// [`JweError::FieldNotText`] when a payload is not UTF-8, and the errors of [`decrypt`].
pub fn decrypt_fields(
    json: &str,
    fields: &[Field],
    keys: &Jwks,
    allow: &AllowList,
) -> Result<Zeroizing<String>, JweError> {
    let entries = scan(json)?;
    let mut chosen: Vec<&Entry> = Vec::new();
    if fields.is_empty() {
        chosen.extend(entries.iter().filter(|e| {
            e.kind == Kind::String && looks_like_jwe(json.get(e.start..e.end).unwrap_or_default())
        }));
    }
    for field in fields {
        let matched: Vec<&Entry> = entries.iter().filter(|e| e.selected_by(field)).collect();
        if matched.is_empty() {
            return Err(JweError::FieldNotFound { field: field.describe() });
        }
        chosen.extend(matched);
    }
    splice(json, chosen, |entry| {
        let token = entry.string_value(json)?;
        let out = decrypt(&token, keys, allow)?;
        let text = std::str::from_utf8(&out.payload)
            .map_err(|_| JweError::FieldNotText { pointer: entry.pointer.clone() })?;
        let quoted = serde_json::to_string(text).map_err(|e| JweError::Json { detail: e.to_string() })?;
        Ok(Zeroizing::new(quoted))
    })
    .map(Zeroizing::new)
}

/// The JSON type of a value.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
enum Kind {
    String,
    Number,
    Literal,
    Object,
    Array,
}

/// One value of the document: where it is and what it is.
#[derive(Debug)]
struct Entry {
    /// Its JSON pointer.
    pointer: String,
    /// The member name it is the value of (`None` for array elements and the root).
    name: Option<String>,
    /// Its byte span in the text.
    start: usize,
    end: usize,
    kind: Kind,
}

impl Entry {
    fn selected_by(&self, field: &Field) -> bool {
        match field {
            Field::Name(name) => self.name.as_deref() == Some(name),
            Field::Pointer(pointer) => self.pointer == *pointer,
        }
    }

    /// The decoded string, or [`JweError::FieldNotString`].
    fn string_value(&self, json: &str) -> Result<Zeroizing<String>, JweError> {
        let found = match self.kind {
            Kind::String => {
                let raw = json.get(self.start..self.end).unwrap_or_default();
                return serde_json::from_str::<String>(raw)
                    .map(Zeroizing::new)
                    .map_err(|e| JweError::Json { detail: e.to_string() });
            }
            Kind::Number => "a number",
            Kind::Literal => "true, false or null",
            Kind::Object => "an object",
            Kind::Array => "an array",
        };
        Err(JweError::FieldNotString { pointer: self.pointer.clone(), found })
    }
}

/// Replaces each chosen entry's span by `replace(entry)`, once each, back to front.
fn splice(
    json: &str,
    mut chosen: Vec<&Entry>,
    mut replace: impl FnMut(&Entry) -> Result<Zeroizing<String>, JweError>,
) -> Result<String, JweError> {
    chosen.sort_by_key(|e| std::cmp::Reverse(e.start));
    chosen.dedup_by_key(|e| e.start);
    let mut out = json.to_owned();
    for entry in chosen {
        let replacement = replace(entry)?;
        if entry.end > out.len() || !out.is_char_boundary(entry.start) || !out.is_char_boundary(entry.end) {
            return Err(JweError::Json { detail: "a value's boundaries could not be found".to_owned() });
        }
        out.replace_range(entry.start..entry.end, &replacement);
    }
    Ok(out)
}

/// Whether a JSON string literal holds something shaped like a compact JWE: five base64url parts,
/// the first a JSON header with `enc`.
fn looks_like_jwe(literal: &str) -> bool {
    let inner = literal.trim_matches('"');
    let parts: Vec<&str> = inner.split('.').collect();
    if parts.len() != 5
        || !inner.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return false;
    }
    let Ok(header) = Base64UrlUnpadded::decode_vec(parts[0]) else { return false };
    serde_json::from_slice::<serde_json::Value>(&header).is_ok_and(|v| v.get("enc").is_some())
}

/// Every value of a JSON document with its pointer and span. The text is validated by serde_json
/// first (which also bounds the nesting depth), so the walk below only has to find boundaries.
fn scan(json: &str) -> Result<Vec<Entry>, JweError> {
    serde_json::from_str::<serde::de::IgnoredAny>(json)
        .map_err(|e| JweError::Json { detail: e.to_string() })?;
    let mut scanner = Scanner { text: json, pos: 0, entries: Vec::new() };
    scanner.value(String::new(), None)?;
    Ok(scanner.entries)
}

struct Scanner<'a> {
    text: &'a str,
    pos: usize,
    entries: Vec<Entry>,
}

impl Scanner<'_> {
    fn peek(&self) -> u8 {
        self.text.as_bytes().get(self.pos).copied().unwrap_or(0)
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), b' ' | b'\t' | b'\r' | b'\n') {
            self.pos += 1;
        }
    }

    fn value(&mut self, pointer: String, name: Option<String>) -> Result<(), JweError> {
        self.skip_ws();
        let start = self.pos;
        let kind = match self.peek() {
            b'{' => {
                self.pos += 1;
                loop {
                    self.skip_ws();
                    match self.peek() {
                        b'}' | 0 => break,
                        b',' => self.pos += 1,
                        _ => {
                            let key_start = self.pos;
                            self.string();
                            let raw = self.text.get(key_start..self.pos).unwrap_or_default();
                            let key: String = serde_json::from_str(raw)
                                .map_err(|e| JweError::Json { detail: e.to_string() })?;
                            self.skip_ws();
                            self.pos += 1; // the ':'
                            let child = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                            self.value(child, Some(key))?;
                        }
                    }
                }
                self.pos += 1;
                Kind::Object
            }
            b'[' => {
                self.pos += 1;
                let mut index = 0usize;
                loop {
                    self.skip_ws();
                    match self.peek() {
                        b']' | 0 => break,
                        b',' => self.pos += 1,
                        _ => {
                            self.value(format!("{pointer}/{index}"), None)?;
                            index += 1;
                        }
                    }
                }
                self.pos += 1;
                Kind::Array
            }
            b'"' => {
                self.string();
                Kind::String
            }
            first => {
                while !matches!(self.peek(), b',' | b']' | b'}' | b' ' | b'\t' | b'\r' | b'\n' | 0) {
                    self.pos += 1;
                }
                if matches!(first, b't' | b'f' | b'n') { Kind::Literal } else { Kind::Number }
            }
        };
        let end = self.pos.min(self.text.len());
        self.entries.push(Entry { pointer, name, start, end, kind });
        Ok(())
    }

    /// Moves past a string literal, quotes included.
    fn string(&mut self) {
        self.pos += 1;
        loop {
            match self.peek() {
                b'\\' => self.pos += 2,
                b'"' => {
                    self.pos += 1;
                    return;
                }
                0 if self.pos >= self.text.len() => return,
                _ => self.pos += 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_finds_pointers_and_spans() {
        let json = r#" {"a": [1, "x\"y", {"b/c": null}], "d~": {"e": 1.10}} "#;
        let entries = scan(json).unwrap();
        let found: Vec<(&str, &str)> =
            entries.iter().map(|e| (e.pointer.as_str(), &json[e.start..e.end])).collect();
        assert!(found.contains(&("/a/0", "1")));
        assert!(found.contains(&("/a/1", r#""x\"y""#)));
        assert!(found.contains(&("/a/2/b~1c", "null")));
        assert!(found.contains(&("/d~0/e", "1.10")));
        assert!(found.contains(&("", json.trim())));
    }

    #[test]
    fn rejects_invalid_json() {
        assert!(matches!(scan("{\"a\": }"), Err(JweError::Json { .. })));
    }
}
