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
}

pub struct FaultProxy {
    pub endpoint: String,
    pub counts: Arc<Counts>,
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
        let task_counts = Arc::clone(&counts);
        runtime.spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else { continue };
                let (upstream, counts, rng) = (upstream.clone(), Arc::clone(&task_counts), Arc::clone(&rng));
                tokio::spawn(serve(client, upstream, counts, rng, rate));
            }
        });
        Self { endpoint: format!("http://127.0.0.1:{port}"), counts, _runtime: runtime }
    }
}

/// One client connection, one request: faulted or forwarded. Every answer
/// closes the connection (see `forward`); the client opens a new one.
async fn serve(
    mut client: TcpStream,
    upstream: String,
    counts: Arc<Counts>,
    rng: Arc<Mutex<fastrand::Rng>>,
    rate: f64,
) {
    let Some(request) = read_request(&mut client).await else { return };
    counts.requests.fetch_add(1, Ordering::SeqCst);
    let fault = {
        let mut rng = rng.lock().unwrap();
        (rng.f64() < rate).then(|| match rng.u8(0..4) {
            0 => Fault::Throttle,
            1 => Fault::ServerError,
            2 => Fault::DropBefore,
            _ => Fault::DropAfter,
        })
    };
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
        Some(Fault::DropAfter) | None => {
            let Some(answer) = forward(&upstream, &request).await else { return };
            if fault == Some(Fault::DropAfter) {
                counts.dropped_after.fetch_add(1, Ordering::SeqCst);
                return;
            }
            answer
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
    if head.len() % 2 == 0 {
        http("500 Internal Server Error", &[("Content-Type", "application/json")], r#"{"message":"InternalError"}"#)
    } else {
        http("503 Service Unavailable", &[("Content-Type", "application/json")], r#"{"message":"ServiceUnavailable"}"#)
    }
}
