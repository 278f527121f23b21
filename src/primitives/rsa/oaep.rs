//! RSAES-OAEP decryption (RFC 8017 §7.1.2) over our blinded private-key operation (`private.rs`),
//! or the `rsa` crate's for keys with more than two primes.
//!
//! The `rsa` crate 0.10.0 decodes OAEP without checking that the first octet of the encoded message
//! is zero (step 3g): Wycheproof's "First byte is 1" case decrypts. paycrypt therefore decodes OAEP
//! itself, in constant time over the secret encoded message, with that check in. Encryption stays on
//! the crate.

use rsa::BoxedUint;
use rsa::hazmat::rsa_decrypt_and_check;
use rsa::traits::PublicKeyParts;
use sha2::digest::Digest;
use subtle::{ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroizing;

use crate::primitives::DecryptError;
use crate::rsa::RsaPrivateKey;

/// Decrypts `ciphertext` with OAEP over hash `D` (label hash and MGF1), blinding the private
/// operation with the operating system's random number generator.
pub(crate) fn decrypt<D: Digest>(
    key: &RsaPrivateKey,
    label: &[u8],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
    let inner = &key.inner;
    let k = inner.size();
    if ciphertext.len() != k {
        return Err(DecryptError);
    }
    let c = BoxedUint::from_be_slice(ciphertext, inner.n_bits_precision()).map_err(|_| DecryptError)?;
    let m = match &key.crt {
        Some(crt) => crt.decrypt(&c)?,
        None => Zeroizing::new(
            rsa_decrypt_and_check(inner, Some(&mut getrandom::SysRng), &c).map_err(|_| DecryptError)?,
        ),
    };
    let bytes = Zeroizing::new(m.to_be_bytes());
    let mut em = Zeroizing::new(vec![0u8; k]);
    // m < n, so every byte above the modulus length is zero: keep the low k bytes.
    let skip = bytes.len().checked_sub(k).ok_or(DecryptError)?;
    em.copy_from_slice(&bytes[skip..]);
    decode::<D>(&mut em, label)
}

/// Removes OAEP encoding from `em` (`k` bytes), constant time until the result is known.
fn decode<D: Digest>(em: &mut [u8], label: &[u8]) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
    let h_len = <D as Digest>::output_size();
    if em.len() < 2 * h_len + 2 {
        return Err(DecryptError);
    }
    let (y, rest) = em.split_at_mut(1);
    let (seed, db) = rest.split_at_mut(h_len);
    mgf1_xor::<D>(db, seed); // seed = maskedSeed ^ MGF(maskedDB)
    mgf1_xor::<D>(seed, db); // DB = maskedDB ^ MGF(seed)

    let l_hash = D::digest(label);
    let mut good = y[0].ct_eq(&0) & db[..h_len].ct_eq(l_hash.as_slice());
    // After lHash: zero or more 0x00, one 0x01, then the message.
    let mut looking = subtle::Choice::from(1);
    let mut index = 0u32;
    for (i, &byte) in db[h_len..].iter().enumerate() {
        let is_one = byte.ct_eq(&1);
        let is_zero = byte.ct_eq(&0);
        let i = u32::try_from(i).map_err(|_| DecryptError)?;
        index.conditional_assign(&i, looking & is_one);
        good &= !(looking & !is_zero & !is_one);
        looking &= !is_one;
    }
    good &= !looking;
    if !bool::from(good) {
        return Err(DecryptError);
    }
    let start = h_len + index as usize + 1;
    Ok(Zeroizing::new(db[start..].to_vec()))
}

/// `out ^= MGF1(seed, out.len())` (RFC 8017 B.2.1).
fn mgf1_xor<D: Digest>(seed: &[u8], out: &mut [u8]) {
    let mut counter = 0u32;
    for chunk in out.chunks_mut(<D as Digest>::output_size()) {
        let mut hash = D::new();
        hash.update(seed);
        hash.update(counter.to_be_bytes());
        let mask = hash.finalize();
        chunk.iter_mut().zip(mask.iter()).for_each(|(o, m)| *o ^= m);
        counter = counter.wrapping_add(1);
    }
}
