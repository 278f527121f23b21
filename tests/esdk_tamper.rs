//! Bad AWS Encryption SDK messages: every truncation and every single-bit flip of small signed and
//! unsigned messages fails without plaintext or panic; and one hand-built message per typed error.
//! The messages are built by a small serializer of this file's own (header, frames, footer, with keys
//! derived and tags and signatures computed here through `hkdf`, AES-GCM and `p384`), so format 1
//! messages, which paycrypt does not write, are covered too.
#![allow(clippy::unwrap_used)] // helpers of tests, where a panic is the failure report

use std::io::Cursor;

use base64ct::{Base64, Encoding};
use hkdf::Hkdf;
use p384::ecdsa::signature::hazmat::PrehashSigner;
use paycrypt::esdk::{
    self, CommitmentPolicy, DataKey, DecryptOptions, EncryptOptions, EncryptionContext, EsdkError,
    RawAesKeyring, Suite,
};
use paycrypt::jwe::gcm;
use sha2::{Digest, Sha256, Sha384, Sha512};

// ---- a test-only serializer ----

/// One frame: sequence number, final or not, plaintext.
type Frame = (u32, bool, Vec<u8>);

#[derive(Clone)]
enum Body {
    Framed(Vec<Frame>),
    NonFramed(Vec<u8>),
}

/// Every field of a message, each settable to a bad value.
#[derive(Clone)]
struct Build {
    version: u8,
    kind: u8,
    suite: u16,
    message_id: Vec<u8>,
    context: EncryptionContext,
    /// Replaces the serialized key-value pairs when set.
    raw_pairs: Option<Vec<u8>>,
    edks: Vec<(String, Vec<u8>, Vec<u8>)>,
    content_type: u8,
    reserved: [u8; 4],
    iv_len: u8,
    frame_length: u32,
    /// Replaces the derived commitment when set.
    commitment: Option<Vec<u8>>,
    body: Body,
    data_key: Vec<u8>,
    /// Signs with this P-384 key's scalar when the suite signs.
    signing_key: [u8; 48],
}

fn signing_key() -> p384::ecdsa::SigningKey {
    p384::ecdsa::SigningKey::from_slice(&[0x11; 48]).unwrap()
}

fn p256_signing_key() -> p256::ecdsa::SigningKey {
    p256::ecdsa::SigningKey::from_slice(&[0x22; 32]).unwrap()
}

fn public_key_b64(suite: u16) -> String {
    if suite == 0x0214 {
        Base64::encode_string(p256_signing_key().verifying_key().to_sec1_point(true).as_bytes())
    } else {
        Base64::encode_string(signing_key().verifying_key().to_sec1_point(true).as_bytes())
    }
}

impl Build {
    /// A valid message of `suite` (0x0478 or 0x0578 for format 2, else format 1): three frames of
    /// frame length 4 holding "0123456789".
    fn new(suite: Suite) -> Build {
        let v2 = suite.is_committing();
        let mut context = EncryptionContext::from([("purpose".to_owned(), "tamper".to_owned())]);
        if suite.is_signing() {
            context.insert(esdk::PUBLIC_KEY_FIELD.to_owned(), public_key_b64(suite.id()));
        }
        Build {
            version: if v2 { 2 } else { 1 },
            kind: 0x80,
            suite: suite.id(),
            message_id: vec![0x42; if v2 { 32 } else { 16 }],
            context,
            raw_pairs: None,
            edks: vec![("test".to_owned(), b"info".to_vec(), vec![1, 2, 3])],
            content_type: 2,
            reserved: [0; 4],
            iv_len: 12,
            frame_length: 4,
            commitment: None,
            body: Body::Framed(vec![
                (1, false, b"0123".to_vec()),
                (2, false, b"4567".to_vec()),
                (3, true, b"89".to_vec()),
            ]),
            data_key: vec![0x07; suite.data_key_len()],
            signing_key: [0x11; 48],
        }
    }

    fn key_len(&self) -> usize {
        match self.suite & 0xff {
            0x14 => 16,
            0x46 => 24,
            _ => 32,
        }
    }

