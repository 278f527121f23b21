//! The key block header (ANSI X9.143:2021 §6.2, TR-31:2018 §A.2): sixteen fixed characters, then
//! the optional blocks.
//!
//! | chars | field | here |
//! |---|---|---|
//! | 0 | version ID | [`Version`] |
//! | 1-4 | key block length, 4 digits | written by `wrap`, checked by `unwrap` |
//! | 5-6 | key usage | [`Header::key_usage`] |
//! | 7 | algorithm | [`Header::algorithm`] |
//! | 8 | mode of use | [`Header::mode_of_use`] |
//! | 9-10 | key version number | [`Header::key_version`] |
//! | 11 | exportability | [`Header::exportability`] |
//! | 12-13 | number of optional blocks, 2 digits | [`Header::optional_blocks`] |
//! | 14-15 | reserved, `00` | |

use std::fmt;

use crate::primitives::tr31::Tr31Error;
use crate::primitives::tr31::blocks::{self, OptionalBlock};

/// The length of the fixed part of a header.
pub(crate) const FIXED_LEN: usize = 16;

/// The key block version ID: how the block is protected.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
pub enum Version {
    /// TDES key variant binding (TR-31:2005). Legacy: unwrap it, do not make new ones.
    A,
    /// TDES key derivation binding (TR-31:2010 and later): CMAC-derived keys, 8-byte CMAC.
    B,
    /// TDES key variant binding, as A with clarified header values (TR-31:2010). Legacy.
    C,
    /// AES key derivation binding (TR-31:2018, ANSI X9.143): CMAC-derived keys, 16-byte CMAC.
    D,
}

impl Version {
    /// The version ID character.
    pub const fn as_char(self) -> char {
        match self {
            Version::A => 'A',
            Version::B => 'B',
            Version::C => 'C',
            Version::D => 'D',
        }
    }

    /// The version for its ID character (upper case only).
    ///
    /// # Errors
    /// [`Tr31Error::UnsupportedVersion`] for any other character.
    pub const fn from_char(c: char) -> Result<Version, Tr31Error> {
        match c {
            'A' => Ok(Version::A),
            'B' => Ok(Version::B),
            'C' => Ok(Version::C),
            'D' => Ok(Version::D),
            got => Err(Tr31Error::UnsupportedVersion { got }),
        }
    }

    /// The cipher block length the version works in: 8 (TDES) or 16 (AES, version D).
    pub const fn block_len(self) -> usize {
        match self {
            Version::D => 16,
            _ => 8,
        }
    }

    /// The MAC length in bytes: 4 (A, C), 8 (B), 16 (D).
    pub const fn mac_len(self) -> usize {
        match self {
            Version::A | Version::C => 4,
            Version::B => 8,
            Version::D => 16,
        }
    }
}

impl TryFrom<char> for Version {
    type Error = Tr31Error;

    fn try_from(c: char) -> Result<Self, Tr31Error> {
        Version::from_char(c)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.as_char())
    }
}

/// A key block header: what the key is for, bound to it by the key block's MAC.
///
/// Fields hold the header's characters as they are in the block. [`Header::parse`] and
/// [`crate::primitives::tr31::wrap`] enforce the rules of [`Header::validate`].
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Header {
    /// How the key block is protected.
    pub version: Version,
    /// Key usage, 2 characters, e.g. `K0` (key encryption key), `P0` (PIN encryption), `B0` (BDK).
    pub key_usage: String,
    /// Algorithm of the wrapped key: `T` TDES, `A` AES, `D` DES, `H` HMAC, `R` RSA, `E` EC, `S` DSA.
    pub algorithm: char,
    /// Mode of use: `B` both encrypt and decrypt, `C` MAC generate and verify, `D` decrypt only,
    /// `E` encrypt only, `G` generate only, `N` no restriction, `S` sign only, `T` sign and decrypt,
    /// `V` verify only, `X` derive keys, `Y` create key variants.
    pub mode_of_use: char,
    /// Key version number, 2 characters; `00` when versioning is not used, `c?` for a key component.
    pub key_version: String,
    /// Exportability: `E` exportable under a trusted key, `N` not exportable, `S` sensitive.
    pub exportability: char,
    /// The optional blocks, in order, including any padding block (`PB`).
    pub optional_blocks: Vec<OptionalBlock>,
}

