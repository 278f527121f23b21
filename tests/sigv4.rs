//! AWS Signature Version 4 against botocore: `vectors/sigv4_botocore.json` holds requests shaped like
//! the server's traffic (restJson1 data plane, awsJson1_0 control plane, awsJson1_1 KMS) signed by
//! botocore's `SigV4Auth` (scripts/vectors/sigv4.py). Our `sign` must write botocore's
//! Authorization byte for byte, our `verify` must accept every request, and refuse every tampered
//! one with AWS's exception.

mod common;

use paycrypt::sigv4::{self, Credentials, CredentialsFile, Payload, Request, SigV4Error, Verified};
use proptest::prelude::*;
use serde::Deserialize;

use common::Tally;

const SERVICES: &[&str] = &["payment-cryptography", "kms"];
const BAD_SIGNATURE: &str = "The request signature we calculated does not match the signature you provided. Check \
                             your AWS Secret Access Key and signing method. Consult the service documentation for \
                             details.";

#[derive(Clone, Deserialize)]
struct Case {
    id: String,
    service: String,
    region: String,
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    timestamp: String,
    unix_time: u64,
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: String,
    added_headers: Vec<(String, String)>,
    authorization: String,
    canonical_request: String,
    sign: bool,
}

impl Case {
    fn credentials(&self) -> Credentials {
        Credentials::new(&self.access_key_id, &self.secret_access_key, self.session_token.clone())
    }

    /// The request as the server receives it: the headers before signing, those botocore replaced
    /// taken out, those it added put in.
    fn received(&self) -> Scenario {
        let replaced = |n: &str| self.added_headers.iter().any(|(a, _)| a.eq_ignore_ascii_case(n));
        let mut headers: Vec<(String, String)> =
            self.headers.iter().filter(|(n, _)| !replaced(n)).cloned().collect();
        headers.extend(self.added_headers.iter().cloned());
        Scenario {
            method: self.method.clone(),
            path: self.path.clone(),
            query: self.query.clone(),
            headers,
            body: self.body.as_bytes().to_vec(),
            now: self.unix_time + 60,
            region: self.region.clone(),
            services: SERVICES.to_vec(),
            lookup: CredentialsFile::from_credentials([self.credentials()]),
        }
    }

    fn has_header(&self, name: &str) -> bool {
        self.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
    }
}

/// Everything `verify` is given, owned so a tamper can change any of it.
struct Scenario {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    now: u64,
    region: String,
    services: Vec<&'static str>,
    lookup: CredentialsFile,
}

impl Scenario {
    fn verify(&self) -> Result<Verified, SigV4Error> {
        let request = Request {
            method: &self.method,
            path: &self.path,
            query: &self.query,
            headers: self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect(),
            payload: Payload::Body(&self.body),
        };
        sigv4::verify(&request, &self.lookup, &self.region, &self.services, self.now)
    }

    fn header_mut(&mut self, name: &str) -> Option<&mut String> {
        self.headers.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v)
    }

    fn remove_header(&mut self, name: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }

    fn edit_authorization(&mut self, edit: impl FnOnce(&str) -> String) {
        let value = self.header_mut("authorization").expect("signed request");
        *value = edit(value);
    }
}

fn cases() -> Vec<Case> {
    let file = common::load::<Case>("sigv4_botocore");
    assert!(file.source.contains("botocore"), "{}", file.source);
    file.cases
}

#[test]
fn sign_matches_botocore() {
    let mut tally = Tally::new("sigv4 sign vs botocore");
    for case in cases() {
        if !case.sign {
            tally.skip_because(&case.id, "signed with a Date header, which our signer does not write");
            continue;
        }
        let request = Request {
            method: &case.method,
            path: &case.path,
            query: &case.query,
            headers: case.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect(),
            payload: if case.added_headers.iter().any(|(_, v)| v == "UNSIGNED-PAYLOAD") {
                Payload::Unsigned
            } else {
                Payload::Body(case.body.as_bytes())
            },
        };
        let added = sigv4::sign(&request, &case.credentials(), &case.region, &case.service, case.unix_time);
        let added: Vec<(String, String)> = added.into_iter().map(|(n, v)| (n.to_owned(), v)).collect();
        let botocore_authorization = case.added_headers.iter().find(|(n, _)| n == "Authorization");
        assert_eq!(botocore_authorization.map(|(_, v)| v), Some(&case.authorization), "{}", case.id);
        let outcome = if added == case.added_headers {
            Ok(())
        } else {
            Err(format!(
                "got {added:?}\nwant {:?}\nbotocore's canonical request:\n{}",
                case.added_headers, case.canonical_request
            ))
        };
        tally.record(&case.id, outcome);
    }
    tally.finish();
}

