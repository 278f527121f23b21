//! The canonical request, the string to sign and the signature, shared by signing and verifying so
//! both build byte-for-byte the same text.
//!
//! Design notes, where AWS's rules leave room and botocore (the peer we match) decides:
//! - Path: dot segments and empty segments are removed, then the path *as received* (already
//!   percent-encoded) is URI-encoded once more, `/` kept: `%3A` in `/keys/arn%3Aaws…/encrypt` signs
//!   as `%253A`. That double encoding is what every SDK does for services other than S3.
//! - Query: each `name=value` is percent-decoded (`+` read as a space, as Python's `urlencode`
//!   writes it) and re-encoded with only the unreserved characters left bare, then sorted by name
//!   and value.
//! - Header values: leading, trailing and repeated whitespace folded to one space; repeated headers
//!   joined with `,` in the order received.

use std::fmt::Write as _;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::time::AmzDate;

/// The algorithm name in the `Authorization` header and the string to sign.
pub(crate) const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// The credential scope's terminator.
pub(crate) const TERMINATOR: &str = "aws4_request";
/// The `x-amz-content-sha256` value that leaves the body out of the signature.
pub(crate) const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

type HmacSha256 = Hmac<Sha256>;

/// The canonical request: method, path, query, headers, signed header list and payload hash, one
/// per line. `headers` holds the received headers; `signed` the lower-case names to sign, in order.
pub(crate) fn canonical_request(
    method: &str,
    path: &str,
    query: &str,
    headers: &[(&str, &str)],
    signed: &[&str],
    payload_hash: &str,
) -> String {
    let mut out = String::with_capacity(256);
    out.push_str(method);
    out.push('\n');
    canonical_path(path, &mut out);
    out.push('\n');
    canonical_query(query, &mut out);
    out.push('\n');
    for name in signed {
        out.push_str(name);
        out.push(':');
        let mut first = true;
        for (_, value) in headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)) {
            if !first {
                out.push(',');
            }
            first = false;
            trim_all(value, &mut out);
        }
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&signed.join(";"));
    out.push('\n');
    out.push_str(payload_hash);
    out
}

/// `AWS4-HMAC-SHA256`, the signing time, the scope and the hex SHA-256 of the canonical request.
pub(crate) fn string_to_sign(date: AmzDate, scope: &str, canonical_request: &str) -> String {
    let hash = hex::encode(Sha256::digest(canonical_request.as_bytes()));
    format!("{ALGORITHM}\n{date}\n{scope}\n{hash}")
}

/// The HMAC-SHA256 signature of `string_to_sign` under the key derived from `secret` for the day,
/// region and service.
pub(crate) fn signature(
    secret: &str,
    day: &str,
    region: &str,
    service: &str,
    string_to_sign: &str,
) -> [u8; 32] {
    let mut k_secret = Zeroizing::new(Vec::with_capacity(4 + secret.len()));
    k_secret.extend_from_slice(b"AWS4");
    k_secret.extend_from_slice(secret.as_bytes());
    let k_date = Zeroizing::new(hmac(&k_secret, day.as_bytes()));
    let k_region = Zeroizing::new(hmac(&*k_date, region.as_bytes()));
    let k_service = Zeroizing::new(hmac(&*k_region, service.as_bytes()));
    let k_signing = Zeroizing::new(hmac(&*k_service, TERMINATOR.as_bytes()));
    hmac(&*k_signing, string_to_sign.as_bytes())
}

/// The lower-case hex SHA-256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC takes keys of any length, so this never fails; the fallback keeps panics out of reach.
    let Ok(mut mac) = HmacSha256::new_from_slice(key) else {
        return [0; 32];
    };
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Appends the path with dot and empty segments removed, each byte outside the unreserved set
/// and `/` percent-encoded.
fn canonical_path(path: &str, out: &mut String) {
    if path.is_empty() {
        out.push('/');
        return;
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    if path.starts_with('/') {
        out.push('/');
    }
    for (i, segment) in segments.iter().enumerate() {
        if i > 0 {
            out.push('/');
        }
        uri_encode(segment.as_bytes(), out);
    }
    if path.ends_with('/') && !segments.is_empty() {
        out.push('/');
    }
}

/// Appends the query's `name=value` pairs, decoded, strictly re-encoded, sorted, joined with `&`.
fn canonical_query(query: &str, out: &mut String) {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let (mut n, mut v) = (String::new(), String::new());
            uri_encode(&percent_decode(name), &mut n);
            uri_encode(&percent_decode(value), &mut v);
            (n, v)
        })
        .collect();
    pairs.sort_unstable();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
}

/// Appends `bytes` with everything but `A-Z a-z 0-9 - _ . ~` written as `%XX` (upper-case hex).
fn uri_encode(bytes: &[u8], out: &mut String) {
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// Decodes `%XX` escapes and `+` (a space); a `%` not followed by two hex digits stays as it is.
fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => match (b.get(i + 1).and_then(hex_value), b.get(i + 2).and_then(hex_value)) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 3;
                }
                _ => {
                    out.push(b'%');
                    i += 1;
                }
            },
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

fn hex_value(c: &u8) -> Option<u8> {
    char::from(*c).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

/// Appends `value` with leading and trailing whitespace removed and inner runs folded to one space
/// (whitespace as Python's `str.split()` sees it, which botocore uses).
fn trim_all(value: &str, out: &mut String) {
    let is_space = |c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c);
    for (i, word) in value.split(is_space).filter(|w| !w.is_empty()).enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str) -> String {
        let mut s = String::new();
        canonical_path(p, &mut s);
        s
    }

    fn query(q: &str) -> String {
        let mut s = String::new();
        canonical_query(q, &mut s);
        s
    }

    #[test]
    fn paths_are_encoded_again() {
        assert_eq!(path(""), "/");
        assert_eq!(path("/"), "/");
        assert_eq!(path("/keys/alias%2Fdek/encrypt"), "/keys/alias%252Fdek/encrypt");
        assert_eq!(path("/keys/arn%3Aaws%3Akms/encrypt"), "/keys/arn%253Aaws%253Akms/encrypt");
        assert_eq!(path("//a/./b/../c/"), "/a/c/");
        assert_eq!(path("/a b~"), "/a%20b~");
        assert_eq!(path("/.."), "/");
    }

    #[test]
    fn queries_are_decoded_sorted_and_encoded() {
        assert_eq!(query(""), "");
        assert_eq!(query("b=2&a=1&a=0"), "a=0&a=1&b=2");
        assert_eq!(query("x=a+b%2fc&flag"), "flag=&x=a%20b%2Fc");
        assert_eq!(query("bad=%zz%4"), "bad=%25zz%254");
        assert_eq!(query("&&k=%7e"), "k=~");
    }

    #[test]
    fn header_values_are_trimmed() {
        let mut s = String::new();
        trim_all("  a \t b\u{1f}c  ", &mut s);
        assert_eq!(s, "a b c");
    }
}
