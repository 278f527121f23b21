//! One test per validation rule and per error shape of the service: which exception, which member
//! (`fieldList` path), the body's member case on each plane, and the pinned message.

mod common;

use serde_json::{Value, json};

use common::service::{self, Svc, encrypt, svc};
use paycrypt::service::{
    CreateAliasInput, CreateKeyInput, DecryptDataInput, DeleteKeyInput, EncryptDataInput, GetAliasInput,
    ImportKeyInput, KeyIdentifierInput, ListAliasesInput, ListKeysInput, Plane, SeedFile, ServiceError,
};

const AES_KEY: &str = "2B7E151628AED2A6ABF7158809CF4F3C";
const TDES_KEY: &str = "0123456789ABCDEFFEDCBA9876543210";

fn import(svc: &Svc, algorithm: &str, usage: &str, modes: Value, material: &str) -> String {
    let attrs = json!({"KeyAlgorithm": algorithm, "KeyClass": "SYMMETRIC_KEY", "KeyUsage": usage, "KeyModesOfUse": modes});
    service::import(svc, attrs, material).expect("import")
}

fn aes(svc: &Svc) -> String {
    import(svc, "AES_128", "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", json!({"NoRestrictions": true}), AES_KEY)
}

fn tdes(svc: &Svc) -> String {
    import(
        svc,
        "TDES_2KEY",
        "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY",
        json!({"NoRestrictions": true}),
        TDES_KEY,
    )
}

/// Asserts a data-plane ValidationException on `path`, returning its message.
fn validation(result: Result<impl std::fmt::Debug, ServiceError>, path: &str) -> String {
    let err = result.expect_err("should fail");
    assert_eq!(err.exception(Plane::Data), "ValidationException", "{err:?}");
    assert_eq!(err.http_status(Plane::Data), 400);
    let body = err.body(Plane::Data);
    assert_eq!(body["fieldList"][0]["path"], json!(path), "{body}");
    assert!(body["message"].is_string());
    body["message"].as_str().unwrap_or_default().to_owned()
}

const CBC: fn() -> Value = || json!({"Symmetric": {"Mode": "CBC"}});

#[test]
fn key_identifier_pattern() {
    let s = svc();
    let msg = validation(encrypt(&s, "zone", &"00".repeat(16), CBC()), "KeyIdentifier");
    assert_eq!(msg, "KeyIdentifier: KeyIdentifier must be a key ARN or an alias (alias/<name>).");
}

#[test]
fn plain_text_not_hex() {
    let s = svc();
    let k = aes(&s);
    let msg = validation(encrypt(&s, &k, &"zz".repeat(16), CBC()), "PlainText");
    assert_eq!(msg, "PlainText must be hex digits, two per byte.");
}

#[test]
fn plain_text_odd_length() {
    let s = svc();
    let k = aes(&s);
    validation(encrypt(&s, &k, "000", CBC()), "PlainText");
}

#[test]
fn plain_text_length_bounds() {
    let s = svc();
    let k = aes(&s);
    let msg = validation(encrypt(&s, &k, "", CBC()), "PlainText");
    assert_eq!(msg, "PlainText (0 characters) must be between 2 and 4096 hex characters.");
    validation(encrypt(&s, &k, &"00".repeat(2049), CBC()), "PlainText");
}

#[test]
fn cipher_text_length_bound() {
    let s = svc();
    let k = aes(&s);
    let input = DecryptDataInput {
        key_identifier: k,
        cipher_text: "00".repeat(2113),
        decryption_attributes: serde_json::from_value(CBC()).expect("json"),
        wrapped_key: None,
    };
    validation(s.decrypt_data(input), "CipherText");
}

#[test]
fn union_needs_exactly_one_member() {
    let s = svc();
    let k = aes(&s);
    let msg = validation(encrypt(&s, &k, &"00".repeat(16), json!({})), "EncryptionAttributes");
    assert_eq!(msg, "EncryptionAttributes must set exactly one member; it sets none.");
    let two = json!({"Symmetric": {"Mode": "CBC"}, "Asymmetric": {"PaddingType": "OAEP_SHA256"}});
    let msg = validation(encrypt(&s, &k, &"00".repeat(16), two), "EncryptionAttributes");
    assert_eq!(msg, "EncryptionAttributes must set exactly one member; it sets Symmetric and Asymmetric.");
}

