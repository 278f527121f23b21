//! Verifying a request's signature as an AWS endpoint does.
//!
//! The checks run in this order, so a request with several faults gets the first one's error: the
//! `Authorization` header is present and well formed, the request has a signing time, `host`, the
//! date header and `x-amz-target` (when sent) are signed, the credential scope's terminator,
//! region, service and day are right, the time is within five minutes, the access key is known,
//! `x-amz-content-sha256` (when sent) matches the body, and last the signature, compared in
//! constant time.

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::canonical::{self, ALGORITHM, TERMINATOR, UNSIGNED_PAYLOAD};
use super::credentials::CredentialLookup;
use super::error::SigV4Error;
use super::time::AmzDate;
use super::{Payload, Request};

/// How far the signing time may be from the server's clock, either way: five minutes, as AWS.
pub const MAX_CLOCK_SKEW_SECONDS: u64 = 300;

/// Who signed a request that passed [`verify`], and for what.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Verified {
    /// The access key id that signed it.
    pub access_key_id: String,
    /// The service of the credential scope (`payment-cryptography`, `kms`).
    pub service: String,
    /// The region of the credential scope.
    pub region: String,
    /// The signing time (`X-Amz-Date`, or the `Date` header).
    pub date: AmzDate,
}

/// The parts of an `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.
struct Authorization<'a> {
    access_key_id: &'a str,
    scope_day: &'a str,
    region: &'a str,
    service: &'a str,
    terminator: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

/// Verifies the AWS Signature Version 4 of `request`, received at `now` (unix seconds), for
/// `region` and any of `services`, with secrets from `credentials`.
///
/// # Errors
/// [`SigV4Error`]: `MissingAuthentication` without an `Authorization` header, `Incomplete` for a
/// malformed one or a required header left unsigned, `Scope`, `Expired`, `NotYetCurrent`,
/// `UnknownAccessKey`, `PayloadHashMismatch`, and `SignatureMismatch` when all else is right but
/// the signature is not.
///
/// # Examples
/// ```
/// use paycrypt::sigv4::{verify, CredentialsFile, Payload, Request};
///
/// let request = Request {
///     method: "GET",
///     path: "/",
///     query: "",
///     headers: vec![("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")],
///     payload: Payload::Body(b""),
/// };
/// let file = CredentialsFile::parse("[default]\naws_access_key_id=AKIDEXAMPLE\naws_secret_access_key=x\n")?;
/// let error = verify(&request, &file, "us-east-1", &["kms"], 1_440_938_160).unwrap_err();
/// assert_eq!(error.exception(), "UnrecognizedClientException");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify(
    request: &Request<'_>,
    credentials: &dyn CredentialLookup,
    region: &str,
    services: &[&str],
    now: u64,
) -> Result<Verified, SigV4Error> {
    let (auth, date, secret) = check_headers(request, credentials, region, services, now)?;
    let body_hash = request.payload.sha256_hex();
    let payload_hash = match request.header("x-amz-content-sha256").map(str::trim) {
        Some(v) if v == UNSIGNED_PAYLOAD || v.eq_ignore_ascii_case(&body_hash) => v.to_owned(),
        Some(_) => return Err(SigV4Error::PayloadHashMismatch),
        None if matches!(request.payload, Payload::Unsigned) => return Err(SigV4Error::PayloadHashMismatch),
        None => body_hash,
    };
    let canonical = canonical::canonical_request(
        request.method,
        request.path,
        request.query,
        &request.headers,
        &auth.signed_headers,
        &payload_hash,
    );
    let scope = format!("{}/{}/{}/{}", auth.scope_day, auth.region, auth.service, auth.terminator);
    let string_to_sign = canonical::string_to_sign(date, &scope, &canonical);
    let expected = canonical::signature(&secret, auth.scope_day, auth.region, auth.service, &string_to_sign);
    let mut given = [0u8; 32];
    let decoded = hex::decode_to_slice(auth.signature, &mut given).is_ok();
    if !decoded || !bool::from(expected.ct_eq(&given)) {
        return Err(SigV4Error::SignatureMismatch);
    }
    Ok(Verified {
        access_key_id: auth.access_key_id.to_owned(),
        service: auth.service.to_owned(),
        region: auth.region.to_owned(),
        date,
    })
}

/// Everything [`verify`] checks that does not need the body: the `Authorization` header's form, the
/// signing time and the clock window, the signed headers, the scope (region, service, day) and that the
/// access key is known. A server runs it before reading a request body, so that a caller without
/// credentials cannot make it read (up to its limit) a large body; [`verify`] then checks the signature.
///
/// # Errors
/// As [`verify`], except [`SigV4Error::SignatureMismatch`] and [`SigV4Error::PayloadHashMismatch`].
pub fn precheck(
    request: &Request<'_>,
    credentials: &dyn CredentialLookup,
    region: &str,
    services: &[&str],
    now: u64,
) -> Result<(), SigV4Error> {
    check_headers(request, credentials, region, services, now).map(|_| ())
}

