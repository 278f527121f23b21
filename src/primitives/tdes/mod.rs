//! DES and Triple DES (FIPS 46-3, NIST SP 800-67): paycrypt's own table-driven block function, behind
//! the RustCrypto `cipher` traits, so every mode, CMAC and DUKPT run on it.
//!
//! - [`TdesEde3`] (TDES_3KEY, 24-byte key) and [`TdesEde2`] (TDES_2KEY, 16 bytes, K3 = K1): encryption is
//!   E(K3, D(K2, E(K1, block))).
//! - [`Des`]: single DES (8-byte key), for constructions that are built on it (the DUKPT key generation
//!   of ANSI X9.24-1). Never use it alone to protect data.
//!
//! Key parity bits are ignored, as every TDES implementation does. Keys are not checked for weakness.
//!
//! # How it is fast
//! Each key's 16 subkeys per DES pass are computed once, when the key is set, and kept with it (zeroized
//! on drop). A round is eight lookups in combined S-box+P tables, computed at compile time from the
//! standard's tables, with each 32-bit half held rotated by one bit so that the expansion E costs no
//! table and no bit gathering. A TDES block does one initial and one final permutation, not three: the
//! data stays in the permuted domain across the three passes. Three independent blocks go through the
//! rounds together where a mode allows (ECB, CBC decryption, CFB decryption), so the CPU overlaps their
//! lookups.
//!
//! # Timing
//! The S-box+P lookups (eight per round, 48 rounds per TDES block) and the key schedule's PC-1/PC-2
//! lookups are indexed by values that depend on the key and the data. Their timing can therefore depend
//! on which cache lines those tables occupy and which of them are already cached: like OpenSSL's DES
//! and the RustCrypto `des` crate (whose S-box lookups are indexed the same way), this code is **not**
//! constant-time against an attacker who can observe the cache of the core it runs on (a process or VM
//! sharing the CPU). It has no data-dependent branches. The tables are small (2 KiB of S-box+P tables,
//! 8 KiB for PC-2 and 2 KiB for PC-1), so after the first block they are normally all in L1.
//!
//! # Examples
//! ```
//! use cipher::array::Array;
//! use cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
//! use paycrypt::primitives::tdes::TdesEde2;
//!
//! let key = hex::decode("0123456789ABCDEFFEDCBA9876543210")?;
//! let tdes = TdesEde2::new_from_slice(&key)?;
//! let mut block = Array::from([0u8; 8]);
//! tdes.encrypt_block(&mut block);
//! assert_eq!(hex::encode_upper(block), "08D7B4FB629D0885"); // its ANSI X9.24 KCV is 08D7B4
//! tdes.decrypt_block(&mut block);
//! assert_eq!(block.0, [0u8; 8]);
//! assert_eq!(tdes.encrypt_u64(0), 0x08D7_B4FB_629D_0885);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod block;
mod tables;

use std::fmt;

use cipher::array::Array;
use cipher::consts::{U3, U8, U16, U24};
use cipher::{
    AlgorithmName, Block, BlockCipherDecBackend, BlockCipherDecClosure, BlockCipherDecrypt,
    BlockCipherEncBackend, BlockCipherEncClosure, BlockCipherEncrypt, BlockSizeUser, InOut, Key, KeyInit,
    KeySizeUser, ParBlocks, ParBlocksSizeUser,
};
use zeroize::{Zeroize, ZeroizeOnDrop};

use block::Schedule;

/// Single DES: 8-byte key, 8-byte block.
///
/// # Security Warning
/// DES alone has a 56-bit key and is broken by exhaustive search. It is here because ANSI X9.24-1 TDES
/// DUKPT is built on it; protect data with [`TdesEde3`] or AES.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Des {
    schedule: Schedule,
}

/// Triple DES with two keys (TDES_2KEY, keying option 2): 16-byte key K1‖K2, K3 = K1.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct TdesEde2 {
    schedules: [Schedule; 3],
}

/// Triple DES with three keys (TDES_3KEY, keying option 1): 24-byte key K1‖K2‖K3.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct TdesEde3 {
    schedules: [Schedule; 3],
}

