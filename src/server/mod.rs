//! `paycrypt serve`: AWS Payment Cryptography (data plane restJson1, control plane awsJson1_0) and KMS
//! (awsJson1_1) on one HTTP listener, so unmodified AWS SDKs can be pointed at it.
//!
//! Every request goes: guard (loopback `Host` with the test credentials, no `UNSIGNED-PAYLOAD` over
//! plain HTTP) → SigV4 header check → body read (bounded in size and time) → SigV4 check → route by path and `X-Amz-Target` → fault
//! rules → the [`service`](crate::service) operation → the response in the API's protocol, with AWS's
//! status, `x-amzn-ErrorType`, `x-amzn-RequestId` and body `__type`. One log line per request on
//! stderr: time, request id, operation, key, status, latency; never key material or data.
//!
//! paycrypt's own routes: `GET /_paycrypt/health` (no signature needed), and, signed like the rest,
//! `POST /_paycrypt/reset` (empty the store, seed it again, restart the fault counters),
//! `POST /_paycrypt/import-key` (ImportKey with clear key material), `POST /_paycrypt/seed` (a seed
//! file as the body), and the flow actions `POST /_paycrypt/action/encrypt-data` and
//! `POST /_paycrypt/action/decrypt-data` ([`crate::action`], on the server's KMS keys).
//!
//! Here: the listener, its connections and shutdown. Per request: `pipeline` (the stages above, in
//! order), `route` (which API and operation, from the operation tables), `faults` (the rules),
//! `reply` (status, headers and body of each answer).

mod faults;
mod pipeline;
mod reply;
mod route;
mod tls;

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use thiserror::Error;
use tokio::net::TcpListener;

use crate::keys::KeyStore;
use crate::server::pipeline::App;
use crate::service::{SeedFile, Settings};
use crate::sigv4::CredentialsFile;

pub use faults::{FaultFile, FaultFileError, FaultRule, Faults, InjectedError, Verdict};
pub use route::{Api, ApiOperation, Route, percent_decode, route};
pub use tls::{TlsError, TlsFiles};

/// The default request body limit: 1 MiB, far above any AWS request of these APIs.
pub const DEFAULT_BODY_LIMIT: usize = 1 << 20;

/// How long a shutdown waits for in-flight requests before it gives up on them.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// A store the server shares between its services.
pub type SharedStore = Arc<dyn KeyStore>;

/// What the server serves and how.
pub struct Config {
    /// The key store (in memory or on disk).
    pub store: SharedStore,
    /// Region and account of key ARNs; the region is also the SigV4 region.
    pub settings: Settings,
    /// Re-applied by `POST /_paycrypt/reset`.
    pub seed: Option<SeedFile>,
    /// Fault injection rules.
    pub faults: Option<Faults>,
    /// TLS (and mutual TLS) material; plain HTTP without.
    pub tls: Option<TlsFiles>,
    /// The largest request body accepted.
    pub body_limit: usize,
    /// Whether to write one log line per request to stderr.
    pub log_requests: bool,
    /// The access keys whose SigV4 signatures are accepted.
    pub credentials: CredentialsFile,
    /// Accept only requests whose `Host` (or HTTP/2 `:authority`) names a loopback host: set when the
    /// well-known test credentials are in use, so a web page (DNS rebinding) cannot reach the keys.
    pub loopback_hosts_only: bool,
    /// Whether `POST /_paycrypt/reset` may empty the store (an `--ephemeral` one, or `--allow-reset`).
    pub allow_reset: bool,
    /// Timeouts and connection limits.
    pub limits: Limits,
}

/// How long the server waits for slow clients, and how many it serves at once.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub struct Limits {
    /// HTTP/1.1: a request's whole header must arrive within this time, counted from when the server
    /// starts waiting for it, so it also closes a keep-alive connection idle this long (hyper starts the
    /// clock when it waits for the next request). HTTP/2: pings every this long, and a peer that does
    /// not answer one within this long is dropped.
    pub header_timeout: Duration,
    /// A request's body must arrive within this time of its header, or it is answered 408.
    pub body_timeout: Duration,
    /// Connections served at once; further ones wait in the listen backlog until one closes.
    pub max_connections: usize,
    /// Concurrent streams per HTTP/2 connection.
    pub max_streams: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(20),
            body_timeout: Duration::from_secs(30),
            max_connections: 1024,
            max_streams: 32,
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("settings", &self.settings)
            .field("tls", &self.tls)
            .field("body_limit", &self.body_limit)
            .finish_non_exhaustive()
    }
}

