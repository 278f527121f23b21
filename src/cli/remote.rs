//! `--endpoint-url`: the AWS-mirroring commands sent to a running `paycrypt serve` (or any endpoint
//! that speaks these AWS protocols), signed with SigV4 as the AWS CLI signs them.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use ureq::tls::{Certificate, ClientCert, PrivateKey, RootCerts, TlsConfig};

use paycrypt::service::{ControlOperation, DataOperation, KmsOperation, Protocol};
use paycrypt::sigv4::{Credentials, CredentialsFile, Payload, Request, sign};

use crate::cli::CliError;
use crate::cli::failure::Failure;

/// Which protocol an operation travels on.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) enum Wire {
    /// payment-cryptography-data, restJson1: the key identifier goes in the path.
    Data,
    /// payment-cryptography, awsJson1_0.
    Control,
    /// kms, awsJson1_1.
    Kms,
    /// paycrypt's own routes under `/_paycrypt/`.
    Extension,
}

/// How to reach the endpoint.
#[derive(Clone, Debug, Default)]
pub(crate) struct EndpointOptions {
    pub(crate) url: String,
    pub(crate) ca_bundle: Option<PathBuf>,
    pub(crate) client_cert: Option<PathBuf>,
    pub(crate) client_key: Option<PathBuf>,
    pub(crate) profile: Option<String>,
    pub(crate) region: String,
}

/// A signed HTTP client for one endpoint.
pub(crate) struct Remote {
    agent: ureq::Agent,
    base: String,
    host: String,
    credentials: Credentials,
    region: String,
}

impl Remote {
    pub(crate) fn new(options: &EndpointOptions) -> Result<Self, Failure> {
        let base = options.url.trim_end_matches('/').to_owned();
        let rest = base
            .strip_prefix("http://")
            .or_else(|| base.strip_prefix("https://"))
            .ok_or_else(|| parameter(format!("{} is not an http:// or https:// URL", options.url)))?;
        if rest.is_empty() || rest.contains('/') {
            return Err(parameter(format!("{} must be scheme://host[:port] without a path", options.url)));
        }
        let host = rest.to_owned();
        let mut tls = TlsConfig::builder();
        if let Some(path) = &options.ca_bundle {
            let pem = read(path, "--ca-bundle")?;
            let certs = pem_certs(&pem, path, "--ca-bundle")?;
            tls = tls.root_certs(RootCerts::new_with_certs(&certs));
        }
        match (&options.client_cert, &options.client_key) {
            (Some(cert), Some(key)) => {
                let chain = pem_certs(&read(cert, "--client-cert")?, cert, "--client-cert")?;
                let key_pem = read(key, "--client-key")?;
                let key = PrivateKey::from_pem(&key_pem)
                    .map_err(|e| local(format!("--client-key {}: {e}", key.display())))?;
                tls = tls.client_cert(Some(ClientCert::new_with_certs(&chain, key)));
            }
            (None, None) => {}
            _ => return Err(parameter("--client-cert and --client-key go together".into())),
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .tls_config(tls.build())
            .build()
            .into();
        Ok(Remote {
            agent,
            base,
            host,
            credentials: credentials(options.profile.as_deref())?,
            region: options.region.clone(),
        })
    }

    /// Sends `operation` with its JSON `body` and returns the JSON response.
    pub(crate) fn call(&self, wire: Wire, operation: &str, mut body: Value) -> Result<Value, Failure> {
        let (path, target, content_type, service) = match wire {
            Wire::Data => {
                let op: DataOperation = operation
                    .parse()
                    .map_err(|_| local(format!("{operation} is not a data-plane operation")))?;
                let key = body
                    .as_object_mut()
                    .and_then(|m| m.remove(op.uri_member()))
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                (
                    op.path(&encode_segment(&key)),
                    None,
                    DataOperation::PROTOCOL.content_type(),
                    DataOperation::SIGNING_NAME,
                )
            }
            Wire::Control => (
                "/".to_owned(),
                Some(format!("{}.{operation}", ControlOperation::TARGET_PREFIX)),
                ControlOperation::PROTOCOL.content_type(),
                ControlOperation::SIGNING_NAME,
            ),
            Wire::Kms => (
                "/".to_owned(),
                Some(format!("{}.{operation}", KmsOperation::TARGET_PREFIX)),
                KmsOperation::PROTOCOL.content_type(),
                KmsOperation::SIGNING_NAME,
            ),
            Wire::Extension => (
                format!("/_paycrypt/{operation}"),
                None,
                Protocol::RestJson1.content_type(),
                ControlOperation::SIGNING_NAME,
            ),
        };
        let bytes = serde_json::to_vec(&body).map_err(|e| local(format!("cannot write the request: {e}")))?;
        let mut headers: Vec<(&str, &str)> = vec![("Host", &self.host), ("Content-Type", content_type)];
        if let Some(target) = &target {
            headers.push(("X-Amz-Target", target));
        }
        let request = Request {
            method: "POST",
            path: &path,
            query: "",
            headers: headers.clone(),
            payload: Payload::Body(&bytes),
        };
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let signed = sign(&request, &self.credentials, &self.region, service, now);
        let mut call = self.agent.post(format!("{}{path}", self.base));
        for (name, value) in headers.iter().filter(|(n, _)| *n != "Host") {
            call = call.header(*name, *value);
        }
        for (name, value) in &signed {
            call = call.header(*name, value.as_str());
        }
        let mut response = call.send(&bytes[..]).map_err(|e| {
            Failure::Local(
                CliError::new(format!("cannot reach {}: {e}", self.base))
                    .hint("is `paycrypt serve` running there?"),
            )
        })?;
        let status = response.status().as_u16();
        let error_type = response
            .headers()
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(':').next().unwrap_or(v).to_owned());
        let text = response
            .body_mut()
            .read_to_vec()
            .map_err(|e| local(format!("cannot read the response from {}: {e}", self.base)))?;
        let json: Value = if text.is_empty() {
            Value::Object(serde_json::Map::new())
        } else {
            serde_json::from_slice(&text).map_err(|e| {
                local(format!("{} answered {status} with a body that is not JSON: {e}", self.base))
            })?
        };
        if (200..300).contains(&status) {
            return Ok(json);
        }
        let exception = error_type
            .or_else(|| {
                json.get("__type")
                    .and_then(Value::as_str)
                    .map(|t| t.rsplit('#').next().unwrap_or(t).to_owned())
            })
            .unwrap_or_else(|| format!("HTTP {status}"));
        let message = ["message", "Message"]
            .iter()
            .find_map(|m| json.get(*m).and_then(Value::as_str))
            .map(str::to_owned)
            .or_else(|| {
                json.get("ResourceId").and_then(Value::as_str).map(|id| format!("{id} was not found."))
            })
            .unwrap_or_default();
        Err(Failure::Remote { exception, message })
    }
}