#[test]
fn emv_is_refused() {
    let s = svc();
    let k = aes(&s);
    let emv = json!({"Emv": {"MajorKeyDerivationMode": "EMV_OPTION_A"}});
    validation(encrypt(&s, &k, &"00".repeat(16), emv), "EncryptionAttributes.Emv");
}

#[test]
fn wrapped_key_needs_a_kek() {
    // A WrappedKey is unwrapped under the key KeyIdentifier names: a data key is no KEK.
    let s = svc();
    let k = aes(&s);
    let input = EncryptDataInput {
        key_identifier: k,
        plain_text: "00".repeat(16),
        encryption_attributes: serde_json::from_value(CBC()).expect("json"),
        wrapped_key: Some(
            serde_json::from_value(json!({"WrappedKeyMaterial": {"Tr31KeyBlock": "x"}})).expect("json"),
        ),
    };
    let msg = validation(s.encrypt_data(input), "KeyIdentifier");
    assert!(msg.contains("TR31_K0"), "{msg}");
}

#[test]
fn aes_data_whole_blocks_in_every_mode() {
    let s = svc();
    let k = aes(&s);
    for mode in ["ECB", "CBC", "CFB", "CFB1", "CFB8", "CFB128", "OFB"] {
        let msg =
            validation(encrypt(&s, &k, &"00".repeat(8), json!({"Symmetric": {"Mode": mode}})), "PlainText");
        assert_eq!(msg, "PlainText (8 bytes) must be a multiple of 16 bytes for AES_128 keys.");
    }
}

#[test]
fn tdes_data_whole_blocks() {
    let s = svc();
    let k = tdes(&s);
    let msg = validation(encrypt(&s, &k, &"00".repeat(12), CBC()), "PlainText");
    assert_eq!(msg, "PlainText (12 bytes) must be a multiple of 8 bytes for TDES_2KEY keys.");
    assert!(encrypt(&s, &k, &"00".repeat(8), CBC()).is_ok());
}

#[test]
fn iv_length_must_match_block() {
    let s = svc();
    let k = tdes(&s);
    let attrs = json!({"Symmetric": {"Mode": "CBC", "InitializationVector": "00".repeat(16)}});
    let msg = validation(
        encrypt(&s, &k, &"00".repeat(8), attrs),
        "EncryptionAttributes.Symmetric.InitializationVector",
    );
    assert_eq!(
        msg,
        "EncryptionAttributes.Symmetric.InitializationVector (32 hex digits) must be 16 hex digits for TDES_2KEY keys."
    );
    let short = json!({"Symmetric": {"Mode": "CBC", "InitializationVector": "0011"}});
    validation(
        encrypt(&s, &k, &"00".repeat(8), short),
        "EncryptionAttributes.Symmetric.InitializationVector",
    );
}

#[test]
fn iv_must_be_hex() {
    let s = svc();
    let k = aes(&s);
    let attrs = json!({"Symmetric": {"Mode": "CBC", "InitializationVector": "zz".repeat(16)}});
    validation(
        encrypt(&s, &k, &"00".repeat(16), attrs),
        "EncryptionAttributes.Symmetric.InitializationVector",
    );
}

#[test]
fn iv_not_allowed_with_ecb() {
    let s = svc();
    let k = aes(&s);
    let attrs = json!({"Symmetric": {"Mode": "ECB", "InitializationVector": "00".repeat(16)}});
    validation(
        encrypt(&s, &k, &"00".repeat(16), attrs),
        "EncryptionAttributes.Symmetric.InitializationVector",
    );
}

#[test]
fn iv_defaults_to_zero() {
    let s = svc();
    let k = aes(&s);
    let zero = json!({"Symmetric": {"Mode": "CBC", "InitializationVector": "00".repeat(16)}});
    assert_eq!(encrypt(&s, &k, &"11".repeat(32), CBC()).ok(), encrypt(&s, &k, &"11".repeat(32), zero).ok());
}

