//! A fault-injecting proxy in front of the local cloud, for tests (issue
//! #12). moto never throttles, never fails and never loses a connection; AWS
//! does all three, so strata's retries and its "AWS did it but we never
//! heard" handling can only be tested by putting the faults back.
//!
//! Each request (HTTP/1.1, one at a time per client connection, `Content-
//! Length` bodies as the AWS SDK sends them) is, with probability `rate`:
//! - answered with the service's own throttling error, in its protocol's
//!   shape (`ThrottlingException` for JSON APIs, `RequestLimitExceeded` for
//!   EC2, `Throttling` for IAM/CloudWatch, `SlowDown` for S3,
//!   `TooManyRequestsException` for REST APIs);
//! - answered 500 or 503;
//! - dropped before it reaches the local cloud (the connection closes);
//! - or forwarded, and then dropped: the operation happened, the client
//!   never heard.
//!
//! Besides the random faults, a test can ask for one exact fault, to reach
//! one ambiguous case every run: "drop the answer of the next `PUT` to a
//! path ending in `x`" ([`FaultProxy::drop_answer_of`]), or "let the next
//! `CreateVpc` happen, then answer 500" ([`FaultProxy::fail_after`]), which
//! AWS documents as possible for its 500s.
//!
//! The kind and the decision come from a seeded generator, so a run's fault
//! rate and mix are reproducible (their order depends on the requests'
//! interleaving). Counters say what was injected.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Default)]
pub struct Counts {
    pub requests: AtomicU64,
    pub throttled: AtomicU64,
    pub server_errors: AtomicU64,
    pub dropped_before: AtomicU64,
    pub dropped_after: AtomicU64,
}

impl Counts {
    pub fn summary(&self) -> String {
        let get = |c: &AtomicU64| c.load(Ordering::SeqCst);
        format!(
            "{} requests: {} throttled, {} 5xx, {} dropped before the cloud, {} dropped after it acted",
            get(&self.requests),
            get(&self.throttled),
            get(&self.server_errors),
            get(&self.dropped_before),
            get(&self.dropped_after)
        )
    }

