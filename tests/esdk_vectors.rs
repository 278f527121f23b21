//! The AWS Encryption SDK's published message format 2 vectors
//! (`vectors/esdk/commitment-test-vectors.json`, from aws-encryption-sdk-python; see its
//! SOURCES.md): messages written by the C, Java, JavaScript and Python SDKs, decrypted here with the
//! data key each case gives. Those that should decrypt give the plaintext, message id, context, and
//! the derived key and commitment the case lists; those with a bad commitment fail with
//! `CommitmentMismatch`. And `vectors/esdk_python_sdk.json`: messages of all eleven suites, framed
//! and non-framed, made by the AWS Encryption SDK for Python with a raw AES key
//! (`scripts/vectors/esdk_python.py`), decrypted through our raw AES keyring.
#![allow(clippy::unwrap_used)] // helpers of tests, where a panic is the failure report

mod common;

use std::path::PathBuf;

use base64ct::{Base64, Encoding};
use common::Tally;
use paycrypt::esdk::{
    self, CommitmentPolicy, DataKey, DecryptOptions, EncryptionContext, EsdkError, RawAesKeyring, Suite,
};
use serde_json::Value;

fn b64(case: &Value, field: &str) -> Result<Vec<u8>, String> {
    let text = case[field].as_str().ok_or_else(|| format!("no string {field:?}"))?;
    Base64::decode_vec(text).map_err(|e| format!("{field}: bad base64: {e}"))
}

fn load() -> Vec<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors/esdk/commitment-test-vectors.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let file: Value = serde_json::from_str(&text).expect("the vector file is JSON");
    file["tests"].as_array().expect("a tests array").clone()
}

fn check(case: &Value) -> Result<(), String> {
    let message = b64(case, "ciphertext")?;
    let data_key = DataKey::new(b64(case, "decrypted-dek")?);
    let result = esdk::decrypt_with_data_key(&message, &data_key, &DecryptOptions::default());
    if case["status"] != Value::Bool(true) {
        return match result {
            Err(EsdkError::CommitmentMismatch) => Ok(()),
            Err(e) => Err(format!("failed with {e:?}, not CommitmentMismatch")),
            Ok(_) => Err("decrypted, but the commitment is wrong".to_owned()),
        };
    }
    let decrypted = result.map_err(|e| format!("did not decrypt: {e}"))?;
    let frames = case["plaintext-frames"].as_array().ok_or("no plaintext-frames")?;
    let want: String = frames.iter().map(|f| f.as_str().unwrap_or_default()).collect();
    if decrypted.plaintext[..] != *want.as_bytes() {
        return Err(format!("plaintext {:?}, want {want:?}", String::from_utf8_lossy(&decrypted.plaintext)));
    }
    let message_id = b64(case, "message-id")?;
    if decrypted.info.message_id != message_id {
        return Err("message id differs".to_owned());
    }
    let context: EncryptionContext =
        serde_json::from_value(case["encryption-context"].clone()).map_err(|e| format!("context: {e}"))?;
    if decrypted.info.context != context {
        return Err(format!("context {:?}, want {context:?}", decrypted.info.context));
    }
    // One case's `header` member is not valid base64 upstream; the others are the message's start.
    if let Ok(header) = b64(case, "header")
        && !message.starts_with(&header)
    {
        return Err("the message does not start with the case's header".to_owned());
    }
    let keys = esdk::derive_keys(decrypted.info.suite, &data_key, &message_id).map_err(|e| e.to_string())?;
    if keys.commitment().map(|c| c.to_vec()) != Some(b64(case, "commitment")?) {
        return Err("derived commitment differs".to_owned());
    }
    // 21 of the cases list the derived key too.
    if case.get("content-encryption-key").is_some()
        && keys.encryption_key() != b64(case, "content-encryption-key")?
    {
        return Err("derived content encryption key differs".to_owned());
    }
    Ok(())
}

#[test]
fn commitment_vectors_decrypt_with_their_data_keys() {
    let cases = load();
    assert_eq!(cases.len(), 46, "the published file has 46 cases");
    let mut tally = Tally::new("esdk commitment vectors");
    let mut failing = 0;
    for case in &cases {
        let id = case["comment"].as_str().unwrap_or("?");
        if case["status"] != Value::Bool(true) {
            failing += 1;
        }
        tally.record(id, check(case));
    }
    assert_eq!(failing, 5, "5 cases have a bad commitment");
    tally.finish();
}