impl Des {
    /// Encrypts one block held as a big-endian number.
    #[inline]
    pub fn encrypt_u64(&self, block: u64) -> u64 {
        let [out] = block::des::<1, false>([block], [&self.schedule]);
        out
    }

    /// Decrypts one block held as a big-endian number.
    #[inline]
    pub fn decrypt_u64(&self, block: u64) -> u64 {
        let [out] = block::des::<1, true>([block], [&self.schedule]);
        out
    }

    #[inline(always)]
    fn crypt<const N: usize, const DECRYPT: bool>(&self, blocks: [u64; N]) -> [u64; N] {
        block::des::<N, DECRYPT>(blocks, [&self.schedule; N])
    }
}

/// The block API of a TDES key type: both keep their three schedules in `schedules`.
macro_rules! tdes_block_api {
    ($($name:ident),+) => {$(
        impl $name {
            /// Encrypts one block held as a big-endian number.
            #[inline]
            pub fn encrypt_u64(&self, block: u64) -> u64 {
                let [out] = self.crypt::<1, false>([block]);
                out
            }

            /// Decrypts one block held as a big-endian number.
            #[inline]
            pub fn decrypt_u64(&self, block: u64) -> u64 {
                let [out] = self.crypt::<1, true>([block]);
                out
            }

            #[inline(always)]
            fn crypt<const N: usize, const DECRYPT: bool>(&self, blocks: [u64; N]) -> [u64; N] {
                block::tdes::<N, DECRYPT>(blocks, [&self.schedules; N])
            }
        }
    )+};
}

tdes_block_api!(TdesEde2, TdesEde3);

/// Two single-DES encryptions, block `i` under the DES key `keys[i]` (big-endian numbers), computed
/// together: the two steps of ANSI X9.24-1's non-reversible key generation. The key schedules are
/// zeroized before returning.
#[inline]
pub(crate) fn des_encrypt_pair(keys: [u64; 2], blocks: [u64; 2]) -> [u64; 2] {
    let mut schedules = keys.map(block::schedule);
    let out = block::des::<2, false>(blocks, [&schedules[0], &schedules[1]]);
    schedules.zeroize();
    out
}

impl TdesEde2 {
    /// The cipher for the key K1‖K2 given as two big-endian numbers.
    pub(crate) fn from_halves(halves: [u64; 2]) -> Self {
        let mut k1 = block::schedule(halves[0]);
        let tdes = TdesEde2 { schedules: [k1, block::schedule(halves[1]), k1] };
        k1.zeroize();
        tdes
    }

    /// Encrypts two blocks (big-endian numbers) together.
    #[inline]
    pub(crate) fn encrypt_u64_pair(&self, blocks: [u64; 2]) -> [u64; 2] {
        self.crypt::<2, false>(blocks)
    }
}

impl TdesEde3 {
    /// The cipher for the key K1‖K2‖K3 given as three big-endian numbers. K3 = K1 makes it the
    /// two-key cipher.
    pub(crate) fn from_parts(parts: [u64; 3]) -> Self {
        TdesEde3 { schedules: parts.map(block::schedule) }
    }

    /// The two-key cipher (K3 = K1) for the key K1‖K2 given as two big-endian numbers, as a three-key
    /// cipher: the same function, with K1's schedule computed once.
    pub(crate) fn from_two_key_halves(halves: [u64; 2]) -> Self {
        let mut k1 = block::schedule(halves[0]);
        let tdes = TdesEde3 { schedules: [k1, block::schedule(halves[1]), k1] };
        k1.zeroize();
        tdes
    }

    /// Encrypts `blocks[i]` under `ciphers[i]`, the two together.
    #[inline]
    pub(crate) fn encrypt_u64_under(ciphers: [&TdesEde3; 2], blocks: [u64; 2]) -> [u64; 2] {
        block::tdes::<2, false>(blocks, ciphers.map(|c| &c.schedules))
    }
}

