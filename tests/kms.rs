//! AWS KMS through `Kms::call`, as the server will call it: every operation, and each failure with
//! its exception and HTTP status.

use serde_json::{Value, json};

use paycrypt::keys::MemoryStore;
use paycrypt::service::Settings;
use paycrypt::service::kms::{KMS_OPERATIONS, Kms, KmsError};

type Svc = Kms<MemoryStore>;

fn kms() -> Svc {
    Kms::new(MemoryStore::new(), Settings::default())
}

fn call(k: &Svc, op: &str, body: Value) -> Result<Value, KmsError> {
    k.call(op, body).expect("known operation")
}

/// Calls `op` and expects `exception` with `status`.
fn fails(k: &Svc, op: &str, body: Value, exception: &str, status: u16) -> String {
    match call(k, op, body) {
        Ok(v) => panic!("{op} succeeded: {v}"),
        Err(e) => {
            assert_eq!((e.exception(), e.http_status()), (exception, status), "{op}: {e}");
            assert!(e.body()["message"].is_string());
            e.to_string()
        }
    }
}

fn create(k: &Svc, spec: &str) -> (String, String) {
    let out = call(k, "CreateKey", json!({"KeySpec": spec, "Description": "test"})).expect("create");
    let m = &out["KeyMetadata"];
    (m["KeyId"].as_str().expect("id").to_owned(), m["Arn"].as_str().expect("arn").to_owned())
}

fn b64(bytes: &[u8]) -> String {
    use base64ct::Encoding;
    base64ct::Base64::encode_string(bytes)
}

fn unb64(v: &Value) -> Vec<u8> {
    use base64ct::Encoding;
    base64ct::Base64::decode_vec(v.as_str().expect("string")).expect("base64")
}

fn encrypt(k: &Svc, key: &str, plain: &[u8], ctx: Value) -> Result<Value, KmsError> {
    call(k, "Encrypt", json!({"KeyId": key, "Plaintext": b64(plain), "EncryptionContext": ctx}))
}

#[test]
fn operations_list_is_complete() {
    let k = kms();
    for op in KMS_OPERATIONS {
        assert!(k.call(op, json!({})).is_some(), "{op}");
    }
    assert_eq!(KMS_OPERATIONS.len(), 21);
}

#[test]
fn symmetric_round_trip_by_id_arn_alias_and_alias_arn() {
    let k = kms();
    let (id, arn) = create(&k, "SYMMETRIC_DEFAULT");
    call(&k, "CreateAlias", json!({"AliasName": "alias/app", "TargetKeyId": id})).expect("alias");
    let alias_arn = "arn:aws:kms:us-east-1:111122223333:alias/app";
    for name in [id.as_str(), arn.as_str(), "alias/app", alias_arn] {
        let ct = encrypt(&k, name, b"secret", json!({"purpose": "test"})).expect("encrypt");
        assert_eq!(ct["KeyId"], arn.as_str(), "KeyId is the full ARN for {name}");
        assert_eq!(ct["EncryptionAlgorithm"], "SYMMETRIC_DEFAULT");
        let pt = call(
            &k,
            "Decrypt",
            json!({"CiphertextBlob": ct["CiphertextBlob"], "EncryptionContext": {"purpose": "test"}}),
        )
        .expect("decrypt");
        assert_eq!(unb64(&pt["Plaintext"]), b"secret");
        assert_eq!(pt["KeyId"], arn.as_str());
        // With a matching KeyId too.
        let pt = call(
            &k,
            "Decrypt",
            json!({"CiphertextBlob": ct["CiphertextBlob"], "KeyId": name,
            "EncryptionContext": {"purpose": "test"}}),
        )
        .expect("decrypt with key id");
        assert_eq!(unb64(&pt["Plaintext"]), b"secret");
    }
}

#[test]
fn empty_context_is_no_context() {
    let k = kms();
    let (id, _) = create(&k, "SYMMETRIC_DEFAULT");
    let ct = encrypt(&k, &id, b"x", json!({})).expect("encrypt");
    call(&k, "Decrypt", json!({"CiphertextBlob": ct["CiphertextBlob"]})).expect("no context");
    let ct = call(&k, "Encrypt", json!({"KeyId": id, "Plaintext": b64(b"x")})).expect("encrypt");
    call(&k, "Decrypt", json!({"CiphertextBlob": ct["CiphertextBlob"], "EncryptionContext": {}}))
        .expect("empty");
}