/// The vectors hold no raw AES or KMS keys; the headers still parse without one, and a wrong data key
/// of the right length is caught by the commitment before any frame is opened.
#[test]
fn headers_parse_and_a_wrong_data_key_is_caught_by_the_commitment() {
    let mut tally = Tally::new("esdk vector headers");
    for case in load().iter().filter(|c| c["status"] == Value::Bool(true)) {
        let id = case["comment"].as_str().unwrap_or("?");
        let outcome = (|| {
            let message = b64(case, "ciphertext")?;
            let info = esdk::parse_header(&message).map_err(|e| e.to_string())?;
            if info.version != 2 || !info.suite.is_committing() {
                return Err(format!("version {} suite {:?}", info.version, info.suite));
            }
            let mut wrong = b64(case, "decrypted-dek")?;
            wrong[0] ^= 1;
            match esdk::decrypt_with_data_key(&message, &DataKey::new(wrong), &DecryptOptions::default()) {
                Err(EsdkError::CommitmentMismatch) => Ok(()),
                other => Err(format!("a wrong data key gave {:?}", other.map(|d| d.info))),
            }
        })();
        tally.record(id, outcome);
    }
    tally.finish();
}

fn python_case(file: &Value, keyring: &RawAesKeyring, case: &Value) -> Result<(), String> {
    let message = b64(case, "message")?;
    let want = hex::decode(case["plaintext"].as_str().unwrap_or_default()).map_err(|e| e.to_string())?;
    let suite = Suite::from_name(case["suite"].as_str().unwrap_or_default()).ok_or("unknown suite")?;
    let allow = DecryptOptions {
        commitment_policy: CommitmentPolicy::RequireEncryptAllowDecrypt,
        ..Default::default()
    };
    let d = esdk::decrypt(&message, keyring, &allow).map_err(|e| format!("did not decrypt: {e}"))?;
    if d.plaintext[..] != want[..] {
        return Err("plaintext differs".to_owned());
    }
    let mut streamed = Vec::new();
    esdk::decrypt_stream(&message[..], &mut streamed, keyring, &allow).map_err(|e| format!("stream: {e}"))?;
    if streamed != want {
        return Err("streamed plaintext differs".to_owned());
    }
    let frame_length = case["frame_length"].as_u64().ok_or("no frame_length")?;
    let context: EncryptionContext =
        serde_json::from_value(file["encryption_context"].clone()).map_err(|e| format!("context: {e}"))?;
    let info = &d.info;
    if info.suite != suite
        || u64::from(info.frame_length) != frame_length
        || info.framed != (frame_length > 0)
    {
        return Err(format!("header says {info:?}"));
    }
    if context.iter().any(|(k, v)| info.context.get(k) != Some(v)) {
        return Err(format!("context {:?}", info.context));
    }
    if info.context.contains_key(esdk::PUBLIC_KEY_FIELD) != suite.is_signing() {
        return Err("aws-crypto-public-key present iff the suite signs".to_owned());
    }
    // The default policy refuses exactly the format 1 suites.
    match esdk::decrypt(&message, keyring, &DecryptOptions::default()) {
        Ok(_) if suite.is_committing() => Ok(()),
        Err(EsdkError::SuiteNotAllowed(s)) if s == suite && !suite.is_committing() => Ok(()),
        other => Err(format!("under the default policy: {:?}", other.map(|d| d.info.suite))),
    }
}

#[test]
fn python_sdk_messages_of_every_suite_decrypt() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors/esdk_python_sdk.json");
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let key = hex::decode(file["wrapping_key"].as_str().unwrap()).unwrap();
    let keyring =
        RawAesKeyring::new(file["key_namespace"].as_str().unwrap(), file["key_name"].as_str().unwrap(), &key)
            .unwrap();
    let cases = file["cases"].as_array().unwrap();
    let suites: std::collections::BTreeSet<&str> = cases.iter().filter_map(|c| c["suite"].as_str()).collect();
    assert_eq!(suites.len(), 11, "every suite has messages");
    let mut tally = Tally::new("esdk Python SDK messages");
    for case in cases {
        tally.record(case["id"].as_str().unwrap_or("?"), python_case(&file, &keyring, case));
    }
    tally.finish();
}
