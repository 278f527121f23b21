//! `paycrypt serve`: the local AWS endpoint.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use paycrypt::keys::{AccountId, FileStore, MemoryStore, OpenOptions, Region, default_data_dir};
use paycrypt::server::{Config, DEFAULT_BODY_LIMIT, Faults, Limits, Server, SharedStore, TlsFiles};
use paycrypt::service::{PaymentCryptography, SeedFile, Settings};
use paycrypt::sigv4::{Credentials, CredentialsFile};

use crate::cli::CliError;
use crate::cli::global::GlobalArgs;

/// `serve`.
#[derive(Args)]
pub(crate) struct ServeArgs {
    /// The address to listen on (port 0: any free port, printed in the ready line)
    #[arg(
        long,
        env = "PAYCRYPT_LISTEN",
        default_value = "127.0.0.1:8080",
        value_name = "ADDR:PORT",
        hide_env_values = true
    )]
    listen: SocketAddr,
    /// Keep keys in memory only: nothing is written, everything is gone at exit
    #[arg(long)]
    ephemeral: bool,
    /// A seed file of keys and aliases, loaded at start and again by POST /_paycrypt/reset
    #[arg(long, value_name = "FILE")]
    seed: Option<PathBuf>,
    /// Fault injection rules (JSON)
    #[arg(long, value_name = "FILE")]
    faults: Option<PathBuf>,
    /// The server's certificate chain (PEM): serve HTTPS
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The server's private key (PEM)
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Require a client certificate chaining to this CA (PEM): mutual TLS
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    client_ca: Option<PathBuf>,
    /// The largest request body accepted, in bytes
    #[arg(long, default_value_t = DEFAULT_BODY_LIMIT, value_name = "BYTES")]
    max_body_bytes: usize,
    /// The access keys accepted (AWS credentials file format; every profile's key is accepted)
    #[arg(long, env = "PAYCRYPT_CREDENTIALS", value_name = "FILE", hide_env_values = true)]
    credentials: Option<PathBuf>,
    /// No per-request log lines
    #[arg(long)]
    quiet: bool,
    /// Let POST /_paycrypt/reset empty a store kept on disk (always allowed with --ephemeral)
    #[arg(long)]
    allow_reset: bool,
    /// Seconds a client has to send a request's headers (HTTP/1.1; also closes idle keep-alive connections)
    #[arg(long, default_value_t = 20, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    header_timeout: u64,
    /// Seconds a client has to send a request's body once its headers arrived (else 408)
    #[arg(long, default_value_t = 30, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    body_timeout: u64,
    /// Connections served at once; more wait in the listen backlog
    #[arg(long, default_value_t = 1024, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    max_connections: u64,
    /// Concurrent streams per HTTP/2 connection
    #[arg(long, default_value_t = 32, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1000))]
    max_streams: u32,
}