#[test]
fn context_must_match_exactly() {
    let k = kms();
    let (id, _) = create(&k, "SYMMETRIC_DEFAULT");
    let ct = encrypt(&k, &id, b"x", json!({"ab": "c"})).expect("encrypt");
    let blob = &ct["CiphertextBlob"];
    for wrong in
        [json!({"a": "bc"}), json!({"ab": "C"}), json!({}), json!({"ab": "c", "d": "e"}), json!({"ba": "c"})]
    {
        fails(
            &k,
            "Decrypt",
            json!({"CiphertextBlob": blob, "EncryptionContext": wrong}),
            "InvalidCiphertextException",
            400,
        );
    }
    let ct = encrypt(&k, &id, b"x", json!({"a": "1", "b": "2"})).expect("encrypt");
    // Order of the pairs in the request does not matter.
    let body: Value = serde_json::from_str(&format!(
        r#"{{"CiphertextBlob": {}, "EncryptionContext": {{"b": "2", "a": "1"}}}}"#,
        ct["CiphertextBlob"]
    ))
    .expect("json");
    call(&k, "Decrypt", body).expect("same pairs");
}

#[test]
fn tampering_any_byte_is_detected() {
    let k = kms();
    let (id, _) = create(&k, "SYMMETRIC_DEFAULT");
    let ct = encrypt(&k, &id, b"attack at dawn", json!({"k": "v"})).expect("encrypt");
    let blob = unb64(&ct["CiphertextBlob"]);
    for i in 0..blob.len() {
        let mut bad = blob.clone();
        bad[i] ^= 0x01;
        let err = call(&k, "Decrypt", json!({"CiphertextBlob": b64(&bad), "EncryptionContext": {"k": "v"}}))
            .expect_err("tampered blob decrypted");
        assert!(
            matches!(err.exception(), "InvalidCiphertextException" | "NotFoundException"),
            "byte {i}: {err:?}"
        );
    }
    for len in [0, 1, 2, 20, blob.len() - 1] {
        assert!(call(&k, "Decrypt", json!({"CiphertextBlob": b64(&blob[..len])})).is_err());
    }
}

#[test]
fn blobs_never_decrypt_under_another_key() {
    let k = kms();
    let (a, _) = create(&k, "SYMMETRIC_DEFAULT");
    let (b, _) = create(&k, "SYMMETRIC_DEFAULT");
    let ct = encrypt(&k, &a, b"x", json!({})).expect("encrypt");
    let msg = fails(
        &k,
        "Decrypt",
        json!({"CiphertextBlob": ct["CiphertextBlob"], "KeyId": b}),
        "IncorrectKeyException",
        400,
    );
    assert!(msg.contains("does not identify"));
    // A blob edited to name key b fails its tag.
    let blob = unb64(&ct["CiphertextBlob"]);
    let text = String::from_utf8_lossy(&blob).replace(&a, &b);
    let mut forged = blob.clone();
    let at = 2 + "arn:aws:kms:us-east-1:111122223333:key/".len();
    forged[at..at + 36].copy_from_slice(b.as_bytes());
    assert!(text.contains(&b));
    fails(&k, "Decrypt", json!({"CiphertextBlob": b64(&forged)}), "InvalidCiphertextException", 400);
}

