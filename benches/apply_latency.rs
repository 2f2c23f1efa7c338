//! Apply time against a slow cloud: a delaying proxy in front of the local
//! cloud adds a fixed latency to every AWS request, then the flagship stack
//! is applied (and destroyed) at parallelism 1 and 10, and both are compared
//! with the lower bound the dependency graph's critical path sets.
//!
//!     cargo bench -p strata --bench apply_latency -- [latency_ms]   (default 50)
//!
//! The lower bound is the longest dependency chain, each resource weighted by
//! the time it took in the parallelism-1 run (when nothing else competed).
//! Everything is measured in one run, so the ratios are what to read.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Forwards 127.0.0.1:<port> to `upstream`, sleeping `latency` before
/// passing on each request a client sends.
async fn delaying_proxy(upstream: String, latency: Duration) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        loop {
            let Ok((client, _)) = listener.accept().await else { continue };
            let upstream = upstream.clone();
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect(&upstream).await else { return };
                let (mut cr, mut cw) = client.into_split();
                let (mut sr, mut sw) = server.into_split();
                let up = async move {
                    let mut buf = vec![0u8; 64 * 1024];
                    let mut last_read: Option<Instant> = None;
                    loop {
                        let n = match cr.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        // A request whose body follows its headers arrives in
                        // more than one chunk, back to back: delay it once.
                        let continues_request = last_read.is_some_and(|t| t.elapsed() < Duration::from_millis(2));
                        if !continues_request {
                            tokio::time::sleep(latency).await;
                        }
                        last_read = Some(Instant::now());
                        if sw.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                    let _ = sw.shutdown().await;
                };
                let down = async move {
                    let _ = tokio::io::copy(&mut sr, &mut cw).await;
                };
                tokio::join!(up, down);
            });
        }
    });
    port
}

struct Run {
    wall: Duration,
    /// The walk alone (the summary's elapsed time): no process start, no
    /// Lambda build check, no planning.
    walk: Duration,
    per_resource: HashMap<String, Duration>,
    api_calls: u64,
}

/// Runs the release binary against `endpoint`; its stdout and success.
fn strata_output(args: &[&str], endpoint: &str) -> (String, bool) {
    let out = Command::new(repo_root().join("target/release/strata"))
        .args(args)
        .current_dir(repo_root())
        .env("STRATA_LOCAL_ENDPOINT", endpoint)
        // The Lambdas' optimisation level does not change apply latency.
        .env("STRATA_LAMBDA_PROFILE", std::env::var("STRATA_LAMBDA_PROFILE").unwrap_or_else(|_| "lambda-ci".into()))
        .stderr(Stdio::inherit())
        .output()
        .expect("target/release/strata exists: cargo build --release -p strata first");
    (String::from_utf8_lossy(&out.stdout).into_owned(), out.status.success())
}

/// JSON-lines events of an apply or destroy.
fn strata(args: &[&str], endpoint: &str) -> (Vec<Value>, bool) {
    let (text, ok) = strata_output(args, endpoint);
    (text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect(), ok)
}

fn apply(spec: &Path, state: &Path, parallelism: usize, endpoint: &str) -> Run {
    let started = Instant::now();
    let p = parallelism.to_string();
    let (events, ok) = strata(
        &[
            "apply",
            spec.to_str().unwrap(),
            "--state",
            state.to_str().unwrap(),
            "--auto-approve",
            "--json",
            "--parallelism",
            &p,
        ],
        endpoint,
    );
    assert!(ok, "apply failed");
    let wall = started.elapsed();
    let mut per_resource = HashMap::new();
    let mut api_calls = 0;
    let mut walk = Duration::ZERO;
    for e in &events {
        if e["event"] == "finished" {
            per_resource.insert(
                e["name"].as_str().unwrap_or_default().to_owned(),
                Duration::from_millis(e["elapsed_ms"].as_u64().unwrap_or(0)),
            );
        }
        if e["type"] == "summary" {
            api_calls = e["api_calls"].as_u64().unwrap_or(0);
            walk = Duration::from_millis(e["elapsed_ms"].as_u64().unwrap_or(0));
        }
    }
    let (_, ok) = strata(
        &["destroy", spec.to_str().unwrap(), "--state", state.to_str().unwrap(), "--auto-approve", "--json"],
        endpoint,
    );
    assert!(ok, "destroy failed");
    Run { wall, walk, per_resource, api_calls }
}

/// Longest dependency chain, weighted by `weights`.
fn critical_path(plan: &Value, weights: &HashMap<String, Duration>) -> Duration {
    let mut finish: HashMap<String, Duration> = HashMap::new();
    for c in plan["changes"].as_array().expect("changes") {
        let name = c["name"].as_str().unwrap_or_default().to_owned();
        let start = c["dependencies"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| finish.get(d.as_str().unwrap_or_default()))
            .max()
            .copied()
            .unwrap_or_default();
        finish.insert(name.clone(), start + weights.get(&name).copied().unwrap_or_default());
    }
    finish.values().max().copied().unwrap_or_default()
}

fn main() {
    let latency_ms: u64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(50);
    let latency = Duration::from_millis(latency_ms);
    let cloud = strata::local::ensure_running().expect("local cloud");
    let upstream = cloud.endpoint.trim_start_matches("http://").to_owned();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let port = runtime.block_on(delaying_proxy(upstream, latency));
    let endpoint = format!("http://127.0.0.1:{port}");
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(repo_root().join("stacks/acme-scheduling.yaml")).expect("flagship");
    let spec = dir.path().join("bench.yaml");
    std::fs::write(&spec, text.replacen("Stack: acme-scheduling", "Stack: acme-bench", 1)).expect("write");
    let state = dir.path().join("state.json");

    let (plan_text, ok) =
        strata_output(&["plan", spec.to_str().unwrap(), "--state", state.to_str().unwrap(), "--json"], &endpoint);
    assert!(ok, "plan failed");
    let plan: Value = serde_json::from_str(&plan_text).expect("a JSON plan");
    let p1 = apply(&spec, &state, 1, &endpoint);
    let p10 = apply(&spec, &state, 10, &endpoint);
    let bound = critical_path(&plan, &p1.per_resource);
    let secs = |d: Duration| d.as_secs_f64();
    println!("latency per request: {latency_ms} ms; {} resources", p1.per_resource.len());
    println!(
        "apply, parallelism 1:  walk {:>6.1} s, process {:>6.1} s  ({} API calls)",
        secs(p1.walk),
        secs(p1.wall),
        p1.api_calls
    );
    println!(
        "apply, parallelism 10: walk {:>6.1} s, process {:>6.1} s  ({} API calls)",
        secs(p10.walk),
        secs(p10.wall),
        p10.api_calls
    );
    println!("critical-path lower bound: {:>5.1} s", secs(bound));
    let mut slowest: Vec<(&String, &Duration)> = p1.per_resource.iter().collect();
    slowest.sort_by(|a, b| b.1.cmp(a.1));
    for (name, took) in slowest.iter().take(5) {
        let at10 = p10.per_resource.get(*name).copied().unwrap_or_default();
        println!("  {name:<32} p1 {:>5.2} s   p10 {:>5.2} s", secs(**took), secs(at10));
    }
    println!(
        "ratios (walks): p1/p10 = {:.2}, p10/bound = {:.2}",
        secs(p1.walk) / secs(p10.walk).max(0.001),
        secs(p10.walk) / secs(bound).max(0.001)
    );
}
