//! One request's way through the server: body read (bounded) → SigV4 check → route by path and
//! `X-Amz-Target` → fault rules → the service operation → the reply, and the log line.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::CONTENT_TYPE;
use hyper::{Request, Response};
use serde_json::{Map, Value, json};

use crate::action::{self, ActionError, ActionErrorType};
use crate::keys::Timestamp;
use crate::server::reply::{Reply, bad_json, render, unknown_operation};
use crate::server::{Api, ApiOperation, Config, Faults, Route, SharedStore, route};
use crate::service::kms::Kms;
use crate::service::{
    ControlOperation, DataOperation, KmsOperation, PaymentCryptography, SeedFile, ServiceError,
};
use crate::sigv4::{CredentialsFile, Payload, SigV4Error};

/// The state every request sees.
pub(super) struct App {
    store: SharedStore,
    payments: PaymentCryptography<SharedStore>,
    kms: Kms<SharedStore>,
    seed: Option<SeedFile>,
    faults: Option<Faults>,
    body_limit: usize,
    log_requests: bool,
    ids: RequestIds,
    credentials: CredentialsFile,
    region: String,
    loopback_hosts_only: bool,
    allow_reset: bool,
    tls: bool,
    body_timeout: Duration,
}

/// A finished request, for the log line.
struct Outcome {
    operation: String,
    key: Option<String>,
}

impl App {
    /// The services over the configured store, and the request-independent settings.
    pub(super) fn new(config: Config) -> Self {
        let payments = PaymentCryptography::new(Arc::clone(&config.store), config.settings.clone());
        let kms = Kms::new(Arc::clone(&config.store), config.settings.clone());
        App {
            store: config.store,
            payments,
            kms,
            seed: config.seed,
            faults: config.faults,
            body_limit: config.body_limit,
            log_requests: config.log_requests,
            ids: RequestIds::new(),
            region: config.settings.region.to_string(),
            credentials: config.credentials,
            loopback_hosts_only: config.loopback_hosts_only,
            allow_reset: config.allow_reset,
            tls: config.tls.is_some(),
            body_timeout: config.limits.body_timeout,
        }
    }

    /// One request, start to finish: read the body (bounded), check the signature, route, dispatch,
    /// render the reply, write the log line.
    pub(super) async fn handle(self: Arc<Self>, req: Request<Incoming>) -> Response<Full<Bytes>> {
        let started = Instant::now();
        let request_id = self.ids.next();
        let (parts, body) = req.into_parts();
        let target = parts.headers.get("x-amz-target").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let routed = route(parts.method.as_str(), parts.uri.path(), target.as_deref());
        let api = match routed.api() {
            Some(api) => api,
            None if target.as_deref().is_some_and(|t| t.starts_with(KmsOperation::TARGET_PREFIX)) => Api::Kms,
            None if target.is_some() => Api::Control,
            None => Api::Data,
        };
        let mut outcome = Outcome { operation: operation_label(&routed), key: None };
        // The guard and the header half of SigV4 before the body is read: a caller without a known
        // access key, a valid scope and a current date cannot make the server read a large body.
        let before_body = self.guard(&routed, api, &parts).and_then(|()| {
            self.authenticate(&routed, api, &parts, None)
                .map_err(|e| Reply::message(api, e.http_status(), e.exception(), &e.message()))
        });
        let reply = match before_body {
            Err(reply) => reply,
            Ok(()) => {
                match tokio::time::timeout(self.body_timeout, Limited::new(body, self.body_limit).collect())
                    .await
                {
                    Err(_) => Reply::message(
                        api,
                        408,
                        "RequestTimeoutException",
                        &format!(
                            "The request body did not arrive within {} seconds.",
                            self.body_timeout.as_secs()
                        ),
                    ),
                    Ok(Err(_)) => Reply::message(
                        api,
                        413,
                        "RequestEntityTooLargeException",
                        &format!("The request body is larger than {} bytes.", self.body_limit),
                    ),
                    Ok(Ok(collected)) => {
                        let body = collected.to_bytes();
                        match self.authenticate(&routed, api, &parts, Some(&body)) {
                            Ok(()) => self.dispatch(routed, api, &parts, &body, &mut outcome).await,
                            Err(e) => Reply::message(api, e.http_status(), e.exception(), &e.message()),
                        }
                    }
                }
            }
        };
        let status = reply.status;
        let response = render(reply, &request_id);
        if self.log_requests {
            log_line(&request_id, &outcome, status, started.elapsed());
        }
        response
    }