#[test]
fn key_states() {
    let k = kms();
    let (id, arn) = create(&k, "SYMMETRIC_DEFAULT");
    let ct = encrypt(&k, &id, b"x", json!({})).expect("encrypt");
    call(&k, "DisableKey", json!({"KeyId": id})).expect("disable");
    let d = call(&k, "DescribeKey", json!({"KeyId": arn})).expect("describe");
    assert_eq!(
        (d["KeyMetadata"]["KeyState"].clone(), d["KeyMetadata"]["Enabled"].clone()),
        (json!("Disabled"), json!(false))
    );
    let msg = fails(&k, "Encrypt", json!({"KeyId": id, "Plaintext": "eA=="}), "DisabledException", 409);
    assert_eq!(msg, format!("{arn} is disabled."));
    fails(&k, "Decrypt", json!({"CiphertextBlob": ct["CiphertextBlob"]}), "DisabledException", 409);
    fails(&k, "GenerateDataKey", json!({"KeyId": id, "KeySpec": "AES_256"}), "DisabledException", 409);
    call(&k, "EnableKey", json!({"KeyId": arn})).expect("enable");
    encrypt(&k, &id, b"x", json!({})).expect("enabled again");

    let s =
        call(&k, "ScheduleKeyDeletion", json!({"KeyId": id, "PendingWindowInDays": 7})).expect("schedule");
    assert_eq!(s["KeyState"], "PendingDeletion");
    assert_eq!(s["PendingWindowInDays"], 7);
    assert_eq!(s["KeyId"], arn.as_str());
    assert!(s["DeletionDate"].is_number());
    fails(&k, "Encrypt", json!({"KeyId": id, "Plaintext": "eA=="}), "KMSInvalidStateException", 409);
    fails(&k, "Decrypt", json!({"CiphertextBlob": ct["CiphertextBlob"]}), "KMSInvalidStateException", 409);
    fails(&k, "EnableKey", json!({"KeyId": id}), "KMSInvalidStateException", 409);
    fails(&k, "ScheduleKeyDeletion", json!({"KeyId": id}), "KMSInvalidStateException", 409);
    let d = call(&k, "DescribeKey", json!({"KeyId": id})).expect("describe");
    assert_eq!(d["KeyMetadata"]["PendingDeletionWindowInDays"], 7);
    let c = call(&k, "CancelKeyDeletion", json!({"KeyId": id})).expect("cancel");
    assert_eq!(c["KeyId"], arn.as_str());
    let d = call(&k, "DescribeKey", json!({"KeyId": id})).expect("describe");
    assert_eq!(d["KeyMetadata"]["KeyState"], "Disabled");
    assert!(d["KeyMetadata"].get("DeletionDate").is_none());
    fails(&k, "CancelKeyDeletion", json!({"KeyId": id}), "KMSInvalidStateException", 409);
    for days in [6, 31, 0, 366] {
        fails(
            &k,
            "ScheduleKeyDeletion",
            json!({"KeyId": id, "PendingWindowInDays": days}),
            "ValidationException",
            400,
        );
    }
    let s = call(&k, "ScheduleKeyDeletion", json!({"KeyId": id})).expect("default window");
    assert_eq!(s["PendingWindowInDays"], 30);
}

#[test]
fn unknown_keys_are_not_found() {
    let k = kms();
    for key in [
        "1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "alias/none",
        "arn:aws:kms:us-east-1:111122223333:alias/none",
        "not-a-key",
    ] {
        fails(&k, "Encrypt", json!({"KeyId": key, "Plaintext": "eA=="}), "NotFoundException", 404);
        fails(&k, "DescribeKey", json!({"KeyId": key}), "NotFoundException", 404);
    }
    let (_, _) = create(&k, "SYMMETRIC_DEFAULT");
    let msg = fails(&k, "DescribeKey", json!({"KeyId": "alias/none"}), "NotFoundException", 404);
    assert_eq!(msg, "Alias arn:aws:kms:us-east-1:111122223333:alias/none is not found.");
}

#[test]
fn limits_from_the_model() {
    let k = kms();
    let (id, _) = create(&k, "SYMMETRIC_DEFAULT");
    let msg =
        fails(&k, "Encrypt", json!({"KeyId": id, "Plaintext": b64(&[0; 4097])}), "ValidationException", 400);
    assert_eq!(
        msg,
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096"
    );
    encrypt(&k, &id, &[7; 4096], json!({})).expect("4096 bytes");
    fails(&k, "Encrypt", json!({"KeyId": id, "Plaintext": ""}), "ValidationException", 400);
    let tokens: Vec<String> = (0..11).map(|i| format!("token{i}")).collect();
    let msg = fails(
        &k,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": "eA==", "GrantTokens": tokens}),
        "ValidationException",
        400,
    );
    assert!(msg.contains("'grantTokens'") && msg.contains("less than or equal to 10"), "{msg}");
    for n in [0, 1025] {
        fails(&k, "GenerateRandom", json!({"NumberOfBytes": n}), "ValidationException", 400);
        fails(&k, "GenerateDataKey", json!({"KeyId": id, "NumberOfBytes": n}), "ValidationException", 400);
    }
    fails(&k, "GenerateDataKey", json!({"KeyId": id}), "ValidationException", 400);
    fails(
        &k,
        "GenerateDataKey",
        json!({"KeyId": id, "KeySpec": "AES_256", "NumberOfBytes": 32}),
        "ValidationException",
        400,
    );
    fails(&k, "GenerateDataKey", json!({"KeyId": id, "KeySpec": "AES_512"}), "ValidationException", 400);
    fails(&k, "ListKeys", json!({"Limit": 1001}), "ValidationException", 400);
    fails(&k, "CreateKey", json!({"KeySpec": "RSA_1024"}), "ValidationException", 400);
    fails(&k, "CreateKey", json!({"KeySpec": "ECC_NIST_P256"}), "UnsupportedOperationException", 400);
}

