//! Compact JWE and JSON field decryption: never panic on any token or document.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use paycrypt::jwe::{self, AllowList, JweAlg, JweEnc};
use paycrypt::rsa::{Jwk, Jwks, RsaPrivateKey};

fn keys() -> &'static Jwks {
    static KEYS: OnceLock<Jwks> = OnceLock::new();
    KEYS.get_or_init(|| {
        let key = RsaPrivateKey::generate(2048).expect("key generation");
        Jwks::new(vec![Jwk::from_private(key).with_kid("fuzz")])
    })
}

fuzz_target!(|input: &str| {
    let allow = AllowList::new(&JweAlg::ALL, &JweEnc::ALL);
    let _ = jwe::decrypt(input, keys(), &allow);
    let _ = jwe::decrypt_fields(input, &[], keys(), &allow);
});
