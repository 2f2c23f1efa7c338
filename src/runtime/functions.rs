//! Lambda functions as real processes under the Lambda Runtime API.
//!
//! Each process gets a Runtime API endpoint of its own on 127.0.0.1 (so the
//! runtime knows which process took which invocation); all processes of a
//! function pull from one queue. A process that finishes an invocation asks
//! for the next one and stays warm; a new process starts only when none is
//! waiting. An invocation that outlives the function's timeout gets its
//! process killed, as Lambda does. Output lines go to the console and to the
//! function's CloudWatch log group.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::{oneshot, Notify};

use super::logs::LogShipper;
use super::RuntimeError;

/// Processes one function may run at once.
const MAX_PROCESSES: usize = 4;
/// Lambda's own API version path.
const API: &str = "/2018-06-01/runtime";

/// What the runtime needs to run one function, from the applied function.
#[derive(Debug, Clone)]
pub struct FunctionSpec {
    pub name: String,
    pub arn: String,
    /// The `bootstrap` executable, unpacked from the deployed package.
    pub bootstrap: PathBuf,
    pub environment: BTreeMap<String, String>,
    pub timeout: Duration,
    pub memory_mb: u32,
    pub log_group: String,
}

/// How an invocation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvokeError {
    #[error("{error_type}: {message}")]
    Function { error_type: String, message: String },
    #[error("the function timed out after {0:?}")]
    Timeout(Duration),
    #[error("the function's process exited ({0})")]
    Exited(String),
}

struct Pending {
    id: String,
    payload: Bytes,
    reply: oneshot::Sender<Result<Value, InvokeError>>,
}

struct Inflight {
    process: u64,
    reply: oneshot::Sender<Result<Value, InvokeError>>,
}

struct Function {
    spec: FunctionSpec,
    endpoint: String,
    queue: Mutex<VecDeque<Pending>>,
    arrived: Notify,
    inflight: Mutex<HashMap<String, Inflight>>,
    /// Live processes by id, with the handle to kill them.
    processes: Mutex<HashMap<u64, tokio::sync::mpsc::Sender<()>>>,
    /// Processes blocked in `next`, ready for work.
    waiting: AtomicUsize,
    next_process: AtomicU64,
    logs: LogShipper,
}

/// Every function of the stack, by name and by ARN.
#[derive(Clone)]
pub struct FunctionPool {
    functions: Arc<HashMap<String, Arc<Function>>>,
}

