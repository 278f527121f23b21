//! TR-31 key blocks (`paycrypt::primitives::tr31`): never a panic on any text; a header that parses
//! prints back to a header that parses to the same; a key block that unwraps under a fixed KBPK (only
//! ever our own wrap, the MAC being what it is) re-wraps to a block that unwraps to the same key.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paycrypt::primitives::tr31::{self, Header};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(header) = Header::parse(&text) {
        assert_eq!(Header::parse(&header.to_string()).expect("printed header parses"), header);
        if let Ok(block) = tr31::wrap(&[0x41; 32], &header, &[0x5a; 16]) {
            assert_eq!(&tr31::unwrap(&[0x41; 32], &block).expect("own block").key[..], &[0x5a; 16]);
        }
    }
    for kbpk in [&[0x41u8; 16][..], &[0x41u8; 24][..], &[0x41u8; 32][..], &[0x41u8; 8][..]] {
        let _ = tr31::unwrap(kbpk, &text);
    }
});
