//! Which AWS protocol and operation a request is: decided from its method, path and `X-Amz-Target`
//! alone, before the body is parsed.

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
    /// The `Content-Type` of this API's responses (and of its requests, for the awsJson APIs).
    pub fn content_type(self) -> &'static str {
        match self {
            Api::Data => "application/json",
            Api::Control => "application/x-amz-json-1.0",
            Api::Kms => "application/x-amz-json-1.1",
        }
    }
}

/// The `X-Amz-Target` prefix of the payment-cryptography control plane.
pub const CONTROL_TARGET: &str = "PaymentCryptographyControlPlane";
/// The `X-Amz-Target` prefix of KMS.
pub const KMS_TARGET: &str = "TrentService";

/// A routed request.
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum Route {
    /// An AWS operation.
    Operation {
        /// Its API.
        api: Api,
        /// Its AWS name, e.g. `EncryptData`.
        name: String,
        /// For the data plane: the URI's key identifier member name and its decoded value.
        uri_key: Option<(&'static str, String)>,
    },
    /// `GET /_paycrypt/health`.
    Health,
    /// `POST /_paycrypt/<name>`: paycrypt's own extensions (reset, import-key, seed).
    Extension(String),
    /// Nothing we serve; the string names what was asked for.
    Unknown(String),
    /// A data-plane path whose key identifier does not percent-decode.
    BadPath(String),
}

/// Routes a request by its method, raw (percent-encoded) path and `X-Amz-Target` header.
pub fn route(method: &str, path: &str, target: Option<&str>) -> Route {
    if let Some(rest) = path.strip_prefix("/_paycrypt/") {
        return match (method, rest) {
            ("GET", "health") => Route::Health,
            ("POST", name) if !name.is_empty() && !name.contains('/') => Route::Extension(name.to_owned()),
            _ => Route::Unknown(format!("{method} {path}")),
        };
    }
    if let Some(target) = target {
        let (prefix, name) = target.split_once('.').unwrap_or((target, ""));
        let api = match prefix {
            CONTROL_TARGET => Api::Control,
            KMS_TARGET => Api::Kms,
            _ => return Route::Unknown(target.to_owned()),
        };
        if method != "POST" || path != "/" || name.is_empty() {
            return Route::Unknown(format!("{method} {path} {target}"));
        }
        return Route::Operation { api, name: name.to_owned(), uri_key: None };
    }
    let segments: Vec<&str> = path.split('/').collect();
    if let (&["", "keys", key, action], "POST") = (segments.as_slice(), method) {
        let (name, member) = match action {
            "encrypt" => ("EncryptData", "KeyIdentifier"),
            "decrypt" => ("DecryptData", "KeyIdentifier"),
            "reencrypt" => ("ReEncryptData", "IncomingKeyIdentifier"),
            _ => return Route::Unknown(format!("{method} {path}")),
        };
        return match percent_decode(key) {
            Some(key) if !key.is_empty() => {
                Route::Operation { api: Api::Data, name: name.to_owned(), uri_key: Some((member, key)) }
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
                api: Api::Data,
                name: "EncryptData".into(),
                uri_key: Some((
                    "KeyIdentifier",
                    "arn:aws:payment-cryptography:us-east-1:111122223333:key/abc".into()
                ))
            }
        );
        assert_eq!(
            route("POST", "/keys/alias%2Fa/reencrypt", None),
            Route::Operation {
                api: Api::Data,
                name: "ReEncryptData".into(),
                uri_key: Some(("IncomingKeyIdentifier", "alias/a".into()))
            }
        );
        assert_eq!(
            route("POST", "/", Some("PaymentCryptographyControlPlane.GetKey")),
            Route::Operation { api: Api::Control, name: "GetKey".into(), uri_key: None }
        );
        assert_eq!(
            route("POST", "/", Some("TrentService.Encrypt")),
            Route::Operation { api: Api::Kms, name: "Encrypt".into(), uri_key: None }
        );
        assert_eq!(route("GET", "/_paycrypt/health", None), Route::Health);
        assert_eq!(route("POST", "/_paycrypt/reset", None), Route::Extension("reset".into()));
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
