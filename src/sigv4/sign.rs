//! Signing a request as an AWS SDK does.

use std::fmt;

use zeroize::Zeroizing;

use super::canonical::{self, ALGORITHM, TERMINATOR, UNSIGNED_PAYLOAD};
use super::time::AmzDate;
use super::{Payload, Request};

/// Headers never signed: they are hop-by-hop or rewritten on the way (botocore leaves out the same).
const UNSIGNED_HEADERS: [&str; 14] = [
    "baggage",
    "connection",
    "expect",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "traceparent",
    "tracestate",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "x-amzn-trace-id",
];

/// An access key: its id, its secret access key (zeroized on drop), and a session token for
/// temporary credentials. `Debug` shows the id only.
#[derive(Clone)]
pub struct Credentials {
    /// The access key id (`AKIDEXAMPLE`), sent in the clear in every request.
    pub access_key_id: String,
    secret: Zeroizing<String>,
    session_token: Option<Zeroizing<String>>,
}

impl Credentials {
    /// Credentials from an access key id, its secret, and an optional session token.
    pub fn new(
        access_key_id: impl Into<String>,
        secret: impl Into<String>,
        session_token: Option<String>,
    ) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret: Zeroizing::new(secret.into()),
            session_token: session_token.map(Zeroizing::new),
        }
    }

    /// The secret access key.
    pub fn secret_access_key(&self) -> &str {
        &self.secret
    }

    /// The session token, for temporary credentials.
    pub fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref().map(String::as_str)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret", &"...")
            .field("session_token", &self.session_token.as_ref().map(|_| "..."))
            .finish()
    }
}

/// Signs `request` for `region` and `service` at `unix_seconds`, returning the headers to add to
/// it: `X-Amz-Date`, `X-Amz-Security-Token` (with a session token), `X-Amz-Content-SHA256:
/// UNSIGNED-PAYLOAD` (for [`Payload::Unsigned`]) and `Authorization`, in that order.
///
/// Every header of the request is signed except hop-by-hop ones and `User-Agent` (as botocore
/// does), so the request should carry `Host`, and `Content-Type` and `X-Amz-Target` where the
/// protocol has them. An `X-Amz-Content-SHA256` header already in the request is signed and its
/// value stands for the body (add one holding the body's hex SHA-256 to have it sent); without one
/// the body's SHA-256 is used. Existing `Authorization`, `X-Amz-Date` and (with a session token) `X-Amz-Security-Token`
/// headers are ignored: the caller replaces them with the ones returned. A time past the year
/// 9999 signs as `99991231T235959Z`.
///
/// # Examples
/// The AWS SigV4 test suite's `get-vanilla` request:
/// ```
/// use paycrypt::sigv4::{sign, Credentials, Payload, Request};
///
/// let request = Request {
///     method: "GET",
///     path: "/",
///     query: "",
///     headers: vec![("Host", "example.amazonaws.com")],
///     payload: Payload::Body(b""),
/// };
/// let credentials = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None);
/// let headers = sign(&request, &credentials, "us-east-1", "service", 1_440_938_160);
/// assert_eq!(headers[0], ("X-Amz-Date", "20150830T123600Z".to_string()));
/// assert_eq!(
///     headers[1].1,
///     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
///      SignedHeaders=host;x-amz-date, \
///      Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
/// );
/// ```
pub fn sign(
    request: &Request<'_>,
    credentials: &Credentials,
    region: &str,
    service: &str,
    unix_seconds: u64,
) -> Vec<(&'static str, String)> {
    let date = AmzDate::from_unix_saturating(unix_seconds);
    let date_text = date.to_string();
    let token = credentials.session_token();

    let unsigned = matches!(request.payload, Payload::Unsigned);
    let replaced = |name: &str| {
        name.eq_ignore_ascii_case("authorization")
            || name.eq_ignore_ascii_case("x-amz-date")
            || (token.is_some() && name.eq_ignore_ascii_case("x-amz-security-token"))
            || (unsigned && name.eq_ignore_ascii_case("x-amz-content-sha256"))
    };
    let mut headers: Vec<(&str, &str)> =
        request.headers.iter().copied().filter(|(n, _)| !replaced(n)).collect();
    headers.push(("x-amz-date", &date_text));
    if let Some(token) = token {
        headers.push(("x-amz-security-token", token));
    }
    if unsigned {
        headers.push(("x-amz-content-sha256", UNSIGNED_PAYLOAD));
    }

    let mut names: Vec<String> = headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .filter(|n| !UNSIGNED_HEADERS.contains(&n.as_str()))
        .collect();
    names.sort_unstable();
    names.dedup();
    let signed: Vec<&str> = names.iter().map(String::as_str).collect();

    let payload_hash = match request.header("x-amz-content-sha256") {
        Some(value) if !unsigned => value.trim().to_owned(),
        _ => request.payload.sha256_hex(),
    };
    let canonical = canonical::canonical_request(
        request.method,
        request.path,
        request.query,
        &headers,
        &signed,
        &payload_hash,
    );
    let day = date.day();
    let scope = format!("{day}/{region}/{service}/{TERMINATOR}");
    let string_to_sign = canonical::string_to_sign(date, &scope, &canonical);
    let signature =
        canonical::signature(credentials.secret_access_key(), &day, region, service, &string_to_sign);

    let authorization = format!(
        "{ALGORITHM} Credential={}/{scope}, SignedHeaders={}, Signature={}",
        credentials.access_key_id,
        signed.join(";"),
        hex::encode(signature)
    );
    let mut out = vec![("X-Amz-Date", date_text.clone())];
    if let Some(token) = token {
        out.push(("X-Amz-Security-Token", token.to_owned()));
    }
    if unsigned {
        out.push(("X-Amz-Content-SHA256", UNSIGNED_PAYLOAD.to_owned()));
    }
    out.push(("Authorization", authorization));
    out
}