    /// The encryption key and commitment, derived here independently of the library.
    fn derive(&self) -> (Vec<u8>, Vec<u8>) {
        let mut key = vec![0u8; self.key_len()];
        let mut commit = vec![0u8; 32];
        let id = self.suite.to_be_bytes();
        let info = [&id[..], &self.message_id].concat();
        let ikm = &self.data_key;
        match self.suite >> 8 {
            0x00 => key.copy_from_slice(ikm),
            0x01 | 0x02 => Hkdf::<Sha256>::new(None, ikm).expand(&info, &mut key).unwrap(),
            0x03 => Hkdf::<Sha384>::new(None, ikm).expand(&info, &mut key).unwrap(),
            0x04 | 0x05 => {
                let h = Hkdf::<Sha512>::new(Some(&self.message_id), ikm);
                h.expand(&[&id[..], b"DERIVEKEY"].concat(), &mut key).unwrap();
                h.expand(b"COMMITKEY", &mut commit).unwrap();
            }
            _ => {}
        }
        (key, commit)
    }

    fn signs(&self) -> bool {
        matches!(self.suite, 0x0214 | 0x0346 | 0x0378 | 0x0578)
    }

    fn header_body(&self) -> Vec<u8> {
        let mut h = vec![self.version];
        if self.version == 1 {
            h.push(self.kind);
        }
        h.extend_from_slice(&self.suite.to_be_bytes());
        h.extend_from_slice(&self.message_id);
        let pairs = self.raw_pairs.clone().unwrap_or_else(|| esdk::serialize_context(&self.context).unwrap());
        h.extend_from_slice(&u16::try_from(pairs.len()).unwrap().to_be_bytes());
        h.extend_from_slice(&pairs);
        h.extend_from_slice(&u16::try_from(self.edks.len()).unwrap().to_be_bytes());
        for (id, info, ct) in &self.edks {
            for f in [id.as_bytes(), info, ct] {
                h.extend_from_slice(&u16::try_from(f.len()).unwrap().to_be_bytes());
                h.extend_from_slice(f);
            }
        }
        h.push(self.content_type);
        if self.version == 1 {
            h.extend_from_slice(&self.reserved);
            h.push(self.iv_len);
        }
        h.extend_from_slice(&self.frame_length.to_be_bytes());
        if self.version == 2 {
            h.extend_from_slice(&self.commitment.clone().unwrap_or_else(|| self.derive().1));
        }
        h
    }

    /// The header and body, without the footer.
    fn unsigned_bytes(&self) -> Vec<u8> {
        let (key, _) = self.derive();
        let key = if [16, 24, 32].contains(&key.len()) { key } else { vec![0; 32] };
        let mut m = self.header_body();
        let (_, tag) = gcm::encrypt(&key, &[0; 12], &m, &[]).unwrap();
        if self.version == 1 {
            m.extend_from_slice(&[0; 12]);
        }
        m.extend_from_slice(&tag);
        let aad = |what: &str, seq: u32, len: usize| {
            [
                &self.message_id[..],
                what.as_bytes(),
                &seq.to_be_bytes(),
                &u64::try_from(len).unwrap().to_be_bytes(),
            ]
            .concat()
        };
        let iv = |seq: u32| {
            let mut iv = [0u8; 12];
            iv[8..].copy_from_slice(&seq.to_be_bytes());
            iv
        };
        match &self.body {
            Body::Framed(frames) => {
                for (seq, last, plain) in frames {
                    let what = if *last {
                        "AWSKMSEncryptionClient Final Frame"
                    } else {
                        "AWSKMSEncryptionClient Frame"
                    };
                    let (ct, tag) =
                        gcm::encrypt(&key, &iv(*seq), &aad(what, *seq, plain.len()), plain).unwrap();
                    if *last {
                        m.extend_from_slice(&u32::MAX.to_be_bytes());
                    }
                    m.extend_from_slice(&seq.to_be_bytes());
                    m.extend_from_slice(&iv(*seq));
                    if *last {
                        m.extend_from_slice(&u32::try_from(plain.len()).unwrap().to_be_bytes());
                    }
                    m.extend_from_slice(&ct);
                    m.extend_from_slice(&tag);
                }
            }
            Body::NonFramed(plain) => {
                let (ct, tag) = gcm::encrypt(
                    &key,
                    &iv(1),
                    &aad("AWSKMSEncryptionClient Single Block", 1, plain.len()),
                    plain,
                )
                .unwrap();
                m.extend_from_slice(&iv(1));
                m.extend_from_slice(&u64::try_from(plain.len()).unwrap().to_be_bytes());
                m.extend_from_slice(&ct);
                m.extend_from_slice(&tag);
            }
        }
        m
    }