#[test]
fn malformed_bodies_are_validation_errors() {
    let k = kms();
    for (op, body) in [
        ("Encrypt", json!({"KeyId": "alias/x"})),
        ("Encrypt", json!({"KeyId": 5, "Plaintext": "eA=="})),
        ("Encrypt", json!({"KeyId": "alias/x", "Plaintext": "not base64!"})),
        ("Encrypt", json!({"KeyId": "alias/x", "Plaintext": "eA==", "EncryptionAlgorithm": "AES"})),
        ("Encrypt", json!({"KeyId": "alias/x", "Plaintext": "eA==", "EncryptionContext": {"a": 1}})),
        ("Decrypt", json!({})),
        ("Decrypt", json!([1, 2])),
        ("CreateAlias", json!({"AliasName": "alias/x"})),
        ("CreateGrant", json!({"KeyId": "x"})),
        ("ScheduleKeyDeletion", json!({"KeyId": "x", "PendingWindowInDays": "7"})),
    ] {
        fails(&k, op, body, "ValidationException", 400);
    }
}

#[test]
fn generate_data_key_and_random() {
    let k = kms();
    let (id, arn) = create(&k, "SYMMETRIC_DEFAULT");
    for (body, len) in [
        (json!({"KeyId": id, "KeySpec": "AES_256"}), 32),
        (json!({"KeyId": id, "KeySpec": "AES_128"}), 16),
        (json!({"KeyId": id, "NumberOfBytes": 1024, "EncryptionContext": {"a": "b"}}), 1024),
    ] {
        let dk = call(&k, "GenerateDataKey", body.clone()).expect("data key");
        assert_eq!(dk["KeyId"], arn.as_str());
        let plain = unb64(&dk["Plaintext"]);
        assert_eq!(plain.len(), len);
        let ctx = body.get("EncryptionContext").cloned().unwrap_or(json!({}));
        let pt =
            call(&k, "Decrypt", json!({"CiphertextBlob": dk["CiphertextBlob"], "EncryptionContext": ctx}))
                .expect("decrypt");
        assert_eq!(unb64(&pt["Plaintext"]), plain);
        let wo = call(&k, "GenerateDataKeyWithoutPlaintext", body).expect("without plaintext");
        assert!(wo.get("Plaintext").is_none());
        assert_eq!(wo["KeyId"], arn.as_str());
    }
    let r = call(&k, "GenerateRandom", json!({"NumberOfBytes": 64})).expect("random");
    let a = unb64(&r["Plaintext"]);
    let b = unb64(&call(&k, "GenerateRandom", json!({"NumberOfBytes": 64})).expect("random")["Plaintext"]);
    assert_eq!(a.len(), 64);
    assert_ne!(a, b);
    fails(&k, "GenerateRandom", json!({}), "ValidationException", 400);
    let (rsa, _) = create(&k, "RSA_2048");
    fails(
        &k,
        "GenerateDataKey",
        json!({"KeyId": rsa, "KeySpec": "AES_256"}),
        "InvalidKeyUsageException",
        400,
    );
}

