//! KMS RSA keys: RSAES_OAEP_SHA_1 / RSAES_OAEP_SHA_256 round trips, KMS's plaintext limits, and the
//! rules (no context, an OAEP algorithm required, KeyId required to decrypt).

use base64ct::{Base64, Encoding};
use serde_json::{Value, json};

use paycrypt::keys::MemoryStore;
use paycrypt::rsa::RsaPadding;
use paycrypt::service::Settings;
use paycrypt::service::kms::{Kms, KmsError};

fn call(k: &Kms<MemoryStore>, op: &str, body: Value) -> Result<Value, KmsError> {
    k.call(op, body).expect("known operation")
}

fn exception(r: Result<Value, KmsError>) -> (&'static str, u16) {
    let e = r.expect_err("should fail");
    (e.exception(), e.http_status())
}

#[test]
fn oaep_round_trips_and_limits_rsa_2048() {
    let k = Kms::new(MemoryStore::new(), Settings::default());
    let out =
        call(&k, "CreateKey", json!({"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"})).expect("create");
    let id = out["KeyMetadata"]["KeyId"].as_str().expect("id").to_owned();
    let arn = out["KeyMetadata"]["Arn"].as_str().expect("arn").to_owned();
    for (alg, max) in [("RSAES_OAEP_SHA_1", 214), ("RSAES_OAEP_SHA_256", 190)] {
        let plain = vec![0x5a; max];
        let ct = call(
            &k,
            "Encrypt",
            json!({"KeyId": id, "Plaintext": Base64::encode_string(&plain), "EncryptionAlgorithm": alg}),
        )
        .expect("encrypt");
        assert_eq!(ct["EncryptionAlgorithm"], alg);
        assert_eq!(ct["KeyId"], arn.as_str());
        let blob = Base64::decode_vec(ct["CiphertextBlob"].as_str().expect("blob")).expect("b64");
        assert_eq!(blob.len(), 256, "raw OAEP ciphertext");
        let pt = call(
            &k,
            "Decrypt",
            json!({"CiphertextBlob": ct["CiphertextBlob"], "KeyId": id, "EncryptionAlgorithm": alg}),
        )
        .expect("decrypt");
        assert_eq!(Base64::decode_vec(pt["Plaintext"].as_str().expect("pt")).expect("b64"), plain);
        assert_eq!(pt["EncryptionAlgorithm"], alg);
        // One byte over KMS's limit.
        let over = Base64::encode_string(&vec![0; max + 1]);
        assert_eq!(
            exception(call(
                &k,
                "Encrypt",
                json!({"KeyId": id, "Plaintext": over, "EncryptionAlgorithm": alg})
            )),
            ("ValidationException", 400)
        );
        // The other OAEP hash does not decrypt it.
        let other = if alg == "RSAES_OAEP_SHA_1" { "RSAES_OAEP_SHA_256" } else { "RSAES_OAEP_SHA_1" };
        assert_eq!(
            exception(call(
                &k,
                "Decrypt",
                json!({"CiphertextBlob": ct["CiphertextBlob"], "KeyId": id, "EncryptionAlgorithm": other})
            )),
            ("InvalidCiphertextException", 400)
        );
        // Without KeyId the ciphertext names no key.
        assert_eq!(
            exception(call(
                &k,
                "Decrypt",
                json!({"CiphertextBlob": ct["CiphertextBlob"], "EncryptionAlgorithm": alg})
            )),
            ("ValidationException", 400)
        );
        assert_eq!(
            exception(call(&k, "Decrypt", json!({"CiphertextBlob": ct["CiphertextBlob"]}))),
            ("InvalidCiphertextException", 400)
        );
    }
    let x = Base64::encode_string(b"x");
    for body in [
        json!({"KeyId": id, "Plaintext": x}),
        json!({"KeyId": id, "Plaintext": x, "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}),
        json!({"KeyId": id, "Plaintext": x, "EncryptionAlgorithm": "SM2PKE"}),
    ] {
        assert_eq!(exception(call(&k, "Encrypt", body)), ("InvalidKeyUsageException", 400));
    }
    assert_eq!(
        exception(call(
            &k,
            "Encrypt",
            json!({"KeyId": id, "Plaintext": x, "EncryptionAlgorithm": "RSAES_OAEP_SHA_256", "EncryptionContext": {"a": "b"}})
        )),
        ("ValidationException", 400)
    );
    // An empty context is no context, for RSA keys too.
    call(&k, "Encrypt", json!({"KeyId": id, "Plaintext": x, "EncryptionAlgorithm": "RSAES_OAEP_SHA_256", "EncryptionContext": {}}))
        .expect("empty context");
    // A symmetric key refuses the RSA algorithms.
    let sym = call(&k, "CreateKey", json!({})).expect("create");
    let sym_id = sym["KeyMetadata"]["KeyId"].clone();
    assert_eq!(
        exception(call(
            &k,
            "Encrypt",
            json!({"KeyId": sym_id, "Plaintext": x, "EncryptionAlgorithm": "RSAES_OAEP_SHA_1"})
        )),
        ("InvalidKeyUsageException", 400)
    );
}

/// KMS's published limits for RSA_3072 and RSA_4096 are the OAEP arithmetic this crate uses.
#[test]
fn kms_limits_for_larger_keys() {
    for (bytes, sha1, sha256) in [(256, 214, 190), (384, 342, 318), (512, 470, 446)] {
        assert_eq!(RsaPadding::OaepSha1.max_message_len(bytes), Some(sha1));
        assert_eq!(RsaPadding::OaepSha256.max_message_len(bytes), Some(sha256));
    }
}