    /// The whole message: header, body and (for signing suites) footer.
    fn bytes(&self) -> Vec<u8> {
        let mut m = self.unsigned_bytes();
        if self.signs() {
            let der = if self.suite == 0x0214 {
                let sig: p256::ecdsa::Signature =
                    p256_signing_key().sign_prehash(&Sha256::digest(&m)).unwrap();
                sig.to_der().as_bytes().to_vec()
            } else {
                let k = p384::ecdsa::SigningKey::from_slice(&self.signing_key).unwrap();
                let sig: p384::ecdsa::Signature = k.sign_prehash(&Sha384::digest(&m)).unwrap();
                sig.to_der().as_bytes().to_vec()
            };
            m.extend_from_slice(&u16::try_from(der.len()).unwrap().to_be_bytes());
            m.extend_from_slice(&der);
        }
        m
    }

    fn decrypt(&self, options: &DecryptOptions) -> Result<esdk::Decrypted, EsdkError> {
        esdk::decrypt_with_data_key(&self.bytes(), &DataKey::new(self.data_key.clone()), options)
    }
}

fn allow_v1() -> DecryptOptions {
    DecryptOptions { commitment_policy: CommitmentPolicy::RequireEncryptAllowDecrypt, ..Default::default() }
}

// ---- the serializer agrees with the library ----

#[test]
fn hand_built_messages_of_every_suite_decrypt() {
    for suite in Suite::ALL {
        let build = Build::new(suite);
        let d = build.decrypt(&allow_v1()).unwrap_or_else(|e| panic!("{suite}: {e}"));
        assert_eq!(&d.plaintext[..], b"0123456789", "{suite}");
        assert_eq!(d.info.version, if suite.is_committing() { 2 } else { 1 });
        let mut non_framed = build.clone();
        non_framed.content_type = 1;
        non_framed.frame_length = 0;
        non_framed.body = Body::NonFramed(b"a non-framed body".to_vec());
        let d = non_framed.decrypt(&allow_v1()).unwrap_or_else(|e| panic!("{suite} non-framed: {e}"));
        assert_eq!(&d.plaintext[..], b"a non-framed body");
        assert!(!d.info.framed);
    }
}

// ---- one hand-built message per typed error ----

/// Decrypts `build` (format 1 allowed) and returns the error.
fn error_of(build: &Build) -> EsdkError {
    match build.decrypt(&allow_v1()) {
        Ok(_) => panic!("a bad message decrypted"),
        Err(e) => e,
    }
}

fn v2() -> Build {
    Build::new(Suite::Aes256GcmHkdfSha512CommitKey)
}

fn v2_signed() -> Build {
    Build::new(Suite::DEFAULT)
}

fn v1() -> Build {
    Build::new(Suite::Aes256GcmIv12Tag16HkdfSha384EcdsaP384)
}

#[test]
fn header_field_errors() {
    let mut b = v2();
    b.version = 3;
    assert!(matches!(error_of(&b), EsdkError::UnknownVersion(3)));

    let mut b = v1();
    b.kind = 0x81;
    assert!(matches!(error_of(&b), EsdkError::UnknownType(0x81)));

    let mut b = v2();
    b.suite = 0x0999;
    assert!(matches!(error_of(&b), EsdkError::UnknownSuite(0x0999)));
    let mut b = v2();
    b.suite = 0x0178; // a format 1 suite in a format 2 header
    assert!(matches!(error_of(&b), EsdkError::UnknownSuite(0x0178)));
    let mut b = v1();
    b.suite = 0x0070; // an S3 Encryption Client suite
    assert!(matches!(error_of(&b), EsdkError::UnknownSuite(0x0070)));

    let mut b = v2();
    b.content_type = 3;
    assert!(matches!(error_of(&b), EsdkError::UnknownContentType(3)));

    let mut b = v1();
    b.reserved = [0, 0, 0, 1];
    assert!(matches!(error_of(&b), EsdkError::ReservedBytes));

    let mut b = v1();
    b.iv_len = 16;
    assert!(matches!(error_of(&b), EsdkError::IvLength(16)));

    let mut b = v2();
    b.edks.clear();
    assert!(matches!(error_of(&b), EsdkError::NoEncryptedDataKeys));

    let mut b = v2();
    b.edks = vec![b.edks[0].clone(); 3];
    let max = DecryptOptions { max_encrypted_data_keys: Some(2), ..Default::default() };
    let data_key = DataKey::new(b.data_key.clone());
    assert!(matches!(
        esdk::decrypt_with_data_key(&b.bytes(), &data_key, &max),
        Err(EsdkError::TooManyEncryptedDataKeys { count: 3, max: 2 })
    ));

    let mut b = v2();
    b.raw_pairs = Some([&[0, 2][..], &[0, 1, b'a', 0, 1, b'x'], &[0, 1, b'a', 0, 1, b'y']].concat());
    assert!(matches!(error_of(&b), EsdkError::DuplicateContextKey(k) if k == "a"));
    let mut b = v2();
    b.raw_pairs = Some(vec![0, 1, 0, 1, 0xff, 0, 0]);
    assert!(matches!(error_of(&b), EsdkError::Context(_)));

    let mut b = v2();
    b.frame_length = 0;
    assert!(matches!(error_of(&b), EsdkError::FrameLength(0)));
    let mut b = v2();
    b.content_type = 1;
    b.body = Body::NonFramed(b"x".to_vec());
    assert!(matches!(error_of(&b), EsdkError::FrameLength(4)));
}

