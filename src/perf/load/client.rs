//! The HTTP side of a load run: the endpoint, requests signed once and sent many times, and one
//! keep-alive HTTP/1.1 connection.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1;
use hyper::header::{HeaderName, HeaderValue};
use hyper::{HeaderMap, Request};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpStream;

use super::LoadError;
use super::workload::Call;
use crate::sigv4::{self, Credentials, Payload};

/// How long one request may take before it counts as a `Timeout` error.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// An `http://HOST:PORT` endpoint.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Endpoint {
    url: String,
    authority: String,
}

impl Endpoint {
    /// Parses `http://HOST:PORT` (a trailing `/` allowed).
    ///
    /// # Errors
    /// [`LoadError::Endpoint`] for another scheme (https is not supported), a path, or no host.
    pub fn parse(url: &str) -> Result<Self, LoadError> {
        let bad = |reason: &str| LoadError::Endpoint { url: url.to_owned(), reason: reason.to_owned() };
        let Some(rest) = url.strip_prefix("http://") else {
            return Err(bad("only http://HOST:PORT endpoints are supported"));
        };
        let authority = rest.trim_end_matches('/');
        if authority.is_empty() || authority.contains('/') {
            return Err(bad("give the scheme and authority only (http://HOST:PORT)"));
        }
        let authority =
            if authority.rsplit_once(':').is_some_and(|(_, port)| port.bytes().all(|b| b.is_ascii_digit())) {
                authority.to_owned()
            } else {
                format!("{authority}:80")
            };
        Ok(Endpoint { url: format!("http://{}", rest.trim_end_matches('/')), authority })
    }

    /// The URL, e.g. `http://127.0.0.1:8080`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `HOST:PORT`.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// The `Host` header: the URL's authority as written.
    fn host(&self) -> &str {
        self.url.trim_start_matches("http://")
    }
}

/// One signed request, ready to send again and again.
pub(crate) struct Signed {
    path: String,
    headers: HeaderMap,
    body: Bytes,
}

impl Signed {
    /// Signs `call` for `endpoint` at the current time.
    pub(crate) fn new(
        call: &Call,
        endpoint: &Endpoint,
        credentials: &Credentials,
        region: &str,
    ) -> Result<Self, LoadError> {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        let mut headers = vec![("Host", endpoint.host()), ("Content-Type", call.content_type)];
        if let Some(target) = call.target {
            headers.push(("X-Amz-Target", target));
        }
        let request = sigv4::Request {
            method: "POST",
            path: &call.path,
            query: "",
            headers: headers.clone(),
            payload: Payload::Body(&call.body),
        };
        let added = sigv4::sign(&request, credentials, region, call.service, now);
        let mut map = HeaderMap::new();
        for (name, value) in headers.iter().copied().chain(added.iter().map(|(n, v)| (*n, v.as_str()))) {
            let bad = |_| LoadError::Options(format!("a header that cannot be sent: {name}: {value}"));
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| bad(e.to_string()))?;
            map.insert(name, HeaderValue::from_str(value).map_err(|e| bad(e.to_string()))?);
        }
        Ok(Signed { path: call.path.clone(), headers: map, body: Bytes::from(call.body.clone()) })
    }

    fn request(&self) -> Result<Request<Full<Bytes>>, hyper::http::Error> {
        let mut request = Request::post(self.path.as_str()).body(Full::new(self.body.clone()))?;
        *request.headers_mut() = self.headers.clone();
        Ok(request)
    }
}

/// How one request ended.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// A 200; the body, and whether the connection may be used again.
    Ok { body: Bytes, keep_alive: bool },
    /// An answer other than 200: the AWS exception name (or `HTTP <status>`) and its message.
    Exception { name: String, message: String },
    /// The connection failed; it must not be used again.
    Broken(String),
    /// No answer within the request timeout; the connection must not be used again.
    Timeout,
}

/// One keep-alive HTTP/1.1 connection.
pub(crate) struct Connection {
    sender: http1::SendRequest<Full<Bytes>>,
}

impl Connection {
    /// Connects to `endpoint`.
    pub(crate) async fn open(endpoint: &Endpoint) -> Result<Self, LoadError> {
        let refused = |reason: String| LoadError::Connect { url: endpoint.url().to_owned(), reason };
        let stream = TcpStream::connect(endpoint.authority()).await.map_err(|e| refused(io_reason(&e)))?;
        // Latency over throughput: no Nagle delay on small requests.
        let _ = stream.set_nodelay(true);
        let (sender, conn) =
            http1::handshake(TokioIo::new(stream)).await.map_err(|e| refused(e.to_string()))?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(Connection { sender })
    }

    /// Sends one request and reads its whole answer.
    pub(crate) async fn send(&mut self, signed: &Signed) -> Outcome {
        match tokio::time::timeout(REQUEST_TIMEOUT, self.exchange(signed)).await {
            Ok(outcome) => outcome,
            Err(_) => Outcome::Timeout,
        }
    }

    async fn exchange(&mut self, signed: &Signed) -> Outcome {
        if let Err(e) = self.sender.ready().await {
            return Outcome::Broken(e.to_string());
        }
        let request = match signed.request() {
            Ok(r) => r,
            Err(e) => return Outcome::Broken(e.to_string()),
        };
        let response = match self.sender.send_request(request).await {
            Ok(r) => r,
            Err(e) => return Outcome::Broken(e.to_string()),
        };
        let status = response.status();
        let keep_alive = response.version() == hyper::Version::HTTP_11
            && !response
                .headers()
                .get(hyper::header::CONNECTION)
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"close"));
        let header_type = response
            .headers()
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(':').next().unwrap_or(v).to_owned());
        let body = match response.into_body().collect().await {
            Ok(b) => b.to_bytes(),
            Err(e) => return Outcome::Broken(e.to_string()),
        };
        if status == hyper::StatusCode::OK {
            return Outcome::Ok { body, keep_alive };
        }
        let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let name = header_type
            .or_else(|| {
                json.get("__type")
                    .and_then(Value::as_str)
                    .map(|t| t.rsplit('#').next().unwrap_or(t).to_owned())
            })
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("HTTP {}", status.as_u16()));
        let message =
            ["message", "Message"].iter().find_map(|m| json.get(m).and_then(Value::as_str)).map_or_else(
                || String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned(),
                str::to_owned,
            );
        Outcome::Exception { name, message }
    }
}

/// An I/O error as a short reason: `connection refused`, else the error's own words.
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => "connection refused".to_owned(),
        std::io::ErrorKind::TimedOut => "timed out".to_owned(),
        _ => e.to_string(),
    }
}
