//! Cipher block chaining (NIST SP 800-38A §6.2), written for speed over the block function.
//!
//! Encryption is serial by nature: the loop runs inside the cipher's backend closure so that each block
//! costs the block function's latency and little else. Decryption is parallel: each chunk of blocks is
//! decrypted with the cipher's wide multi-block path (AES-NI/VAES pipelines), then XORed with the
//! previous ciphertext blocks kept aside.

use cipher::{
    Block, BlockCipherDecrypt, BlockCipherEncBackend, BlockCipherEncClosure, BlockCipherEncrypt,
    BlockSizeUser, array::Array,
};

/// How many bytes one decryption chunk holds: enough blocks to keep the wide path busy, small enough
/// to stay in L1 and on the stack.
const CHUNK_BYTES: usize = 1024;

/// CBC-encrypts `blocks` in place.
pub(crate) fn encrypt<C: BlockCipherEncrypt>(cipher: &C, iv: &Block<C>, blocks: &mut [Block<C>]) {
    cipher.encrypt_with_backend(Encrypt::<C::BlockSize> { chain: iv.clone(), blocks });
}

/// CBC-decrypts `blocks` in place.
pub(crate) fn decrypt<C: BlockCipherDecrypt>(cipher: &C, iv: &Block<C>, blocks: &mut [Block<C>]) {
    let block = iv.len();
    let mut saved = [0u8; CHUNK_BYTES];
    let mut chain = iv.clone();
    for chunk in blocks.chunks_mut(CHUNK_BYTES / block.max(1)) {
        let n = chunk.len() * block;
        saved[..n].copy_from_slice(Array::slice_as_flattened(chunk));
        cipher.decrypt_blocks(chunk);
        let bytes = Array::slice_as_flattened_mut(chunk);
        for (b, c) in bytes[..block].iter_mut().zip(chain.iter()) {
            *b ^= c;
        }
        for (b, c) in bytes[block..].iter_mut().zip(saved[..n - block].iter()) {
            *b ^= c;
        }
        chain.copy_from_slice(&saved[n - block..n]);
    }
}

#[inline(always)]
fn xor<BS: cipher::array::ArraySize>(
    block: &mut cipher::array::Array<u8, BS>,
    other: &cipher::array::Array<u8, BS>,
) {
    for (a, b) in block.iter_mut().zip(other.iter()) {
        *a ^= b;
    }
}

struct Encrypt<'a, BS: cipher::array::ArraySize> {
    chain: cipher::array::Array<u8, BS>,
    blocks: &'a mut [cipher::array::Array<u8, BS>],
}

impl<BS: cipher::array::ArraySize> BlockSizeUser for Encrypt<'_, BS> {
    type BlockSize = BS;
}

impl<BS: cipher::array::ArraySize> BlockCipherEncClosure for Encrypt<'_, BS> {
    #[inline(always)]
    fn call<B: BlockCipherEncBackend<BlockSize = BS>>(self, backend: &B) {
        let Encrypt { mut chain, blocks } = self;
        for block in blocks.iter_mut() {
            xor(&mut chain, block);
            backend.encrypt_block((&mut chain).into());
            block.clone_from(&chain);
        }
    }
}
