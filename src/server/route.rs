//! Which AWS protocol and operation a request is: decided from its method, path and `X-Amz-Target`
//! alone, before the body is parsed.

use crate::service::{ControlOperation, DataOperation, KmsOperation, Protocol};

/// The AWS API a request speaks.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum Api {
    /// `payment-cryptography-data`, restJson1.
    Data,
    /// `payment-cryptography`, awsJson1_0.
    Control,
    /// `kms`, awsJson1_1.
    Kms,
}

impl Api {
    /// The API's protocol.
    pub fn protocol(self) -> Protocol {
        match self {
            Api::Data => DataOperation::PROTOCOL,
            Api::Control => ControlOperation::PROTOCOL,
            Api::Kms => KmsOperation::PROTOCOL,
        }
    }

    /// The `Content-Type` of this API's responses (and of its requests, for the awsJson APIs).
    pub fn content_type(self) -> &'static str {
        self.protocol().content_type()
    }

    /// The service name, e.g. `payment-cryptography-data`.
    pub fn service(self) -> &'static str {
        match self {
            Api::Data => DataOperation::SERVICE,
            Api::Control => ControlOperation::SERVICE,
            Api::Kms => KmsOperation::SERVICE,
        }
    }

    /// The SigV4 signing name its requests must be signed for.
    pub fn signing_name(self) -> &'static str {
        match self {
            Api::Data => DataOperation::SIGNING_NAME,
            Api::Control => ControlOperation::SIGNING_NAME,
            Api::Kms => KmsOperation::SIGNING_NAME,
        }
    }
}

/// An operation of one of the served APIs, from the operation tables.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum ApiOperation {
    /// A payment-cryptography data-plane operation.
    Data(DataOperation),
    /// A payment-cryptography control-plane operation.
    Control(ControlOperation),
    /// A KMS operation.
    Kms(KmsOperation),
}

impl ApiOperation {
    /// The API the operation belongs to.
    pub fn api(self) -> Api {
        match self {
            ApiOperation::Data(_) => Api::Data,
            ApiOperation::Control(_) => Api::Control,
            ApiOperation::Kms(_) => Api::Kms,
        }
    }

    /// AWS's name of the operation.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiOperation::Data(op) => op.as_str(),
            ApiOperation::Control(op) => op.as_str(),
            ApiOperation::Kms(op) => op.as_str(),
        }
    }
}

/// A routed request.
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum Route {
    /// An AWS operation that paycrypt serves.
    Operation {
        /// The operation.
        op: ApiOperation,
        /// For the data plane: the URI's key identifier, decoded (its member is the operation's
        /// [`DataOperation::uri_member`]).
        uri_key: Option<String>,
    },
    /// A served API's `X-Amz-Target` naming an operation that is not in its table.
    UnknownOperation {
        /// The API of the target prefix.
        api: Api,
        /// The name after the prefix.
        name: String,
    },
    /// `GET /_paycrypt/health`.
    Health,
    /// `POST /_paycrypt/<name>`: paycrypt's own extensions (reset, import-key, seed, and the flow
    /// actions `action/encrypt-data` and `action/decrypt-data`).
    Extension(String),
    /// Nothing we serve; the string names what was asked for.
    Unknown(String),
    /// A data-plane path whose key identifier does not percent-decode.
    BadPath(String),
}

impl Route {
    /// The API of an operation route (known or not).
    pub fn api(&self) -> Option<Api> {
        match self {
            Route::Operation { op, .. } => Some(op.api()),
            Route::UnknownOperation { api, .. } => Some(*api),
            _ => None,
        }
    }
}

/// The extension routes below `/_paycrypt/` that have a `/` in their name: the flow actions.
const ACTIONS: [&str; 2] = ["action/encrypt-data", "action/decrypt-data"];

