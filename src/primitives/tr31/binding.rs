//! The binding methods: how each version derives its two keys from the key block protection key
//! (KBPK), computes the MAC and encrypts the payload.
//!
//! - **A and C**, key variant binding (TR-31:2018 §A.3.1, §A.4): the encryption key is the KBPK XOR
//!   `45` repeated, the MAC key the KBPK XOR `4D` repeated. The payload is TDES-CBC encrypted with the
//!   header's first 8 characters as IV; the MAC is the first 4 bytes of the TDES CBC-MAC (ISO 9797-1
//!   algorithm 1, zero IV) of the header and the ciphertext.
//! - **B**, TDES key derivation binding (TR-31:2018 §A.3.2): each key is TDES-CMAC blocks of the KBPK
//!   over 8 bytes of derivation data (counter, `0000` encryption or `0001` MAC, `00`, algorithm `0000`
//!   2-key or `0001` 3-key, key length in bits). The MAC is the 8-byte TDES-CMAC of the header and the
//!   clear payload; the payload is TDES-CBC encrypted with the MAC as IV.
//! - **D**, AES key derivation binding (TR-31:2018 §A.3.3, ANSI X9.143 §7.3): the same with AES-CMAC,
//!   algorithm `0002`/`0003`/`0004` for AES-128/192/256, keys as long as the KBPK, a 16-byte MAC and
//!   AES-CBC.

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::primitives::kcv::cmac;
use crate::primitives::tr31::{Tr31Error, Version};
use crate::primitives::{Algorithm, Mode, SymmetricKey};

/// The key block encryption key (KBEK) and MAC key (KBMK) of one key block.
pub(crate) struct BlockKeys {
    version: Version,
    kbek: SymmetricKey,
    kbmk: SymmetricKey,
}

impl BlockKeys {
    /// Derives the two keys of `version` from `kbpk`.
    ///
    /// # Errors
    /// [`Tr31Error::KbpkLength`] when `kbpk` is not a length the version takes.
    pub(crate) fn derive(version: Version, kbpk: &[u8]) -> Result<BlockKeys, Tr31Error> {
        let algorithm = kbpk_algorithm(version, kbpk.len())?;
        let (kbek, kbmk) = match version {
            Version::A | Version::C => {
                let variant = |mask: u8| {
                    let mut key: Zeroizing<Vec<u8>> = Zeroizing::new(kbpk.iter().map(|b| b ^ mask).collect());
                    if key.len() == 8 {
                        // Single DES as TDES with K1 = K2.
                        let copy = Zeroizing::new(key.to_vec());
                        key.extend_from_slice(&copy);
                    }
                    key
                };
                (variant(0x45), variant(0x4D))
            }
            Version::B | Version::D => {
                let kbpk = SymmetricKey::new(algorithm, kbpk).map_err(|_| Tr31Error::Invalid)?;
                (derive_cmac(&kbpk, 0x0000), derive_cmac(&kbpk, 0x0001))
            }
        };
        let key = |bytes: &[u8]| SymmetricKey::new(algorithm, bytes).map_err(|_| Tr31Error::Invalid);
        Ok(BlockKeys { version, kbek: key(&kbek)?, kbmk: key(&kbmk)? })
    }

    /// Encrypts `payload` (whole cipher blocks) and MACs it with `header`, the header's text exactly
    /// as it will be in the key block; returns the ciphertext and the MAC.
    pub(crate) fn seal(&self, header: &[u8], payload: &[u8]) -> Result<(Vec<u8>, Vec<u8>), Tr31Error> {
        match self.version {
            Version::A | Version::C => {
                let ciphertext = self.cbc(header.get(..8).ok_or(Tr31Error::Invalid)?, payload, true)?;
                let mac = self.variant_mac(header, &ciphertext)?;
                Ok((ciphertext, mac))
            }
            Version::B | Version::D => {
                let mac = self.derived_mac(header, payload);
                let ciphertext = self.cbc(&mac, payload, true)?;
                Ok((ciphertext, mac))
            }
        }
    }