/// The `n`-th 8-byte part of a key, as a big-endian number.
#[inline(always)]
fn key_part(key: &[u8], n: usize) -> u64 {
    let mut part = [0u8; 8];
    part.copy_from_slice(&key[8 * n..8 * n + 8]);
    let value = u64::from_be_bytes(part);
    part.zeroize();
    value
}

impl KeySizeUser for Des {
    type KeySize = U8;
}

impl KeyInit for Des {
    #[inline]
    fn new(key: &Key<Self>) -> Self {
        Des { schedule: block::schedule(key_part(key, 0)) }
    }
}

impl KeySizeUser for TdesEde2 {
    type KeySize = U16;
}

impl KeyInit for TdesEde2 {
    #[inline]
    fn new(key: &Key<Self>) -> Self {
        TdesEde2::from_halves([key_part(key, 0), key_part(key, 1)])
    }
}

impl KeySizeUser for TdesEde3 {
    type KeySize = U24;
}

impl KeyInit for TdesEde3 {
    #[inline]
    fn new(key: &Key<Self>) -> Self {
        TdesEde3::from_parts([0, 1, 2].map(|n| key_part(key, n)))
    }
}

/// The `cipher` block traits for a type with `crypt::<N, DECRYPT>`: the type is its own backend, and
/// its parallel width is three blocks, interleaved through the rounds (measured: three blocks together
/// take 0.8x the time per block of two; four spill registers and gain nothing).
macro_rules! block_cipher {
    ($name:ident) => {
        impl BlockSizeUser for $name {
            type BlockSize = U8;
        }

        impl ParBlocksSizeUser for $name {
            type ParBlocksSize = U3;
        }

        impl BlockCipherEncrypt for $name {
            #[inline]
            fn encrypt_with_backend(&self, f: impl BlockCipherEncClosure<BlockSize = Self::BlockSize>) {
                f.call(self)
            }
        }

        impl BlockCipherDecrypt for $name {
            #[inline]
            fn decrypt_with_backend(&self, f: impl BlockCipherDecClosure<BlockSize = Self::BlockSize>) {
                f.call(self)
            }
        }

        impl BlockCipherEncBackend for $name {
            #[inline]
            fn encrypt_block(&self, block: InOut<'_, '_, Block<Self>>) {
                run_one(block, |x| self.crypt::<1, false>(x));
            }

            #[inline]
            fn encrypt_par_blocks(&self, blocks: InOut<'_, '_, ParBlocks<Self>>) {
                run_par(blocks, |x| self.crypt::<3, false>(x));
            }
        }

        impl BlockCipherDecBackend for $name {
            #[inline]
            fn decrypt_block(&self, block: InOut<'_, '_, Block<Self>>) {
                run_one(block, |x| self.crypt::<1, true>(x));
            }

            #[inline]
            fn decrypt_par_blocks(&self, blocks: InOut<'_, '_, ParBlocks<Self>>) {
                run_par(blocks, |x| self.crypt::<3, true>(x));
            }
        }

        impl AlgorithmName for $name {
            fn write_alg_name(f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(stringify!($name))
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name)).field("key", &"...").finish()
            }
        }
    };
}

block_cipher!(Des);
block_cipher!(TdesEde2);
block_cipher!(TdesEde3);

/// One block through `crypt`, as a big-endian number.
#[inline(always)]
fn run_one(mut block: InOut<'_, '_, Array<u8, U8>>, crypt: impl Fn([u64; 1]) -> [u64; 1]) {
    let [out] = crypt([u64::from_be_bytes(block.clone_in().0)]);
    *block.get_out() = out.to_be_bytes().into();
}

/// Three blocks through `crypt` together.
#[inline(always)]
fn run_par(mut blocks: InOut<'_, '_, Array<Array<u8, U8>, U3>>, crypt: impl Fn([u64; 3]) -> [u64; 3]) {
    let input = [0, 1, 2].map(|i| u64::from_be_bytes(blocks.get(i).clone_in().0));
    let out = crypt(input);
    for (i, value) in out.into_iter().enumerate() {
        *blocks.get(i).get_out() = value.to_be_bytes().into();
    }
}
