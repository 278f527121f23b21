//! `paycrypt-ballista`: a Ballista scheduler, an executor with paycrypt's functions over its own key
//! store, or a SQL client submitting to the scheduler. Results on standard output, progress and errors
//! on standard error.

#![forbid(unsafe_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use ballista_core::config::TaskSchedulingPolicy;
use ballista_executor::executor_process::{ExecutorProcessConfig, start_executor_process};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::start_server;
use clap::{Parser, Subcommand};
use paycrypt_datafusion::script;

/// paycrypt's SQL functions across machines with Apache Ballista: start one scheduler, executors (each
/// opening its own key store), then submit SQL with `paycrypt-ballista sql`.
#[derive(Debug, Parser)]
#[command(name = "paycrypt-ballista", version)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run Ballista's scheduler, planning with paycrypt's functions (it holds no key).
    Scheduler(SchedulerArgs),
    /// Run a Ballista executor with paycrypt's functions over the key store in --data-dir.
    Executor(ExecutorArgs),
    /// Run SQL on the scheduler's executors: query results on stdout, or in --output.
    Sql(SqlArgs),
}

#[derive(Debug, clap::Args)]
struct SchedulerArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind_host: String,
    /// The host name executors and clients reach this scheduler by.
    #[arg(long, default_value = "localhost")]
    external_host: String,
    /// The gRPC port.
    #[arg(long, default_value_t = 50050)]
    port: u16,
    /// An executor silent this long is declared lost and its tasks are run again elsewhere.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    executor_timeout: u64,
    /// How many times a task may fail (an executor lost with it counts) before its query fails.
    #[arg(long, default_value_t = 4)]
    task_max_failures: usize,
}

#[derive(Debug, clap::Args)]
struct ExecutorArgs {
    /// This executor's key store [default: $PAYCRYPT_DATA_DIR, else $XDG_DATA_HOME/paycrypt, else
    /// ~/.local/share/paycrypt]; its master key comes from the environment, as for every paycrypt command.
    #[arg(long, env = "PAYCRYPT_DATA_DIR", value_name = "DIR", hide_env_values = true)]
    data_dir: Option<PathBuf>,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind_host: String,
    /// The host name the scheduler and other executors reach this executor by [default: --bind-host].
    #[arg(long)]
    external_host: Option<String>,
    /// The Arrow Flight port (results and shuffle data).
    #[arg(long, default_value_t = 50051)]
    port: u16,
    /// The gRPC port (tasks from the scheduler).
    #[arg(long, default_value_t = 50052)]
    grpc_port: u16,
    /// The scheduler's host.
    #[arg(long, default_value = "localhost")]
    scheduler_host: String,
    /// The scheduler's port.
    #[arg(long, default_value_t = 50050)]
    scheduler_port: u16,
    /// Tasks run at once [default: the number of CPUs].
    #[arg(long)]
    concurrent_tasks: Option<usize>,
    /// Where shuffle files go [default: a new temporary directory, removed at exit].
    #[arg(long, value_name = "DIR")]
    work_dir: Option<PathBuf>,
    /// Seconds between heartbeats to the scheduler (keep it well under the scheduler's
    /// --executor-timeout).
    #[arg(long, default_value_t = 5, value_name = "SECONDS")]
    heartbeat: u64,
}

#[derive(Debug, clap::Args)]
struct SqlArgs {
    /// The scheduler, as df://HOST:PORT.
    #[arg(long, default_value = "df://localhost:50050")]
    scheduler: String,
    #[command(flatten)]
    script: script::ScriptArgs,
}

