//! `paycrypt serve`: AWS Payment Cryptography (data plane restJson1, control plane awsJson1_0) and KMS
//! (awsJson1_1) on one HTTP listener, so unmodified AWS SDKs can be pointed at it.
//!
//! Every request goes: body read (bounded) → SigV4 check → route by path and `X-Amz-Target` → fault
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

use hyper_util::rt::{TokioExecutor, TokioIo};
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
        Ok(Server { listener, app: Arc::new(App::new(config)), tls })
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
        let builder = auto::Builder::new(TokioExecutor::new());
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
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
                    let conn = builder.serve_connection(TokioIo::new(stream), service).into_owned();
                    let conn = graceful.watch(conn);
                    tokio::spawn(async move {
                        let _ = conn.await;
                    });
                }
                Some(acceptor) => {
                    // The handshake runs in the connection's task so a slow client blocks no one.
                    let acceptor = acceptor.clone();
                    let builder = builder.clone();
                    let watcher = graceful.watcher();
                    tokio::spawn(async move {
                        let Ok(Ok(tls)) =
                            tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream)).await
                        else {
                            return;
                        };
                        let conn = builder.serve_connection(TokioIo::new(tls), service).into_owned();
                        let _ = watcher.watch(conn).await;
                    });
                }
            }
        }
        drop(self.listener);
        let _ = tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown()).await;
    }
}
