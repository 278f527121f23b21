//! SigV4 parsers: the credentials file, dates, and `verify` over any Authorization, date and path text
//! never panic; a request signed by `sign` with fuzzed path, query and body always verifies.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paycrypt::sigv4::{self, AmzDate, Credentials, CredentialsFile, Payload, Request};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = CredentialsFile::parse(&text);
    if let Some(d) = AmzDate::parse_iso_basic(&text) {
        assert_eq!(AmzDate::parse_iso_basic(&d.to_string()), Some(d));
    }
    let _ = AmzDate::parse_http_date(&text);

    let mut parts = text.splitn(4, '\n');
    let (authorization, date, path, rest) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or("/"),
        parts.next().unwrap_or(""),
    );
    let credentials = Credentials::new("AKIDFUZZ", "fuzz-secret", None);
    let request = Request {
        method: "POST",
        path,
        query: rest,
        headers: vec![("Host", "h"), ("Authorization", authorization), ("X-Amz-Date", date)],
        payload: Payload::Body(rest.as_bytes()),
    };
    let _ = sigv4::verify(&request, &credentials, "us-east-1", &["kms"], 1_767_225_600);

    let mut request = Request { headers: vec![("Host", "h")], ..request };
    let added = sigv4::sign(&request, &credentials, "us-east-1", "kms", 1_767_225_600);
    request.headers.extend(added.iter().map(|(n, v)| (*n, v.as_str())));
    assert!(sigv4::verify(&request, &credentials, "us-east-1", &["kms"], 1_767_225_600).is_ok());
});
