//! Property tests of the AWS Encryption SDK message format: random plaintexts, frame lengths,
//! contexts and chunkings round trip; no input makes the parser or the decryptor panic.
#![allow(clippy::unwrap_used)] // helpers of tests, where a panic is the failure report

use proptest::prelude::*;

use paycrypt::esdk::{
    self, DataKey, DecryptOptions, EncryptOptions, EncryptionContext, Encryptor, RawAesKeyring, Suite,
};

fn suite() -> impl Strategy<Value = Suite> {
    prop_oneof![Just(Suite::DEFAULT), Just(Suite::Aes256GcmHkdfSha512CommitKey)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn round_trips(
        plain in proptest::collection::vec(any::<u8>(), 0..3000),
        frame_length in 1u32..700,
        context in proptest::collection::btree_map("[a-z0-9-]{1,8}", "\\PC{0,8}", 0..4),
        key in proptest::collection::vec(any::<u8>(), 32),
        suite in suite(),
        chunk in 1usize..1000,
    ) {
        let keyring = RawAesKeyring::new("props", "key", &key).unwrap();
        let context: EncryptionContext = context;
        let options = EncryptOptions { suite, frame_length, context: context.clone() };
        let message = esdk::encrypt(&plain, &keyring, &options).unwrap();
        let d = esdk::decrypt(&message, &keyring, &DecryptOptions::default()).unwrap();
        prop_assert_eq!(&d.plaintext[..], &plain[..]);
        for (k, v) in &context {
            prop_assert_eq!(d.info.context.get(k), Some(v));
        }
        let mut enc = Encryptor::new(Vec::new(), &keyring, &options).unwrap();
        for piece in plain.chunks(chunk) {
            enc.update(piece).unwrap();
        }
        let streamed = enc.finish().unwrap();
        let mut out = Vec::new();
        let info = esdk::decrypt_stream(&streamed[..], &mut out, &keyring, &DecryptOptions::default()).unwrap();
        prop_assert_eq!(&out, &plain);
        prop_assert_eq!(info.frame_length, frame_length);
        if !suite.is_signing() {
            prop_assert_eq!(streamed.len(), message.len());
        }
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = esdk::parse_header(&bytes);
        let _ = esdk::decrypt_with_data_key(&bytes, &DataKey::new(vec![0; 32]), &DecryptOptions::default());
    }

    #[test]
    fn edited_messages_never_panic(
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6),
        cut in any::<usize>(),
        suite in suite(),
    ) {
        let keyring = RawAesKeyring::new("props", "key", &[5; 16]).unwrap();
        let options = EncryptOptions { suite, frame_length: 16, ..Default::default() };
        let mut message = esdk::encrypt(b"some plaintext, a few frames long", &keyring, &options).unwrap();
        for (at, byte) in edits {
            let len = message.len();
            message[at % len] = byte;
        }
        message.truncate(cut % (message.len() + 1));
        let _ = esdk::parse_header(&message);
        let _ = esdk::decrypt(&message, &keyring, &DecryptOptions::default());
    }
}