#[test]
fn re_encrypt_moves_between_keys_and_contexts() {
    let k = kms();
    let (a, a_arn) = create(&k, "SYMMETRIC_DEFAULT");
    let (b, b_arn) = create(&k, "SYMMETRIC_DEFAULT");
    let ct = encrypt(&k, &a, b"payload", json!({"from": "a"})).expect("encrypt");
    let re = call(
        &k,
        "ReEncrypt",
        json!({"CiphertextBlob": ct["CiphertextBlob"], "SourceEncryptionContext": {"from": "a"},
        "DestinationKeyId": b, "DestinationEncryptionContext": {"to": "b"}}),
    )
    .expect("re-encrypt");
    assert_eq!(
        (re["SourceKeyId"].as_str(), re["KeyId"].as_str()),
        (Some(a_arn.as_str()), Some(b_arn.as_str()))
    );
    assert_eq!(re["SourceEncryptionAlgorithm"], "SYMMETRIC_DEFAULT");
    let pt = call(
        &k,
        "Decrypt",
        json!({"CiphertextBlob": re["CiphertextBlob"], "EncryptionContext": {"to": "b"}}),
    )
    .expect("decrypt");
    assert_eq!(unb64(&pt["Plaintext"]), b"payload");
    assert_eq!(pt["KeyId"], b_arn.as_str());
    fails(
        &k,
        "ReEncrypt",
        json!({"CiphertextBlob": ct["CiphertextBlob"], "DestinationKeyId": b}),
        "InvalidCiphertextException",
        400,
    );
    fails(
        &k,
        "ReEncrypt",
        json!({"CiphertextBlob": ct["CiphertextBlob"], "SourceKeyId": b, "SourceEncryptionContext": {"from": "a"},
        "DestinationKeyId": b}),
        "IncorrectKeyException",
        400,
    );
    call(&k, "DisableKey", json!({"KeyId": b})).expect("disable");
    fails(
        &k,
        "ReEncrypt",
        json!({"CiphertextBlob": ct["CiphertextBlob"], "SourceEncryptionContext": {"from": "a"},
        "DestinationKeyId": b}),
        "DisabledException",
        409,
    );
}

#[test]
fn aliases() {
    let k = kms();
    let (a, _) = create(&k, "SYMMETRIC_DEFAULT");
    let (b, _) = create(&k, "SYMMETRIC_DEFAULT");
    let (rsa, _) = create(&k, "RSA_2048");
    call(&k, "CreateAlias", json!({"AliasName": "alias/app", "TargetKeyId": a})).expect("create");
    fails(
        &k,
        "CreateAlias",
        json!({"AliasName": "alias/app", "TargetKeyId": b}),
        "AlreadyExistsException",
        409,
    );
    fails(
        &k,
        "CreateAlias",
        json!({"AliasName": "alias/aws/s3", "TargetKeyId": b}),
        "InvalidAliasNameException",
        400,
    );
    fails(&k, "CreateAlias", json!({"AliasName": "app", "TargetKeyId": b}), "InvalidAliasNameException", 400);
    fails(&k, "CreateAlias", json!({"AliasName": "alias/a b", "TargetKeyId": b}), "ValidationException", 400);
    fails(
        &k,
        "CreateAlias",
        json!({"AliasName": "alias/other", "TargetKeyId": "alias/app"}),
        "NotFoundException",
        404,
    );
    let list = call(&k, "ListAliases", json!({})).expect("list");
    assert_eq!(list["Aliases"][0]["AliasName"], "alias/app");
    assert_eq!(list["Aliases"][0]["TargetKeyId"], a.as_str());
    assert_eq!(list["Aliases"][0]["AliasArn"], "arn:aws:kms:us-east-1:111122223333:alias/app");
    assert_eq!(list["Truncated"], false);
    call(&k, "UpdateAlias", json!({"AliasName": "alias/app", "TargetKeyId": b})).expect("update");
    let ct = encrypt(&k, "alias/app", b"x", json!({})).expect("encrypt");
    assert!(ct["KeyId"].as_str().is_some_and(|s| s.ends_with(&b)));
    fails(
        &k,
        "UpdateAlias",
        json!({"AliasName": "alias/app", "TargetKeyId": rsa}),
        "ValidationException",
        400,
    );
    fails(&k, "UpdateAlias", json!({"AliasName": "alias/none", "TargetKeyId": a}), "NotFoundException", 404);
    let only_b = call(&k, "ListAliases", json!({"KeyId": b})).expect("list");
    assert_eq!(only_b["Aliases"].as_array().map(Vec::len), Some(1));
    let only_a = call(&k, "ListAliases", json!({"KeyId": a})).expect("list");
    assert_eq!(only_a["Aliases"].as_array().map(Vec::len), Some(0));
    call(&k, "DeleteAlias", json!({"AliasName": "alias/app"})).expect("delete");
    fails(&k, "DeleteAlias", json!({"AliasName": "alias/app"}), "NotFoundException", 404);
    // Enable/Disable take a key id or ARN, not an alias (as in KMS).
    call(&k, "CreateAlias", json!({"AliasName": "alias/app", "TargetKeyId": a})).expect("create");
    fails(&k, "DisableKey", json!({"KeyId": "alias/app"}), "NotFoundException", 404);
}