    /// What is refused before the signature is looked at: with the well-known test credentials, a
    /// `Host` that is not a loopback name (a browser page that rebound its DNS name to 127.0.0.1 sends
    /// its own name); over plain HTTP, `UNSIGNED-PAYLOAD` (the body would be unauthenticated on the
    /// wire: AWS accepts it only over TLS).
    fn guard(&self, routed: &Route, api: Api, parts: &hyper::http::request::Parts) -> Result<(), Reply> {
        if matches!(routed, Route::Health) {
            return Ok(());
        }
        if self.loopback_hosts_only {
            let host = parts
                .headers
                .get("host")
                .and_then(|v| v.to_str().ok())
                .or_else(|| parts.uri.authority().map(hyper::http::uri::Authority::as_str))
                .unwrap_or("");
            if !is_loopback_host(host) {
                return Err(Reply::message(
                    api,
                    403,
                    "UnrecognizedClientException",
                    &format!(
                        "The well-known test credentials are accepted only for requests to a loopback host \
                         (localhost, 127.0.0.1, [::1]); this request is for host '{}'. Start paycrypt serve with \
                         --credentials to serve other host names.",
                        log_field(host)
                    ),
                ));
            }
        }
        let unsigned = parts
            .headers
            .get("x-amz-content-sha256")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() == "UNSIGNED-PAYLOAD");
        if unsigned && !self.tls {
            return Err(Reply::message(
                api,
                400,
                "InvalidSignatureException",
                "UNSIGNED-PAYLOAD is accepted only over TLS: sign the body (x-amz-content-sha256 = its SHA-256) \
                 or connect with https.",
            ));
        }
        Ok(())
    }

    /// Checks the request's SigV4 signature (every route but the health check), and that it was
    /// signed for the API it calls: without the body, everything but the signature itself
    /// ([`crate::sigv4::precheck`]); with it, the whole signature.
    fn authenticate(
        &self,
        routed: &Route,
        api: Api,
        parts: &hyper::http::request::Parts,
        body: Option<&[u8]>,
    ) -> Result<(), SigV4Error> {
        if matches!(routed, Route::Health) {
            return Ok(());
        }
        let headers: Vec<(&str, &str)> = parts
            .headers
            .iter()
            .filter_map(|(name, value)| value.to_str().ok().map(|v| (name.as_str(), v)))
            .collect();
        let request = crate::sigv4::Request {
            method: parts.method.as_str(),
            path: parts.uri.path(),
            query: parts.uri.query().unwrap_or(""),
            headers,
            payload: Payload::Body(body.unwrap_or_default()),
        };
        let one;
        let services: &[&str] = match routed.api() {
            Some(api) => {
                one = [api.signing_name()];
                &one
            }
            None if api == Api::Kms => &[KmsOperation::SIGNING_NAME],
            None => &[DataOperation::SIGNING_NAME, KmsOperation::SIGNING_NAME],
        };
        let now =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        match body {
            None => crate::sigv4::precheck(&request, &self.credentials, &self.region, services, now),
            Some(_) => {
                crate::sigv4::verify(&request, &self.credentials, &self.region, services, now).map(|_| ())
            }
        }
    }

    /// Answers a routed, authenticated request.
    async fn dispatch(
        self: &Arc<Self>,
        routed: Route,
        api: Api,
        parts: &hyper::http::request::Parts,
        body: &[u8],
        outcome: &mut Outcome,
    ) -> Reply {
        match routed {
            Route::Health => Reply::ok(api, json!({ "Status": "ok" })),
            Route::Unknown(what) => Reply::message(
                api,
                501,
                "UnknownOperationException",
                &format!(
                    "Unknown operation: {what}. paycrypt serves the payment-cryptography data plane, the payment-cryptography control plane and KMS."
                ),
            ),
            Route::BadPath(path) => Reply::message(
                Api::Data,
                400,
                "ValidationException",
                &format!("The key identifier in {path} is not valid percent-encoded UTF-8."),
            ),
            Route::Extension(name) => self.extension(&name, body, outcome).await,
            Route::Operation { op, uri_key } => {
                let uri_key = match (op, uri_key) {
                    (ApiOperation::Data(data), Some(key)) => Some((data.uri_member(), key)),
                    _ => None,
                };
                self.call(op.api(), op.as_str(), Some(op), uri_key, parts, body, outcome).await
            }
            Route::UnknownOperation { api, name } => {
                self.call(api, &name, None, None, parts, body, outcome).await
            }
        }
    }

    /// Parses an operation's body, applies the fault rules, and runs the operation (`None`: a name
    /// not in the API's table, answered 501 after the same checks).
    #[allow(clippy::too_many_arguments)]
    async fn call(
        self: &Arc<Self>,
        api: Api,
        name: &str,
        op: Option<ApiOperation>,
        uri_key: Option<(&'static str, String)>,
        parts: &hyper::http::request::Parts,
        body: &[u8],
        outcome: &mut Outcome,
    ) -> Reply {
        let mut input = match parse_body(api, parts, body) {
            Ok(v) => v,
            Err(reply) => return *reply,
        };
        if let Some((member, key)) = uri_key {
            input.insert(member.to_owned(), Value::String(key));
        }
        let key = request_key(&input);
        outcome.key = key.clone();
        if let Some(faults) = &self.faults {
            let resolve = |k: &str| -> Option<String> {
                if api == Api::Kms {
                    self.kms.key_arn_of(k)
                } else {
                    self.payments.key_arn_of(k).map(|arn| arn.to_string())
                }
            };
            // A KMS request may name its key only inside its ciphertext blob.
            let arn = if api == Api::Kms {
                self.kms.key_of_request(&input)
            } else {
                key.as_deref().and_then(resolve)
            };
            let keys: Vec<&str> = key.iter().chain(arn.iter()).map(String::as_str).collect();
            let verdict = faults.check(api, name, &keys, &resolve);
            if verdict.latency_ms > 0 {
                tokio::time::sleep(Duration::from_millis(verdict.latency_ms)).await;
            }
            if let Some(e) = verdict.error {
                return Reply::message(api, e.status, &e.exception, &e.message);
            }
        }
        match op {
            Some(op) => self.operation(op, input, outcome).await,
            None => unknown_operation(api, name),
        }
    }

    /// Runs one AWS operation: inline when it only reads the store and computes, off the async
    /// workers when it writes (a store transaction, and RSA key generation for CreateKey).
    async fn operation(
        self: &Arc<Self>,
        op: ApiOperation,
        input: Map<String, Value>,
        outcome: &mut Outcome,
    ) -> Reply {
        let api = op.api();
        let input = Value::Object(input);
        match op {
            ApiOperation::Data(op) => match self.payments.dispatch(op.into(), input) {
                Ok(out) => Reply::ok(api, out),
                Err(e) => Reply::service(api, &e),
            },
            ApiOperation::Control(op) => {
                if op == ControlOperation::ImportKey
                    && input.get("KeyMaterial").and_then(|m| m.get("ClearKey")).is_some()
                {
                    return Reply::service(
                        api,
                        &ServiceError::field(
                            "KeyMaterial.ClearKey",
                            "ClearKey is not an AWS ImportKey member: paycrypt takes clear key material on POST /_paycrypt/import-key.",
                        ),
                    );
                }
                match self.run(op.writes(), move |app| app.payments.dispatch(op.into(), input)).await {
                    Some(Ok(out)) => {
                        if let Some(arn) = response_key(&out) {
                            outcome.key = Some(arn);
                        }
                        Reply::ok(api, out)
                    }
                    Some(Err(e)) => Reply::service(api, &e),
                    None => Reply::message(
                        api,
                        500,
                        "InternalServerException",
                        "The operation failed unexpectedly.",
                    ),
                }
            }
            ApiOperation::Kms(op) => {
                match self.run(op.writes(), move |app| app.kms.dispatch(op, input)).await {
                    Some(Ok(out)) => {
                        if let Some(arn) = out
                            .get("KeyId")
                            .or_else(|| out.get("KeyMetadata").and_then(|m| m.get("Arn")))
                            .and_then(Value::as_str)
                        {
                            outcome.key = Some(arn.to_owned());
                        }
                        Reply::ok(api, out)
                    }
                    Some(Err(e)) => Reply::kms(&e),
                    None => {
                        Reply::message(api, 500, "KMSInternalException", "The operation failed unexpectedly.")
                    }
                }
            }
        }
    }

    /// Runs `work` on this task when `blocking` is false, else on the blocking pool; `None` when the
    /// blocking task died.
    async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        blocking: bool,
        work: impl FnOnce(&App) -> T + Send + 'static,
    ) -> Option<T> {
        if !blocking {
            return Some(work(self));
        }
        let app = Arc::clone(self);
        tokio::task::spawn_blocking(move || work(&app)).await.ok()
    }

    /// paycrypt's own routes.
    async fn extension(self: &Arc<Self>, name: &str, body: &[u8], outcome: &mut Outcome) -> Reply {
        if let Some(which) = name.strip_prefix("action/") {
            return self.action(which == "encrypt-data", body).await;
        }
        let api = Api::Control;
        let app = Arc::clone(self);
        let name = name.to_owned();
        let body = body.to_vec();
        let result = tokio::task::spawn_blocking(move || -> Result<Value, Reply> {
            let text: Value = if body.is_empty() {
                json!({})
            } else {
                serde_json::from_slice(&body).map_err(|e| bad_json(api, &e))?
            };
            match name.as_str() {
                "import-key" => app
                    .payments
                    .dispatch(ControlOperation::ImportKey.into(), text)
                    .map_err(|e| Reply::service(api, &e)),
                "seed" => {
                    let file: SeedFile = serde_json::from_value(text).map_err(|e| {
                        Reply::service(api, &ServiceError::validation(format!("Invalid seed file: {e}.")))
                    })?;
                    let report = app.payments.seed(&file).map_err(|e| Reply::service(api, &e))?;
                    serde_json::to_value(report).map_err(|e| Reply::message(api, 500, "InternalServerException", &e.to_string()))
                }
                "reset" if !app.allow_reset => Err(Reply::message(
                    api,
                    403,
                    "AccessDeniedException",
                    "POST /_paycrypt/reset empties the key store: it is allowed on an --ephemeral store, or when \
                     paycrypt serve was started with --allow-reset.",
                )),
                "reset" => app.reset().map_err(|e| Reply::service(api, &e)),
                other => Err(Reply::message(
                    api,
                    501,
                    "UnknownOperationException",
                    &format!("Unknown operation: POST /_paycrypt/{other}. paycrypt's own routes are reset, import-key and seed."),
                )),
            }
        })
        .await;
        match result {
            Ok(Ok(out)) => {
                outcome.key = response_key(&out);
                Reply::ok(api, out)
            }
            Ok(Err(reply)) => reply,
            Err(_) => {
                Reply::message(api, 500, "InternalServerException", "The operation failed unexpectedly.")
            }
        }
    }

    /// The flow actions, on the server's KMS keys: `{"keyArn", "organizationId", "data"}` (encrypt) or
    /// `{"keyArn", "organizationId", "encryptedData"}` (decrypt) in; 200 with `{"encryptedData"}` or
    /// `{"data"}`, or 400 with the action's failure output `{"errorType", "errorMessage"}`.
    async fn action(self: &Arc<Self>, encrypt: bool, body: &[u8]) -> Reply {
        let app = Arc::clone(self);
        let body = body.to_vec();
        let result = tokio::task::spawn_blocking(move || -> Result<Value, ActionError> {
            let request = match serde_json::from_slice::<Value>(&body) {
                Ok(Value::Object(map)) => map,
                _ => {
                    return Err(ActionError::new(
                        ActionErrorType::GeneralError,
                        "The request body must be a JSON object.",
                    ));
                }
            };
            let text = |member: &str| -> Result<Option<&str>, ActionError> {
                match request.get(member) {
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::String(s)) => Ok(Some(s)),
                    Some(_) => Err(ActionError::new(
                        ActionErrorType::GeneralError,
                        format!("{member} must be a string."),
                    )),
                }
            };
            let key = text("keyArn")?;
            let organization = text("organizationId")?.unwrap_or_default();
            if encrypt {
                action::encrypt_data(&app.kms, key, organization, request.get("data"))
                    .map(|encrypted| json!({ "encryptedData": encrypted }))
            } else {
                action::decrypt_data(&app.kms, key, organization, text("encryptedData")?)
                    .map(|data| json!({ "data": data }))
            }
        })
        .await;
        match result {
            Ok(Ok(out)) => Reply::ok(Api::Data, out),
            Ok(Err(e)) => Reply::plain(Api::Data, 400, serde_json::to_value(&e).unwrap_or_default()),
            Err(_) => Reply::plain(
                Api::Data,
                500,
                json!({ "errorType": "GeneralError", "errorMessage": "The action failed unexpectedly." }),
            ),
        }
    }

    /// Empties the store, seeds it again and restarts the fault counters.
    fn reset(&self) -> Result<Value, ServiceError> {
        self.store.clear()?;
        let report = match &self.seed {
            Some(seed) => self.payments.seed(seed)?,
            None => Default::default(),
        };
        if let Some(faults) = &self.faults {
            faults.reset();
        }
        serde_json::to_value(report).map_err(|e| ServiceError::Internal(e.to_string()))
    }
}

