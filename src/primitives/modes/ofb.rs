//! Output feedback (NIST SP 800-38A §6.4): the keystream is the IV encrypted again and again.
//!
//! Written over the cipher's backend closure like [`super::cfb`], so the whole loop runs with the
//! hardware block function inlined; any data length, the last block partial.

use cipher::{Block, BlockCipherEncBackend, BlockCipherEncClosure, BlockCipherEncrypt, BlockSizeUser};

/// OFB over `buf` in place (the same operation encrypts and decrypts).
pub(crate) fn ofb<C: BlockCipherEncrypt>(cipher: &C, iv: &Block<C>, buf: &mut [u8]) {
    cipher.encrypt_with_backend(Ofb::<C::BlockSize> { register: iv.clone(), buf });
}

struct Ofb<'a, BS: cipher::array::ArraySize> {
    register: cipher::array::Array<u8, BS>,
    buf: &'a mut [u8],
}

impl<BS: cipher::array::ArraySize> BlockSizeUser for Ofb<'_, BS> {
    type BlockSize = BS;
}

impl<BS: cipher::array::ArraySize> BlockCipherEncClosure for Ofb<'_, BS> {
    #[inline(always)]
    fn call<B: BlockCipherEncBackend<BlockSize = BS>>(self, backend: &B) {
        let Ofb { mut register, buf } = self;
        for chunk in buf.chunks_mut(BS::USIZE) {
            backend.encrypt_block((&mut register).into());
            for (d, k) in chunk.iter_mut().zip(register.iter()) {
                *d ^= k;
            }
        }
    }
}
