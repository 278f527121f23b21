//! The RSA private-key operation (RSADP, RFC 8017 §5.1.2) for two-prime keys: Chinese remainder
//! theorem (CRT) values prepared once per key, base blinding with a cached blinding pair, exponent
//! blinding, and a fault check. Constant-time arithmetic is crypto-bigint's.
//!
//! # What the operation does, per call
//! 1. **Base blinding.** `c' = c·A mod n` with `A = rᵉ`, and `m = m'·A⁻¹ mod n` at the end, where
//!    `A⁻¹ = r⁻¹`. The pair `(A, A⁻¹)` is kept with the key and squared after each use, as OpenSSL's
//!    `BN_BLINDING` does (`crypto/bn/bn_blind.c`); after [`BLINDING_USES`] uses it is replaced by a
//!    pair from a fresh random `r` (OpenSSL's `BN_BLINDING_COUNTER` is also 32). A fresh pair costs a
//!    modular inversion and an exponentiation to `e`; the `rsa` crate pays both on every call, we pay
//!    them once every 32 calls. When another thread holds the cached pair, the call makes its own
//!    fresh pair and does not wait.
//! 2. **Exponent blinding.** `dp' = dp + k·(p−1)` and `dq' = dq + k'·(q−1)`, each with a fresh
//!    [`EXPONENT_BLINDING_BITS`]-bit `k`, as the `rsa` crate does (draft-irtf-cfrg-rsa-guidance §6.4
//!    asks for at least 64 bits; on a 2048-bit key 128 bits cost 21.05 M instructions per operation
//!    against 19.96 M for 64 bits, 5% more).
//! 3. **CRT** with `p`, `q` Montgomery parameters, `dp`, `dq` and `qInv` prepared when the key is
//!    loaded (the `rsa` crate rebuilds the Montgomery parameters on every call).
//! 4. **Fault check.** `mᵉ mod n` must equal `c` before `m` leaves this module, so a computation
//!    fault cannot hand out a value that factors `n` (the Bellcore attack). On a mismatch the call
//!    fails (OpenSSL recomputes without the CRT instead; a fault is not worth a second code path).
//!
//! Per operation on a 2048-bit key (callgrind, instructions, 64 operations, LTO): the `rsa` crate's
//! `rsa_decrypt_and_check` with a random number generator 33.1 M; this module 21.05 M (1.57x
//! fewer), nearly all of it the two CRT exponentiations and the fault check's `mᵉ`.
//!
//! # What it does not do: modulus blinding
//! The `rsa` crate 0.10 also exponentiates modulo `p·g` (and `q·g'`) with `g` a fresh random odd
//! 130-bit number (draft-irtf-cfrg-rsa-guidance §6.5), building new Montgomery parameters for the
//! wider modulus on every call. In a callgrind profile of the crate on a 2048-bit key its two
//! blinded exponentiations cost 26.7 M instructions; ours, with the same 128-bit exponent blinding,
//! cost about 19.3 M (our 21.05 M less the fault check's 1.6 M and the blinding pair's share):
//! modulus blinding is about 7.4 M instructions, 35% of our whole operation.
//!
//! OpenSSL (`rsa_ossl_mod_exp` in `crypto/rsa/rsa_ossl.c`) and BoringSSL
//! (`rsa_default_private_transform`) blind neither the moduli nor the exponents: they rely on base
//! blinding, which makes the value exponentiated modulo `p` uniformly random and unknown to the
//! caller, and on a constant-time exponentiation. We do the same, with exponent blinding kept on
//! top, and we drop modulus blinding because what it protects is already covered here:
//! - the reduction of the blinded input modulo `p` and `q` (`to_monty` below) uses Montgomery
//!   multiplications only, no division whose timing could depend on `p`;
//! - every Montgomery multiplication in crypto-bigint runs in time independent of the values (no
//!   data-dependent final subtraction), so the operands' relation to `p` does not show in timing,
//!   and they are random anyway (base blinding);
//! - the exponents differ on every call (exponent blinding), which is what defeats averaging many
//!   traces of the same secret exponent.
//!
//! The remaining threat modulus blinding addresses is a single-trace leak of the multiplications'
//! operands modulo `p` (power or electromagnetic analysis of one operation); paycrypt runs on servers
//! and laptops, not in smart cards, and we judge that not worth 35% of the operation.
//!
//! # Secrets in memory
//! `dp`, `dq`, `p−1`, `q−1`, `qInv` and the blinding pair are zeroized on drop, as are the named
//! intermediates of each call. crypto-bigint 0.7 keeps Montgomery parameters (which contain `p` and
//! `q`) in an `Arc` that is not zeroized when freed; the `rsa` crate has the same limit (its `qInv`
//! holds such parameters, and it builds and frees new ones for `p` and `q` on every call). We build
//! them once per key, so they are freed once, when the key is dropped.