/// Parses the request body of an operation into a JSON object, checking the content type of the
/// awsJson protocols.
fn parse_body(
    api: Api,
    parts: &hyper::http::request::Parts,
    body: &[u8],
) -> Result<Map<String, Value>, Box<Reply>> {
    if api != Api::Data {
        let content_type = parts.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        let essence = content_type.split(';').next().unwrap_or("").trim();
        if !essence.eq_ignore_ascii_case(api.content_type()) {
            return Err(Box::new(Reply::message(
                api,
                400,
                "SerializationException",
                &format!(
                    "Content-Type '{content_type}' is not supported: this API takes {}.",
                    api.content_type()
                ),
            )));
        }
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Box::new(Reply::message(
            api,
            400,
            if api == Api::Data { "ValidationException" } else { "SerializationException" },
            "The request body must be a JSON object.",
        ))),
        Err(e) => Err(Box::new(bad_json(api, &e))),
    }
}

/// The key a request names, for the log and the fault rules.
fn request_key(input: &Map<String, Value>) -> Option<String> {
    ["KeyIdentifier", "IncomingKeyIdentifier", "KeyId", "SourceKeyId", "AliasName", "TargetKeyId"]
        .iter()
        .find_map(|m| input.get(*m).and_then(Value::as_str))
        .map(str::to_owned)
}