impl Header {
    /// Parses a header: the 16 fixed characters and the optional blocks their count announces.
    ///
    /// `text` may be a whole key block; what follows the optional blocks is ignored. The length field
    /// (characters 1-4) must be 4 digits; its value is checked only when unwrapping.
    ///
    /// # Errors
    /// A typed [`Tr31Error`] naming the field that breaks a rule of [`Header::validate`], or
    /// [`Tr31Error::OptionalBlock`] for a malformed optional block.
    ///
    /// # Examples
    /// ```
    /// use paycrypt::primitives::tr31::{Header, Version};
    ///
    /// let header = Header::parse("D0112P0AE00E0000")?;
    /// assert_eq!(header.version, Version::D);
    /// assert_eq!((header.key_usage.as_str(), header.algorithm, header.mode_of_use), ("P0", 'A', 'E'));
    /// assert_eq!(header.to_string(), "D0016P0AE00E0000");
    /// # Ok::<(), paycrypt::primitives::tr31::Tr31Error>(())
    /// ```
    pub fn parse(text: &str) -> Result<Header, Tr31Error> {
        Ok(parse_with_len(text)?.0)
    }

    /// Checks the rules of ANSI X9.143 §6.2 (TR-31:2018 §A.2) that a header can break on its own:
    /// - key usage: 2 characters, one of the standard's usages, or 2 digits (proprietary);
    /// - algorithm: `A D E H R S T`, or a digit; mode of use: `B C D E G N S T V X Y`, or a digit;
    /// - the mode of use must be one TR-31:2018 Table 6 allows with the usage (for the usages it lists),
    ///   or `N` (no restriction beyond the usage's own), which HSMs write with any usage (a Thales
    ///   payShield 10k writes `B0TN` and `K0TN`, as the samples of openemv/tr31 show);
    /// - key version: 2 alphanumeric characters; exportability: `E N S`, or a digit;
    /// - optional blocks: see [`OptionalBlock`]; at most 99.
    ///
    /// # Errors
    /// The first rule broken, as a typed [`Tr31Error`].
    pub fn validate(&self) -> Result<(), Tr31Error> {
        let usage = self.key_usage.as_bytes();
        if usage.len() != 2 || !usage.iter().all(u8::is_ascii_alphanumeric) {
            return Err(field("KeyUsage", &self.key_usage, "2 letters or digits"));
        }
        let known = key_usage_info(&self.key_usage);
        if known.is_none() && !usage.iter().all(u8::is_ascii_digit) {
            return Err(Tr31Error::UnknownKeyUsage { got: self.key_usage.clone() });
        }
        if !(matches!(self.algorithm, 'A' | 'D' | 'E' | 'H' | 'R' | 'S' | 'T')
            || self.algorithm.is_ascii_digit())
        {
            return Err(Tr31Error::UnknownAlgorithm { got: self.algorithm });
        }
        let mode = self.mode_of_use;
        if !(MODES.contains(mode) || mode.is_ascii_digit()) {
            return Err(Tr31Error::UnknownModeOfUse { got: mode });
        }
        if let Some(KeyUsage { modes: Some(allowed), .. }) = known
            && !allowed.contains(mode)
            && mode != 'N'
            && !mode.is_ascii_digit()
        {
            return Err(Tr31Error::ModeNotAllowed {
                key_usage: self.key_usage.clone(),
                mode_of_use: mode,
                allowed: spelled(allowed),
            });
        }
        let version = self.key_version.as_bytes();
        if version.len() != 2 || !version.iter().all(u8::is_ascii_alphanumeric) {
            return Err(field("KeyVersionNumber", &self.key_version, "2 letters or digits"));
        }
        if !(matches!(self.exportability, 'E' | 'N' | 'S') || self.exportability.is_ascii_digit()) {
            return Err(Tr31Error::UnknownExportability { got: self.exportability });
        }
        if self.optional_blocks.len() > 99 {
            return Err(Tr31Error::TooManyBlocks { got: self.optional_blocks.len() });
        }
        self.optional_blocks.iter().try_for_each(OptionalBlock::validate)
    }