#[test]
fn verify_accepts_botocore() {
    let mut tally = Tally::new("sigv4 verify botocore requests");
    for case in cases() {
        let outcome = match case.received().verify() {
            Ok(v)
                if v.access_key_id == case.access_key_id
                    && v.service == case.service
                    && v.region == case.region
                    && v.date.to_string() == case.timestamp =>
            {
                Ok(())
            }
            Ok(v) => Err(format!("verified as {v:?}")),
            Err(e) => Err(format!(
                "{}: {}\nbotocore's canonical request:\n{}",
                e.exception(),
                e,
                case.canonical_request
            )),
        };
        tally.record(&case.id, outcome);
    }
    tally.finish();
}

/// One way to spoil a request, the exception it must get, and (for some) the exact message.
struct Tamper {
    name: &'static str,
    /// Changes the request; returns false when it does not apply to this case.
    apply: fn(&Case, &mut Scenario) -> bool,
    exception: &'static str,
    message: Option<fn(&Case) -> String>,
}

fn tampers() -> Vec<Tamper> {
    vec![
        Tamper {
            name: "wrong secret",
            apply: |c, s| {
                s.lookup = CredentialsFile::from_credentials([Credentials::new(
                    &c.access_key_id,
                    "not-the-secret",
                    None,
                )]);
                true
            },
            exception: "InvalidSignatureException",
            message: Some(|_| BAD_SIGNATURE.to_owned()),
        },
        Tamper {
            name: "unknown access key",
            apply: |_, s| {
                s.lookup = CredentialsFile::from_credentials([Credentials::new("AKIDOTHER", "x", None)]);
                true
            },
            exception: "UnrecognizedClientException",
            message: Some(|_| "The security token included in the request is invalid.".to_owned()),
        },
        Tamper {
            name: "altered body",
            apply: |c, s| {
                s.body.push(b' ');
                // UNSIGNED-PAYLOAD leaves the body out of the signature by design.
                !c.headers.iter().chain(&c.added_headers).any(|(_, v)| v == "UNSIGNED-PAYLOAD")
            },
            exception: "InvalidSignatureException",
            message: None,
        },
        Tamper {
            name: "altered path",
            apply: |_, s| {
                s.path = if s.path.contains("%2F") {
                    s.path.replacen("%2F", "%2f%2F", 1)
                } else {
                    format!("{}x", s.path)
                };
                true
            },
            exception: "InvalidSignatureException",
            message: Some(|_| BAD_SIGNATURE.to_owned()),
        },
        Tamper {
            name: "path decoded once (alias/dek as two segments)",
            apply: |_, s| {
                let applies = s.path.contains("%2F");
                s.path = s.path.replace("%2F", "/").replace("%3A", ":");
                applies
            },
            exception: "InvalidSignatureException",
            message: None,
        },
        Tamper {
            name: "altered query",
            apply: |_, s| {
                s.query = if s.query.is_empty() { "a=1".to_owned() } else { format!("{}&z=1", s.query) };
                true
            },
            exception: "InvalidSignatureException",
            message: None,
        },
        Tamper {
            name: "altered X-Amz-Target",
            apply: |_, s| match s.header_mut("x-amz-target") {
                Some(v) => {
                    *v = v.replace("Encrypt", "Decrypt").replace("CreateKey", "DeleteKey") + "X";
                    true
                }
                None => false,
            },
            exception: "InvalidSignatureException",
            message: Some(|_| BAD_SIGNATURE.to_owned()),
        },
        Tamper {
            name: "dropped signed header",
            apply: |c, s| {
                s.remove_header(if c.has_header("content-type") { "content-type" } else { "host" });
                true
            },
            exception: "InvalidSignatureException",
            message: None,
        },
        Tamper {
            name: "host left out of SignedHeaders",
            apply: |_, s| {
                s.edit_authorization(|a| a.replace(";host;", ";").replace("=host;", "="));
                true
            },
            exception: "IncompleteSignatureException",
            message: Some(|_| {
                "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.".to_owned()
            }),
        },
        Tamper {
            name: "x-amz-date left out of SignedHeaders",
            apply: |c, s| {
                s.edit_authorization(|a| a.replace(";x-amz-date", ""));
                c.sign
            },
            exception: "IncompleteSignatureException",
            message: Some(|_| "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.".to_owned()),
        },
        Tamper {
            name: "x-amz-target left out of SignedHeaders",
            apply: |c, s| {
                s.edit_authorization(|a| a.replace(";x-amz-target", ""));
                c.has_header("x-amz-target")
            },
            exception: "IncompleteSignatureException",
            message: Some(|_| "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.".to_owned()),
        },
        Tamper {
            name: "no date header",
            apply: |_, s| {
                s.remove_header("x-amz-date");
                s.remove_header("date");
                true
            },
            exception: "IncompleteSignatureException",
            message: None,
        },
        Tamper {
            name: "expired",
            apply: |c, s| {
                s.now = c.unix_time + 301;
                true
            },
            exception: "InvalidSignatureException",
            message: None,
        },
        Tamper {
            name: "in the future",
            apply: |c, s| {
                s.now = c.unix_time - 301;
                true
            },
            exception: "InvalidSignatureException",
            message: None,
        },
        Tamper {
            name: "wrong region",
            apply: |_, s| {
                s.region = "ap-south-1".to_owned();
                true
            },
            exception: "InvalidSignatureException",
            message: Some(|c| format!("Credential should be scoped to a valid region, not '{}'.", c.region)),
        },
        Tamper {
            name: "wrong service",
            apply: |_, s| {
                s.services = vec!["dynamodb"];
                true
            },
            exception: "InvalidSignatureException",
            message: Some(|_| "Credential should be scoped to correct service: 'dynamodb'.".to_owned()),
        },
        Tamper {
            name: "scope date is not the x-amz-date day",
            apply: |c, s| {
                let day = &c.timestamp[..8];
                s.edit_authorization(|a| a.replace(&format!("/{day}/"), "/20251231/"));
                true
            },
            exception: "InvalidSignatureException",
            message: Some(|c| {
                format!(
                    "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: \
                     '20251231' != '{}', from '{}'.",
                    &c.timestamp[..8],
                    c.timestamp
                )
            }),
        },
        Tamper {
            name: "scope terminator",
            apply: |_, s| {
                s.edit_authorization(|a| a.replace("/aws4_request", "/aws5_request"));
                true
            },
            exception: "InvalidSignatureException",
            message: Some(|_| {
                "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'."
                    .to_owned()
            }),
        },
        Tamper {
            name: "malformed Authorization: no Signature",
            apply: |_, s| {
                s.edit_authorization(|a| a.split(", Signature=").next().unwrap_or_default().to_owned());
                true
            },
            exception: "IncompleteSignatureException",
            message: None,
        },
        Tamper {
            name: "malformed Authorization: pair without '='",
            apply: |_, s| {
                s.edit_authorization(|a| a.replace("SignedHeaders=", "SignedHeaders "));
                true
            },
            exception: "IncompleteSignatureException",
            message: None,
        },
        Tamper {
            name: "malformed Authorization: other algorithm",
            apply: |_, s| {
                s.edit_authorization(|a| a.replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256"));
                true
            },
            exception: "IncompleteSignatureException",
            message: None,
        },
        Tamper {
            name: "malformed Authorization: credential of four parts",
            apply: |c, s| {
                let region = format!("/{}/", c.region);
                s.edit_authorization(|a| a.replacen(&region, "/", 1));
                true
            },
            exception: "IncompleteSignatureException",
            message: None,
        },
        Tamper {
            name: "signature not hex",
            apply: |_, s| {
                s.edit_authorization(|a| format!("{}zz", &a[..a.len() - 2]));
                true
            },
            exception: "InvalidSignatureException",
            message: Some(|_| BAD_SIGNATURE.to_owned()),
        },
        Tamper {
            name: "signature one bit off",
            apply: |_, s| {
                s.edit_authorization(|a| {
                    let last = if a.ends_with('0') { '1' } else { '0' };
                    format!("{}{last}", &a[..a.len() - 1])
                });
                true
            },
            exception: "InvalidSignatureException",
            message: Some(|_| BAD_SIGNATURE.to_owned()),
        },
        Tamper {
            name: "no Authorization",
            apply: |_, s| {
                s.remove_header("authorization");
                true
            },
            exception: "UnrecognizedClientException",
            message: Some(|_| {
                "The request has no Authorization header: it must be signed with AWS Signature Version 4."
                    .to_owned()
            }),
        },
    ]
}

#[test]
fn verify_refuses_tampered_requests() {
    let mut tally = Tally::new("sigv4 tampered requests refused");
    for case in cases() {
        for tamper in tampers() {
            let mut scenario = case.received();
            if !(tamper.apply)(&case, &mut scenario) {
                tally.skip();
                continue;
            }
            let id = format!("{} / {}", case.id, tamper.name);
            let outcome = match scenario.verify() {
                Ok(_) => Err("accepted".to_owned()),
                Err(e) if e.exception() != tamper.exception => Err(format!("{}: {e}", e.exception())),
                Err(e) if e.http_status() != 403 => Err(format!("status {}", e.http_status())),
                Err(e) => match tamper.message.map(|m| m(&case)) {
                    Some(want) if e.message() != want => {
                        Err(format!("message {:?}, want {want:?}", e.message()))
                    }
                    _ => Ok(()),
                },
            };
            tally.record(&id, outcome);
        }
    }
    tally.finish();
}

#[test]
fn clock_window_messages_and_edges() {
    let case = cases().into_iter().find(|c| c.id == "data-encrypt-arn").expect("case");
    let mut s = case.received();
    for now in [case.unix_time - 300, case.unix_time, case.unix_time + 300] {
        s.now = now;
        assert!(s.verify().is_ok(), "now = {now}");
    }
    s.now = case.unix_time + 600;
    assert_eq!(
        s.verify().unwrap_err().message(),
        "Signature expired: 20260101T000000Z is now earlier than 20260101T000500Z (20260101T001000Z - 5 min.)"
    );
    s.now = case.unix_time - 600;
    assert_eq!(
        s.verify().unwrap_err().message(),
        "Signature not yet current: 20260101T000000Z is still later than 20251231T235500Z (20251231T235000Z + 5 min.)"
    );
}

#[test]
fn incomplete_messages() {
    let case = cases().into_iter().find(|c| c.id == "kms-encrypt").expect("case");
    let mut s = case.received();
    *s.header_mut("authorization").unwrap() = "Bearer abc".to_owned();
    s.remove_header("x-amz-date");
    assert_eq!(
        s.verify().unwrap_err().message(),
        "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. \
         Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either \
         a 'X-Amz-Date' or a 'Date' header. Authorization=Bearer abc"
    );
    let mut s = case.received();
    s.edit_authorization(|a| a.replace("SignedHeaders=", "SignedHeaders "));
    let message = s.verify().unwrap_err().message();
    assert!(message.starts_with("'SignedHeaders content-type;"), "{message}");
    assert!(message.contains("' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential="), "{message}");
}

#[test]
fn errors_never_show_the_secret() {
    for case in cases() {
        for tamper in tampers() {
            let mut s = case.received();
            (tamper.apply)(&case, &mut s);
            if let Err(e) = s.verify() {
                let shown = format!("{e} {e:?}");
                assert!(!shown.contains(&case.secret_access_key), "{shown}");
            }
        }
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

proptest! {
    #[test]
    fn sign_then_verify_round_trips(
        segments in prop::collection::vec("[ -~]{1,12}", 1..4),
        query in prop::collection::vec(("[ -~]{1,6}", "[ -~]{0,6}"), 0..4),
        extra in prop::collection::vec(("x-[a-z0-9-]{1,8}", "[ -~\t]{0,16}"), 0..4),
        body in prop::collection::vec(any::<u8>(), 0..64),
        token in prop::option::of("[A-Za-z0-9/+=]{8,24}"),
        unix in 0u64..4_000_000_000,
        flip in any::<prop::sample::Index>(),
    ) {
        let path = format!("/{}", segments.iter().map(|s| encode(s)).collect::<Vec<_>>().join("/"));
        let query = query.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&");
        let credentials = Credentials::new("AKIDPROP", "prop-secret", token);
        let mut headers: Vec<(String, String)> = vec![
            ("Host".into(), "localhost:8080".into()),
            ("Content-Type".into(), "application/x-amz-json-1.0".into()),
            ("X-Amz-Target".into(), "PaymentCryptographyControlPlane.ListKeys".into()),
        ];
        headers.extend(extra);
        let view = |headers: &[(String, String)], body: &[u8]| -> Result<Verified, SigV4Error> {
            let request = Request {
                method: "POST",
                path: &path,
                query: &query,
                headers: headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect(),
                payload: Payload::Body(body),
            };
            sigv4::verify(&request, &credentials, "us-east-1", SERVICES, unix + 1)
        };
        let request = Request {
            method: "POST",
            path: &path,
            query: &query,
            headers: headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect(),
            payload: Payload::Body(&body),
        };
        let added = sigv4::sign(&request, &credentials, "us-east-1", "payment-cryptography", unix);
        headers.extend(added.into_iter().map(|(n, v)| (n.to_owned(), v)));
        let verified = view(&headers, &body);
        prop_assert!(verified.is_ok(), "{:?}", verified);

        if !body.is_empty() {
            let mut changed = body.clone();
            let i = flip.index(changed.len());
            changed[i] ^= 1 << (i % 8);
            let refused = view(&headers, &changed);
            prop_assert_eq!(refused.map_err(|e| e.exception()), Err("InvalidSignatureException"));
        }
        let mut changed = body.clone();
        changed.push(0);
        prop_assert!(view(&headers, &changed).is_err());
    }
}
