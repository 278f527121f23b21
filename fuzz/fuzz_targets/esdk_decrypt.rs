//! AWS Encryption SDK messages: parsing and decrypting never panic on any input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paycrypt::esdk::{self, CommitmentPolicy, DataKey, DecryptOptions, RawAesKeyring};

fuzz_target!(|input: &[u8]| {
    let _ = esdk::parse_header(input);
    let options = DecryptOptions { commitment_policy: CommitmentPolicy::RequireEncryptAllowDecrypt, ..Default::default() };
    let _ = esdk::decrypt_with_data_key(input, &DataKey::new(vec![0; 32]), &options);
    if let Ok(keyring) = RawAesKeyring::new("fuzz", "key", &[0; 32]) {
        let _ = esdk::decrypt(input, &keyring, &options);
        let _ = esdk::decrypt_stream(input, std::io::sink(), &keyring, &options);
    }
});
