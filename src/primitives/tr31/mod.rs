//! TR-31 key blocks (ASC X9 TR-31:2018, ANSI X9.143:2021): a key wrapped under a key block protection
//! key (KBPK) together with a header that says what the key may be used for, bound to it by a MAC.
//!
//! A key block is text:
//!
//! ```text
//! D0112P0AE00E0000 | 7A1B...(encrypted payload, hex)...C3 | 1F2E...(MAC, hex)...9A
//!  header (§6.2)       payload (§6.4): key length in bits (2 bytes), key, padding
//! ```
//!
//! - [`header`](Header): the 16 fixed characters (version, length, usage, algorithm, mode of use, key
//!   version, exportability, block count, reserved) and the optional blocks ([`OptionalBlock`], §6.3.6);
//!   the whole header is a whole number of cipher blocks, padded by a `PB` block when needed.
//! - The payload: the key's length in bits (2 bytes, big-endian), the key, then random padding to a
//!   whole number of cipher blocks. By default the key is padded as if it were as long as the longest
//!   key of its algorithm (24 bytes for TDES and DES, 32 for AES), as psec and most HSMs do, so the key
//!   block does not give the key's length away; [`wrap_with_mask_len`] chooses otherwise.
//! - The binding method of the version ([`Version`]): B (TDES) and D (AES) derive an encryption and a
//!   MAC key from the KBPK with CMAC (TR-31:2018 §A.3.2-3, X9.143 §7); A and C derive them by key
//!   variants (TR-31:2018 §A.3.1) and are legacy: unwrap them, make new blocks in B or D.
//!
//! Errors: header and format problems are typed and name the field ([`Tr31Error`]); anything checked
//! under the key (MAC, payload length, key length) is the single opaque [`Tr31Error::Invalid`].
//!
//! # Examples
//! ```
//! use paycrypt::primitives::tr31::{self, Header};
//!
//! let kbpk = hex::decode("88E1AB2A2E3DD38C1FA039A536500CC8A87AB9D62DC92C01058FA79F44657DE6")?;
//! let key = hex::decode("3F419E1CB7079442AA37474C2EFBF8B8")?;
//! let block = tr31::wrap(&kbpk, &Header::parse("D0000P0AE00E0000")?, &key)?;
//! assert!(block.starts_with("D0144P0AE00E0000"));
//! let unwrapped = tr31::unwrap(&kbpk, &block)?;
//! assert_eq!(&unwrapped.key[..], &key[..]);
//! assert_eq!(unwrapped.header.key_usage, "P0");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod binding;
mod blocks;
mod error;
mod header;

use std::fmt;

use zeroize::Zeroizing;

pub use blocks::OptionalBlock;
pub use error::Tr31Error;
pub use header::{Header, Version};

use binding::BlockKeys;

/// A key taken out of a key block, with the header it was bound to.
#[derive(Clone)]
pub struct Unwrapped {
    /// The key block's header, optional blocks included.
    pub header: Header,
    /// The key.
    pub key: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for Unwrapped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Unwrapped").field("header", &self.header).field("key", &"...").finish()
    }
}

/// Wraps `key` under `kbpk` into a key block with `header`, its length masked to the algorithm's
/// longest key (see the [module documentation](self)).
///
/// The length field and the optional block count are computed. Optional blocks that end on a cipher
/// block boundary are written as given; otherwise any `PB` given is dropped and a new `PB` of random
/// letters and digits is appended to fill the last block. Versions A and C are legacy and offered for
/// tests and old peers; make new blocks in B (TDES KBPK) or D (AES KBPK).
///
/// # Errors
/// A header rule broken ([`Header::validate`]), [`Tr31Error::KbpkLength`], [`Tr31Error::KeyLength`]
/// (TDES 8, 16 or 24 bytes, DES 8, AES 16, 24 or 32, others at least 1), [`Tr31Error::TooLong`],
/// [`Tr31Error::Random`].
pub fn wrap(kbpk: &[u8], header: &Header, key: &[u8]) -> Result<String, Tr31Error> {
    wrap_with_mask_len(kbpk, header, key, None)
}

