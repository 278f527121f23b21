//! Optional blocks (ANSI X9.143:2021 §6.3.6, TR-31:2018 §A.5.6): after the fixed header, each block is
//! a 2-character ID, a length and its data.
//!
//! The length counts the whole block (ID and length included) in 2 hex digits. A block longer than 255
//! characters writes `00` there, then the number of characters of the length (`04`) and the length in
//! 4 hex digits, a count that includes the 10 characters of ID and lengths (ANSI X9.143:2021 §6.2
//! Table 1; its examples 8.5 and 8.6 write `CT000405CC…`). psec 1.3 writes `02` (a count of bytes)
//! followed by 4 hex digits; as a 2-digit extended length is never needed, `02` is read psec's way,
//! so both forms unwrap. psec cannot read the standard form.

use std::fmt;

use crate::primitives::tr31::Tr31Error;
use crate::primitives::tr31::header::lossy;

/// One optional block of a header.
///
/// Rules checked by [`OptionalBlock::validate`] (ANSI X9.143:2021 §6.3.6):
/// - `id`: 2 letters or digits; `data`: printable ASCII (space to `~`);
/// - `KS` (initial key serial number / key set ID), `KC` (KCV of the wrapped key), `KP` (KCV of the
///   KBPK): upper-case hex digits; `KC` and `KP` start with the KCV algorithm, `00` (legacy: encrypt
///   zeros) or `01` (CMAC), followed by 2 to 16 bytes of check value;
/// - `TS` (time stamp): ISO 8601 UTC, `YYYYMMDDhhmmssZ`, `YYYYMMDDhhmmssffZ`, `YYYY-MM-DDThh:mm:ssZ`
///   or `YYYY-MM-DDThh:mm:ss.ffZ`;
/// - `PB` (padding block): any printable characters; `wrap` adds one when the header is not a whole
///   number of cipher blocks.
#[derive(Clone, Debug, Eq, PartialEq, Hash)]
pub struct OptionalBlock {
    /// The block ID, 2 characters, e.g. `KS`.
    pub id: String,
    /// The block's data.
    pub data: String,
}

impl OptionalBlock {
    /// A block from its ID and data (not yet checked; see [`OptionalBlock::validate`]).
    pub fn new(id: impl Into<String>, data: impl Into<String>) -> OptionalBlock {
        OptionalBlock { id: id.into(), data: data.into() }
    }

    /// Checks the block's rules (see [`OptionalBlock`]).
    ///
    /// # Errors
    /// [`Tr31Error::OptionalBlock`] naming the block and the rule.
    pub fn validate(&self) -> Result<(), Tr31Error> {
        let id = self.id.as_bytes();
        if id.len() != 2 || !id.iter().all(u8::is_ascii_alphanumeric) {
            return Err(bad(&self.id, "the ID must be 2 letters or digits"));
        }
        if !self.data.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
            return Err(bad(&self.id, "data must be printable ASCII characters"));
        }
        if self.data.len() > 0xFFFF - 10 {
            return Err(bad(&self.id, "data is longer than 65525 characters"));
        }
        match self.id.as_str() {
            "KS" => check_hex(&self.id, &self.data),
            "KC" | "KP" => check_kcv(&self.id, &self.data),
            "TS" => check_time(&self.data).map_err(|()| {
                bad(&self.id, "must be an ISO 8601 UTC time, e.g. 20201231235959Z or 2020-12-31T23:59:59Z")
            }),
            _ => Ok(()),
        }
    }

    /// The block's length as its length field counts it.
    fn encoded_len(&self) -> usize {
        if self.data.len() + 4 <= 0xFF { self.data.len() + 4 } else { self.data.len() + 10 }
    }
}

impl fmt::Display for OptionalBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let len = self.encoded_len();
        if len <= 0xFF {
            write!(f, "{}{len:02X}{}", self.id, self.data)
        } else {
            write!(f, "{}0004{len:04X}{}", self.id, self.data)
        }
    }
}

/// The blocks as they are written in a header.
pub(crate) fn format(blocks: &[OptionalBlock]) -> String {
    blocks.iter().map(ToString::to_string).collect()
}

/// The blocks to write for a header whose blocks must end on a cipher block boundary: `blocks` as
/// they are when they already do; otherwise without their padding blocks and with a new `PB` of
/// random letters and digits at the end.
pub(crate) fn padded(blocks: &[OptionalBlock], block_len: usize) -> Result<Vec<OptionalBlock>, Tr31Error> {
    if format(blocks).len().is_multiple_of(block_len) {
        return Ok(blocks.to_vec());
    }
    let mut out: Vec<OptionalBlock> = blocks.iter().filter(|b| b.id != "PB").cloned().collect();
    let used = format(&out).len() + 4;
    let data_len = (block_len - used % block_len) % block_len;
    out.push(OptionalBlock::new("PB", random_alphanumeric(data_len)?));
    Ok(out)
}