#[test]
fn pagination() {
    let k = kms();
    let mut ids: Vec<String> = (0..5).map(|_| create(&k, "SYMMETRIC_DEFAULT").0).collect();
    ids.sort();
    let mut seen = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let mut body = json!({"Limit": 2});
        if let Some(m) = &marker {
            body["Marker"] = json!(m);
        }
        let page = call(&k, "ListKeys", body).expect("page");
        for key in page["Keys"].as_array().expect("keys") {
            seen.push(key["KeyId"].as_str().expect("id").to_owned());
            assert!(
                key["KeyArn"]
                    .as_str()
                    .is_some_and(|a| a.starts_with("arn:aws:kms:us-east-1:111122223333:key/"))
            );
        }
        if page["Truncated"] == json!(true) {
            marker = page["NextMarker"].as_str().map(str::to_owned);
        } else {
            assert!(page.get("NextMarker").is_none());
            break;
        }
    }
    assert_eq!(seen, ids);
    fails(&k, "ListKeys", json!({"Marker": "garbage"}), "InvalidMarkerException", 400);
}

#[test]
fn grants() {
    let k = kms();
    let (id, arn) = create(&k, "SYMMETRIC_DEFAULT");
    let (other, _) = create(&k, "SYMMETRIC_DEFAULT");
    let g = call(&k, "CreateGrant", json!({"KeyId": id, "GranteePrincipal": "arn:aws:iam::111122223333:role/app",
        "Operations": ["Encrypt", "Decrypt"], "Constraints": {"EncryptionContextSubset": {"app": "x"}}, "Name": "app-grant"}))
    .expect("grant");
    let token = g["GrantToken"].as_str().expect("token").to_owned();
    let grant_id = g["GrantId"].as_str().expect("id").to_owned();
    assert_eq!(grant_id.len(), 64);
    // The same request with the same name is the same grant.
    let again = call(&k, "CreateGrant", json!({"KeyId": id, "GranteePrincipal": "arn:aws:iam::111122223333:role/app",
        "Operations": ["Encrypt", "Decrypt"], "Constraints": {"EncryptionContextSubset": {"app": "x"}}, "Name": "app-grant"}))
    .expect("grant");
    assert_eq!(again["GrantId"], grant_id.as_str());

    let ct = call(&k, "Encrypt", json!({"KeyId": id, "Plaintext": "eA==", "GrantTokens": [token]}))
        .expect("with token");
    call(&k, "Decrypt", json!({"CiphertextBlob": ct["CiphertextBlob"], "GrantTokens": [token]}))
        .expect("decrypt with token");
    fails(
        &k,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": "eA==", "GrantTokens": ["bogus"]}),
        "InvalidGrantTokenException",
        400,
    );
    fails(
        &k,
        "Encrypt",
        json!({"KeyId": other, "Plaintext": "eA==", "GrantTokens": [token]}),
        "InvalidGrantTokenException",
        400,
    );
    let mut forged = token.clone();
    forged.pop();
    forged.push(if token.ends_with('A') { 'B' } else { 'A' });
    fails(
        &k,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": "eA==", "GrantTokens": [forged]}),
        "InvalidGrantTokenException",
        400,
    );

    let list = call(&k, "ListGrants", json!({"KeyId": arn})).expect("list");
    let entry = &list["Grants"][0];
    assert_eq!(entry["GrantId"], grant_id.as_str());
    assert_eq!(entry["KeyId"], arn.as_str());
    assert_eq!(entry["Operations"], json!(["Encrypt", "Decrypt"]));
    assert_eq!(entry["Constraints"], json!({"EncryptionContextSubset": {"app": "x"}}));
    assert_eq!(entry["IssuingAccount"], "arn:aws:iam::111122223333:root");
    assert!(entry.get("GrantToken").is_none());

    call(&k, "RetireGrant", json!({"GrantToken": token})).expect("retire");
    fails(
        &k,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": "eA==", "GrantTokens": [token]}),
        "InvalidGrantTokenException",
        400,
    );
    fails(&k, "RetireGrant", json!({"GrantToken": token}), "InvalidGrantTokenException", 400);

    let g2 = call(
        &k,
        "CreateGrant",
        json!({"KeyId": id, "GranteePrincipal": "alice", "Operations": ["GenerateDataKey"]}),
    )
    .expect("grant");
    let id2 = g2["GrantId"].as_str().expect("id").to_owned();
    fails(&k, "RevokeGrant", json!({"KeyId": other, "GrantId": id2}), "NotFoundException", 404);
    fails(&k, "RevokeGrant", json!({"KeyId": id, "GrantId": "nope"}), "InvalidGrantIdException", 400);
    call(&k, "RevokeGrant", json!({"KeyId": id, "GrantId": id2})).expect("revoke");
    fails(&k, "RevokeGrant", json!({"KeyId": id, "GrantId": id2}), "NotFoundException", 404);
    assert_eq!(call(&k, "ListGrants", json!({"KeyId": id})).expect("list")["Grants"], json!([]));

    fails(
        &k,
        "CreateGrant",
        json!({"KeyId": id, "GranteePrincipal": "a", "Operations": []}),
        "ValidationException",
        400,
    );
    fails(
        &k,
        "CreateGrant",
        json!({"KeyId": id, "GranteePrincipal": "a", "Operations": ["Frob"]}),
        "ValidationException",
        400,
    );
    fails(
        &k,
        "CreateGrant",
        json!({"KeyId": id, "GranteePrincipal": "a b", "Operations": ["Encrypt"]}),
        "ValidationException",
        400,
    );
    call(&k, "DisableKey", json!({"KeyId": id})).expect("disable");
    fails(
        &k,
        "CreateGrant",
        json!({"KeyId": id, "GranteePrincipal": "a", "Operations": ["Encrypt"]}),
        "DisabledException",
        409,
    );
}