    /// What the key usage means, e.g. `PIN encryption` for `P0`; `None` for a usage the standard
    /// does not define.
    pub fn key_usage_description(&self) -> Option<&'static str> {
        key_usage_info(&self.key_usage).map(|k| k.description)
    }

    /// The header text with the length field set to `len`.
    pub(crate) fn text_with_len(&self, len: usize, blocks_text: &str, count: usize) -> String {
        format!(
            "{}{len:04}{}{}{}{}{}{count:02}00{blocks_text}",
            self.version.as_char(),
            self.key_usage,
            self.algorithm,
            self.mode_of_use,
            self.key_version,
            self.exportability,
        )
    }
}

/// The header as it starts a key block, except the length field: that holds the header's own length
/// (16 plus its optional blocks), as a key block's length depends on the key wrapped in it. Optional
/// blocks are written as they are, with no padding block added.
impl fmt::Display for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let blocks_text = blocks::format(&self.optional_blocks);
        let text =
            self.text_with_len(FIXED_LEN + blocks_text.len(), &blocks_text, self.optional_blocks.len());
        f.write_str(&text)
    }
}

/// Parses a header and returns it with the number of characters it takes in `text`.
pub(crate) fn parse_with_len(text: &str) -> Result<(Header, usize), Tr31Error> {
    let bytes = text.as_bytes();
    if bytes.len() < FIXED_LEN {
        return Err(Tr31Error::HeaderTooShort { got: text.chars().count() });
    }
    let fixed = &bytes[..FIXED_LEN];
    let version = Version::from_char(ascii_char(fixed[0]))?;
    if !fixed[1..5].iter().all(u8::is_ascii_digit) {
        return Err(field("KeyBlockLength", &lossy(&fixed[1..5]), "4 digits"));
    }
    if !fixed[12..14].iter().all(u8::is_ascii_digit) {
        return Err(field("NumberOfOptionalBlocks", &lossy(&fixed[12..14]), "2 digits"));
    }
    if &fixed[14..16] != b"00" {
        return Err(field("Reserved", &lossy(&fixed[14..16]), "00"));
    }
    let count = usize::from(fixed[12] - b'0') * 10 + usize::from(fixed[13] - b'0');
    let (optional_blocks, blocks_len) = blocks::parse(&bytes[FIXED_LEN..], count)?;
    let header = Header {
        version,
        key_usage: lossy(&fixed[5..7]),
        algorithm: ascii_char(fixed[7]),
        mode_of_use: ascii_char(fixed[8]),
        key_version: lossy(&fixed[9..11]),
        exportability: ascii_char(fixed[11]),
        optional_blocks,
    };
    header.validate()?;
    Ok((header, FIXED_LEN + blocks_len))
}

/// The modes of use ANSI X9.143 defines.
const MODES: &str = "BCDEGNSTVXY";

/// A key usage the standard defines: what it means, and the modes of use TR-31:2018 Table 6 allows
/// with it (`None` for usages added later, which this module does not restrict).
struct KeyUsage {
    code: &'static str,
    description: &'static str,
    modes: Option<&'static str>,
}

