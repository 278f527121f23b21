//! A Ballista cluster on loopback, as separate processes: a scheduler and two executors (each over its
//! own key store), the same query as on one machine over a partitioned Parquet dataset, an executor
//! killed mid-query, bad rows and a missing key. Every process is killed when its test ends, pass or
//! fail; every wait is bounded. Addresses are 127.0.0.1, never `localhost` (which may resolve to ::1 first).

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use datafusion::arrow::array::{AsArray, RecordBatch};
use datafusion::arrow::datatypes::DataType;
use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::logical_expr::Partitioning;
use datafusion::prelude::{CsvReadOptions, ParquetReadOptions, SessionConfig, SessionContext};
use paycrypt::batch::generate::{self, Kind, Spec};
use paycrypt::batch::{self, Format, Job, Operation, Options, Services, Template};
use paycrypt::keys::MemoryStore;
use paycrypt::service::kms::Kms;
use paycrypt::service::{PaymentCryptography, SeedFile, Settings};

const BIN: &str = env!("CARGO_BIN_EXE_paycrypt-ballista");
/// Clusters are three processes on two cores: one test at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// The job: AES DUKPT (the generated terminals) to the AES-128 zone key, CBC with each record's IV.
const SELECT: &str = "SELECT id, re_encrypt_data('alias/batch-bdk', \
    concat('{\"Dukpt\":{\"KeySerialNumber\":\"', ksn, '\",\"Mode\":\"CBC\"}}'), 'alias/batch-out', \
    concat('{\"Symmetric\":{\"Mode\":\"CBC\",\"InitializationVector\":\"', iv, '\"}}'), data) AS data";

/// A generated dataset: the CSV, its seed file, and `data` by `id` as `paycrypt batch` re-encrypts it.
struct Dataset {
    csv: Vec<u8>,
    seed: SeedFile,
    expected: HashMap<i64, String>,
}

fn dataset(records: u64) -> Dataset {
    let store = Arc::new(MemoryStore::new());
    let payment = PaymentCryptography::new(Arc::clone(&store), Settings::default());
    let kms = Kms::new(store, Settings::default());
    let mut csv = Vec::new();
    let generated =
        generate::generate(&Spec { kind: Kind::AesDukpt, records, terminals: 50, seed: 7 }, &mut csv)
            .unwrap();
    let seed: SeedFile = serde_json::from_value(generated.seed_file.clone()).unwrap();
    payment.seed(&seed).unwrap();
    let request = Template::parse(&generated.request.to_string()).unwrap();
    let job =
        Job::new(Operation::ReEncryptData, request, vec![generated.result.parse().unwrap()], Format::Csv)
            .unwrap();
    let (mut out, mut rejects) = (Vec::new(), Vec::new());
    batch::run_streams(
        &job,
        Services { payment: &payment, kms: &kms },
        &csv[..],
        &mut out,
        &mut rejects,
        &Options::default(),
    )
    .unwrap();
    let out = String::from_utf8(out).unwrap();
    let mut lines = out.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = header.iter().position(|c| *c == "data").unwrap();
    let expected: HashMap<i64, String> = lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].parse().unwrap(), f[at].to_owned())
        })
        .collect();
    assert_eq!(expected.len() as u64, records);
    Dataset { csv, seed, expected }
}

impl Dataset {
    /// The dataset as `files` Parquet files in `dir`.
    fn write_parquet(&self, dir: &Path, files: usize) -> PathBuf {
        let csv = dir.join("input.csv");
        std::fs::write(&csv, &self.csv).unwrap();
        let parquet = dir.join("input");
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            // Small batches, so that even a small file spreads over every partition.
            let ctx = SessionContext::new_with_config(SessionConfig::new().with_batch_size(256));
            let df = ctx.read_csv(csv.to_str().unwrap(), CsvReadOptions::new()).await.unwrap();
            df.repartition(Partitioning::RoundRobinBatch(files))
                .unwrap()
                .write_parquet(parquet.to_str().unwrap(), DataFrameWriteOptions::new(), None)
                .await
                .unwrap();
        });
        let written = std::fs::read_dir(&parquet).unwrap().count();
        assert!(written >= 2, "a partitioned dataset: {written} file(s)");
        parquet
    }

    /// A key store in `dir` with the dataset's keys (each executor opens its own).
    fn store(&self, dir: &Path) -> PathBuf {
        let services = paycrypt_datafusion::open_services(Some(dir)).unwrap();
        services.payment.seed(&self.seed).unwrap();
        dir.to_path_buf()
    }
}