#[test]
fn cfb128_needs_aes() {
    let s = svc();
    let k = tdes(&s);
    validation(
        encrypt(&s, &k, &"00".repeat(8), json!({"Symmetric": {"Mode": "CFB128"}})),
        "EncryptionAttributes.Symmetric.Mode",
    );
}

#[test]
fn padding_type_not_for_symmetric() {
    let s = svc();
    let k = aes(&s);
    let attrs = json!({"Symmetric": {"Mode": "CBC", "PaddingType": "PKCS1"}});
    validation(encrypt(&s, &k, &"00".repeat(16), attrs), "EncryptionAttributes.Symmetric.PaddingType");
}

#[test]
fn unknown_key_and_alias_are_resource_not_found() {
    let s = svc();
    let arn = "arn:aws:payment-cryptography:us-east-1:111122223333:key/abcdefghijklmnop";
    for id in [arn, "alias/nothing"] {
        let err = encrypt(&s, id, &"00".repeat(16), CBC()).expect_err("not found");
        assert_eq!(err.exception(Plane::Data), "ResourceNotFoundException");
        assert_eq!(err.http_status(Plane::Data), 404);
        assert_eq!(err.body(Plane::Data), json!({"ResourceId": id}));
        assert_eq!(err.to_string(), format!("{id} was not found."));
    }
}

#[test]
fn disabled_key_is_access_denied() {
    let s = svc();
    let k = aes(&s);
    s.stop_key_usage(KeyIdentifierInput { key_identifier: k.clone() }).expect("stop");
    let err = encrypt(&s, &k, &"00".repeat(16), CBC()).expect_err("disabled");
    assert_eq!(err.exception(Plane::Data), "AccessDeniedException");
    assert_eq!(err.http_status(Plane::Data), 403);
    assert_eq!(err.body(Plane::Data), json!({"Message": format!("Key {k} is disabled.")}));
    s.start_key_usage(KeyIdentifierInput { key_identifier: k.clone() }).expect("start");
    assert!(encrypt(&s, &k, &"00".repeat(16), CBC()).is_ok());
}

#[test]
fn pending_deletion_is_access_denied_and_restorable() {
    let s = svc();
    let k = aes(&s);
    let deleted =
        s.delete_key(DeleteKeyInput { key_identifier: k.clone(), delete_key_in_days: None }).expect("delete");
    assert_eq!(deleted.key.key_state.name(), "DELETE_PENDING");
    let days = deleted.key.delete_timestamp.map(|t| t.0).unwrap_or(0)
        - deleted.key.delete_pending_timestamp.map(|t| t.0).unwrap_or(0);
    assert_eq!(days, 7 * 86_400_000);
    let err = encrypt(&s, &k, &"00".repeat(16), CBC()).expect_err("pending");
    assert_eq!(err.exception(Plane::Data), "AccessDeniedException");
    assert_eq!(err.to_string(), format!("Key {k} is pending deletion."));
    // Enabling a key pending deletion conflicts; restoring brings it back disabled.
    let conflict = s.start_key_usage(KeyIdentifierInput { key_identifier: k.clone() }).expect_err("conflict");
    assert_eq!(conflict.exception(Plane::Control), "ConflictException");
    assert_eq!(conflict.body(Plane::Control), json!({"Message": format!("Key {k} is DELETE_PENDING.")}));
    let restored = s.restore_key(KeyIdentifierInput { key_identifier: k.clone() }).expect("restore");
    assert_eq!(restored.key.key_state.name(), "CREATE_COMPLETE");
    assert!(!restored.key.enabled);
    let again = s.restore_key(KeyIdentifierInput { key_identifier: k }).expect_err("not pending");
    assert_eq!(again.exception(Plane::Control), "ConflictException");
}

#[test]
fn delete_key_in_days_bounds() {
    let s = svc();
    let k = aes(&s);
    for days in [2, 181, -1] {
        let err = s.delete_key(DeleteKeyInput { key_identifier: k.clone(), delete_key_in_days: Some(days) });
        let err = err.expect_err("bounds");
        assert_eq!(
            err.body(Plane::Control),
            json!({"Message": format!("DeleteKeyInDays ({days}) must be between 3 and 180.")})
        );
    }
    assert!(s.delete_key(DeleteKeyInput { key_identifier: k, delete_key_in_days: Some(3) }).is_ok());
}