/// Parses `count` blocks from the start of `text`; returns them and the characters they took.
pub(crate) fn parse(text: &[u8], count: usize) -> Result<(Vec<OptionalBlock>, usize), Tr31Error> {
    let mut blocks = Vec::with_capacity(count);
    let mut at = 0;
    for n in 1..=count {
        let place = || format!("#{n}");
        let id = text.get(at..at + 2).ok_or_else(|| bad(&place(), "the header ends before the block"))?;
        let id = lossy(id);
        let short = text.get(at + 2..at + 4).ok_or_else(|| bad(&id, "the header ends in its length"))?;
        let short = hex_number(short).ok_or_else(|| bad(&id, "the length must be 2 hex digits"))?;
        let (len, head) = if short != 0 {
            (short, 4)
        } else {
            let width = text.get(at + 4..at + 6).and_then(hex_number);
            // `02` is psec's count of bytes (4 digits); otherwise a count of digits, as the standard.
            let width = width.map(|w| if w == 2 { 4 } else { w }).filter(|w| (3..=6).contains(w));
            let width = width.ok_or_else(|| bad(&id, "an extended length must give its size as 04"))?;
            let digits = text.get(at + 6..at + 6 + width).and_then(hex_number);
            let len = digits.ok_or_else(|| bad(&id, "the extended length must be hex digits"))?;
            (len, 6 + width)
        };
        if len < head {
            return Err(bad(&id, "the length is shorter than the block's ID and length"));
        }
        let data =
            text.get(at + head..at + len).ok_or_else(|| bad(&id, "the block runs past the key block"))?;
        let data =
            std::str::from_utf8(data).map_err(|_| bad(&id, "data must be printable ASCII characters"))?;
        let block = OptionalBlock::new(id, data);
        block.validate()?;
        blocks.push(block);
        at += len;
    }
    Ok((blocks, at))
}

fn hex_number(digits: &[u8]) -> Option<usize> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let text = std::str::from_utf8(digits).ok()?;
    usize::from_str_radix(text, 16).ok()
}

fn bad(id: &str, reason: &str) -> Tr31Error {
    Tr31Error::OptionalBlock { id: crate::primitives::tr31::header::printable(id), reason: reason.to_owned() }
}

fn check_hex(id: &str, data: &str) -> Result<(), Tr31Error> {
    let upper_hex = |b: u8| b.is_ascii_digit() || (b'A'..=b'F').contains(&b);
    if data.is_empty() || !data.bytes().all(upper_hex) {
        return Err(bad(id, "data must be upper-case hex digits"));
    }
    Ok(())
}

fn check_kcv(id: &str, data: &str) -> Result<(), Tr31Error> {
    check_hex(id, data)?;
    let (algorithm, kcv) = data.split_at(2.min(data.len()));
    if algorithm != "00" && algorithm != "01" {
        return Err(bad(id, "the KCV algorithm must be 00 (legacy) or 01 (CMAC)"));
    }
    if !kcv.len().is_multiple_of(2) || !(4..=32).contains(&kcv.len()) {
        return Err(bad(id, "the check value must be 2 to 16 bytes of hex"));
    }
    Ok(())
}

/// The four ISO 8601 forms of ANSI X9.143:2021 §6.3.6.13-14, all UTC: basic with 2 or 4 digits of
/// seconds, extended with whole or hundredths of seconds.
fn check_time(data: &str) -> Result<(), ()> {
    let b = data.as_bytes();
    let digits =
        |range: std::ops::Range<usize>| b.get(range).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let ok = match b.len() {
        15 => digits(0..14),
        17 => digits(0..16),
        20 => {
            digits(0..4)
                && digits(5..7)
                && digits(8..10)
                && digits(11..13)
                && digits(14..16)
                && digits(17..19)
        }
        23 => {
            digits(0..4)
                && digits(5..7)
                && digits(8..10)
                && digits(11..13)
                && digits(14..16)
                && digits(17..19)
                && b[19] == b'.'
                && digits(20..22)
        }
        _ => false,
    };
    let delimiters =
        b.len() < 20 || (b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':' && b[16] == b':');
    if ok && delimiters && b.last() == Some(&b'Z') { Ok(()) } else { Err(()) }
}

/// `len` random letters and digits.
fn random_alphanumeric(len: usize) -> Result<String, Tr31Error> {
    const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = String::with_capacity(len);
    let mut bytes = [0u8; 64];
    while out.len() < len {
        crate::primitives::tr31::binding::random(&mut bytes)?;
        // 248 = 4 * 62: rejecting the rest keeps the choice uniform.
        out.extend(
            bytes
                .iter()
                .filter(|&&b| b < 248)
                .map(|&b| char::from(ALPHABET[usize::from(b % 62)]))
                .take(len - out.len()),
        );
    }
    Ok(out)
}