/// The server could not start.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
    /// The TLS material is not usable.
    #[error(transparent)]
    Tls(#[from] TlsError),
}

/// A bound server, ready to serve.
pub struct Server {
    listener: TcpListener,
    app: Arc<App>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    limits: Limits,
}

impl Server {
    /// Binds `addr` and prepares the services. Must be called inside a Tokio runtime.
    ///
    /// # Errors
    /// [`ServerError`] when the address cannot be bound or the TLS files are not usable.
    pub async fn bind(addr: SocketAddr, config: Config) -> Result<Self, ServerError> {
        let tls = match &config.tls {
            Some(files) => Some(tokio_rustls::TlsAcceptor::from(files.server_config()?)),
            None => None,
        };
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| ServerError::Bind { addr: addr.to_string(), source })?;
        let limits = config.limits;
        Ok(Server { listener, app: Arc::new(App::new(config)), tls, limits })
    }

    /// The address actually bound (the port is chosen by the system for port 0).
    ///
    /// # Errors
    /// The socket's error.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then stops accepting and waits (up to 10 s) for the
    /// requests in flight to finish.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        let limits = self.limits;
        let mut builder = auto::Builder::new(TokioExecutor::new());
        // Without a timer hyper enforces no header-read timeout at all.
        builder.http1().timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).keep_alive(true);
        builder
            .http2()
            .timer(TokioTimer::new())
            .max_concurrent_streams(limits.max_streams)
            .keep_alive_interval(Some(limits.header_timeout))
            .keep_alive_timeout(limits.header_timeout);
        let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            // A connection slot first: past the cap, clients wait in the kernel's listen backlog.
            let permit = tokio::select! {
                permit = Arc::clone(&slots).acquire_owned() => match permit {
                    Ok(permit) => permit,
                    Err(_) => break,
                },
                () = &mut shutdown => break,
            };
            let (stream, _peer) = tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok(pair) => pair,
                    // A failed accept (e.g. out of file descriptors) must not end the server.
                    Err(_) => { tokio::time::sleep(Duration::from_millis(10)).await; continue; }
                },
                () = &mut shutdown => break,
            };
            // Latency matters more than packet count for small request/response pairs.
            let _ = stream.set_nodelay(true);
            let app = Arc::clone(&self.app);
            let service = hyper::service::service_fn(move |req| {
                let app = Arc::clone(&app);
                async move { Ok::<_, Infallible>(app.handle(req).await) }
            });
            match &self.tls {
                None => {
                    let builder = builder.clone();
                    let watcher = graceful.watcher();
                    tokio::spawn(async move {
                        // hyper's auto builder reads the first bytes (HTTP/1.1 or HTTP/2?) with no
                        // timeout of its own: a client that connects and sends nothing is dropped here.
                        let mut first = [0u8; 1];
                        let Ok(Ok(n)) =
                            tokio::time::timeout(limits.header_timeout, stream.peek(&mut first)).await
                        else {
                            return;
                        };
                        if n == 0 {
                            return;
                        }
                        let conn = builder.serve_connection(TokioIo::new(stream), service).into_owned();
                        let _ = watcher.watch(conn).await;
                        drop(permit);
                    });
                }
                Some(acceptor) => {
                    // The handshake runs in the connection's task so a slow client blocks no one.
                    let acceptor = acceptor.clone();
                    let builder = builder.clone();
                    let watcher = graceful.watcher();
                    tokio::spawn(async move {
                        let Ok(Ok(tls)) =
                            tokio::time::timeout(limits.header_timeout, acceptor.accept(stream)).await
                        else {
                            return;
                        };
                        let conn = builder.serve_connection(TokioIo::new(tls), service).into_owned();
                        let _ = watcher.watch(conn).await;
                        drop(permit);
                    });
                }
            }
        }
        drop(self.listener);
        let _ = tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown()).await;
    }
}