#[test]
fn create_key_refuses_combinations_aws_refuses() {
    let s = svc();
    let attrs = json!({"KeyAlgorithm": "AES_128", "KeyClass": "SYMMETRIC_KEY",
        "KeyUsage": "TR31_B0_BASE_DERIVATION_KEY", "KeyModesOfUse": {"Encrypt": true}});
    let input: CreateKeyInput =
        serde_json::from_value(json!({"KeyAttributes": attrs, "Exportable": true})).expect("json");
    let err = s.create_key(input).expect_err("bad modes");
    assert_eq!(err.exception(Plane::Control), "ValidationException");
    assert_eq!(err.http_status(Plane::Control), 400);
    assert_eq!(
        err.to_string(),
        "KeyModesOfUse {Encrypt} is not allowed for KeyUsage TR31_B0_BASE_DERIVATION_KEY (SYMMETRIC_KEY); \
         allowed: {DeriveKey}, {NoRestrictions}."
    );
    let class = json!({"KeyAlgorithm": "AES_128", "KeyClass": "PUBLIC_KEY",
        "KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "KeyModesOfUse": {"NoRestrictions": true}});
    let input: CreateKeyInput =
        serde_json::from_value(json!({"KeyAttributes": class, "Exportable": true})).expect("json");
    assert_eq!(
        s.create_key(input).expect_err("class").to_string(),
        "KeyClass PUBLIC_KEY does not fit KeyAlgorithm AES_128."
    );
    let alg = json!({"KeyAlgorithm": "AES_128", "KeyClass": "SYMMETRIC_KEY",
        "KeyUsage": "TR31_M1_ISO_9797_1_MAC_KEY", "KeyModesOfUse": {"Generate": true}});
    let input: CreateKeyInput =
        serde_json::from_value(json!({"KeyAttributes": alg, "Exportable": true})).expect("json");
    assert!(
        s.create_key(input).expect_err("alg").to_string().starts_with("KeyAlgorithm AES_128 is not allowed")
    );
}

#[test]
fn create_key_kcv_algorithm_must_fit() {
    let s = svc();
    let attrs = json!({"KeyAlgorithm": "AES_256", "KeyClass": "SYMMETRIC_KEY",
        "KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "KeyModesOfUse": {"NoRestrictions": true}});
    let bad: CreateKeyInput = serde_json::from_value(
        json!({"KeyAttributes": attrs, "Exportable": true, "KeyCheckValueAlgorithm": "HMAC"}),
    )
    .expect("json");
    assert_eq!(s.create_key(bad).expect_err("hmac").exception(Plane::Control), "ValidationException");
    let ok: CreateKeyInput = serde_json::from_value(
        json!({"KeyAttributes": attrs, "Exportable": false, "KeyCheckValueAlgorithm": "ANSI_X9_24"}),
    )
    .expect("json");
    let key = s.create_key(ok).expect("create").key;
    assert_eq!(key.key_check_value.len(), 6);
    assert!(!key.exportable);
    assert_eq!(key.key_arn.key_id().as_str().len(), 16);
}

#[test]
fn import_key_rules() {
    let s = svc();
    let wrong_len: ImportKeyInput = serde_json::from_value(json!({"KeyMaterial": {"ClearKey": {
        "KeyAttributes": {"KeyAlgorithm": "AES_128", "KeyClass": "SYMMETRIC_KEY",
            "KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "KeyModesOfUse": {"NoRestrictions": true}},
        "KeyMaterial": "0011"}}}))
    .expect("json");
    let err = s.import_key(wrong_len).expect_err("length");
    assert_eq!(
        err.body(Plane::Control),
        json!({"Message": "KeyMaterial.ClearKey.KeyMaterial: Key (2 bytes) must be 16 bytes for AES_128."})
    );
    let none: ImportKeyInput = serde_json::from_value(json!({"KeyMaterial": {}})).expect("json");
    assert_eq!(
        s.import_key(none).expect_err("none").to_string(),
        "KeyMaterial must set exactly one member; it sets none."
    );
    let dh: ImportKeyInput =
        serde_json::from_value(json!({"KeyMaterial": {"DiffieHellmanTr31KeyBlock": {}}})).expect("json");
    assert_eq!(
        s.import_key(dh).expect_err("dh").to_string(),
        "KeyMaterial.DiffieHellmanTr31KeyBlock is not supported by paycrypt."
    );
    let two: ImportKeyInput = serde_json::from_value(json!({"KeyMaterial": {"As2805KeyCryptogram": {},
        "Tr31KeyBlock": {"WrappingKeyIdentifier": "alias/kek", "WrappedKeyBlock": "D0000"}}}))
    .expect("json");
    assert_eq!(
        s.import_key(two).expect_err("two").to_string(),
        "KeyMaterial must set exactly one member; it sets Tr31KeyBlock and As2805KeyCryptogram."
    );
}

#[test]
fn list_rules_and_paging() {
    let s = svc();
    for _ in 0..5 {
        aes(&s);
    }
    let err = s.list_keys(ListKeysInput { max_results: Some(0), ..ListKeysInput::default() }).expect_err("0");
    assert_eq!(err.to_string(), "MaxResults (0) must be between 1 and 100.");
    assert!(s.list_keys(ListKeysInput { max_results: Some(101), ..ListKeysInput::default() }).is_err());
    let bad = ListKeysInput { next_token: Some("garbage".into()), ..ListKeysInput::default() };
    assert_eq!(s.list_keys(bad).expect_err("token").to_string(), "NextToken is not one ListKeys returned.");
    let mut seen = Vec::new();
    let mut input = ListKeysInput { max_results: Some(2), ..ListKeysInput::default() };
    loop {
        let page = s.list_keys(input.clone()).expect("page");
        assert!(page.keys.len() <= 2);
        seen.extend(page.keys.into_iter().map(|k| k.key_arn));
        match page.next_token {
            Some(t) => input.next_token = Some(t),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5);
    let filtered = ListKeysInput {
        key_state: serde_json::from_value(json!("DELETE_PENDING")).ok(),
        ..ListKeysInput::default()
    };
    assert!(s.list_keys(filtered).expect("filter").keys.is_empty());
    let aliases = ListAliasesInput { max_results: Some(200), ..ListAliasesInput::default() };
    assert_eq!(s.list_aliases(aliases).expect_err("200").exception(Plane::Control), "ValidationException");
}

#[test]
fn alias_rules() {
    let s = svc();
    let k = aes(&s);
    let bad = CreateAliasInput { alias_name: "zone".into(), key_arn: Some(k.clone()) };
    assert_eq!(s.create_alias(bad).expect_err("name").exception(Plane::Control), "ValidationException");
    let good = CreateAliasInput { alias_name: "alias/zone".into(), key_arn: Some(k.clone()) };
    s.create_alias(good.clone()).expect("create");
    let dup = s.create_alias(good).expect_err("dup");
    assert_eq!(dup.exception(Plane::Control), "ConflictException");
    assert_eq!(dup.to_string(), "alias/zone already exists.");
    let missing = s.get_alias(GetAliasInput { alias_name: "alias/none".into() }).expect_err("missing");
    assert_eq!(missing.body(Plane::Control), json!({"ResourceId": "alias/none"}));
    let unknown_key = CreateAliasInput {
        alias_name: "alias/other".into(),
        key_arn: Some("arn:aws:payment-cryptography:us-east-1:111122223333:key/zzzzzzzzzzzzzzzz".into()),
    };
    assert_eq!(
        s.create_alias(unknown_key).expect_err("key").exception(Plane::Control),
        "ResourceNotFoundException"
    );
    let update_missing = CreateAliasInput { alias_name: "alias/none".into(), key_arn: None };
    assert_eq!(
        s.update_alias(update_missing).expect_err("upd").exception(Plane::Control),
        "ResourceNotFoundException"
    );
    s.update_alias(CreateAliasInput { alias_name: "alias/zone".into(), key_arn: None }).expect("detach");
    let err = encrypt(&s, "alias/zone", &"00".repeat(16), CBC()).expect_err("detached");
    assert_eq!(err.exception(Plane::Data), "ResourceNotFoundException");
    s.delete_alias(GetAliasInput { alias_name: "alias/zone".into() }).expect("delete");
    assert!(s.delete_alias(GetAliasInput { alias_name: "alias/zone".into() }).is_err());
}

fn seed_file(kcv: &str) -> SeedFile {
    serde_json::from_value(json!({
        "Keys": [{"KeyId": "zonekey000000001", "KeyAttributes": {"KeyAlgorithm": "TDES_2KEY", "KeyClass": "SYMMETRIC_KEY",
            "KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "KeyModesOfUse": {"NoRestrictions": true}},
            "KeyMaterial": TDES_KEY, "KeyCheckValue": kcv}],
        "Aliases": [{"AliasName": "alias/zone", "KeyId": "zonekey000000001"}]
    }))
    .expect("seed json")
}

#[test]
fn seed_is_idempotent_and_verifies_kcv() {
    let s = svc();
    let report = s.seed(&seed_file("08D7B4")).expect("seed");
    assert_eq!((report.keys_added, report.aliases_added), (1, 1));
    let again = s.seed(&seed_file("08d7b4")).expect("seed again");
    assert_eq!((again.keys_unchanged, again.aliases_unchanged, again.keys_added), (1, 1, 0));
    let bad = svc().seed(&seed_file("000000")).expect_err("kcv");
    assert_eq!(
        bad.to_string(),
        "Keys[0]: KeyCheckValue 000000 does not match the material, whose ANSI_X9_24 check value is 08D7B4."
    );
    assert_eq!(bad.body(Plane::Data)["fieldList"][0]["path"], json!("Keys[0].KeyCheckValue"));
    let arn = "arn:aws:payment-cryptography:us-east-1:111122223333:key/zonekey000000001";
    assert!(encrypt(&s, arn, &"00".repeat(8), CBC()).is_ok());
    let mut other = seed_file("08D7B4");
    other.aliases.clear();
    other.keys[0].key_material = paycrypt::keys::SecretText::new("00112233445566778899AABBCCDDEEFF");
    other.keys[0].key_check_value = None;
    assert_eq!(s.seed(&other).expect_err("conflict").exception(Plane::Control), "ConflictException");
}

#[test]
fn secrets_stay_out_of_debug() {
    let file = seed_file("08D7B4");
    let debug = format!("{file:?}");
    assert!(!debug.contains(TDES_KEY), "{debug}");
}

#[test]
fn call_dispatches_every_operation_by_name() {
    let s = svc();
    for (name, _) in paycrypt::service::OPERATIONS {
        let out = s.call(name, json!({})).expect("known operation");
        // Every operation but the two lists has a required member, so `{}` is a ValidationException.
        match *name {
            "ListKeys" | "ListAliases" => assert!(out.is_ok(), "{name}: {out:?}"),
            _ => assert_eq!(out.expect_err(name).exception(Plane::Control), "ValidationException", "{name}"),
        }
    }
    let created = s
        .call(
            "CreateKey",
            json!({"Exportable": true, "KeyAttributes": {"KeyAlgorithm": "AES_128", "KeyClass": "SYMMETRIC_KEY",
                "KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "KeyModesOfUse": {"NoRestrictions": true}}}),
        )
        .expect("known")
        .expect("created");
    let arn = created["Key"]["KeyArn"].as_str().expect("arn").to_owned();
    let enc = s
        .call(
            "EncryptData",
            json!({"KeyIdentifier": arn, "PlainText": "00".repeat(16),
            "EncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}),
        )
        .expect("known")
        .expect("encrypted");
    assert_eq!(enc["KeyArn"], json!(arn));
    assert_eq!(
        s.call("DeleteAlias", json!({"AliasName": "alias/x"}))
            .expect("known")
            .expect_err("none")
            .exception(Plane::Control),
        "ResourceNotFoundException"
    );
    assert!(s.call("Encrypt", json!({})).is_none());
}