#[test]
fn dry_run() {
    let k = kms();
    let (id, _) = create(&k, "SYMMETRIC_DEFAULT");
    fails(
        &k,
        "Encrypt",
        json!({"KeyId": id, "Plaintext": "eA==", "DryRun": true}),
        "DryRunOperationException",
        412,
    );
}

#[test]
fn describe_key_shape() {
    let k = kms();
    let (id, arn) = create(&k, "SYMMETRIC_DEFAULT");
    let d = call(&k, "DescribeKey", json!({"KeyId": id})).expect("describe");
    let m = &d["KeyMetadata"];
    assert_eq!(m["AWSAccountId"], "111122223333");
    assert_eq!(m["Arn"], arn.as_str());
    assert_eq!(m["KeySpec"], "SYMMETRIC_DEFAULT");
    assert_eq!(m["CustomerMasterKeySpec"], "SYMMETRIC_DEFAULT");
    assert_eq!(m["KeyUsage"], "ENCRYPT_DECRYPT");
    assert_eq!(m["KeyManager"], "CUSTOMER");
    assert_eq!(m["Origin"], "AWS_KMS");
    assert_eq!(m["EncryptionAlgorithms"], json!(["SYMMETRIC_DEFAULT"]));
    assert_eq!(m["Description"], "test");
    assert!(m["CreationDate"].is_number());
    let (rsa, _) = create(&k, "RSA_3072");
    let d = call(&k, "DescribeKey", json!({"KeyId": rsa})).expect("describe");
    assert_eq!(d["KeyMetadata"]["EncryptionAlgorithms"], json!(["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]));
}

#[test]
fn injected_errors() {
    for (name, status) in
        [("KeyUnavailableException", 500), ("DependencyTimeoutException", 503), ("ThrottlingException", 400)]
    {
        let e = KmsError::injected(name, "fault").expect("known");
        assert_eq!((e.exception(), e.http_status(), e.body()), (name, status, json!({"message": "fault"})));
    }
}
