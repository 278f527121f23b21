//! Property tests of KMS symmetric encryption: any plaintext under any context decrypts with that
//! context and no other.

use std::collections::BTreeMap;

use proptest::prelude::*;

use paycrypt::keys::MemoryStore;
use paycrypt::service::Settings;
use paycrypt::service::kms::{CreateKeyRequest, DecryptRequest, EncryptRequest, Kms, SecretBlob};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn round_trip_binds_context(
        plain in proptest::collection::vec(any::<u8>(), 1..=4096),
        ctx in proptest::collection::btree_map("[a-z]{0,6}", ".{0,6}", 0..5),
        extra in "[a-z]{1,3}",
    ) {
        let kms = Kms::new(MemoryStore::new(), Settings::default());
        let key = kms.create_key(CreateKeyRequest::default()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let ct = kms
            .encrypt(EncryptRequest {
                key_id: key.key_metadata.key_id.clone(),
                plaintext: SecretBlob::new(plain.clone()),
                encryption_context: Some(ctx.clone()),
                ..EncryptRequest::default()
            })
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let decrypt = |c: BTreeMap<String, String>| {
            kms.decrypt(DecryptRequest {
                ciphertext_blob: Some(ct.ciphertext_blob.clone()),
                encryption_context: Some(c),
                ..DecryptRequest::default()
            })
        };
        let pt = decrypt(ctx.clone()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(pt.plaintext.expose(), plain.as_slice());
        prop_assert_eq!(&pt.key_id, &key.key_metadata.arn);
        // Move the last character of one key into its value: same concatenation, other context.
        let mut shifted = ctx.clone();
        if let Some((k, v)) = ctx.iter().find(|(k, _)| !k.is_empty()) {
            shifted.remove(k);
            let (head, tail) = k.split_at(k.len() - 1);
            shifted.insert(head.to_owned(), format!("{tail}{v}"));
            prop_assert!(decrypt(shifted).is_err());
        }
        let mut more = ctx.clone();
        more.insert(format!("{extra}-extra"), String::new());
        prop_assert!(decrypt(more).is_err());
    }
}