/// `data` by `id` from a results file.
fn read_results(path: &Path) -> HashMap<i64, String> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let batches = rt.block_on(async {
        let ctx = SessionContext::new();
        let df = ctx.read_parquet(path.to_str().unwrap(), ParquetReadOptions::default()).await.unwrap();
        df.collect().await.unwrap()
    });
    by_id(&batches)
}

fn by_id(batches: &[RecordBatch]) -> HashMap<i64, String> {
    let mut map = HashMap::new();
    for b in batches {
        let ids = datafusion::arrow::compute::cast(b.column(0), &DataType::Int64).unwrap();
        let ids = ids.as_primitive::<datafusion::arrow::datatypes::Int64Type>();
        let data = datafusion::arrow::compute::cast(b.column(1), &DataType::Utf8).unwrap();
        let data = data.as_string::<i32>();
        for i in 0..b.num_rows() {
            map.insert(ids.value(i), data.value(i).to_owned());
        }
    }
    map
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} never listened on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A scheduler and executors as child processes, logs in files; all killed on drop.
struct Cluster {
    dir: PathBuf,
    port: u16,
    scheduler: Child,
    executors: Vec<Child>,
}

impl Cluster {
    fn start(dir: &Path, stores: &[PathBuf]) -> Cluster {
        let port = free_port();
        let log = |name: &str| std::fs::File::create(dir.join(name)).unwrap();
        let scheduler = Command::new(BIN)
            .args([
                "scheduler",
                "--port",
                &port.to_string(),
                "--executor-timeout",
                "4",
                "--external-host",
                "127.0.0.1",
            ])
            .stdout(Stdio::null())
            .stderr(log("scheduler.log"))
            .spawn()
            .unwrap();
        let mut cluster = Cluster { dir: dir.to_path_buf(), port, scheduler, executors: Vec::new() };
        wait_for_port(port, "the scheduler");
        for (n, store) in stores.iter().enumerate() {
            let (flight, grpc) = (free_port(), free_port());
            let child = Command::new(BIN)
                .arg("executor")
                .arg("--data-dir")
                .arg(store)
                .args(["--port", &flight.to_string(), "--grpc-port", &grpc.to_string()])
                .args([
                    "--scheduler-host",
                    "127.0.0.1",
                    "--scheduler-port",
                    &port.to_string(),
                    "--heartbeat",
                    "1",
                    "--concurrent-tasks",
                    "2",
                ])
                .env_remove("PAYCRYPT_MASTER_KEY")
                .stdout(Stdio::null())
                .stderr(log(&format!("executor{n}.log")))
                .spawn()
                .unwrap();
            cluster.executors.push(child);
            wait_for_port(flight, "an executor");
        }
        // Registered with the scheduler: each executor logs its registration's answer.
        let deadline = Instant::now() + Duration::from_secs(30);
        while cluster.log("scheduler.log").matches("Received register executor request").count()
            < stores.len()
        {
            assert!(
                Instant::now() < deadline,
                "executors never registered:\n{}",
                cluster.log("scheduler.log")
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        cluster
    }

    fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.join(name)).unwrap_or_default()
    }

    fn sql(&self, sql: &str, output: Option<&Path>) -> Command {
        let mut c = Command::new(BIN);
        c.args(["sql", "--scheduler", &format!("df://127.0.0.1:{}", self.port), "-c", sql]);
        if let Some(o) = output {
            c.arg("-o").arg(o);
        }
        c
    }

