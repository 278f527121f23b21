//! The key readers (PEM, DER, JWK, JWKS): never panic, and a key read back from its own PEM and
//! JWK is the same key.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paycrypt::rsa::{Jwk, Jwks, RsaPublicKey};

fuzz_target!(|input: &[u8]| {
    let Ok(keys) = Jwks::parse(input) else { return };
    for key in keys.keys() {
        let public = key.public_key();
        if let Ok(pem) = public.to_pem() {
            assert_eq!(RsaPublicKey::from_pem(&pem).as_ref(), Ok(public));
        }
        let again = Jwk::from_json(&key.to_public_json().to_string()).expect("own JWK");
        assert_eq!(again.public_key(), public);
    }
});