fn main() -> ExitCode {
    let args = Args::parse();
    // Ballista logs through `log`: executors lost, tasks run again, jobs failed. RUST_LOG overrides.
    let level = match args.command {
        Command::Sql(_) => "warn",
        Command::Scheduler(_) | Command::Executor(_) => "info",
    };
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or(level)).init();
    // Ballista's binaries run with 32 MiB stacks: plan (de)serialisation recurses deeply.
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().thread_stack_size(32 << 20).build();
    let result = match runtime {
        Ok(runtime) => runtime.block_on(run(args)),
        Err(e) => Err(format!("cannot start the async runtime: {e}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    match args.command {
        Command::Scheduler(a) => scheduler(a).await,
        Command::Executor(a) => executor(a).await,
        Command::Sql(a) => sql(a).await,
    }
}

async fn scheduler(args: SchedulerArgs) -> Result<(), String> {
    let addr: SocketAddr = format!("{}:{}", args.bind_host, args.port)
        .parse()
        .map_err(|e| format!("--bind-host {} --port {}: {e}", args.bind_host, args.port))?;
    let config = SchedulerConfig {
        bind_host: args.bind_host,
        bind_port: args.port,
        external_host: args.external_host,
        scheduling_policy: TaskSchedulingPolicy::PushStaged,
        executor_timeout_seconds: args.executor_timeout,
        // Look for silent executors often enough that --executor-timeout is what decides.
        expire_dead_executor_interval_seconds: args.executor_timeout.clamp(1, 15),
        no_executors_grace_period_seconds: args.executor_timeout,
        task_max_failures: args.task_max_failures,
        ..SchedulerConfig::default()
    }
    .with_override_session_builder(Arc::new(paycrypt_ballista::scheduler_session));
    let cluster = BallistaCluster::new_from_config(&config).await.map_err(|e| e.to_string())?;
    eprintln!("paycrypt-ballista scheduler listening on {addr}");
    start_server(cluster, addr, Arc::new(config)).await.map_err(|e| e.to_string())
}

async fn executor(args: ExecutorArgs) -> Result<(), String> {
    let services = paycrypt_datafusion::open_services(args.data_dir.as_deref())
        .map_err(|e| format!("cannot open the key store: {e}"))?;
    // The work directory lives as long as the executor.
    let temporary = match &args.work_dir {
        Some(_) => None,
        None => Some(tempfile::tempdir().map_err(|e| format!("cannot make a work directory: {e}"))?),
    };
    let work_dir = match (&args.work_dir, &temporary) {
        (Some(dir), _) => dir.clone(),
        (None, Some(t)) => t.path().to_path_buf(),
        (None, None) => return Err("no work directory".into()),
    };
    let defaults = ExecutorProcessConfig::default();
    let config = ExecutorProcessConfig {
        bind_host: args.bind_host.clone(),
        external_host: Some(args.external_host.unwrap_or(args.bind_host)),
        port: args.port,
        grpc_port: args.grpc_port,
        scheduler_host: args.scheduler_host.clone(),
        scheduler_port: args.scheduler_port,
        // Wait up to 10 s for a scheduler that is still starting.
        scheduler_connect_timeout_seconds: 10,
        vcores: args.concurrent_tasks.unwrap_or(defaults.vcores).max(1),
        task_scheduling_policy: TaskSchedulingPolicy::PushStaged,
        work_dir: Some(work_dir.to_string_lossy().into_owned()),
        executor_heartbeat_interval_seconds: args.heartbeat.max(1),
        override_function_registry: Some(Arc::new(paycrypt_ballista::executor_registry(&services))),
        ..defaults
    };
    eprintln!(
        "paycrypt-ballista executor {} on {}:{} (flight) and :{} (grpc), scheduler {}:{}",
        config.executor_id,
        config.bind_host,
        config.port,
        config.grpc_port,
        args.scheduler_host,
        args.scheduler_port
    );
    start_executor_process(Arc::new(config)).await.map_err(|e| e.to_string())
}

async fn sql(args: SqlArgs) -> Result<(), String> {
    let sql = args.script.sql()?;
    let ctx = paycrypt_ballista::client(&args.scheduler)
        .await
        .map_err(|e| format!("cannot reach the scheduler at {}: {e}", args.scheduler))?;
    script::run(&ctx, &sql, args.script.output.as_ref()).await
}