    /// Runs `command` for at most `limit`.
    fn run(mut command: Command, limit: Duration) -> Output {
        let child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        finish(child, limit)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for c in self.executors.iter_mut().chain(std::iter::once(&mut self.scheduler)) {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Waits for `child` at most `limit`, killing it then.
fn finish(mut child: Child, limit: Duration) -> Output {
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!("{}\n{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn table(parquet: &Path) -> String {
    format!("CREATE EXTERNAL TABLE t STORED AS PARQUET LOCATION '{}/';", parquet.display())
}

/// What one machine gives: the same SQL in-process over one store.
fn single_machine(store: &Path, parquet: &Path) -> HashMap<i64, String> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let ctx = SessionContext::new();
        let services = paycrypt_datafusion::open_services(Some(store)).unwrap();
        paycrypt_datafusion::register_all(&ctx, &services);
        ctx.sql(&table(parquet)).await.unwrap();
        by_id(&ctx.sql(&format!("{SELECT} FROM t")).await.unwrap().collect().await.unwrap())
    })
}

#[test]
fn two_executors_give_what_one_machine_gives() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let data = dataset(20_000);
    let parquet = data.write_parquet(dir.path(), 4);
    let stores = [data.store(&dir.path().join("store0")), data.store(&dir.path().join("store1"))];
    let one = single_machine(&dir.path().join("store0"), &parquet);
    assert_eq!(one, data.expected);

    let cluster = Cluster::start(dir.path(), &stores);
    let out = dir.path().join("out.parquet");
    let run = Cluster::run(
        cluster.sql(&format!("{} {SELECT} FROM t", table(&parquet)), Some(&out)),
        Duration::from_secs(120),
    );
    assert!(run.status.success(), "{}", text(&run));
    assert!(text(&run).contains("statement 2 of 2: 20000 rows"), "{}", text(&run));
    assert_eq!(read_results(&out), one);
    // Both executors ran tasks.
    for n in 0..2 {
        let log = cluster.log(&format!("executor{n}.log"));
        assert!(log.contains("Finished task"), "executor {n} ran no task:\n{log}");
    }
    let scheduler = cluster.log("scheduler.log");
    assert!(scheduler.contains("Job finished successfully"), "{scheduler}");

    // Printed to stdout instead: a small query's table.
    let run = Cluster::run(
        cluster.sql(&format!("{} SELECT count(*) AS n FROM t", table(&parquet)), None),
        Duration::from_secs(60),
    );
    assert!(run.status.success(), "{}", text(&run));
    assert!(String::from_utf8_lossy(&run.stdout).contains("| 20000 |"), "{}", text(&run));
}

#[test]
fn an_executor_killed_mid_query() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let data = dataset(150_000);
    let parquet = data.write_parquet(dir.path(), 8);
    let stores = [data.store(&dir.path().join("store0")), data.store(&dir.path().join("store1"))];
    let mut cluster = Cluster::start(dir.path(), &stores);
    let out = dir.path().join("out.parquet");
    let mut client = cluster.sql(&format!("{} {SELECT} FROM t ORDER BY id", table(&parquet)), Some(&out));
    let client = client.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();

    // Kill executor 1 once the job runs and before it ends.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !cluster.log("scheduler.log").contains("Job submitted") {
        assert!(Instant::now() < deadline, "no job:\n{}", cluster.log("scheduler.log"));
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(500));
    assert!(!cluster.log("scheduler.log").contains("Job finished"), "the job ended before the kill");
    cluster.executors[1].kill().unwrap();
    cluster.executors[1].wait().unwrap();

    let run = finish(client, Duration::from_secs(180));
    let partial: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(partial.is_empty(), "a temporary file was left: {partial:?}");
    let scheduler = cluster.log("scheduler.log");
    if run.status.success() {
        // Ballista ran the lost executor's tasks again on the other: the whole, right answer.
        assert!(scheduler.contains("lost Executor"), "{scheduler}");
        assert_eq!(read_results(&out), data.expected);
        println!("executor killed: its tasks ran again, output identical");
    } else {
        // Or the query fails with a clear error, and no output file.
        assert!(!out.exists(), "a failed query left {}", out.display());
        assert!(text(&run).contains("Error: statement 2 of 2"), "{}", text(&run));
        println!("executor killed: the query failed cleanly: {}", text(&run));
    }
    // The surviving executor still serves.
    let run = Cluster::run(
        cluster.sql(&format!("{} SELECT count(*) AS n FROM t", table(&parquet)), None),
        Duration::from_secs(60),
    );
    assert!(run.status.success(), "{}", text(&run));
}