/// The key ARN a response names, for the log.
fn response_key(out: &Value) -> Option<String> {
    out.get("KeyArn")
        .or_else(|| out.get("Key").and_then(|k| k.get("KeyArn")))
        .or_else(|| out.get("Alias").and_then(|a| a.get("KeyArn")))
        .or_else(|| out.get("KeyId"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn operation_label(routed: &Route) -> String {
    match routed {
        Route::Operation { op, .. } => op.as_str().to_owned(),
        Route::UnknownOperation { name, .. } => name.clone(),
        Route::Health => "_paycrypt/health".into(),
        Route::Extension(name) => format!("_paycrypt/{name}"),
        Route::Unknown(_) | Route::BadPath(_) => "-".into(),
    }
}

/// `localhost`, an IPv4 loopback address or `[::1]`, with or without a port.
fn is_loopback_host(host: &str) -> bool {
    let host = host.trim();
    let name = if let Some(rest) = host.strip_prefix('[') {
        match rest.split_once(']') {
            Some((inner, port)) if port.is_empty() || port.strip_prefix(':').is_some_and(is_port) => inner,
            _ => return false,
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if is_port(port) => name,
            Some(_) => return false,
            None => host,
        }
    };
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn is_port(text: &str) -> bool {
    !text.is_empty() && text.len() <= 5 && text.bytes().all(|b| b.is_ascii_digit())
}

fn log_line(request_id: &str, outcome: &Outcome, status: u16, elapsed: Duration) {
    eprintln!("{}", format_log_line(&Timestamp::now().to_iso8601(), request_id, outcome, status, elapsed));
}

/// One access-log line: time, request id, operation, key, status, duration, separated by spaces. The
/// operation and key come from the caller (X-Amz-Target, the URI, the body), before or without
/// authentication: [`log_field`] escapes them, so no caller can end a line or shift a field.
fn format_log_line(now: &str, request_id: &str, outcome: &Outcome, status: u16, elapsed: Duration) -> String {
    let key = outcome.key.as_deref().unwrap_or("-");
    format!(
        "{now} {request_id} {} {} {status} {:.3}ms",
        log_field(&outcome.operation),
        log_field(key),
        elapsed.as_secs_f64() * 1000.0
    )
}

/// `text` with control characters (C0, DEL, C1, and the Unicode line and paragraph separators),
/// spaces and backslashes written as `\xNN` / `\u{NNNN}`; an empty field as `""`.
fn log_field(text: &str) -> std::borrow::Cow<'_, str> {
    let plain = |c: char| !(c.is_control() || c == ' ' || c == '\\' || c == '\u{2028}' || c == '\u{2029}');
    if !text.is_empty() && text.chars().all(plain) {
        return std::borrow::Cow::Borrowed(text);
    }
    if text.is_empty() {
        return std::borrow::Cow::Borrowed("\"\"");
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if plain(c) {
            out.push(c);
        } else if u32::from(c) < 0x100 {
            out.push_str(&format!("\\x{:02x}", u32::from(c)));
        } else {
            out.push_str(&format!("\\u{{{:04x}}}", u32::from(c)));
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Request ids shaped like AWS's (UUID form): a random 64-bit prefix fixed at start, then a counter.
struct RequestIds {
    prefix: u64,
    next: AtomicU64,
}

impl RequestIds {
    fn new() -> Self {
        let mut seed = [0u8; 16];
        // Without randomness the ids are still unique within the process.
        let _ = getrandom::fill(&mut seed);
        let (a, b) = seed.split_at(8);
        let to_u64 = |s: &[u8]| s.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        RequestIds { prefix: to_u64(a), next: AtomicU64::new(to_u64(b) >> 16) }
    }

    fn next(&self) -> String {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let p = self.prefix;
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            p >> 32,
            (p >> 16) & 0xffff,
            p & 0xfff,
            0x8000 | ((n >> 48) & 0x3fff),
            n & 0xffff_ffff_ffff
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(operation: &str, key: Option<&str>) -> String {
        let outcome = Outcome { operation: operation.to_owned(), key: key.map(str::to_owned) };
        format_log_line("2026-12-06T00:00:00Z", "id", &outcome, 200, Duration::from_micros(1500))
    }

    #[test]
    fn loopback_hosts() {
        for host in [
            "localhost",
            "LOCALHOST:8080",
            "127.0.0.1",
            "127.0.0.1:443",
            "127.9.8.7:1",
            "[::1]",
            "[::1]:8080",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "",
            "evil.example",
            "evil.example:8080",
            "localhost.evil.example",
            "127.0.0.1.nip.io",
            "10.0.0.1",
            "[::2]:80",
            "::1",
            "localhost:",
            "localhost:8080x",
            "[::1]x",
            "0.0.0.0:8080",
            "localhost:123456",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    #[test]
    fn caller_text_cannot_forge_a_log_line_or_shift_a_field() {
        assert_eq!(
            line("EncryptData", Some("alias/zone")),
            "2026-12-06T00:00:00Z id EncryptData alias/zone 200 1.500ms"
        );
        assert_eq!(line("Decrypt", None), "2026-12-06T00:00:00Z id Decrypt - 200 1.500ms");
        let forged = line(
            "X\n2026-12-06T00:00:01Z id CreateKey alias/admin 200 0.1ms",
            Some("k\r\u{1b}[2J \\ \u{85}\u{2028}"),
        );
        assert_eq!(forged.lines().count(), 1, "{forged}");
        assert_eq!(forged.split(' ').count(), 6, "{forged}");
        assert!(forged.contains(r"X\x0a2026-12-06T00:00:01Z\x20id\x20CreateKey"), "{forged}");
        assert!(forged.contains(r"k\x0d\x1b[2J\x20\x5c\x20\x85\u{2028}"), "{forged}");
        assert_eq!(line("", Some("")), "2026-12-06T00:00:00Z id \"\" \"\" 200 1.500ms");
        // Unicode that is not a control character stays readable.
        assert!(line("EncryptData", Some("alias/clé")).contains(" alias/clé "));
    }
}