    pub fn injected(&self) -> u64 {
        [&self.throttled, &self.server_errors, &self.dropped_before, &self.dropped_after]
            .iter()
            .map(|c| c.load(Ordering::SeqCst))
            .sum()
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Fault {
    Throttle,
    ServerError,
    DropBefore,
    DropAfter,
    /// Forwarded, then answered 500: the operation happened.
    ServerErrorAfter,
}

/// One exact fault still to inject, on the next request that matches.
#[derive(Debug, Clone)]
struct Planned {
    matcher: Matcher,
    fault: Fault,
}

#[derive(Debug, Clone)]
enum Matcher {
    /// This method, and a path (before any `?`) ending so.
    Path { method: String, suffix: String },
    /// This API operation: `X-Amz-Target: <service>.<op>` (JSON protocols)
    /// or `Action=<op>` in the body (query protocols).
    Operation(String),
}

impl Matcher {
    fn matches(&self, request: &Request) -> bool {
        match self {
            Matcher::Path { method, suffix } => {
                let mut line = request.head.lines().next().unwrap_or_default().split(' ');
                let (m, target) = (line.next().unwrap_or_default(), line.next().unwrap_or_default());
                m == method && target.split('?').next().unwrap_or_default().ends_with(suffix.as_str())
            }
            Matcher::Operation(op) => {
                let target = header(&request.head, "x-amz-target").and_then(|t| t.rsplit('.').next());
                let body = String::from_utf8_lossy(&request.body);
                target == Some(op.as_str()) || body.split('&').any(|pair| pair == format!("Action={op}"))
            }
        }
    }
}

pub struct FaultProxy {
    pub endpoint: String,
    pub counts: Arc<Counts>,
    planned: Arc<Mutex<Vec<Planned>>>,
    _runtime: tokio::runtime::Runtime,
}

impl FaultProxy {
    /// Starts the proxy in front of `upstream` (`http://127.0.0.1:port`).
    pub fn start(upstream: &str, rate: f64, seed: u64) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let upstream = upstream.strip_prefix("http://").expect("http upstream").to_owned();
        let counts = Arc::new(Counts::default());
        let rng = Arc::new(Mutex::new(fastrand::Rng::with_seed(seed)));
        let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let planned = Arc::new(Mutex::new(Vec::new()));
        let (task_counts, task_planned) = (Arc::clone(&counts), Arc::clone(&planned));
        runtime.spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else { continue };
                let faults = Faults { rate, rng: Arc::clone(&rng), planned: Arc::clone(&task_planned) };
                tokio::spawn(serve(client, upstream.clone(), Arc::clone(&task_counts), faults));
            }
        });
        Self { endpoint: format!("http://127.0.0.1:{port}"), counts, planned, _runtime: runtime }
    }

    /// The next `method` request to a path ending in `path_suffix` reaches
    /// the cloud, and its answer is dropped (once; call again for more).
    pub fn drop_answer_of(&self, method: &str, path_suffix: &str) {
        let matcher = Matcher::Path { method: method.to_owned(), suffix: path_suffix.to_owned() };
        self.planned.lock().unwrap().push(Planned { matcher, fault: Fault::DropAfter });
    }

    /// The next call of `operation` (e.g. `AuthorizeSecurityGroupIngress`)
    /// reaches the cloud, and its answer is dropped (once).
    pub fn drop_answer_of_operation(&self, operation: &str) {
        let matcher = Matcher::Operation(operation.to_owned());
        self.planned.lock().unwrap().push(Planned { matcher, fault: Fault::DropAfter });
    }

    /// The next call of `operation` (e.g. `CreateVpc`) is carried out, and
    /// answered 500 (once; call again for more).
    pub fn fail_after(&self, operation: &str) {
        let matcher = Matcher::Operation(operation.to_owned());
        self.planned.lock().unwrap().push(Planned { matcher, fault: Fault::ServerErrorAfter });
    }

    /// Exact faults asked for and not yet met.
    pub fn planned_left(&self) -> usize {
        self.planned.lock().unwrap().len()
    }
}

/// What decides a request's fault: the exact ones planned first, then the
/// seeded draw.
struct Faults {
    rate: f64,
    rng: Arc<Mutex<fastrand::Rng>>,
    planned: Arc<Mutex<Vec<Planned>>>,
}

impl Faults {
    fn decide(&self, request: &Request) -> Option<Fault> {
        let mut planned = self.planned.lock().unwrap();
        if let Some(i) = planned.iter().position(|p| p.matcher.matches(request)) {
            return Some(planned.remove(i).fault);
        }
        let mut rng = self.rng.lock().unwrap();
        (rng.f64() < self.rate).then(|| match rng.u8(0..4) {
            0 => Fault::Throttle,
            1 => Fault::ServerError,
            2 => Fault::DropBefore,
            _ => Fault::DropAfter,
        })
    }
}

/// One client connection, one request: faulted or forwarded. Every answer
/// closes the connection (see `forward`); the client opens a new one.
async fn serve(mut client: TcpStream, upstream: String, counts: Arc<Counts>, faults: Faults) {
    let Some(request) = read_request(&mut client).await else { return };
    counts.requests.fetch_add(1, Ordering::SeqCst);
    let fault = faults.decide(&request);
    let response = match fault {
        Some(Fault::Throttle) => {
            counts.throttled.fetch_add(1, Ordering::SeqCst);
            throttling_response(&request.head)
        }
        Some(Fault::ServerError) => {
            counts.server_errors.fetch_add(1, Ordering::SeqCst);
            server_error(&request.head)
        }
        Some(Fault::DropBefore) => {
            counts.dropped_before.fetch_add(1, Ordering::SeqCst);
            return;
        }
        Some(Fault::DropAfter | Fault::ServerErrorAfter) | None => {
            let Some(answer) = forward(&upstream, &request).await else { return };
            match fault {
                Some(Fault::DropAfter) => {
                    counts.dropped_after.fetch_add(1, Ordering::SeqCst);
                    return;
                }
                Some(Fault::ServerErrorAfter) => {
                    counts.server_errors.fetch_add(1, Ordering::SeqCst);
                    http(
                        "500 Internal Server Error",
                        &[("Content-Type", "application/json")],
                        r#"{"message":"InternalError"}"#,
                    )
                }
                _ => answer,
            }
        }
    };
    let _ = client.write_all(&response).await;
    let _ = client.shutdown().await;
}