/// Wraps as [`wrap`] does, padding the key as if it were `masked_len` bytes long (`None`: the
/// algorithm's longest key; a value shorter than the key: no masking).
///
/// # Errors
/// As [`wrap`].
pub fn wrap_with_mask_len(
    kbpk: &[u8],
    header: &Header,
    key: &[u8],
    masked_len: Option<usize>,
) -> Result<String, Tr31Error> {
    header.validate()?;
    let version = header.version;
    let keys = BlockKeys::derive(version, kbpk)?;
    check_key_len(header.algorithm, key.len())?;
    let block_len = version.block_len();
    let masked = masked_len.unwrap_or_else(|| longest_key(header.algorithm, key.len())).max(key.len());
    // No key block is longer than 9999 characters: a larger key or mask is refused before any sum.
    if masked > 9999 {
        return Err(Tr31Error::TooLong { got: masked.saturating_mul(2) });
    }
    let payload_len = (2 + masked).div_ceil(block_len) * block_len;
    let blocks = blocks::padded(&header.optional_blocks, block_len)?;
    if blocks.len() > 99 {
        return Err(Tr31Error::TooManyBlocks { got: blocks.len() });
    }
    let blocks_text = blocks::format(&blocks);
    let total = header::FIXED_LEN + blocks_text.len() + 2 * payload_len + 2 * version.mac_len();
    if total > 9999 {
        return Err(Tr31Error::TooLong { got: total });
    }
    let bits = u16::try_from(key.len() * 8).map_err(|_| Tr31Error::TooLong { got: total })?;
    let text = header.text_with_len(total, &blocks_text, blocks.len());
    let mut payload = Zeroizing::new(vec![0u8; payload_len]);
    payload[..2].copy_from_slice(&bits.to_be_bytes());
    payload[2..2 + key.len()].copy_from_slice(key);
    binding::random(&mut payload[2 + key.len()..])?;
    let (ciphertext, mac) = keys.seal(text.as_bytes(), &payload)?;
    Ok(text + &hex::encode_upper(ciphertext) + &hex::encode_upper(mac))
}

/// Checks the MAC of `key_block` under `kbpk` and returns its key and header.
///
/// # Errors
/// Typed errors for what can be seen without the key: a header rule ([`Header::parse`]),
/// [`Tr31Error::KeyBlockLength`] (the length field, or not whole cipher blocks), [`Tr31Error::NotHex`],
/// [`Tr31Error::KbpkLength`]. [`Tr31Error::Invalid`] for everything checked under the key.
pub fn unwrap(kbpk: &[u8], key_block: &str) -> Result<Unwrapped, Tr31Error> {
    let (header, header_len) = header::parse_with_len(key_block)?;
    let bytes = key_block.as_bytes();
    let declared: usize = key_block.get(1..5).and_then(|d| d.parse().ok()).unwrap_or(0);
    if declared != bytes.len() {
        return Err(Tr31Error::KeyBlockLength {
            got: bytes.len(),
            expected: format!("its length field says {declared}"),
        });
    }
    let version = header.version;
    let keys = BlockKeys::derive(version, kbpk)?;
    let (block_len, mac_hex) = (version.block_len(), 2 * version.mac_len());
    let body = &bytes[header_len..];
    let cipher_hex = body.len().saturating_sub(mac_hex);
    if !header_len.is_multiple_of(block_len)
        || body.len() < mac_hex + 2 * block_len
        || !cipher_hex.is_multiple_of(2 * block_len)
    {
        return Err(Tr31Error::KeyBlockLength {
            got: bytes.len(),
            expected: format!(
                "version {version} needs a header and an encrypted payload of whole {block_len}-byte blocks, \
                 then {mac_hex} hex digits of MAC"
            ),
        });
    }
    let ciphertext = upper_hex(&body[..cipher_hex], "encrypted key")?;
    let mac = upper_hex(&body[cipher_hex..], "MAC")?;
    let payload = keys.open(&bytes[..header_len], &ciphertext, &mac)?;
    let bits = usize::from(u16::from_be_bytes([payload[0], payload[1]]));
    if !bits.is_multiple_of(8) || 2 + bits / 8 > payload.len() {
        return Err(Tr31Error::Invalid);
    }
    let key = Zeroizing::new(payload[2..2 + bits / 8].to_vec());
    Ok(Unwrapped { header, key })
}

/// The key lengths an algorithm takes, checked when wrapping.
fn check_key_len(algorithm: char, len: usize) -> Result<(), Tr31Error> {
    let (ok, expected) = match algorithm {
        'T' => (len == 8 || len == 16 || len == 24, "8, 16 or 24"),
        'D' => (len == 8, "8"),
        'A' => (len == 16 || len == 24 || len == 32, "16, 24 or 32"),
        _ => (len > 0, "at least 1"),
    };
    if ok { Ok(()) } else { Err(Tr31Error::KeyLength { algorithm, got: len, expected }) }
}

/// The longest key of an algorithm, the default masked length; other algorithms are not masked.
fn longest_key(algorithm: char, len: usize) -> usize {
    match algorithm {
        'T' | 'D' => 24,
        'A' => 32,
        _ => len,
    }
}

fn upper_hex(digits: &[u8], part: &'static str) -> Result<Vec<u8>, Tr31Error> {
    let upper = |b: &u8| b.is_ascii_digit() || (b'A'..=b'F').contains(b);
    if !digits.iter().all(upper) {
        return Err(Tr31Error::NotHex { part });
    }
    hex::decode(digits).map_err(|_| Tr31Error::NotHex { part })
}