#[test]
fn policy_and_public_key_errors() {
    let err = v1().decrypt(&DecryptOptions::default()).unwrap_err();
    assert!(matches!(err, EsdkError::SuiteNotAllowed(Suite::Aes256GcmIv12Tag16HkdfSha384EcdsaP384)));

    let mut b = v2_signed();
    b.context.remove(esdk::PUBLIC_KEY_FIELD);
    assert!(matches!(error_of(&b), EsdkError::MissingPublicKey));

    let mut b = v2();
    b.context.insert(esdk::PUBLIC_KEY_FIELD.to_owned(), public_key_b64(0x0578));
    assert!(matches!(error_of(&b), EsdkError::UnexpectedPublicKey));

    let mut b = v2_signed();
    b.context.insert(esdk::PUBLIC_KEY_FIELD.to_owned(), "not base64!".to_owned());
    assert!(matches!(error_of(&b), EsdkError::BadPublicKey));
    let mut b = v2_signed();
    b.context.insert(esdk::PUBLIC_KEY_FIELD.to_owned(), public_key_b64(0x0214)); // a P-256 point
    assert!(matches!(error_of(&b), EsdkError::BadPublicKey));

    let mut b = v2_signed();
    b.signing_key = [0x33; 48]; // signed by another key than the context names
    assert!(matches!(error_of(&b), EsdkError::Authentication));
}

#[test]
fn commitment_and_tag_errors() {
    let mut b = v2();
    b.commitment = Some(vec![0; 32]);
    assert!(matches!(error_of(&b), EsdkError::CommitmentMismatch));

    let b = v2();
    let mut wrong = b.data_key.clone();
    wrong[31] ^= 0x80;
    let err = esdk::decrypt_with_data_key(&b.bytes(), &DataKey::new(wrong), &DecryptOptions::default())
        .unwrap_err();
    assert!(matches!(err, EsdkError::CommitmentMismatch));

    // Format 1 has no commitment: a wrong data key fails the header tag.
    let b = v1();
    let wrong = DataKey::new(vec![0x08; 32]);
    assert!(matches!(
        esdk::decrypt_with_data_key(&b.bytes(), &wrong, &allow_v1()),
        Err(EsdkError::Authentication)
    ));

    let short = DataKey::new(vec![0; 16]);
    assert!(matches!(
        esdk::decrypt_with_data_key(&v2().bytes(), &short, &DecryptOptions::default()),
        Err(EsdkError::DataKeyLength { got: 16, expected: 32 })
    ));
}

#[test]
fn body_errors() {
    let mut b = v2();
    b.body = Body::Framed(vec![(1, false, b"0123".to_vec()), (2, true, b"45678".to_vec())]);
    assert!(matches!(error_of(&b), EsdkError::FrameTooLong { got: 5, max: 4 }));

    let mut b = v2();
    b.body = Body::Framed(vec![(1, false, b"0123".to_vec()), (3, true, b"45".to_vec())]);
    assert!(matches!(error_of(&b), EsdkError::SequenceGap { expected: 2, got: 3 }));
    let mut b = v2();
    b.body = Body::Framed(vec![(2, true, b"45".to_vec())]);
    assert!(matches!(error_of(&b), EsdkError::SequenceGap { expected: 1, got: 2 }));

    // No final frame: the message ends after a regular frame.
    let mut b = v2();
    b.body = Body::Framed(vec![(1, false, b"0123".to_vec())]);
    assert!(matches!(error_of(&b), EsdkError::Truncated));

    for b in [v2(), v2_signed(), v1()] {
        let mut m = b.bytes();
        m.push(0);
        let err =
            esdk::decrypt_with_data_key(&m, &DataKey::new(b.data_key.clone()), &allow_v1()).unwrap_err();
        assert!(matches!(err, EsdkError::TrailingBytes), "{err:?}");
    }
}

