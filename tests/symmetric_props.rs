//! Property tests of the symmetric core: round trips for every (cipher, mode) and random lengths, the
//! general CFB-s against the mode crates where they overlap, padding round trips, and input checks.

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

use paycrypt::modes::Direction;
use paycrypt::padding::Padding;
use paycrypt::{Algorithm, Cipher, CipherError, Mode};

fn algorithm() -> impl Strategy<Value = Algorithm> {
    prop::sample::select(Algorithm::ALL.to_vec())
}

/// A cipher with a random key, and a random IV of its block length.
fn keyed() -> impl Strategy<Value = (Cipher, Vec<u8>)> {
    algorithm().prop_flat_map(|a| {
        (prop::collection::vec(any::<u8>(), a.key_len()), prop::collection::vec(any::<u8>(), a.block_len()))
            .prop_map(move |(k, iv)| (Cipher::new(a, &k).unwrap(), iv))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_mode_round_trips((cipher, iv) in keyed(), data in prop::collection::vec(any::<u8>(), 0..200)) {
        let a = cipher.algorithm();
        for mode in Mode::ALL {
            if mode == Mode::Cfb128 && a.is_tdes() {
                continue;
            }
            let iv = mode.takes_iv().then_some(iv.as_slice());
            let data = if mode.needs_whole_blocks() {
                &data[..data.len() - data.len() % a.block_len()]
            } else {
                &data[..]
            };
            let ct = cipher.encrypt(mode, iv, data).unwrap();
            prop_assert_eq!(ct.len(), data.len());
            prop_assert_eq!(cipher.decrypt(mode, iv, &ct).unwrap(), data, "{} {}", a, mode);
        }
    }

    #[test]
    fn general_cfb_matches_the_mode_crates(
        (cipher, iv) in keyed(),
        data in prop::collection::vec(any::<u8>(), 0..100),
    ) {
        let a = cipher.algorithm();
        let full_block = if a.is_tdes() { Mode::Cfb64 } else { Mode::Cfb128 };
        // CFB8 and the full-block CFB come from the `cfb8` and `cfb-mode` crates; the general CFB-s is ours.
        for (segment_bits, mode) in [(8, Mode::Cfb8), (a.block_len() * 8, full_block), (8 * a.block_len(), Mode::Cfb)] {
            for direction in [Direction::Encrypt, Direction::Decrypt] {
                let mut general = data.clone();
                cipher.cfb_in_place(segment_bits, &iv, &mut general, data.len() * 8, direction).unwrap();
                let by_mode = match direction {
                    Direction::Encrypt => cipher.encrypt(mode, Some(&iv), &data),
                    Direction::Decrypt => cipher.decrypt(mode, Some(&iv), &data),
                }.unwrap();
                prop_assert_eq!(&general, &by_mode, "{} CFB-{}", a, segment_bits);
            }
        }
    }

    #[test]
    fn aes_cfb64_is_the_general_cfb_with_64_bit_segments(
        (cipher, iv) in keyed().prop_filter("AES", |(c, _)| !c.algorithm().is_tdes()),
        data in prop::collection::vec(any::<u8>(), 0..100),
    ) {
        let mut general = data.clone();
        cipher.cfb_in_place(64, &iv, &mut general, data.len() * 8, Direction::Encrypt).unwrap();
        prop_assert_eq!(&general, &cipher.encrypt(Mode::Cfb64, Some(&iv), &data).unwrap());
        // A 64-bit segment is exactly 8 bytes of CFB8 when the data is one segment long.
        if data.len() <= 1 {
            prop_assert_eq!(&general, &cipher.encrypt(Mode::Cfb8, Some(&iv), &data).unwrap());
        }
    }

    #[test]
    fn cfb1_bits_round_trip_and_prefix((cipher, iv) in keyed(), data in prop::collection::vec(any::<u8>(), 1..24), cut in 0usize..8) {
        // Encrypting a bit prefix gives the prefix of encrypting everything (CFB is a stream mode).
        let bits = data.len() * 8 - cut;
        let mut prefix = data.clone();
        cipher.cfb_in_place(1, &iv, &mut prefix, bits, Direction::Encrypt).unwrap();
        let whole = cipher.encrypt(Mode::Cfb1, Some(&iv), &data).unwrap();
        let mask = if cut == 0 { 0xFF } else { 0xFFu8 << cut };
        let last = data.len() - 1;
        prop_assert_eq!(&prefix[..last], &whole[..last]);
        prop_assert_eq!(prefix[last] & mask, whole[last] & mask);
        prop_assert_eq!(prefix[last] & !mask, data[last] & !mask, "bits past the end are untouched");
        cipher.cfb_in_place(1, &iv, &mut prefix, bits, Direction::Decrypt).unwrap();
        prop_assert_eq!(prefix, data);
    }

    #[test]
    fn padding_round_trips(data in prop::collection::vec(any::<u8>(), 0..64), block in prop::sample::select(vec![8usize, 16])) {
        for padding in [Padding::Pkcs7, Padding::Iso9797M2, Padding::None] {
            let padded = padding.pad(&data, block);
            if padding != Padding::None {
                prop_assert_eq!(padded.len() % block, 0);
                prop_assert!(padded.len() > data.len());
            }
            prop_assert_eq!(padding.unpad(&padded, block).unwrap(), &data[..]);
        }
        // Method 1 is lossy on trailing zeros: it round-trips data that does not end in 00.
        let padded = Padding::Iso9797M1.pad(&data, block);
        prop_assert_eq!(padded.len() % block, 0);
        let stripped = Padding::Iso9797M1.unpad(&padded, block).unwrap();
        if data.last().is_some_and(|b| *b != 0) {
            prop_assert_eq!(stripped, &data[..]);
        }
    }

    #[test]
    fn wrong_lengths_are_errors_not_panics(
        a in algorithm(),
        key_len in 0usize..40,
        iv_len in 0usize..20,
        data_len in 0usize..40,
        mode in prop::sample::select(Mode::ALL.to_vec()),
    ) {
        match Cipher::new(a, &vec![7; key_len]) {
            Err(CipherError::KeyLength { got, .. }) => prop_assert!(got == key_len && key_len != a.key_len()),
            Err(e) => prop_assert!(false, "unexpected {e}"),
            Ok(cipher) => {
                let iv = vec![1; iv_len];
                let data = vec![2; data_len];
                let iv = if mode == Mode::Ecb && iv_len % 2 == 0 { None } else { Some(&iv[..]) };
                let result = cipher.encrypt(mode, iv, &data);
                let ok_iv = match iv {
                    None => mode == Mode::Ecb,
                    Some(iv) => mode != Mode::Ecb && iv.len() == a.block_len(),
                };
                let ok_len = !mode.needs_whole_blocks() || data_len % a.block_len() == 0;
                let ok_mode = !(mode == Mode::Cfb128 && a.is_tdes());
                prop_assert_eq!(result.is_ok(), ok_iv && ok_len && ok_mode, "{} {} {:?}", a, mode, result);
            }
        }
    }
}

#[test]
fn error_messages_are_pinned() {
    let cases: Vec<(Result<Cipher, CipherError>, &str)> =
        vec![(Cipher::new(Algorithm::Tdes2Key, &[0; 15]), "Key (15 bytes) must be 16 bytes for TDES_2KEY.")];
    for (result, message) in cases {
        assert_eq!(result.err().map(|e| e.to_string()).as_deref(), Some(message));
    }
    let aes = Cipher::new(Algorithm::Aes128, &[0; 16]).unwrap();
    let tdes = Cipher::new(Algorithm::Tdes3Key, &[0; 24]).unwrap();
    let messages = [
        (
            aes.encrypt(Mode::Cbc, Some(&[0; 8]), &[0; 16]),
            "InitializationVector (8 bytes) must be 16 bytes for AES_128 CBC.",
        ),
        (aes.encrypt(Mode::Ofb, None, &[0; 16]), "InitializationVector is required for OFB mode."),
        (
            aes.encrypt(Mode::Ecb, Some(&[0; 16]), &[0; 16]),
            "InitializationVector must not be given for ECB mode.",
        ),
        (
            aes.encrypt(Mode::Ecb, None, &[0; 15]),
            "Data (15 bytes) must be a multiple of 16 bytes for AES_128 ECB; use a padding or a stream mode (CFB, OFB).",
        ),
        (
            tdes.encrypt(Mode::Cfb128, Some(&[0; 8]), &[0; 8]),
            "Mode CFB128 is not defined for TDES_3KEY: its block is 64 bits.",
        ),
        (
            tdes.decrypt(Mode::Cbc, Some(&[0; 8]), &[0; 12]),
            "Data (12 bytes) must be a multiple of 8 bytes for TDES_3KEY CBC; use a padding or a stream mode (CFB, OFB).",
        ),
    ];
    for (result, message) in messages {
        assert_eq!(result.err().map(|e| e.to_string()).as_deref(), Some(message));
    }
    assert_eq!(
        "CTR".parse::<Mode>().err().map(|e| e.to_string()).as_deref(),
        Some("Unknown mode 'CTR': expected one of ECB, CBC, CFB, CFB1, CFB8, CFB64, CFB128, OFB.")
    );
    assert_eq!(
        Padding::Pkcs7.unpad(&[0; 16], 16).err().map(|e| e.to_string()).as_deref(),
        Some("Padding is invalid.")
    );
}

#[test]
fn plain_cfb_is_the_full_block_cfb() {
    let iv = [0x24u8; 16];
    let data = b"AWS's plain CFB is the full-block segment of the cipher".to_vec();
    let aes = Cipher::new(Algorithm::Aes256, &[0x42; 32]).unwrap();
    assert_eq!(
        aes.encrypt(Mode::Cfb, Some(&iv), &data).unwrap(),
        aes.encrypt(Mode::Cfb128, Some(&iv), &data).unwrap()
    );
    let tdes = Cipher::new(Algorithm::Tdes2Key, &[0x42; 16]).unwrap();
    assert_eq!(
        tdes.encrypt(Mode::Cfb, Some(&iv[..8]), &data).unwrap(),
        tdes.encrypt(Mode::Cfb64, Some(&iv[..8]), &data).unwrap()
    );
}

#[test]
fn errors_leave_the_buffer_unchanged() {
    let aes = Cipher::new(Algorithm::Aes128, &[9; 16]).unwrap();
    let mut buf = [5u8; 17];
    assert!(aes.encrypt_in_place(Mode::Cbc, Some(&[0; 16]), &mut buf).is_err());
    assert_eq!(buf, [5u8; 17]);
}

proptest! {
    #[test]
    fn name_parsers_round_trip_and_never_panic(s in "\\PC{0,12}", pick in 0usize..64) {
        use paycrypt::kcv::KcvAlgorithm;
        // Arbitrary text: an error or a value, never a panic.
        let _ = (s.parse::<Algorithm>(), s.parse::<Mode>(), s.parse::<Padding>(), s.parse::<KcvAlgorithm>());
        // Every name, in any case, parses back to itself.
        let a = Algorithm::ALL[pick % Algorithm::ALL.len()];
        let m = Mode::ALL[pick % Mode::ALL.len()];
        let p = Padding::ALL[pick % Padding::ALL.len()];
        prop_assert_eq!(a.to_string().to_lowercase().parse::<Algorithm>(), Ok(a));
        prop_assert_eq!(m.to_string().parse::<Mode>(), Ok(m));
        prop_assert_eq!(p.to_string().to_lowercase().parse::<Padding>(), Ok(p));
        let k = [KcvAlgorithm::AnsiX924, KcvAlgorithm::Cmac][pick % 2];
        prop_assert_eq!(k.to_string().parse::<KcvAlgorithm>(), Ok(k));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Our CBC (serial encryption, batched parallel decryption) against the `cbc` crate, across the
    /// tail groups, one batch, and many batches.
    #[test]
    fn cbc_matches_the_cbc_crate(blocks in prop::sample::select(vec![0usize, 1, 7, 8, 9, 255, 256, 257, 600]), seed in any::<u8>()) {
        use cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
        let key = [seed; 16];
        let iv = [seed ^ 0x5A; 16];
        let data: Vec<u8> = (0..blocks * 16).map(|i| u8::try_from(i % 251).unwrap().wrapping_mul(31) ^ seed).collect();
        let cipher = Cipher::new(Algorithm::Aes128, &key).unwrap();
        let ours = cipher.encrypt(Mode::Cbc, Some(&iv), &data).unwrap();
        let mut theirs = data.clone();
        let (chunks, _) = cipher::array::Array::slice_as_chunks_mut(&mut theirs[..]);
        cbc::Encryptor::<aes::Aes128>::new(&key.into(), &iv.into()).encrypt_blocks(chunks);
        prop_assert_eq!(&ours, &theirs);
        let back = cipher.decrypt(Mode::Cbc, Some(&iv), &ours).unwrap();
        let (chunks, _) = cipher::array::Array::slice_as_chunks_mut(&mut theirs[..]);
        cbc::Decryptor::<aes::Aes128>::new(&key.into(), &iv.into()).decrypt_blocks(chunks);
        prop_assert_eq!(&back, &data);
        prop_assert_eq!(&theirs, &data);
    }
}

/// The `cbc` crate's result for `algorithm`, encrypting or decrypting `data` (whole blocks).
fn cbc_crate(algorithm: Algorithm, key: &[u8], iv: &[u8], data: &[u8], encrypt: bool) -> Vec<u8> {
    use cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
    fn run<C: cipher::BlockCipherEncrypt + cipher::BlockCipherDecrypt + cipher::KeyInit>(
        key: &[u8],
        iv: &[u8],
        data: &[u8],
        encrypt: bool,
    ) -> Vec<u8> {
        let mut out = data.to_vec();
        let (blocks, rest) = cipher::array::Array::slice_as_chunks_mut(&mut out[..]);
        assert!(rest.is_empty());
        if encrypt {
            cbc::Encryptor::<C>::new_from_slices(key, iv).unwrap().encrypt_blocks(blocks);
        } else {
            cbc::Decryptor::<C>::new_from_slices(key, iv).unwrap().decrypt_blocks(blocks);
        }
        out
    }
    match algorithm {
        Algorithm::Tdes2Key => run::<des::TdesEde2>(key, iv, data, encrypt),
        Algorithm::Tdes3Key => run::<des::TdesEde3>(key, iv, data, encrypt),
        Algorithm::Aes128 => run::<aes::Aes128>(key, iv, data, encrypt),
        Algorithm::Aes192 => run::<aes::Aes192>(key, iv, data, encrypt),
        Algorithm::Aes256 => run::<aes::Aes256>(key, iv, data, encrypt),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(160))]

    /// CBC decryption runs in batches of the backend's parallel width (64 blocks with VAES/AVX-512,
    /// 30 with VAES/AVX2, 8 with AES-NI), then groups of 4, then single blocks: block counts on and
    /// around each of those boundaries, every algorithm, random key/IV/data, in place and into a new
    /// buffer, against the `cbc` crate both ways.
    #[test]
    fn cbc_batch_boundaries_match_the_cbc_crate(
        algorithm in algorithm(),
        blocks in prop::sample::select(vec![
            0usize, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 15, 16, 17, 29, 30, 31, 34, 35, 59, 60, 61,
            63, 64, 65, 66, 67, 68, 69, 71, 72, 127, 128, 129, 132, 133, 191, 192, 193, 255, 256, 257, 260,
        ]),
        seed in any::<u64>(),
    ) {
        let mut state = seed | 1;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        };
        let key: Vec<u8> = (0..algorithm.key_len()).map(|_| next()).collect();
        let iv: Vec<u8> = (0..algorithm.block_len()).map(|_| next()).collect();
        let data: Vec<u8> = (0..blocks * algorithm.block_len()).map(|_| next()).collect();
        let cipher = Cipher::new(algorithm, &key).unwrap();

        let ct = cipher.encrypt(Mode::Cbc, Some(&iv), &data).unwrap();
        prop_assert_eq!(&ct, &cbc_crate(algorithm, &key, &iv, &data, true));
        let mut in_place = data.clone();
        cipher.encrypt_in_place(Mode::Cbc, Some(&iv), &mut in_place).unwrap();
        prop_assert_eq!(&in_place, &ct);

        // Decrypt random data too (not only our own ciphertext), both ways.
        prop_assert_eq!(&cipher.decrypt(Mode::Cbc, Some(&iv), &data).unwrap(), &cbc_crate(algorithm, &key, &iv, &data, false));
        prop_assert_eq!(&cipher.decrypt(Mode::Cbc, Some(&iv), &ct).unwrap(), &data);
        cipher.decrypt_in_place(Mode::Cbc, Some(&iv), &mut in_place).unwrap();
        prop_assert_eq!(&in_place, &data);
    }
}