impl FunctionPool {
    pub fn new(specs: Vec<FunctionSpec>, endpoint: &str, logs: &aws_sdk_cloudwatchlogs::Client) -> Self {
        let mut functions = HashMap::new();
        for spec in specs {
            let f = Arc::new(Function {
                logs: LogShipper::new(logs.clone(), spec.log_group.clone()),
                spec: spec.clone(),
                endpoint: endpoint.to_owned(),
                queue: Mutex::new(VecDeque::new()),
                arrived: Notify::new(),
                inflight: Mutex::new(HashMap::new()),
                processes: Mutex::new(HashMap::new()),
                waiting: AtomicUsize::new(0),
                next_process: AtomicU64::new(1),
            });
            functions.insert(spec.name.clone(), f.clone());
            functions.insert(spec.arn.clone(), f);
        }
        Self { functions: Arc::new(functions) }
    }

    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.functions.values().map(|f| f.spec.name.clone()).collect();
        names.sort();
        names.dedup();
        names
    }

    /// Invokes the function named (or whose ARN is) `function` with `payload`
    /// and waits for its answer, at most its timeout.
    pub async fn invoke(&self, function: &str, payload: &Value) -> Result<Value, RuntimeError> {
        let f = self
            .functions
            .get(function)
            .ok_or_else(|| RuntimeError::UnknownFunction { function: function.to_owned() })?
            .clone();
        let (reply, answer) = oneshot::channel();
        let id = uuid::Uuid::new_v4().to_string();
        let body = Bytes::from(serde_json::to_vec(payload).unwrap_or_default());
        lock(&f.queue).push_back(Pending { id: id.clone(), payload: body, reply });
        f.arrived.notify_one();
        if f.waiting.load(Ordering::SeqCst) == 0 && lock(&f.processes).len() < MAX_PROCESSES {
            start_process(f.clone()).await?;
        }
        let outcome = tokio::time::timeout(f.spec.timeout + Duration::from_millis(500), answer).await;
        match outcome {
            Ok(Ok(result)) => result.map_err(|e| RuntimeError::Invoke { function: f.spec.name.clone(), source: e }),
            Ok(Err(_)) => Err(RuntimeError::Invoke {
                function: f.spec.name.clone(),
                source: InvokeError::Exited(String::from("no answer")),
            }),
            Err(_) => {
                // Lambda stops a function at its timeout: the process goes.
                let taken = lock(&f.inflight).remove(&id);
                if let Some(taken) = taken {
                    if let Some(kill) = lock(&f.processes).remove(&taken.process) {
                        let _ = kill.try_send(());
                    }
                } else {
                    lock(&f.queue).retain(|p| p.id != id);
                }
                Err(RuntimeError::Invoke {
                    function: f.spec.name.clone(),
                    source: InvokeError::Timeout(f.spec.timeout),
                })
            }
        }
    }

    /// Stops every process.
    pub fn shutdown(&self) {
        for f in self.functions.values() {
            for (_, kill) in lock(&f.processes).drain() {
                let _ = kill.try_send(());
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[derive(Clone)]
struct ProcessApi {
    function: Arc<Function>,
    process: u64,
    /// When the process was started, until its first answer (the cold start).
    cold: Arc<Mutex<Option<std::time::Instant>>>,
}

/// Starts one process with its own Runtime API endpoint.
async fn start_process(f: Arc<Function>) -> Result<(), RuntimeError> {
    let process = f.next_process.fetch_add(1, Ordering::SeqCst);
    let api = ProcessApi { function: f.clone(), process, cold: Arc::new(Mutex::new(Some(std::time::Instant::now()))) };
    let app = Router::new()
        .route(&format!("{API}/invocation/next"), get(next))
        .route(&format!("{API}/invocation/{{id}}/response"), post(respond))
        .route(&format!("{API}/invocation/{{id}}/error"), post(fail))
        .route(&format!("{API}/init/error"), post(init_error))
        .with_state(api);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| RuntimeError::Io { what: String::from("binding a Runtime API port"), source: e })?;
    let addr: SocketAddr =
        listener.local_addr().map_err(|e| RuntimeError::Io { what: String::from("Runtime API address"), source: e })?;
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let stream = format!("{}/[$LATEST]{}", jiff::Timestamp::now().strftime("%Y/%m/%d"), uuid::Uuid::new_v4().simple());
    let mut command = tokio::process::Command::new(&f.spec.bootstrap);
    command
        .env_clear()
        .envs(&f.spec.environment)
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", &f.spec.name)
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", f.spec.memory_mb.to_string())
        .env("AWS_LAMBDA_LOG_GROUP_NAME", &f.spec.log_group)
        .env("AWS_LAMBDA_LOG_STREAM_NAME", &stream)
        .env("AWS_REGION", crate::local::LOCAL_REGION)
        .env("AWS_DEFAULT_REGION", crate::local::LOCAL_REGION)
        .env("AWS_ACCESS_KEY_ID", "local")
        .env("AWS_SECRET_ACCESS_KEY", "local")
        .env("AWS_ENDPOINT_URL", &f.endpoint)
        .env("_HANDLER", "bootstrap")
        .current_dir(f.spec.bootstrap.parent().unwrap_or(std::path::Path::new("/")))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = command
        .spawn()
        .map_err(|e| RuntimeError::Io { what: format!("starting {}", f.spec.bootstrap.display()), source: e })?;
    f.logs.open_stream(&stream).await;
    if let Some(out) = child.stdout.take() {
        forward_lines(out, &f, &stream);
    }
    if let Some(err) = child.stderr.take() {
        forward_lines(err, &f, &stream);
    }
    let (kill, mut killed) = tokio::sync::mpsc::channel::<()>(1);
    lock(&f.processes).insert(process, kill);
    let watcher = f.clone();
    tokio::spawn(async move {
        let status = tokio::select! {
            status = child.wait() => status.map(|s| s.to_string()).unwrap_or_else(|e| e.to_string()),
            _ = killed.recv() => {
                let _ = child.kill().await;
                String::from("killed")
            }
        };
        server.abort();
        lock(&watcher.processes).remove(&process);
        let orphaned: Vec<String> =
            lock(&watcher.inflight).iter().filter(|(_, i)| i.process == process).map(|(id, _)| id.clone()).collect();
        for id in orphaned {
            if let Some(i) = lock(&watcher.inflight).remove(&id) {
                let _ = i.reply.send(Err(InvokeError::Exited(status.clone())));
            }
        }
        watcher.logs.flush().await;
    });
    Ok(())
}

/// Each output line to the console and to the function's log stream.
fn forward_lines<R: tokio::io::AsyncRead + Unpin + Send + 'static>(pipe: R, f: &Function, stream: &str) {
    let (name, logs, stream) = (f.spec.name.clone(), f.logs.clone(), stream.to_owned());
    tokio::spawn(async move {
        let mut lines = BufReader::new(pipe).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            eprintln!("[{name}] {line}");
            logs.push(&stream, line);
        }
    });
}

