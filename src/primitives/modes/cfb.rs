//! Cipher feedback with any segment size: CFB1 (bit by bit) and CFB-s for byte segments.
//!
//! NIST SP 800-38A §6.3: the input block starts as the IV; each step encrypts it, XORs the leftmost `s`
//! bits of the output into `s` bits of data, and shifts the register left by `s` bits, feeding in the
//! `s` ciphertext bits. For CFB1 that is one block operation per bit, exactly as the standard says; no
//! implementation can do less without changing the output.
//!
//! Both loops run inside the cipher's backend closure ([`BlockCipherEncClosure`]), so with AES-NI the
//! block function is inlined into the loop rather than re-dispatched per block.

use cipher::{
    Block, BlockCipherEncBackend, BlockCipherEncClosure, BlockCipherEncrypt, BlockSizeUser, typenum::Unsigned,
};

use crate::primitives::modes::Direction;

/// CFB with `segment` bytes per step over `buf`, in place. `segment` is 1 to the block length; the last
/// segment may be partial.
pub(crate) fn cfb_segments<C: BlockCipherEncrypt>(
    cipher: &C,
    iv: &Block<C>,
    buf: &mut [u8],
    segment: usize,
    direction: Direction,
) {
    let block = C::BlockSize::USIZE;
    cipher.encrypt_with_backend(Segments::<C::BlockSize> {
        register: iv.clone(),
        buf,
        segment: segment.clamp(1, block),
        direction,
    });
}

/// CFB1 over the first `bits` bits of `buf` (most significant bit of each byte first), in place. Bits
/// past `bits` are left as they are. `bits` must be at most `buf.len() * 8`.
pub(crate) fn cfb1_bits<C: BlockCipherEncrypt>(
    cipher: &C,
    iv: &Block<C>,
    buf: &mut [u8],
    bits: usize,
    direction: Direction,
) {
    let bits = bits.min(buf.len() * 8);
    let mut register = [0u8; 16];
    let block = iv.len().min(16);
    register[16 - block..].copy_from_slice(&iv[..block]);
    cipher.encrypt_with_backend(Bits::<C::BlockSize> {
        register: u128::from_be_bytes(register),
        buf,
        bits,
        direction,
        _block: core::marker::PhantomData,
    });
}

struct Segments<'a, BS: cipher::array::ArraySize> {
    register: cipher::array::Array<u8, BS>,
    buf: &'a mut [u8],
    segment: usize,
    direction: Direction,
}

impl<BS: cipher::array::ArraySize> BlockSizeUser for Segments<'_, BS> {
    type BlockSize = BS;
}

impl<BS: cipher::array::ArraySize> BlockCipherEncClosure for Segments<'_, BS> {
    #[inline(always)]
    fn call<B: BlockCipherEncBackend<BlockSize = BS>>(self, backend: &B) {
        let Segments { register, buf, segment, direction } = self;
        // The shift register as a right-aligned integer: shifting by a segment is one instruction.
        let block = BS::USIZE.min(16);
        let mask = if block == 16 { u128::MAX } else { (1u128 << (block * 8)) - 1 };
        let mut wide = [0u8; 16];
        wide[16 - block..].copy_from_slice(&register[..block]);
        let mut register = u128::from_be_bytes(wide);
        let shift = u32::try_from(segment * 8).unwrap_or(128);
        let mut input = cipher::array::Array::<u8, BS>::default();
        for chunk in buf.chunks_mut(segment) {
            input[..block].copy_from_slice(&register.to_be_bytes()[16 - block..]);
            backend.encrypt_block((&mut input).into());
            let mut fed = 0u128;
            for (d, k) in chunk.iter_mut().zip(input.iter()) {
                let c = match direction {
                    Direction::Encrypt => *d ^ k,
                    Direction::Decrypt => *d,
                };
                *d ^= k;
                fed = (fed << 8) | u128::from(c);
            }
            register = (register.checked_shl(shift).unwrap_or(0) | fed) & mask;
        }
    }
}

struct Bits<'a, BS> {
    /// The shift register, right-aligned: a 64-bit block uses the low 64 bits.
    register: u128,
    buf: &'a mut [u8],
    bits: usize,
    direction: Direction,
    _block: core::marker::PhantomData<BS>,
}

impl<BS: cipher::array::ArraySize> BlockSizeUser for Bits<'_, BS> {
    type BlockSize = BS;
}

impl<BS: cipher::array::ArraySize> BlockCipherEncClosure for Bits<'_, BS> {
    #[inline(always)]
    fn call<B: BlockCipherEncBackend<BlockSize = BS>>(self, backend: &B) {
        let Bits { mut register, buf, bits, direction, .. } = self;
        let block = BS::USIZE.min(16);
        let mask = if block == 16 { u128::MAX } else { (1u128 << (block * 8)) - 1 };
        let mut input = cipher::array::Array::<u8, BS>::default();
        for (byte_index, byte) in buf.iter_mut().enumerate() {
            let todo = bits.saturating_sub(byte_index * 8).min(8);
            if todo == 0 {
                break;
            }
            let mut value = *byte;
            for bit in 0..todo {
                input[..block].copy_from_slice(&register.to_be_bytes()[16 - block..]);
                backend.encrypt_block((&mut input).into());
                let shift = 7 - bit;
                let data_bit = (value >> shift) & 1;
                let out_bit = data_bit ^ (input[0] >> 7);
                let cipher_bit = match direction {
                    Direction::Encrypt => out_bit,
                    Direction::Decrypt => data_bit,
                };
                value = (value & !(1 << shift)) | (out_bit << shift);
                register = ((register << 1) | u128::from(cipher_bit)) & mask;
            }
            *byte = value;
        }
    }
}