    /// Checks `mac` and decrypts `ciphertext`; returns the clear payload.
    ///
    /// # Errors
    /// [`Tr31Error::Invalid`] when the MAC does not verify.
    pub(crate) fn open(
        &self,
        header: &[u8],
        ciphertext: &[u8],
        mac: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Tr31Error> {
        match self.version {
            Version::A | Version::C => {
                let expected = self.variant_mac(header, ciphertext)?;
                if !bool::from(expected.ct_eq(mac)) {
                    return Err(Tr31Error::Invalid);
                }
                self.cbc(header.get(..8).ok_or(Tr31Error::Invalid)?, ciphertext, false).map(Zeroizing::new)
            }
            Version::B | Version::D => {
                let payload = Zeroizing::new(self.cbc(mac, ciphertext, false)?);
                let expected = self.derived_mac(header, &payload);
                if !bool::from(expected.ct_eq(mac)) {
                    return Err(Tr31Error::Invalid);
                }
                Ok(payload)
            }
        }
    }

    fn cbc(&self, iv: &[u8], data: &[u8], encrypt: bool) -> Result<Vec<u8>, Tr31Error> {
        let result = if encrypt {
            self.kbek.encrypt(Mode::Cbc, Some(iv), data)
        } else {
            self.kbek.decrypt(Mode::Cbc, Some(iv), data)
        };
        // Lengths are checked before; a failure here means a malformed block.
        result.map_err(|_| Tr31Error::Invalid)
    }

    /// Versions B and D: CMAC of the header and the clear payload.
    fn derived_mac(&self, header: &[u8], payload: &[u8]) -> Vec<u8> {
        let mut data = Zeroizing::new(Vec::with_capacity(header.len() + payload.len()));
        data.extend_from_slice(header);
        data.extend_from_slice(payload);
        cmac(&self.kbmk, &data)
    }

    /// Versions A and C: the first 4 bytes of the CBC-MAC of the header and the ciphertext.
    fn variant_mac(&self, header: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>, Tr31Error> {
        let data = [header, ciphertext].concat();
        let chain = self.kbmk.encrypt(Mode::Cbc, Some(&[0u8; 8]), &data).map_err(|_| Tr31Error::Invalid)?;
        let last = chain.len().checked_sub(8).ok_or(Tr31Error::Invalid)?;
        Ok(chain[last..last + 4].to_vec())
    }
}

/// The algorithm of the KBPK (and of the derived keys) for a version and a KBPK length.
pub(crate) fn kbpk_algorithm(version: Version, len: usize) -> Result<Algorithm, Tr31Error> {
    let expected = match version {
        Version::A | Version::C => "8, 16 or 24",
        Version::B => "16 or 24",
        Version::D => "16, 24 or 32",
    };
    let algorithm = match (version, len) {
        (Version::A | Version::C, 8 | 16) | (Version::B, 16) => Some(Algorithm::Tdes2Key),
        (Version::A | Version::B | Version::C, 24) => Some(Algorithm::Tdes3Key),
        (Version::D, 16) => Some(Algorithm::Aes128),
        (Version::D, 24) => Some(Algorithm::Aes192),
        (Version::D, 32) => Some(Algorithm::Aes256),
        _ => None,
    };
    algorithm.ok_or(Tr31Error::KbpkLength { version: version.as_char(), got: len, expected })
}

/// One derived key: CMAC blocks of the KBPK over the derivation data, counter 1, 2, ..., cut to the
/// KBPK's length. `usage` is `0000` for the encryption key and `0001` for the MAC key.
fn derive_cmac(kbpk: &SymmetricKey, usage: u16) -> Zeroizing<Vec<u8>> {
    let (algorithm_id, bits): (u16, u16) = match kbpk.algorithm() {
        Algorithm::Tdes2Key => (0x0000, 128),
        Algorithm::Tdes3Key => (0x0001, 192),
        Algorithm::Aes128 => (0x0002, 128),
        Algorithm::Aes192 => (0x0003, 192),
        Algorithm::Aes256 => (0x0004, 256),
    };
    let len = kbpk.as_bytes().len();
    let mut out = Zeroizing::new(Vec::with_capacity(len + 16));
    let mut counter = 1u8;
    while out.len() < len {
        let [u0, u1] = usage.to_be_bytes();
        let [a0, a1] = algorithm_id.to_be_bytes();
        let [l0, l1] = bits.to_be_bytes();
        out.extend_from_slice(&cmac(kbpk, &[counter, u0, u1, 0x00, a0, a1, l0, l1]));
        counter = counter.wrapping_add(1);
    }
    out.truncate(len);
    out
}

/// Fills `buf` from the operating system's random number generator.
pub(crate) fn random(buf: &mut [u8]) -> Result<(), Tr31Error> {
    getrandom::fill(buf).map_err(|_| Tr31Error::Random)
}
