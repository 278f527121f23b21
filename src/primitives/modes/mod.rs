//! Modes of operation over any of our block ciphers.
//!
//! | mode | how |
//! |---|---|
//! | ECB | the cipher's own multi-block function (AES-NI/VAES pipelines) |
//! | CBC | ours (`cbc.rs`): serial encryption inside the backend closure; decryption in one pass inside the backend closure, a batch of the multi-block function at a time |
//! | CFB (full block: TDES CFB64, AES CFB128) | the `cfb-mode` crate |
//! | CFB8 | the `cfb8` crate |
//! | CFB1, AES CFB64 | ours ([`cfb`]): NIST SP 800-38A §6.3 over the block function |
//! | OFB | ours ([`ofb`]) |
//!
//! Our loops run inside the cipher's backend closure, so with AES-NI the block function is inlined into
//! the loop rather than dispatched per block.

mod cbc;
pub mod cfb;
pub mod ofb;

use cipher::{Block, BlockCipherDecrypt, BlockCipherEncrypt, InnerIvInit, array::Array};

use crate::primitives::{Algorithm, CipherError, Mode};

/// Which way a mode runs.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum Direction {
    /// Plaintext to ciphertext.
    Encrypt,
    /// Ciphertext to plaintext.
    Decrypt,
}

/// Checks the mode, IV and data length for `algorithm` and returns the mode with AWS's plain `CFB`
/// resolved to the cipher's full-block CFB.
///
/// # Errors
/// [`CipherError::ModeNotSupported`], [`CipherError::IvMissing`], [`CipherError::IvNotAllowed`], [`CipherError::IvLength`] or
/// [`CipherError::PartialBlock`].
pub fn check(
    algorithm: Algorithm,
    mode: Mode,
    iv: Option<&[u8]>,
    data_len: usize,
) -> Result<Mode, CipherError> {
    let block = algorithm.block_len();
    let mode = match (mode, algorithm.is_tdes()) {
        (Mode::Cfb, true) => Mode::Cfb64,
        (Mode::Cfb, false) => Mode::Cfb128,
        (Mode::Cfb128, true) => return Err(CipherError::ModeNotSupported { algorithm, mode }),
        (m, _) => m,
    };
    match (mode.takes_iv(), iv) {
        (false, Some(_)) => return Err(CipherError::IvNotAllowed),
        (true, None) => return Err(CipherError::IvMissing { mode }),
        (true, Some(iv)) if iv.len() != block => {
            return Err(CipherError::IvLength { algorithm, mode, got: iv.len(), expected: block });
        }
        _ => {}
    }
    if mode.needs_whole_blocks() && !data_len.is_multiple_of(block) {
        return Err(CipherError::PartialBlock { algorithm, mode, len: data_len, block });
    }
    Ok(mode)
}

/// Runs `mode` over `buf` in place. The caller has run [`check`]: `mode` is resolved, the IV has the
/// block length (or is absent for ECB) and ECB/CBC data is whole blocks.
pub(crate) fn apply<C>(cipher: &C, mode: Mode, iv: &[u8], buf: &mut [u8], direction: Direction)
where
    C: BlockCipherEncrypt + BlockCipherDecrypt,
{
    let block_bytes = Block::<C>::default().len();
    let iv_block = Block::<C>::try_from(iv).unwrap_or_default();
    match (mode, direction) {
        (Mode::Ecb, Direction::Encrypt) => cipher.encrypt_blocks(blocks_mut::<C>(buf)),
        (Mode::Ecb, Direction::Decrypt) => cipher.decrypt_blocks(blocks_mut::<C>(buf)),
        (Mode::Cbc, Direction::Encrypt) => cbc::encrypt(cipher, &iv_block, blocks_mut::<C>(buf)),
        (Mode::Cbc, Direction::Decrypt) => cbc::decrypt(cipher, &iv_block, blocks_mut::<C>(buf)),
        (Mode::Cfb1, _) => cfb::cfb1_bits(cipher, &iv_block, buf, buf.len() * 8, direction),
        (Mode::Cfb8, Direction::Encrypt) => cfb8::Encryptor::inner_iv_init(cipher, &iv_block).encrypt(buf),
        (Mode::Cfb8, Direction::Decrypt) => cfb8::Decryptor::inner_iv_init(cipher, &iv_block).decrypt(buf),
        (Mode::Cfb64 | Mode::Cfb128, _) if mode_segment_bytes(mode) < block_bytes => {
            cfb::cfb_segments(cipher, &iv_block, buf, mode_segment_bytes(mode), direction);
        }
        (Mode::Cfb | Mode::Cfb64 | Mode::Cfb128, Direction::Encrypt) => {
            cfb_mode::Encryptor::inner_iv_init(cipher, &iv_block).encrypt(buf);
        }
        (Mode::Cfb | Mode::Cfb64 | Mode::Cfb128, Direction::Decrypt) => {
            cfb_mode::Decryptor::inner_iv_init(cipher, &iv_block).decrypt(buf);
        }
        (Mode::Ofb, _) => ofb::ofb(cipher, &iv_block, buf),
    }
}

/// CFB with `segment_bits` per step over the first `bits` bits of `buf`; see
/// [`Cipher::cfb_in_place`](crate::Cipher::cfb_in_place), which checks the arguments.
pub(crate) fn apply_cfb<C: BlockCipherEncrypt>(
    cipher: &C,
    segment_bits: usize,
    iv: &[u8],
    buf: &mut [u8],
    bits: usize,
    direction: Direction,
) {
    let iv = Block::<C>::try_from(iv).unwrap_or_default();
    if segment_bits == 1 {
        cfb::cfb1_bits(cipher, &iv, buf, bits, direction);
    } else {
        let bytes = (bits / 8).min(buf.len());
        cfb::cfb_segments(cipher, &iv, &mut buf[..bytes], segment_bits / 8, direction);
    }
}

/// The segment length of a CFB mode in bytes (CFB1 has none: it is bit-oriented).
const fn mode_segment_bytes(mode: Mode) -> usize {
    match mode {
        Mode::Cfb8 => 1,
        Mode::Cfb64 => 8,
        _ => 16,
    }
}

/// Views whole-block data as blocks. [`check`] has made sure there is no remainder.
fn blocks_mut<C: cipher::BlockSizeUser>(buf: &mut [u8]) -> &mut [Block<C>] {
    Array::slice_as_chunks_mut(buf).0
}