pub(crate) fn run(args: ServeArgs, g: &GlobalArgs) -> Result<(), CliError> {
    if args.ephemeral && g.data_dir.is_some() && std::env::var_os("PAYCRYPT_DATA_DIR").is_none() {
        return Err(CliError::new("--ephemeral keeps no store, so it takes no --data-dir")
            .hint("drop one of --ephemeral and --data-dir"));
    }
    let region = Region::parse(&g.region).map_err(|e| CliError::new(format!("--region: {e}")))?;
    let account = AccountId::parse(&g.account_id).map_err(|e| CliError::new(format!("--account-id: {e}")))?;
    let settings = Settings { region, account };
    let mut banner = vec![format!("paycrypt serve {}", env!("CARGO_PKG_VERSION"))];

    let store: SharedStore = if args.ephemeral {
        banner.push("  store:    in memory (--ephemeral): nothing is kept at exit".into());
        Arc::new(MemoryStore::new())
    } else {
        let dir = g.data_dir.clone().unwrap_or_else(default_data_dir);
        let store = FileStore::open(&dir, &OpenOptions::default()).map_err(|e| {
            CliError::new(format!("cannot open the key store in {}: {e}", dir.display()))
                .hint("choose another store with --data-dir, or serve from memory with --ephemeral")
        })?;
        banner.push(format!("  store:    {}", dir.display()));
        Arc::new(store)
    };
    banner.push(format!("  region:   {}   account: {}", settings.region, settings.account));

    let seed = match &args.seed {
        None => None,
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| CliError::new(format!("cannot read the seed file {}: {e}", path.display())))?;
            let file: SeedFile = serde_json::from_str(&text)
                .map_err(|e| CliError::new(format!("invalid seed file {}: {e}", path.display())))?;
            let report = PaymentCryptography::new(Arc::clone(&store), settings.clone())
                .seed(&file)
                .map_err(|e| CliError::new(format!("cannot seed from {}: {e}", path.display())))?;
            banner.push(format!(
                "  seed:     {} ({} keys added, {} unchanged; {} aliases added, {} unchanged)",
                path.display(),
                report.keys_added,
                report.keys_unchanged,
                report.aliases_added,
                report.aliases_unchanged
            ));
            Some(file)
        }
    };

    let faults = match &args.faults {
        None => None,
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| CliError::new(format!("cannot read the fault file {}: {e}", path.display())))?;
            let faults = Faults::from_json(&text)
                .map_err(|e| CliError::new(format!("invalid fault file {}: {e}", path.display())))?;
            banner.push(format!("  faults:   {}", path.display()));
            Some(faults)
        }
    };

    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            Some(TlsFiles { cert: cert.clone(), key: key.clone(), client_ca: args.client_ca.clone() })
        }
        _ => None,
    };
    match &tls {
        Some(TlsFiles { client_ca: Some(ca), .. }) => {
            banner.push(format!("  tls:      on; client certificates required (CA {})", ca.display()));
        }
        Some(_) => banner.push("  tls:      on".into()),
        None => banner.push("  tls:      off".into()),
    }
    let scheme = if tls.is_some() { "https" } else { "http" };
    let (credentials, line, well_known) = credentials(args.credentials.as_deref(), args.listen)?;
    banner.push(line);
    if !args.listen.ip().is_loopback() && tls.is_none() {
        eprintln!(
            "paycrypt serve: warning: listening on {} without TLS: requests, plaintexts and key material travel in clear (--tls-cert/--tls-key)",
            args.listen
        );
    }
    let allow_reset = args.ephemeral || args.allow_reset;
    if !allow_reset {
        banner.push("  reset:    POST /_paycrypt/reset refused on this store (--allow-reset)".into());
    }

    let config = Config {
        store,
        settings,
        seed,
        faults,
        tls,
        body_limit: args.max_body_bytes,
        log_requests: !args.quiet,
        credentials,
        loopback_hosts_only: well_known,
        allow_reset,
        limits: Limits {
            header_timeout: Duration::from_secs(args.header_timeout),
            body_timeout: Duration::from_secs(args.body_timeout),
            max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
            max_streams: args.max_streams,
        },
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::new(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async move {
        let server = Server::bind(args.listen, config).await.map_err(|e| CliError::new(e.to_string()))?;
        let addr =
            server.local_addr().map_err(|e| CliError::new(format!("cannot read the bound address: {e}")))?;
        for line in &banner {
            println!("{line}");
        }
        println!("paycrypt serve: ready on {scheme}://{addr}");
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        server.run(shutdown_signal()).await;
        println!("paycrypt serve: stopped");
        Ok(())
    })
}

/// The accepted access keys: from `--credentials`, else from `PAYCRYPT_ACCESS_KEY_ID` and
/// `PAYCRYPT_SECRET_ACCESS_KEY`, else (on a loopback address only) `test`/`test`; and whether they are
/// those well-known ones.
fn credentials(
    file: Option<&std::path::Path>,
    listen: SocketAddr,
) -> Result<(CredentialsFile, String, bool), CliError> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).map_err(|e| {
            CliError::new(format!("cannot read the credentials file {}: {e}", path.display()))
        })?;
        let parsed = CredentialsFile::parse(&text)
            .map_err(|e| CliError::new(format!("invalid credentials file {}: {e}", path.display())))?;
        if parsed.is_empty() {
            return Err(CliError::new(format!("the credentials file {} has no access key", path.display())));
        }
        let profiles: Vec<&str> = parsed.profile_names().collect();
        let line = format!(
            "  auth:     SigV4; access keys of {} (profiles {})",
            path.display(),
            profiles.join(", ")
        );
        return Ok((parsed, line, false));
    }
    if let (Ok(id), Ok(secret)) =
        (std::env::var("PAYCRYPT_ACCESS_KEY_ID"), std::env::var("PAYCRYPT_SECRET_ACCESS_KEY"))
    {
        let line = format!("  auth:     SigV4; access key {id} (PAYCRYPT_ACCESS_KEY_ID)");
        return Ok((CredentialsFile::from_credentials([Credentials::new(id, secret, None)]), line, false));
    }
    if !listen.ip().is_loopback() {
        return Err(CliError::new(format!(
            "refusing to listen on {listen} with the well-known test credentials"
        ))
        .hint("give --credentials FILE (AWS credentials format) or PAYCRYPT_ACCESS_KEY_ID and PAYCRYPT_SECRET_ACCESS_KEY, or listen on 127.0.0.1"));
    }
    let line = "  auth:     SigV4; no credentials configured, so access key \"test\" with secret \"test\" is accepted, for requests to a loopback host name only".to_owned();
    Ok((CredentialsFile::from_credentials([Credentials::new("test", "test", None)]), line, true))
}

/// Completes on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