/// `GET .../invocation/next`: blocks until there is work for this process.
async fn next(State(api): State<ProcessApi>) -> Response {
    let f = &api.function;
    f.waiting.fetch_add(1, Ordering::SeqCst);
    let pending = loop {
        let notified = f.arrived.notified();
        if let Some(p) = lock(&f.queue).pop_front() {
            break p;
        }
        notified.await;
    };
    f.waiting.fetch_sub(1, Ordering::SeqCst);
    if lock(&f.queue).front().is_some() {
        f.arrived.notify_one();
    }
    let deadline = std::time::SystemTime::now() + f.spec.timeout;
    let deadline_ms = deadline.duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    lock(&f.inflight).insert(pending.id.clone(), Inflight { process: api.process, reply: pending.reply });
    let mut headers = HeaderMap::new();
    let mut put = |k: &'static str, v: String| {
        if let Ok(v) = HeaderValue::from_str(&v) {
            headers.insert(k, v);
        }
    };
    put("lambda-runtime-aws-request-id", pending.id);
    put("lambda-runtime-deadline-ms", deadline_ms.to_string());
    put("lambda-runtime-invoked-function-arn", f.spec.arn.clone());
    put(
        "lambda-runtime-trace-id",
        format!("Root=1-{:08x}-{}", jiff::Timestamp::now().as_second(), uuid::Uuid::new_v4().simple()),
    );
    put("content-type", String::from("application/json"));
    (StatusCode::OK, headers, pending.payload).into_response()
}

/// `POST .../invocation/{id}/response`.
async fn respond(State(api): State<ProcessApi>, Path(id): Path<String>, body: Bytes) -> StatusCode {
    let Some(i) = lock(&api.function.inflight).remove(&id) else { return StatusCode::BAD_REQUEST };
    if let Some(started) = lock(&api.cold).take() {
        eprintln!(
            "[{}] cold start: {} ms from process start to first response",
            api.function.spec.name,
            started.elapsed().as_millis()
        );
    }
    let value = serde_json::from_slice(&body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into()));
    let _ = i.reply.send(Ok(value));
    StatusCode::ACCEPTED
}

/// `POST .../invocation/{id}/error`: the function reported a failure.
async fn fail(State(api): State<ProcessApi>, Path(id): Path<String>, body: Bytes) -> StatusCode {
    let Some(i) = lock(&api.function.inflight).remove(&id) else { return StatusCode::BAD_REQUEST };
    let _ = i.reply.send(Err(function_error(&body)));
    StatusCode::ACCEPTED
}

/// `POST .../init/error`: the process could not start; it exits next.
async fn init_error(State(api): State<ProcessApi>, body: Bytes) -> StatusCode {
    let error = function_error(&body);
    eprintln!("[{}] init failed: {error}", api.function.spec.name);
    StatusCode::ACCEPTED
}

fn function_error(body: &[u8]) -> InvokeError {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    InvokeError::Function {
        error_type: v["errorType"].as_str().unwrap_or("Unhandled").to_owned(),
        message: v["errorMessage"].as_str().unwrap_or_default().to_owned(),
    }
}
