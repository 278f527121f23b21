//! Cipher block chaining (NIST SP 800-38A §6.2), written for speed over the block function.
//!
//! Encryption is serial by nature: the loop runs inside the cipher's backend closure, the chain kept
//! in a register, so that each block costs the block function's latency and little else.
//!
//! Decryption is parallel and also runs inside the backend closure, in one pass: each batch of the
//! backend's parallel width (64 blocks with VAES/AVX-512, 30 with VAES/AVX2, 8 with AES-NI) is copied
//! aside (it holds the chaining values of the batch's next blocks), decrypted in place with the wide
//! multi-block path, and XORed with the copy while both are in L1. What is left after the last whole
//! batch goes four independent blocks at a time, then one by one.

use cipher::{
    Block, BlockCipherDecBackend, BlockCipherDecClosure, BlockCipherDecrypt, BlockCipherEncBackend,
    BlockCipherEncClosure, BlockCipherEncrypt, BlockSizeUser, ParBlocks,
    array::{Array, ArraySize},
    typenum::Unsigned,
};

/// Blocks decrypted together after the last whole batch: independent block-function calls written
/// out straight, so the CPU overlaps them (more only spills registers).
const GROUP: usize = 4;

/// CBC-encrypts `blocks` in place.
pub(crate) fn encrypt<C: BlockCipherEncrypt>(cipher: &C, iv: &Block<C>, blocks: &mut [Block<C>]) {
    cipher.encrypt_with_backend(Encrypt::<C::BlockSize> { chain: iv.clone(), blocks });
}

/// CBC-decrypts `blocks` in place.
pub(crate) fn decrypt<C: BlockCipherDecrypt>(cipher: &C, iv: &Block<C>, blocks: &mut [Block<C>]) {
    cipher.decrypt_with_backend(Decrypt::<C::BlockSize> { iv, blocks });
}

/// `a ^= b` over equal-length byte slices (a plain loop LLVM vectorizes).
#[inline(always)]
fn xor_bytes(a: &mut [u8], b: &[u8]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x ^= *y;
    }
}

#[inline(always)]
fn xor<BS: ArraySize>(block: &mut Array<u8, BS>, other: &Array<u8, BS>) {
    for (a, b) in block.iter_mut().zip(other.iter()) {
        *a ^= b;
    }
}

struct Decrypt<'a, BS: ArraySize> {
    iv: &'a Array<u8, BS>,
    blocks: &'a mut [Array<u8, BS>],
}

impl<BS: ArraySize> BlockSizeUser for Decrypt<'_, BS> {
    type BlockSize = BS;
}

impl<BS: ArraySize> BlockCipherDecClosure for Decrypt<'_, BS> {
    #[inline(always)]
    fn call<B: BlockCipherDecBackend<BlockSize = BS>>(self, backend: &B) {
        let Decrypt { iv, blocks } = self;
        // The ciphertext block before the next one to decrypt.
        let mut previous = iv.clone();
        let (batches, rest) = ParBlocks::<B>::slice_as_chunks_mut(blocks);
        if !batches.is_empty() {
            let width = B::ParBlocksSize::USIZE;
            let mut saved = ParBlocks::<B>::default();
            for batch in batches {
                saved.clone_from(batch);
                backend.decrypt_par_blocks(batch.into());
                xor(&mut batch[0], &previous);
                xor_bytes(
                    Array::slice_as_flattened_mut(&mut batch[1..]),
                    Array::slice_as_flattened(&saved[..width - 1]),
                );
                previous.clone_from(&saved[width - 1]);
            }
        }
        let (groups, tail) = rest.as_chunks_mut::<GROUP>();
        for group in groups {
            let mut plain: [Array<u8, BS>; GROUP] = core::array::from_fn(|i| group[i].clone());
            for block in &mut plain {
                backend.decrypt_block(block.into());
            }
            xor(&mut plain[0], &previous);
            for (p, c) in plain[1..].iter_mut().zip(group.iter()) {
                xor(p, c);
            }
            previous.clone_from(&group[GROUP - 1]);
            for (c, p) in group.iter_mut().zip(plain.iter()) {
                c.clone_from(p);
            }
        }
        for block in tail {
            let mut plain = block.clone();
            backend.decrypt_block((&mut plain).into());
            xor(&mut plain, &previous);
            previous.clone_from(block);
            block.clone_from(&plain);
        }
    }
}

struct Encrypt<'a, BS: ArraySize> {
    chain: Array<u8, BS>,
    blocks: &'a mut [Array<u8, BS>],
}

impl<BS: ArraySize> BlockSizeUser for Encrypt<'_, BS> {
    type BlockSize = BS;
}

impl<BS: ArraySize> BlockCipherEncClosure for Encrypt<'_, BS> {
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