/// The header part of [`verify`]: the parsed `Authorization`, the signing time and the secret.
fn check_headers<'r>(
    request: &'r Request<'_>,
    credentials: &dyn CredentialLookup,
    region: &str,
    services: &[&str],
    now: u64,
) -> Result<(Authorization<'r>, AmzDate, Zeroizing<String>), SigV4Error> {
    let header = request.header("authorization").ok_or(SigV4Error::MissingAuthentication)?.trim();
    let (date_name, date_value) = match request.header("x-amz-date") {
        Some(value) => ("X-Amz-Date", Some(value.trim())),
        None => ("Date", request.header("date").map(str::trim)),
    };
    let auth = parse_authorization(header, date_value.is_some())?;
    let date = match (date_name, date_value) {
        ("X-Amz-Date", Some(v)) => AmzDate::parse_iso_basic(v).ok_or_else(|| {
            SigV4Error::Incomplete(format!(
                "Date must be in ISO-8601 'basic format'. Got '{v}'. See http://en.wikipedia.org/wiki/ISO_8601"
            ))
        })?,
        (_, Some(v)) => AmzDate::parse_http_date(v).ok_or_else(|| {
            SigV4Error::Incomplete(format!("Date header must be an RFC 1123 date. Got '{v}'."))
        })?,
        (_, None) => return Err(SigV4Error::Incomplete(DATE_REQUIRED.trim_start().to_owned())),
    };

    require_signed(&auth, "host", "'Host' or ':authority'")?;
    require_signed(&auth, date_name, &format!("'{date_name}'"))?;
    if request.header("x-amz-target").is_some() {
        require_signed(&auth, "x-amz-target", "'X-Amz-Target'")?;
    }

    check_scope(&auth, &date, region, services)?;
    check_clock(date, now)?;

    let secret = credentials.secret(auth.access_key_id).ok_or(SigV4Error::UnknownAccessKey)?;
    Ok((auth, date, secret))
}

/// Splits the `Authorization` header into its parts, with AWS's messages for what is missing.
fn parse_authorization(header: &str, has_date: bool) -> Result<Authorization<'_>, SigV4Error> {
    let (algorithm, rest) = header.split_once(char::is_whitespace).unwrap_or((header, ""));
    if algorithm != ALGORITHM {
        return Err(SigV4Error::Incomplete(format!(
            "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' \
             parameter. Authorization header requires 'SignedHeaders' parameter.{} Authorization={header}",
            if has_date { "" } else { DATE_REQUIRED }
        )));
    }
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((key, value)) = part.split_once('=') else {
            return Err(SigV4Error::Incomplete(format!(
                "'{part}' not a valid key=value pair (missing equal-sign) in Authorization header: '{header}'."
            )));
        };
        let slot = match key.trim() {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => continue,
        };
        slot.get_or_insert(value.trim());
    }
    let mut missing = String::new();
    for (name, value) in
        [("Credential", credential), ("Signature", signature), ("SignedHeaders", signed_headers)]
    {
        if value.is_none() {
            missing.push_str(&format!("Authorization header requires '{name}' parameter. "));
        }
    }
    if !has_date {
        missing.push_str(DATE_REQUIRED.trim_start());
        missing.push(' ');
    }
    let (Some(credential), Some(signed_headers), Some(signature), true) =
        (credential, signed_headers, signature, missing.is_empty())
    else {
        return Err(SigV4Error::Incomplete(format!("{missing}Authorization={header}")));
    };
    let parts: Vec<&str> = credential.split('/').collect();
    let [access_key_id, scope_day, region, service, terminator] = parts[..] else {
        return Err(SigV4Error::Incomplete(format!(
            "Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\". \
             Authorization={header}"
        )));
    };
    Ok(Authorization {
        access_key_id,
        scope_day,
        region,
        service,
        terminator,
        signed_headers: signed_headers.split(';').collect(),
        signature,
    })
}

const DATE_REQUIRED: &str =
    " Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.";

fn require_signed(auth: &Authorization<'_>, name: &str, shown: &str) -> Result<(), SigV4Error> {
    if auth.signed_headers.iter().any(|h| h.eq_ignore_ascii_case(name)) {
        Ok(())
    } else {
        Err(SigV4Error::Incomplete(format!("{shown} must be a 'SignedHeader' in the AWS Authorization.")))
    }
}

fn check_scope(
    auth: &Authorization<'_>,
    date: &AmzDate,
    region: &str,
    services: &[&str],
) -> Result<(), SigV4Error> {
    if auth.terminator != TERMINATOR {
        return Err(SigV4Error::Scope(format!(
            "Credential should be scoped with a valid terminator: '{TERMINATOR}', not '{}'.",
            auth.terminator
        )));
    }
    if auth.region != region {
        return Err(SigV4Error::Scope(format!(
            "Credential should be scoped to a valid region, not '{}'.",
            auth.region
        )));
    }
    if !services.contains(&auth.service) {
        return Err(SigV4Error::Scope(format!(
            "Credential should be scoped to correct service: '{}'.",
            services.join("' or '")
        )));
    }
    let day = date.day();
    if auth.scope_day != day {
        return Err(SigV4Error::Scope(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: \
             '{}' != '{day}', from '{date}'.",
            auth.scope_day
        )));
    }
    Ok(())
}

fn check_clock(date: AmzDate, now: u64) -> Result<(), SigV4Error> {
    let now_date = AmzDate::from_unix_saturating(now);
    let earliest = AmzDate::from_unix_saturating(now.saturating_sub(MAX_CLOCK_SKEW_SECONDS));
    let latest = AmzDate::from_unix_saturating(now.saturating_add(MAX_CLOCK_SKEW_SECONDS));
    if date < earliest {
        return Err(SigV4Error::Expired {
            signed: date.to_string(),
            earliest: earliest.to_string(),
            now: now_date.to_string(),
        });
    }
    if date > latest {
        return Err(SigV4Error::NotYetCurrent {
            signed: date.to_string(),
            latest: latest.to_string(),
            now: now_date.to_string(),
        });
    }
    Ok(())
}