use std::sync::Mutex;

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, ConcatenatingMul, RandomMod, Resize};
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use zeroize::{Zeroize, Zeroizing};

use crate::primitives::DecryptError;

/// How many operations one blinding pair serves (squared after each) before a fresh one is made.
pub(crate) const BLINDING_USES: u32 = 32;

/// The bit length of the random multiple of `p−1` (and `q−1`) added to each CRT exponent.
pub(crate) const EXPONENT_BLINDING_BITS: u32 = 128;

/// How many random `r` to try before giving up on a blinding pair (one fails only when `r` shares a
/// factor with `n`, which for a valid key happens with probability about 2⁻¹⁰²³).
const BLINDING_TRIES: usize = 8;

/// A two-prime RSA private key with its CRT values in the form the private operation uses.
pub(crate) struct CrtKey {
    /// Montgomery parameters of the modulus `n` (public).
    n: BoxedMontyParams,
    /// The public exponent.
    e: BoxedUint,
    /// Bit length of `e` (public), so `xᵉ` costs only that many squarings.
    e_bits: u32,
    /// Montgomery parameters of the first prime.
    p: BoxedMontyParams,
    /// Montgomery parameters of the second prime.
    q: BoxedMontyParams,
    /// `p − 1`, the order the exponent blinding adds multiples of.
    p_minus_1: Zeroizing<BoxedUint>,
    /// `q − 1`.
    q_minus_1: Zeroizing<BoxedUint>,
    /// `d mod (p − 1)`.
    dp: Zeroizing<BoxedUint>,
    /// `d mod (q − 1)`.
    dq: Zeroizing<BoxedUint>,
    /// `q⁻¹ mod p`, in Montgomery form.
    qinv: Zeroizing<BoxedMontyForm>,
    /// The cached blinding pair, `None` until first use.
    blinding: Mutex<Option<CachedPair>>,
}

impl CrtKey {
    /// Prepares `key` for the private operation; `None` for a key with more than two primes or
    /// without CRT values (the caller falls back to the `rsa` crate).
    pub(crate) fn new(key: &rsa::PrivateKey) -> Option<Self> {
        if key.primes().len() != 2 {
            return None;
        }
        let p = BoxedMontyParams::from(key.p()?.clone());
        let q = BoxedMontyParams::from(key.q()?.clone());
        let qinv = BoxedMontyForm::from_montgomery(key.qinv()?.as_montgomery().clone(), &p);
        let e = key.e().clone();
        Some(CrtKey {
            n: key.n_params().clone(),
            e_bits: e.bit_width_vartime(),
            e,
            p_minus_1: Zeroizing::new(p.modulus().wrapping_sub(BoxedUint::one())),
            q_minus_1: Zeroizing::new(q.modulus().wrapping_sub(BoxedUint::one())),
            dp: Zeroizing::new(key.dp()?.clone()),
            dq: Zeroizing::new(key.dq()?.clone()),
            qinv: Zeroizing::new(qinv),
            p,
            q,
            blinding: Mutex::new(None),
        })
    }