struct Request {
    /// Request line and headers, as received, without the blank line.
    head: String,
    body: Vec<u8>,
}

/// Reads one request (head + Content-Length body); None at end of stream.
async fn read_request(client: &mut TcpStream) -> Option<Request> {
    let mut pending = Vec::new();
    let pending = &mut pending;
    let mut buf = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(i) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = client.read(&mut buf).await.ok().filter(|n| *n > 0)?;
        pending.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&pending[..head_end]).into_owned();
    let length = header(&head, "content-length").and_then(|v| v.parse::<usize>().ok()).unwrap_or(0);
    let body_start = head_end + 4;
    while pending.len() < body_start + length {
        let n = client.read(&mut buf).await.ok().filter(|n| *n > 0)?;
        pending.extend_from_slice(&buf[..n]);
    }
    Some(Request { head, body: pending[body_start..body_start + length].to_vec() })
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

/// Sends the request upstream on a connection of its own with
/// `Connection: close`, and returns the whole answer (to EOF). None when the
/// upstream could not be reached.
async fn forward(upstream: &str, request: &Request) -> Option<Vec<u8>> {
    let mut server = TcpStream::connect(upstream).await.ok()?;
    let mut head: Vec<&str> =
        request.head.lines().filter(|l| !l.to_ascii_lowercase().starts_with("connection:")).collect();
    head.push("Connection: close");
    let mut bytes = head.join("\r\n").into_bytes();
    bytes.extend_from_slice(b"\r\n\r\n");
    bytes.extend_from_slice(&request.body);
    server.write_all(&bytes).await.ok()?;
    let mut answer = Vec::new();
    server.read_to_end(&mut answer).await.ok()?;
    Some(answer)
}

/// The AWS service a request is for, from its SigV4 credential scope.
fn service(head: &str) -> String {
    header(head, "authorization")
        .and_then(|auth| auth.split("Credential=").nth(1))
        .and_then(|cred| cred.split('/').nth(3))
        .unwrap_or_default()
        .to_owned()
}

fn http(status: &str, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(body);
    out.into_bytes()
}

/// The throttling error each protocol's service sends.
fn throttling_response(head: &str) -> Vec<u8> {
    let xml = [("Content-Type", "text/xml")];
    if header(head, "x-amz-target").is_some() {
        return http(
            "400 Bad Request",
            &[("Content-Type", "application/x-amz-json-1.1")],
            r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
        );
    }
    match service(head).as_str() {
        "ec2" => http(
            "503 Service Unavailable",
            &xml,
            "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>fault</RequestID></Response>",
        ),
        "s3" => http(
            "503 Slow Down",
            &[("Content-Type", "application/xml")],
            "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>",
        ),
        "iam" | "monitoring" | "sts" => http(
            "400 Bad Request",
            &xml,
            "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>fault</RequestId></ErrorResponse>",
        ),
        _ => http(
            "429 Too Many Requests",
            &[("Content-Type", "application/json"), ("x-amzn-ErrorType", "TooManyRequestsException")],
            r#"{"message":"Rate exceeded"}"#,
        ),
    }
}

/// 500 or 503, alternating by the request's length (both are transient).
fn server_error(head: &str) -> Vec<u8> {
    if head.len().is_multiple_of(2) {
        http("500 Internal Server Error", &[("Content-Type", "application/json")], r#"{"message":"InternalError"}"#)
    } else {
        http("503 Service Unavailable", &[("Content-Type", "application/json")], r#"{"message":"ServiceUnavailable"}"#)
    }
}
