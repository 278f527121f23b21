//! AWS Encryption SDK messages: round trips with raw AES keys and the local KMS, several wrapping
//! keys, the frame structure the SDKs write, streaming against one-shot, and the caller-facing
//! errors.
#![allow(clippy::unwrap_used)] // helpers of tests, where a panic is the failure report

use std::io::Cursor;

use paycrypt::esdk::{
    self, CommitmentPolicy, DecryptOptions, EncryptOptions, EncryptionContext, Encryptor, EsdkError,
    KmsClient, KmsKeyring, MessageInfo, MultiKeyring, RawAesKeyring, Suite,
};
use paycrypt::keys::MemoryStore;
use paycrypt::service::Settings;
use paycrypt::service::kms::Kms;
use serde_json::json;

const SUITES: [Suite; 2] =
    [Suite::Aes256GcmHkdfSha512CommitKeyEcdsaP384, Suite::Aes256GcmHkdfSha512CommitKey];
const SIZES: [usize; 6] = [0, 1, 4095, 4096, 4097, 23_456];
const FRAMES: [u32; 3] = [1, 512, 4096];

fn plaintext(n: usize) -> Vec<u8> {
    (0..n).map(|i| u8::try_from(i * 31 % 251).unwrap()).collect()
}

fn ctx(pairs: &[(&str, &str)]) -> EncryptionContext {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// The serialized header's length, computed from what it says.
fn header_len(info: &MessageInfo) -> usize {
    let pairs = esdk::serialize_context(&info.context).unwrap().len();
    let edks: usize = info
        .encrypted_data_keys
        .iter()
        .map(|e| 6 + e.provider_id.len() + e.provider_info.len() + e.ciphertext.len())
        .sum();
    1 + 2 + 32 + 2 + pairs + 2 + edks + 1 + 4 + 32 + 16
}

/// The body's frames as (is final, content length), walking the message after its header; also
/// returns what follows the final frame (the footer).
fn frames(message: &[u8]) -> (Vec<(bool, usize)>, Vec<u8>) {
    let info = esdk::parse_header(message).unwrap();
    let fl = usize::try_from(info.frame_length).unwrap();
    let mut at = header_len(&info);
    let mut out = Vec::new();
    loop {
        let first = u32::from_be_bytes(message[at..at + 4].try_into().unwrap());
        if first == u32::MAX {
            let len =
                usize::try_from(u32::from_be_bytes(message[at + 20..at + 24].try_into().unwrap())).unwrap();
            out.push((true, len));
            at += 24 + len + 16;
            return (out, message[at..].to_vec());
        }
        assert_eq!(usize::try_from(first).unwrap(), out.len() + 1, "sequence numbers count from 1");
        out.push((false, fl));
        at += 16 + fl + 16;
    }
}

/// The frames we write for `n` bytes at frame length `fl`: a regular frame for every whole frame of
/// plaintext, then a final frame of the rest, empty when `n` is a multiple of `fl` (as the SDKs write
/// it; the Python SDK 3.x refuses a final frame as long as the frame length).
fn expected_frames(n: usize, fl: usize) -> Vec<(bool, usize)> {
    let regular = n / fl;
    let mut v = vec![(false, fl); regular];
    v.push((true, n - regular * fl));
    v
}

fn local_kms() -> Kms<MemoryStore> {
    Kms::new(MemoryStore::new(), Settings::default())
}

/// A new KMS key's ARN.
fn create_key(kms: &Kms<MemoryStore>) -> String {
    let key = kms.call("CreateKey", json!({})).expect("known").unwrap();
    key["KeyMetadata"]["Arn"].as_str().unwrap().to_owned()
}

#[test]
fn raw_aes_round_trips_every_size_and_frame_length() {
    let keys: Vec<RawAesKeyring> = [16usize, 24, 32]
        .iter()
        .map(|&n| RawAesKeyring::new("paycrypt-tests", &format!("aes-{n}"), &vec![0x5a; n]).unwrap())
        .collect();
    let mut i = 0;
    for suite in SUITES {
        for fl in FRAMES {
            for n in SIZES {
                let keyring = &keys[i % 3];
                i += 1;
                let plain = plaintext(n);
                let options = EncryptOptions {
                    suite,
                    frame_length: fl,
                    context: ctx(&[("size", n.to_string().as_str())]),
                };
                let message = esdk::encrypt(&plain, keyring, &options).unwrap();
                let (got, footer) = frames(&message);
                assert_eq!(got, expected_frames(n, usize::try_from(fl).unwrap()), "{suite} fl {fl} n {n}");
                assert_eq!(footer.is_empty(), !suite.is_signing());
                let d = esdk::decrypt(&message, keyring, &DecryptOptions::default()).unwrap();
                assert_eq!(&d.plaintext[..], &plain[..], "{suite} fl {fl} n {n}");
                assert_eq!(
                    (d.info.version, d.info.suite, d.info.frame_length, d.info.framed),
                    (2, suite, fl, true)
                );
                assert_eq!(d.info.context["size"], n.to_string());
                assert_eq!(d.info.context.contains_key(esdk::PUBLIC_KEY_FIELD), suite.is_signing());
                let mut streamed = Vec::new();
                let info = esdk::decrypt_stream(
                    Cursor::new(&message),
                    &mut streamed,
                    keyring,
                    &DecryptOptions::default(),
                )
                .unwrap();
                assert_eq!(streamed, plain);
                assert_eq!(info, d.info, "decrypt_stream and decrypt agree");
            }
        }
    }
}

#[test]
fn raw_aes_edks_have_the_sdk_layout() {
    let keyring = RawAesKeyring::new("ns", "name", &[1; 32]).unwrap();
    let message = esdk::encrypt(b"x", &keyring, &EncryptOptions::default()).unwrap();
    let info = esdk::parse_header(&message).unwrap();
    let edk = &info.encrypted_data_keys[0];
    assert_eq!(edk.provider_id, "ns");
    assert_eq!(&edk.provider_info[..4], b"name");
    assert_eq!(edk.provider_info[4..12], [0, 0, 0, 128, 0, 0, 0, 12]);
    assert_eq!(edk.provider_info.len(), 4 + 8 + 12);
    assert_eq!(edk.ciphertext.len(), 32 + 16);
}

#[test]
fn kms_round_trips_with_several_keys_and_decrypts_with_any_one() {
    let kms = local_kms();
    let (a, b) = (create_key(&kms), create_key(&kms));
    kms.call("CreateAlias", json!({"AliasName": "alias/esdk-b", "TargetKeyId": b})).expect("known").unwrap();
    let both = KmsKeyring::new(&kms, vec![a.clone(), "alias/esdk-b".to_owned()]).unwrap();
    for suite in SUITES {
        for (n, fl) in [(0, 4096), (1, 1), (4097, 512), (23_456, 4096)] {
            let plain = plaintext(n);
            let options = EncryptOptions { suite, frame_length: fl, context: ctx(&[("app", "tests")]) };
            let message = esdk::encrypt(&plain, &both, &options).unwrap();
            let info = esdk::parse_header(&message).unwrap();
            let infos: Vec<&[u8]> = info.encrypted_data_keys.iter().map(|e| &e.provider_info[..]).collect();
            assert_eq!(infos, [a.as_bytes(), b.as_bytes()], "provider info is the key ARN KMS answered with");
            assert!(info.encrypted_data_keys.iter().all(|e| e.provider_id == "aws-kms"));
            for only in [a.clone(), b.clone(), "alias/esdk-b".to_owned()] {
                let keyring = KmsKeyring::new(&kms, vec![only.clone()]).unwrap();
                let d = esdk::decrypt(&message, &keyring, &DecryptOptions::default()).unwrap();
                assert_eq!(&d.plaintext[..], &plain[..], "{only}");
            }
        }
    }
}

#[test]
fn kms_binds_the_full_context_including_the_public_key() {
    let kms = local_kms();
    let a = create_key(&kms);
    let keyring = KmsKeyring::new(&kms, vec![a.clone()]).unwrap();
    let options = EncryptOptions { context: ctx(&[("k", "v")]), ..Default::default() };
    let message = esdk::encrypt(b"bound", &keyring, &options).unwrap();
    let info = esdk::parse_header(&message).unwrap();
    let edk = &info.encrypted_data_keys[0];
    let full = KmsClient::decrypt(&kms, &a, &edk.ciphertext, &info.context, &[]).unwrap();
    assert_eq!(full.plaintext.len(), 32);
    let err = KmsClient::decrypt(&kms, &a, &edk.ciphertext, &ctx(&[("k", "v")]), &[]).unwrap_err();
    assert_eq!(err.exception, "InvalidCiphertextException");
    assert!(err.to_string().starts_with("InvalidCiphertextException: "));
}

#[test]
fn kms_keys_not_in_the_message_do_not_decrypt() {
    let kms = local_kms();
    let (a, other) = (create_key(&kms), create_key(&kms));
    kms.call("CreateAlias", json!({"AliasName": "alias/other", "TargetKeyId": other}))
        .expect("known")
        .unwrap();
    let message =
        esdk::encrypt(b"m", &KmsKeyring::new(&kms, vec![a]).unwrap(), &EncryptOptions::default()).unwrap();
    // A key ARN that no EDK names: nothing is tried.
    let by_arn = KmsKeyring::new(&kms, vec![other]).unwrap();
    match esdk::decrypt(&message, &by_arn, &DecryptOptions::default()) {
        Err(EsdkError::NoKeyringUnwrapped { errors }) => assert!(errors.is_empty(), "{errors:?}"),
        other => panic!("{other:?}"),
    }
    // An alias is tried against every KMS EDK, and KMS refuses.
    let by_alias = KmsKeyring::new(&kms, vec!["alias/other".to_owned()]).unwrap();
    match esdk::decrypt(&message, &by_alias, &DecryptOptions::default()) {
        Err(EsdkError::NoKeyringUnwrapped { errors }) => {
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert!(errors[0].contains("IncorrectKeyException"), "{errors:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn kms_failures_on_encrypt_are_kms_errors() {
    let kms = local_kms();
    let keyring = KmsKeyring::new(&kms, vec!["alias/missing".to_owned()]).unwrap();
    match esdk::encrypt(b"m", &keyring, &EncryptOptions::default()) {
        Err(EsdkError::Kms(e)) => assert_eq!(e.exception, "NotFoundException"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(KmsKeyring::new(&kms, vec![]), Err(EsdkError::Keyring(_))));
}

#[test]
fn a_multi_keyring_mixes_kms_and_raw_aes() {
    let kms = local_kms();
    let a = create_key(&kms);
    let kms_keyring = KmsKeyring::new(&kms, vec![a]).unwrap();
    let raw = RawAesKeyring::new("ns", "raw", &[9; 24]).unwrap();
    let both = MultiKeyring(vec![&kms_keyring, &raw]);
    let plain = plaintext(5000);
    let message = esdk::encrypt(&plain, &both, &EncryptOptions::default()).unwrap();
    assert_eq!(esdk::parse_header(&message).unwrap().encrypted_data_keys.len(), 2);
    for keyring in [&kms_keyring as &dyn esdk::Keyring, &raw, &both] {
        assert_eq!(
            &esdk::decrypt(&message, keyring, &DecryptOptions::default()).unwrap().plaintext[..],
            &plain[..]
        );
    }
    let stranger = RawAesKeyring::new("ns", "raw", &[8; 24]).unwrap();
    match esdk::decrypt(&message, &stranger, &DecryptOptions::default()) {
        Err(EsdkError::NoKeyringUnwrapped { errors }) => assert_eq!(errors.len(), 1),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_context_is_checked_and_reserved_keys_are_refused() {
    let keyring = RawAesKeyring::new("ns", "k", &[3; 32]).unwrap();
    let options =
        EncryptOptions { context: ctx(&[("tenant", "a"), ("purpose", "test")]), ..Default::default() };
    let message = esdk::encrypt(b"ctx", &keyring, &options).unwrap();
    let required =
        |pairs: &[(&str, &str)]| DecryptOptions { required_context: ctx(pairs), ..Default::default() };
    assert!(esdk::decrypt(&message, &keyring, &required(&[("tenant", "a")])).is_ok());
    match esdk::decrypt(&message, &keyring, &required(&[("tenant", "b")])) {
        Err(EsdkError::RequiredContextMismatch(k)) => assert_eq!(k, "tenant"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        esdk::decrypt(&message, &keyring, &required(&[("missing", "x")])),
        Err(EsdkError::RequiredContextMismatch(_))
    ));
    let reserved = EncryptOptions { context: ctx(&[("aws-crypto-public-key", "x")]), ..Default::default() };
    let err = esdk::encrypt(b"x", &keyring, &reserved).unwrap_err();
    assert!(matches!(&err, EsdkError::ReservedContextKey(k) if k == "aws-crypto-public-key"));
    assert_eq!(
        err.to_string(),
        "The encryption context key \"aws-crypto-public-key\" is reserved: keys starting with \"aws-crypto-\" are the SDK's."
    );
}

#[test]
fn encryption_refuses_bad_options() {
    let keyring = RawAesKeyring::new("ns", "k", &[3; 32]).unwrap();
    let zero = EncryptOptions { frame_length: 0, ..Default::default() };
    assert!(matches!(esdk::encrypt(b"x", &keyring, &zero), Err(EsdkError::FrameLength(0))));
    let v1 = EncryptOptions { suite: Suite::Aes256GcmIv12Tag16HkdfSha384EcdsaP384, ..Default::default() };
    let err = esdk::encrypt(b"x", &keyring, &v1).unwrap_err();
    assert!(matches!(err, EsdkError::SuiteNotAllowed(Suite::Aes256GcmIv12Tag16HkdfSha384EcdsaP384)));
    assert_eq!(
        err.to_string(),
        "The algorithm suite AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384 (0x0378) is not allowed by the commitment policy."
    );
    assert!(matches!(RawAesKeyring::new("ns", "k", &[0; 15]), Err(EsdkError::InvalidKey)));
    assert!(matches!(RawAesKeyring::new("aws-kms", "k", &[0; 16]), Err(EsdkError::Keyring(_))));
}

#[test]
fn the_streaming_encryptor_makes_the_same_message_structure() {
    let keyring = RawAesKeyring::new("ns", "k", &[4; 32]).unwrap();
    for suite in SUITES {
        for (n, fl, chunk) in
            [(0, 16, 1), (4096, 4096, 1000), (4097, 512, 512), (23_456, 1000, 7), (10_000, 1, 4096)]
        {
            let plain = plaintext(n);
            let options = EncryptOptions { suite, frame_length: fl, ..Default::default() };
            let whole = esdk::encrypt(&plain, &keyring, &options).unwrap();
            let mut enc = Encryptor::new(Vec::new(), &keyring, &options).unwrap();
            for piece in plain.chunks(chunk) {
                enc.update(piece).unwrap();
            }
            enc.update(&[]).unwrap();
            let streamed = enc.finish().unwrap();
            let (f1, footer1) = frames(&whole);
            let (f2, footer2) = frames(&streamed);
            assert_eq!(f1, f2, "{suite} n {n} fl {fl} chunk {chunk}");
            assert_eq!(footer1.is_empty(), footer2.is_empty());
            if !suite.is_signing() {
                assert_eq!(whole.len(), streamed.len());
            }
            let d = esdk::decrypt(&streamed, &keyring, &DecryptOptions::default()).unwrap();
            assert_eq!(&d.plaintext[..], &plain[..]);
        }
    }
}

#[test]
fn format_1_suites_need_the_allow_decrypt_policy() {
    // Encryption writes only committing suites; a format 1 message is built by the tamper tests'
    // serializer (tests/esdk_tamper.rs). Here: the policy is a real switch on format 2 messages.
    let keyring = RawAesKeyring::new("ns", "k", &[4; 32]).unwrap();
    let message = esdk::encrypt(b"p", &keyring, &EncryptOptions::default()).unwrap();
    let allow = DecryptOptions {
        commitment_policy: CommitmentPolicy::RequireEncryptAllowDecrypt,
        ..Default::default()
    };
    assert!(esdk::decrypt(&message, &keyring, &allow).is_ok());
    let max = DecryptOptions { max_encrypted_data_keys: Some(1), ..Default::default() };
    assert!(esdk::decrypt(&message, &keyring, &max).is_ok());
    let none = DecryptOptions { max_encrypted_data_keys: Some(0), ..Default::default() };
    assert!(matches!(
        esdk::decrypt(&message, &keyring, &none),
        Err(EsdkError::TooManyEncryptedDataKeys { count: 1, max: 0 })
    ));
}

#[test]
fn suite_names_and_ids() {
    assert_eq!(Suite::DEFAULT.name(), "AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384");
    assert_eq!(
        Suite::from_name("AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384").map(Suite::id),
        Some(0x0378)
    );
    assert_eq!(Suite::from_name("0x0478"), Some(Suite::Aes256GcmHkdfSha512CommitKey));
    assert_eq!(Suite::DEFAULT.data_key_len(), 32);
    assert_eq!(Suite::Aes128GcmIv12Tag16HkdfSha256EcdsaP256.data_key_len(), 16);
    assert!(Suite::DEFAULT.is_committing() && Suite::DEFAULT.is_signing());
    assert!(!Suite::Aes256GcmHkdfSha512CommitKey.is_signing());
}

#[test]
fn kms_tries_the_next_edk_when_one_fails_and_discovery_decrypts_any() {
    let kms = local_kms();
    let (a, b) = (create_key(&kms), create_key(&kms));
    let both = KmsKeyring::new(&kms, vec![a.clone(), b.clone()]).unwrap();
    let message = esdk::encrypt(b"two keys", &both, &EncryptOptions::default()).unwrap();
    kms.call("DisableKey", json!({"KeyId": a})).expect("known").unwrap();
    for keyring in [both, KmsKeyring::discovery(&kms)] {
        let d = esdk::decrypt(&message, &keyring, &DecryptOptions::default()).unwrap();
        assert_eq!(&d.plaintext[..], b"two keys");
    }
    kms.call("DisableKey", json!({"KeyId": b})).expect("known").unwrap();
    match esdk::decrypt(&message, &KmsKeyring::discovery(&kms), &DecryptOptions::default()) {
        Err(EsdkError::NoKeyringUnwrapped { errors }) => {
            assert_eq!(errors.len(), 2, "{errors:?}");
            assert!(errors.iter().all(|e| e.contains("DisabledException")), "{errors:?}");
        }
        other => panic!("{other:?}"),
    }
    let raw = RawAesKeyring::new("ns", "k", &[1; 32]).unwrap();
    let raw_only = esdk::encrypt(b"raw", &raw, &EncryptOptions::default()).unwrap();
    match esdk::decrypt(&raw_only, &KmsKeyring::discovery(&kms), &DecryptOptions::default()) {
        Err(EsdkError::NoKeyringUnwrapped { errors }) => assert!(errors.is_empty()),
        other => panic!("{other:?}"),
    }
    assert!(KmsKeyring::discovery(&kms).is_discovery());
}