    /// `cᵈ mod n` for `c` at the modulus's precision, blinded and fault-checked (see the module
    /// docs).
    ///
    /// # Errors
    /// [`DecryptError`] when `c` is not below `n` or has another precision, when the random number
    /// generator fails, or when the fault check fails.
    pub(crate) fn decrypt(&self, c: &BoxedUint) -> Result<Zeroizing<BoxedUint>, DecryptError> {
        let n_bits = self.n.bits_precision();
        if c.bits_precision() != n_bits || c >= self.n.modulus().as_ref() {
            return Err(DecryptError);
        }
        let pair = self.blinding_pair()?;
        let blinded = Zeroizing::new((BoxedMontyForm::new(c.clone(), &self.n) * &pair.a).retrieve());

        let dp = blind_exponent(&self.dp, &self.p_minus_1)?;
        let dq = blind_exponent(&self.dq, &self.q_minus_1)?;
        let m1 = Zeroizing::new(to_monty(&blinded, &self.p).pow(&dp));
        let m2 = Zeroizing::new(to_monty(&blinded, &self.q).pow(&dq).retrieve());

        // h = qInv·(m1 − m2) mod p; m' = m2 + h·q, below n since m2 < q and h < p.
        let m2_mod_p = Zeroizing::new(to_monty(&m2, &self.p));
        let diff = Zeroizing::new(&*m1 - &*m2_mod_p);
        let h = Zeroizing::new((&*diff * &*self.qinv).retrieve());
        let hq = Zeroizing::new(h.concatenating_mul(self.q.modulus().as_ref()));
        let mut m = Zeroizing::new((&*m2).try_resize(n_bits).ok_or(DecryptError)?);
        m.wrapping_add_assign((&*hq).try_resize(n_bits).ok_or(DecryptError)?);

        let unblinded = Zeroizing::new(BoxedMontyForm::new((*m).clone(), &self.n) * &pair.a_inv);
        let m = Zeroizing::new(unblinded.retrieve());

        let check = BoxedMontyForm::new((*m).clone(), &self.n).pow_bounded_exp(&self.e, self.e_bits);
        if check.retrieve() != *c {
            return Err(DecryptError);
        }
        Ok(m)
    }

    /// The blinding pair for one operation: the cached one (squared for the next caller), a
    /// fresh one when the cache is empty or used up (cached in turn), or, when another thread holds
    /// the cache, a fresh one for this call alone.
    fn blinding_pair(&self) -> Result<Pair, DecryptError> {
        let Ok(mut slot) = self.blinding.try_lock() else {
            return self.fresh_pair();
        };
        if let Some(cached) = slot.as_mut().filter(|cached| cached.uses < BLINDING_USES) {
            let pair = cached.pair.clone();
            cached.pair.square();
            cached.uses += 1;
            return Ok(pair);
        }
        let pair = self.fresh_pair()?;
        let mut next = pair.clone();
        next.square();
        *slot = Some(CachedPair { pair: next, uses: 1 });
        Ok(pair)
    }

    /// `(rᵉ, r⁻¹) mod n` for a fresh random `r`.
    fn fresh_pair(&self) -> Result<Pair, DecryptError> {
        let n = self.n.modulus().as_nz_ref();
        for _ in 0..BLINDING_TRIES {
            let r = Zeroizing::new(
                BoxedUint::try_random_mod_vartime(&mut getrandom::SysRng, n).map_err(|_| DecryptError)?,
            );
            let Some(r_inv) = r.invert_mod(n).into_option() else {
                continue;
            };
            let r_inv = Zeroizing::new(r_inv);
            let r = BoxedMontyForm::new((*r).clone(), &self.n);
            let a = r.pow_bounded_exp(&self.e, self.e_bits);
            let a_inv = BoxedMontyForm::new((*r_inv).clone(), &self.n);
            let _zeroized = Zeroizing::new(r);
            return Ok(Pair { a, a_inv });
        }
        Err(DecryptError)
    }
}

/// A blinding pair `(A, A⁻¹) = (rᵉ, r⁻¹) mod n`, in Montgomery form, zeroized on drop.
#[derive(Clone)]
struct Pair {
    /// `rᵉ`, multiplied into the input.
    a: BoxedMontyForm,
    /// `r⁻¹`, multiplied into the output.
    a_inv: BoxedMontyForm,
}

impl Pair {
    /// Squares both halves in place: `(A², A⁻²)` is again a valid pair, for `r²`.
    fn square(&mut self) {
        square_in_place(&mut self.a);
        square_in_place(&mut self.a_inv);
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        self.a.zeroize();
        self.a_inv.zeroize();
    }
}

/// The pair kept with the key and how many operations it has served.
struct CachedPair {
    pair: Pair,
    uses: u32,
}

/// `x ← x²`, zeroizing the old value.
fn square_in_place(x: &mut BoxedMontyForm) {
    let mut old = x.square();
    std::mem::swap(x, &mut old);
    old.zeroize();
}