#[test]
fn bad_rows_and_missing_keys_fail_the_query_not_the_executor() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let data = dataset(1_000);
    let parquet = data.write_parquet(dir.path(), 2);
    // One executor with the keys, a second cluster's executor without.
    let stores = [data.store(&dir.path().join("store0"))];
    let cluster = Cluster::start(dir.path(), &stores);
    let out = dir.path().join("out.csv");

    // Malformed hex in one row: the function, the row and the AWS exception; no output file.
    let sql = format!(
        "{} {} FROM (SELECT id, ksn, iv, CASE WHEN id = 500 THEN 'ZZ' ELSE data END AS data FROM t)",
        table(&parquet),
        SELECT
    );
    let run = Cluster::run(cluster.sql(&sql, Some(&out)), Duration::from_secs(60));
    assert_eq!(run.status.code(), Some(1), "{}", text(&run));
    let err = text(&run);
    assert!(err.contains("re_encrypt_data: row "), "{err}");
    assert!(err.contains("(ValidationException)"), "{err}");
    assert!(!out.exists());

    // A key this executor's store lacks: keys come from the executor's store, never from the plan.
    let sql =
        format!("{} {} FROM t", table(&parquet), SELECT.replace("alias/batch-out", "alias/not-on-executors"));
    let run = Cluster::run(cluster.sql(&sql, Some(&out)), Duration::from_secs(60));
    assert_eq!(run.status.code(), Some(1), "{}", text(&run));
    assert!(text(&run).contains("(ResourceNotFoundException)"), "{}", text(&run));
    assert!(!out.exists());

    // Wrong arity: a planning error from the client, before any task.
    let run = Cluster::run(cluster.sql("SELECT re_encrypt_data('a', 'b')", None), Duration::from_secs(60));
    assert_eq!(run.status.code(), Some(1), "{}", text(&run));
    assert!(text(&run).contains("re_encrypt_data"), "{}", text(&run));

    // The executor survived all of it: the good query runs, and no executor panicked.
    let good = dir.path().join("good.parquet");
    let run = Cluster::run(
        cluster.sql(&format!("{} {SELECT} FROM t", table(&parquet)), Some(&good)),
        Duration::from_secs(60),
    );
    assert!(run.status.success(), "{}", text(&run));
    assert_eq!(read_results(&good), data.expected);
    let log = cluster.log("executor0.log");
    assert!(!log.contains("panicked"), "{log}");

    // An unknown output format is refused before anything runs.
    let run =
        Cluster::run(cluster.sql("SELECT 1", Some(&dir.path().join("out.txt"))), Duration::from_secs(30));
    assert_eq!(run.status.code(), Some(1));
    assert!(text(&run).contains("name it .parquet or .csv"), "{}", text(&run));
    let _ = std::io::stdout().flush();
}

#[test]
fn the_only_executor_killed_fails_the_query_with_no_output() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let data = dataset(100_000);
    let parquet = data.write_parquet(dir.path(), 4);
    let mut cluster = Cluster::start(dir.path(), &[data.store(&dir.path().join("store0"))]);
    let out = dir.path().join("out.parquet");
    let client = cluster
        .sql(&format!("{} {SELECT} FROM t ORDER BY id", table(&parquet)), Some(&out))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !cluster.log("scheduler.log").contains("Job submitted") {
        assert!(Instant::now() < deadline, "no job:\n{}", cluster.log("scheduler.log"));
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    assert!(!cluster.log("scheduler.log").contains("Job finished"), "the job ended before the kill");
    cluster.executors[0].kill().unwrap();
    cluster.executors[0].wait().unwrap();

    // The scheduler waits --executor-timeout for an executor to come back, then fails the job.
    let run = finish(client, Duration::from_secs(120));
    assert_eq!(run.status.code(), Some(1), "{}", text(&run));
    assert!(text(&run).contains("Error: statement 2 of 2"), "{}", text(&run));
    assert!(text(&run).contains("all executors were lost"), "{}", text(&run));
    assert!(!out.exists(), "a failed query left {}", out.display());
    let left: Vec<_> =
        std::fs::read_dir(dir.path()).unwrap().filter_map(|e| e.ok()).map(|e| e.file_name()).collect();
    assert!(left.iter().all(|n| !n.to_string_lossy().ends_with(".partial")), "{left:?}");
}