/// Routes a request by its method, raw (percent-encoded) path and `X-Amz-Target` header.
pub fn route(method: &str, path: &str, target: Option<&str>) -> Route {
    if let Some(rest) = path.strip_prefix("/_paycrypt/") {
        return match (method, rest) {
            ("GET", "health") => Route::Health,
            ("POST", name) if !name.is_empty() && (!name.contains('/') || ACTIONS.contains(&name)) => {
                Route::Extension(name.to_owned())
            }
            _ => Route::Unknown(format!("{method} {path}")),
        };
    }
    if let Some(target) = target {
        let (prefix, name) = target.split_once('.').unwrap_or((target, ""));
        let api = match prefix {
            ControlOperation::TARGET_PREFIX => Api::Control,
            KmsOperation::TARGET_PREFIX => Api::Kms,
            _ => return Route::Unknown(target.to_owned()),
        };
        if method != "POST" || path != "/" || name.is_empty() {
            return Route::Unknown(format!("{method} {path} {target}"));
        }
        let op = match api {
            Api::Kms => name.parse().map(ApiOperation::Kms).ok(),
            _ => name.parse().map(ApiOperation::Control).ok(),
        };
        return match op {
            Some(op) => Route::Operation { op, uri_key: None },
            None => Route::UnknownOperation { api, name: name.to_owned() },
        };
    }
    let segments: Vec<&str> = path.split('/').collect();
    if let (&["", "keys", key, action], "POST") = (segments.as_slice(), method) {
        let Some(op) = DataOperation::from_action(action) else {
            return Route::Unknown(format!("{method} {path}"));
        };
        return match percent_decode(key) {
            Some(key) if !key.is_empty() => {
                Route::Operation { op: ApiOperation::Data(op), uri_key: Some(key) }
            }
            _ => Route::BadPath(path.to_owned()),
        };
    }
    Route::Unknown(format!("{method} {path}"))
}

/// Decodes `%XX` escapes; `None` for a bad escape or a result that is not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = (*bytes.get(i + 1)? as char).to_digit(16)?;
            let lo = (*bytes.get(i + 2)? as char).to_digit(16)?;
            out.push(u8::try_from(hi * 16 + lo).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_each_protocol() {
        assert_eq!(
            route(
                "POST",
                "/keys/arn%3Aaws%3Apayment-cryptography%3Aus-east-1%3A111122223333%3Akey%2Fabc/encrypt",
                None
            ),
            Route::Operation {
                op: ApiOperation::Data(DataOperation::EncryptData),
                uri_key: Some("arn:aws:payment-cryptography:us-east-1:111122223333:key/abc".into())
            }
        );
        assert_eq!(
            route("POST", "/keys/alias%2Fa/reencrypt", None),
            Route::Operation {
                op: ApiOperation::Data(DataOperation::ReEncryptData),
                uri_key: Some("alias/a".into())
            }
        );
        assert_eq!(
            route("POST", "/", Some("PaymentCryptographyControlPlane.GetKey")),
            Route::Operation { op: ApiOperation::Control(ControlOperation::GetKey), uri_key: None }
        );
        assert_eq!(
            route("POST", "/", Some("TrentService.Encrypt")),
            Route::Operation { op: ApiOperation::Kms(KmsOperation::Encrypt), uri_key: None }
        );
        assert_eq!(
            route("POST", "/", Some("PaymentCryptographyControlPlane.EncryptData")),
            Route::UnknownOperation { api: Api::Control, name: "EncryptData".into() }
        );
        assert_eq!(
            route("POST", "/", Some("TrentService.Frobnicate")),
            Route::UnknownOperation { api: Api::Kms, name: "Frobnicate".into() }
        );
        assert_eq!(route("GET", "/_paycrypt/health", None), Route::Health);
        assert_eq!(route("POST", "/_paycrypt/reset", None), Route::Extension("reset".into()));
        assert_eq!(
            route("POST", "/_paycrypt/action/encrypt-data", None),
            Route::Extension("action/encrypt-data".into())
        );
        assert_eq!(
            route("POST", "/_paycrypt/action/other", None),
            Route::Unknown("POST /_paycrypt/action/other".into())
        );
        assert_eq!(route("POST", "/", Some("Other.X")), Route::Unknown("Other.X".into()));
        assert_eq!(route("GET", "/keys/a/encrypt", None), Route::Unknown("GET /keys/a/encrypt".into()));
        assert_eq!(route("POST", "/keys/%ZZ/encrypt", None), Route::BadPath("/keys/%ZZ/encrypt".into()));
        assert_eq!(route("POST", "/keys//encrypt", None), Route::BadPath("/keys//encrypt".into()));
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%2Fb%3a").as_deref(), Some("a/b:"));
        assert_eq!(percent_decode("%2"), None);
        assert_eq!(percent_decode("%FF"), None);
    }
}