/// `exponent + k·order` for a fresh random `k` of [`EXPONENT_BLINDING_BITS`] bits; the result has
/// a fixed precision (`order`'s plus the blinding bits), so its length says nothing about `k`.
fn blind_exponent(exponent: &BoxedUint, order: &BoxedUint) -> Result<Zeroizing<BoxedUint>, DecryptError> {
    let mut bytes = Zeroizing::new([0u8; EXPONENT_BLINDING_BITS.div_ceil(8) as usize]);
    getrandom::fill(bytes.as_mut()).map_err(|_| DecryptError)?;
    let k = Zeroizing::new(
        BoxedUint::from_le_slice(bytes.as_ref(), EXPONENT_BLINDING_BITS).map_err(|_| DecryptError)?,
    );
    // order·k < 2^(|order|+128) and exponent < order, so the sum cannot wrap.
    let mut blinded = Zeroizing::new(order.concatenating_mul(&*k));
    blinded.wrapping_add_assign(exponent);
    Ok(blinded)
}

/// `x mod m` in Montgomery form for `x` of any precision, where `m` is `params`' modulus. Horner's
/// rule over digits of the modulus's precision, with `R = 2^precision` whose Montgomery form is
/// `R² mod m`: only Montgomery multiplications and additions, constant time in `x` and `m`.
fn to_monty(x: &BoxedUint, params: &BoxedMontyParams) -> BoxedMontyForm {
    let bits = params.bits_precision();
    let digit_limbs = params.modulus().as_limbs().len();
    let radix = BoxedMontyForm::from_montgomery(params.as_ref().r2().clone(), params);
    let mut acc = BoxedMontyForm::zero(params);
    for chunk in x.as_limbs().chunks(digit_limbs).rev() {
        let mut digit = Zeroizing::new(BoxedUint::zero_with_precision(bits));
        digit.as_mut_limbs()[..chunk.len()].copy_from_slice(chunk);
        let digit = Zeroizing::new(BoxedMontyForm::new((*digit).clone(), params));
        let shifted = Zeroizing::new(&acc * &radix);
        let mut next = &*shifted + &*digit;
        std::mem::swap(&mut acc, &mut next);
        next.zeroize();
    }
    acc
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use proptest::prelude::*;
    use rsa::hazmat::rsa_decrypt;
    use rsa::pkcs8::DecodePrivateKey;

    use super::*;

    /// The 2048-bit fixture key and two 1024-bit keys made once per test run (keygen is slow in
    /// debug builds).
    fn keys() -> &'static [(rsa::PrivateKey, CrtKey)] {
        static KEYS: OnceLock<Vec<(rsa::PrivateKey, CrtKey)>> = OnceLock::new();
        KEYS.get_or_init(|| {
            let fixture =
                rsa::PrivateKey::from_pkcs8_pem(include_str!("../../../tests/cmd/fixtures/key.pem")).unwrap();
            let generated = (0..2).map(|_| rsa::PrivateKey::new(&mut getrandom::SysRng, 1024).unwrap());
            std::iter::once(fixture)
                .chain(generated)
                .map(|key| {
                    let crt = CrtKey::new(&key).unwrap();
                    (key, crt)
                })
                .collect()
        })
    }

    /// The unblinded, unchecked private operation of the `rsa` crate: the reference.
    fn reference(key: &rsa::PrivateKey, c: &BoxedUint) -> BoxedUint {
        rsa_decrypt::<getrandom::SysRng>(None, key, c).unwrap()
    }

    /// `bytes` (big-endian) reduced below `n`, at `n`'s precision.
    fn below_n(key: &rsa::PrivateKey, bytes: &[u8]) -> BoxedUint {
        let x = BoxedUint::from_be_slice_vartime(bytes)
            .resize_unchecked(key.n_bits_precision().max(u32::try_from(bytes.len() * 8).unwrap()));
        x.rem_vartime(key.n()).resize_unchecked(key.n_bits_precision())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(12))]

        #[test]
        fn matches_rsa_crate(which in 0usize..3, bytes in proptest::collection::vec(any::<u8>(), 256)) {
            let (key, crt) = &keys()[which];
            let c = below_n(key, &bytes);
            prop_assert_eq!(&*crt.decrypt(&c).unwrap(), &reference(key, &c));
        }
    }

    #[test]
    fn edge_inputs_match_rsa_crate() {
        for (key, crt) in &keys()[1..] {
            let bits = key.n_bits_precision();
            let n = key.n().as_ref();
            for c in [
                BoxedUint::zero_with_precision(bits),
                BoxedUint::one_with_precision(bits),
                n.wrapping_sub(BoxedUint::one()),
                key.primes()[0].as_ref().resize_unchecked(bits), // not coprime to n
                key.primes()[1].as_ref().resize_unchecked(bits),
            ] {
                assert_eq!(&*crt.decrypt(&c).unwrap(), &reference(key, &c));
            }
        }
    }

    #[test]
    fn cached_pair_is_squared_then_refreshed() {
        let (key, _) = &keys()[1];
        let crt = CrtKey::new(key).unwrap(); // its own cache: other tests use the shared keys at once
        let c = below_n(key, &[0x5a; 128]);
        let want = reference(key, &c);
        let mut seen = Vec::new();
        for _ in 0..(2 * BLINDING_USES + 3) {
            assert_eq!(&*crt.decrypt(&c).unwrap(), &want);
            let slot = crt.blinding.lock().unwrap();
            let cached = slot.as_ref().unwrap();
            // A·(A⁻¹)ᵉ = rᵉ·r⁻ᵉ = 1: the cached pair stays a valid pair through squaring and refresh.
            let check = &cached.pair.a * &cached.pair.a_inv.pow(&crt.e);
            assert_eq!(check.retrieve(), BoxedUint::one_with_precision(key.n_bits_precision()));
            seen.push((cached.uses, cached.pair.a.retrieve()));
        }
        let uses: Vec<u32> = seen.iter().map(|(uses, _)| *uses).collect();
        let expected: Vec<u32> = (0..2 * BLINDING_USES + 3).map(|i| i % BLINDING_USES + 1).collect();
        assert_eq!(uses, expected);
        // Within a run the next pair is the square of the previous one; across a refresh it is not.
        let square = |x: &BoxedUint| (BoxedMontyForm::new(x.clone(), &crt.n).square()).retrieve();
        assert_eq!(seen[1].1, square(&seen[0].1));
        let refresh = BLINDING_USES as usize;
        assert_ne!(seen[refresh].1, square(&seen[refresh - 1].1));
    }

    #[test]
    fn concurrent_callers_get_correct_results() {
        let (key, crt) = &keys()[2];
        std::thread::scope(|scope| {
            for t in 0..4u8 {
                scope.spawn(move || {
                    for i in 0..8u8 {
                        let c = below_n(key, &[t, i, 0x33, 0x44, 0x55]);
                        assert_eq!(&*crt.decrypt(&c).unwrap(), &reference(key, &c));
                    }
                });
            }
        });
    }

    #[test]
    fn refuses_out_of_range_and_wrong_precision() {
        let (key, crt) = &keys()[1];
        let n = key.n().as_ref().clone();
        assert_eq!(crt.decrypt(&n).unwrap_err(), DecryptError);
        assert_eq!(crt.decrypt(&n.wrapping_add(BoxedUint::one())).unwrap_err(), DecryptError);
        let short = BoxedUint::one_with_precision(key.n_bits_precision() / 2);
        assert_eq!(crt.decrypt(&short).unwrap_err(), DecryptError);
    }

    #[test]
    fn fault_check_refuses_a_wrong_result() {
        let (key, _) = &keys()[1];
        let mut faulty = CrtKey::new(key).unwrap();
        faulty.dq.wrapping_add_assign(BoxedUint::one()); // a fault in one CRT half
        let c = below_n(key, &[0x77; 100]);
        assert_eq!(faulty.decrypt(&c).unwrap_err(), DecryptError);
        assert!(CrtKey::new(key).unwrap().decrypt(&c).is_ok());
    }

    #[test]
    fn more_than_two_primes_are_left_to_the_rsa_crate() {
        let key = rsa::PrivateKey::from_primes(
            vec![BoxedUint::from(61u64), BoxedUint::from(53u64), BoxedUint::from(47u64)],
            BoxedUint::from(17u64),
        )
        .unwrap();
        assert!(CrtKey::new(&key).is_none());
    }
}