#[test]
fn footer_errors() {
    let b = v2_signed();
    let m = b.bytes();
    let key = DataKey::new(b.data_key.clone());
    let unsigned = b.unsigned_bytes();
    let without_footer = &unsigned[..];
    assert!(m.starts_with(without_footer) && m.len() > without_footer.len() + 64);
    let decrypt = |bytes: &[u8]| esdk::decrypt_with_data_key(bytes, &key, &DecryptOptions::default());
    assert!(matches!(decrypt(without_footer), Err(EsdkError::BadFooter)));
    assert!(matches!(decrypt(&[without_footer, &[0, 0]].concat()), Err(EsdkError::BadFooter)));
    assert!(matches!(decrypt(&[without_footer, &[0, 3, 1, 2, 3]].concat()), Err(EsdkError::BadFooter)));
    assert!(matches!(decrypt(&[without_footer, &[0, 9, 1]].concat()), Err(EsdkError::BadFooter)));
    // A valid DER signature that does not verify.
    let other: p384::ecdsa::Signature =
        signing_key().sign_prehash(&Sha384::digest(b"something else")).unwrap();
    let der = other.to_der();
    let forged =
        [without_footer, &u16::try_from(der.as_bytes().len()).unwrap().to_be_bytes(), der.as_bytes()]
            .concat();
    assert!(matches!(decrypt(&forged), Err(EsdkError::Authentication)));
    assert!(decrypt(&m).is_ok());
}

// ---- every truncation and every bit flip of real messages ----

fn small_message(suite: Suite) -> (RawAesKeyring, Vec<u8>) {
    let keyring = RawAesKeyring::new("ns", "tamper", &[0x61; 32]).unwrap();
    let options = EncryptOptions {
        suite,
        frame_length: 8,
        context: EncryptionContext::from([("k".to_owned(), "v".to_owned())]),
    };
    let message = esdk::encrypt(b"twenty bytes of text", &keyring, &options).unwrap();
    (keyring, message)
}

#[test]
fn every_truncation_fails_without_plaintext() {
    for suite in [Suite::DEFAULT, Suite::Aes256GcmHkdfSha512CommitKey] {
        let (keyring, message) = small_message(suite);
        assert!(esdk::decrypt(&message, &keyring, &DecryptOptions::default()).is_ok());
        for len in 0..message.len() {
            let cut = &message[..len];
            assert!(
                esdk::decrypt(cut, &keyring, &DecryptOptions::default()).is_err(),
                "{suite} cut at {len}"
            );
            let mut out = Vec::new();
            let streamed =
                esdk::decrypt_stream(Cursor::new(cut), &mut out, &keyring, &DecryptOptions::default());
            assert!(streamed.is_err(), "{suite} cut at {len}");
            // Only whole regular frames that verified may have been written, never the final one.
            assert!(
                out.len() % 8 == 0 && out.len() <= 16 && b"twenty bytes of text".starts_with(&out),
                "{suite} {len}"
            );
        }
    }
}

#[test]
fn every_bit_flip_fails_without_plaintext() {
    for suite in [Suite::DEFAULT, Suite::Aes256GcmHkdfSha512CommitKey] {
        let (keyring, message) = small_message(suite);
        for byte in 0..message.len() {
            for bit in 0..8 {
                let mut flipped = message.clone();
                flipped[byte] ^= 1 << bit;
                let result = esdk::decrypt(&flipped, &keyring, &DecryptOptions::default());
                assert!(result.is_err(), "{suite}: flipping bit {bit} of byte {byte} went unnoticed");
            }
        }
    }
}

#[test]
fn decrypt_stream_holds_the_final_frame_until_the_end() {
    for suite in [Suite::DEFAULT, Suite::Aes256GcmHkdfSha512CommitKey] {
        let (keyring, message) = small_message(suite);
        let mut bad = message.clone();
        if suite.is_signing() {
            let last = bad.len() - 1;
            bad[last] ^= 1; // the signature
        } else {
            bad.push(0); // a trailing byte
        }
        let mut out = Vec::new();
        let err = esdk::decrypt_stream(Cursor::new(&bad), &mut out, &keyring, &DecryptOptions::default())
            .unwrap_err();
        assert!(matches!(err, EsdkError::Authentication | EsdkError::TrailingBytes), "{err:?}");
        assert_eq!(out, b"twenty bytes of ", "{suite}: the two regular frames, not the final one");
        let mut out = Vec::new();
        esdk::decrypt_stream(Cursor::new(&message), &mut out, &keyring, &DecryptOptions::default()).unwrap();
        assert_eq!(out, b"twenty bytes of text");
    }
}