/// The credentials to sign with: `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` (and
/// `AWS_SESSION_TOKEN`), else the profile (`--profile`, `AWS_PROFILE`, `default`) of the shared
/// credentials file (`AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`), else `test`/`test`, which a
/// loopback `paycrypt serve` without configured credentials accepts.
pub(crate) fn credentials(profile: Option<&str>) -> Result<Credentials, Failure> {
    if let (Ok(id), Ok(secret)) = (std::env::var("AWS_ACCESS_KEY_ID"), std::env::var("AWS_SECRET_ACCESS_KEY"))
    {
        return Ok(Credentials::new(id, secret, std::env::var("AWS_SESSION_TOKEN").ok()));
    }
    let named = profile.map(str::to_owned).or_else(|| std::env::var("AWS_PROFILE").ok());
    let file = std::env::var_os("AWS_SHARED_CREDENTIALS_FILE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".aws").join("credentials")));
    if let Some(file) = file.filter(|f| f.exists()) {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| local(format!("cannot read {}: {e}", file.display())))?;
        let parsed = CredentialsFile::parse(&text).map_err(|e| local(format!("{}: {e}", file.display())))?;
        let wanted = named.as_deref().unwrap_or("default");
        match parsed.profile(wanted) {
            Some(c) => return Ok(c.clone()),
            None if named.is_some() => {
                return Err(Failure::Config(format!("The config profile ({wanted}) could not be found")));
            }
            None => {}
        }
    } else if let Some(name) = named {
        return Err(Failure::Config(format!("The config profile ({name}) could not be found")));
    }
    Ok(Credentials::new("test", "test", None))
}

/// Percent-encodes a path segment: everything but RFC 3986's unreserved characters.
fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn read(path: &Path, flag: &str) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| local(format!("{flag} {}: {e}", path.display())))
}

fn pem_certs(pem: &[u8], path: &Path, flag: &str) -> Result<Vec<Certificate<'static>>, Failure> {
    let certs: Vec<Certificate<'static>> = ureq::tls::parse_pem(pem)
        .filter_map(|item| match item {
            Ok(ureq::tls::PemItem::Certificate(c)) => Some(Ok(c)),
            Ok(_) => None,
            Err(e) => Some(Err(e)),
        })
        .collect::<Result<_, _>>()
        .map_err(|e| local(format!("{flag} {}: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(local(format!("{flag} {}: no PEM certificate in the file", path.display())));
    }
    Ok(certs)
}

fn local(message: String) -> Failure {
    Failure::Local(CliError::new(message))
}

fn parameter(message: String) -> Failure {
    Failure::Parameter { flag: "--endpoint-url", message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_encoded_as_botocore_does() {
        assert_eq!(
            encode_segment("arn:aws:payment-cryptography:us-east-1:111122223333:key/abc"),
            "arn%3Aaws%3Apayment-cryptography%3Aus-east-1%3A111122223333%3Akey%2Fabc"
        );
        assert_eq!(encode_segment("alias/a_b-c.d~e"), "alias%2Fa_b-c.d~e");
    }
}