/// The key usages of ANSI X9.143:2021 §6.3.1 (as listed by the open implementations psec 1.3 and
/// openemv/tr31 0.6), with TR-31:2018 Table 6's modes of use where that edition defines the usage.
const KEY_USAGES: &[KeyUsage] = &[
    usage("B0", "Base derivation key (BDK)", Some("X")),
    usage("B1", "Initial DUKPT key", Some("X")),
    usage("B2", "Base key variant key", Some("X")),
    usage("B3", "Key derivation key (non-X9.24)", None),
    usage("C0", "Card verification key (CVK)", Some("CGV")),
    usage("D0", "Symmetric key for data encryption", Some("BDE")),
    usage("D1", "Asymmetric key for data encryption", Some("BDE")),
    usage("D2", "Data encryption key for a decimalization table", Some("BDE")),
    usage("D3", "Data encryption key for sensitive data", None),
    usage("E0", "EMV/chip issuer master key: application cryptograms", Some("X")),
    usage("E1", "EMV/chip issuer master key: secure messaging for confidentiality", Some("X")),
    usage("E2", "EMV/chip issuer master key: secure messaging for integrity", Some("X")),
    usage("E3", "EMV/chip issuer master key: data authentication code", Some("X")),
    usage("E4", "EMV/chip issuer master key: dynamic numbers", Some("X")),
    usage("E5", "EMV/chip issuer master key: card personalization", Some("X")),
    usage("E6", "EMV/chip issuer master key: other", Some("X")),
    usage("E7", "EMV/chip asymmetric key pair for PIN encryption", None),
    usage("I0", "Initialization vector (IV)", Some("N")),
    usage("K0", "Key encryption or wrapping key", Some("BDE")),
    usage("K1", "TR-31 key block protection key", Some("BDE")),
    usage("K2", "TR-34 asymmetric key", Some("BDE")),
    usage("K3", "Asymmetric key for key agreement or key wrapping", Some("BDEX")),
    usage("K4", "ISO 20038 key block protection key", None),
    usage("M0", "ISO 16609 MAC algorithm 1 (TDES)", Some("CGV")),
    usage("M1", "ISO 9797-1 MAC algorithm 1", Some("CGV")),
    usage("M2", "ISO 9797-1 MAC algorithm 2", Some("CGV")),
    usage("M3", "ISO 9797-1 MAC algorithm 3 (retail MAC)", Some("CGV")),
    usage("M4", "ISO 9797-1 MAC algorithm 4", Some("CGV")),
    usage("M5", "ISO 9797-1:1999 MAC algorithm 5", Some("CGV")),
    usage("M6", "ISO 9797-1:2011 MAC algorithm 5 (CMAC)", Some("CGV")),
    usage("M7", "HMAC", Some("CGV")),
    usage("M8", "ISO 9797-1:2011 MAC algorithm 6", Some("CGV")),
    usage("P0", "PIN encryption", Some("BDE")),
    usage("P1", "PIN generation", None),
    usage("S0", "Asymmetric key pair for digital signature", Some("SV")),
    usage("S1", "Asymmetric key pair, CA key", Some("SV")),
    usage("S2", "Asymmetric key pair, non-X9.24 key", Some("SVTBDE")),
    usage("V0", "PIN verification, other algorithm", Some("CGV")),
    usage("V1", "PIN verification, IBM 3624", Some("CGV")),
    usage("V2", "PIN verification, VISA PVV", Some("CGV")),
    usage("V3", "PIN verification, X9.132 algorithm 1", Some("CGV")),
    usage("V4", "PIN verification, X9.132 algorithm 2", Some("CGV")),
    usage("V5", "PIN verification, X9.132 algorithm 3", None),
];

const fn usage(code: &'static str, description: &'static str, modes: Option<&'static str>) -> KeyUsage {
    KeyUsage { code, description, modes }
}

fn key_usage_info(code: &str) -> Option<&'static KeyUsage> {
    KEY_USAGES.iter().find(|k| k.code == code)
}

/// A list of modes for an error message: `B, D, E`.
fn spelled(modes: &'static str) -> &'static str {
    match modes {
        "X" => "N, X",
        "N" => "N",
        "CGV" => "C, G, N, V",
        "BDE" => "B, D, E, N",
        "BDEX" => "B, D, E, N, X",
        "SV" => "N, S, V",
        _ => "B, D, E, N, S, T, V",
    }
}

fn field(name: &'static str, got: &str, expected: &'static str) -> Tr31Error {
    Tr31Error::Field { field: name, got: printable(got), expected }
}

/// `text` with anything but printable ASCII replaced by `?`, safe to echo in an error.
pub(crate) fn printable(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '?' }).collect()
}

/// A header byte as a character, `?` when it is not printable ASCII.
fn ascii_char(b: u8) -> char {
    if b.is_ascii_graphic() || b == b' ' { char::from(b) } else { '?' }
}

/// Bytes of a header as text, non-ASCII replaced.
pub(crate) fn lossy(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| ascii_char(b)).collect()
}
