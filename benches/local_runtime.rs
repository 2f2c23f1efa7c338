//! The local runtime under load: the flagship stack applied to the local
//! cloud and served by `strata local run` (release binary); this process
//! is the client on loopback.
//!
//!     cargo build --release -p strata --bin strata
//!     cargo bench -p strata --bench local_runtime -- [clients] [requests per client]   (default 4 x 50)
//!
//! Reports each Lambda's cold start (process start to first response, as
//! the runtime logs it), warm latency of one request, and p50 / p99 of
//! `POST /schedule` and `GET /orders` with `clients` concurrent clients.
//! One run, so read the ratios.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn strata() -> Command {
    let mut c = Command::new(repo_root().join("target/release/strata"));
    c.current_dir(repo_root())
        .env("STRATA_LAMBDA_PROFILE", std::env::var("STRATA_LAMBDA_PROFILE").unwrap_or_else(|_| "lambda-ci".into()));
    c
}

fn call(agent: &ureq::Agent, method: &str, url: &str, token: &str, body: Option<&Value>) -> (u16, Duration) {
    let started = Instant::now();
    let response = match body {
        Some(b) => agent.post(url).header("Authorization", token).send_json(b),
        None if method == "DELETE" => agent.delete(url).header("Authorization", token).call(),
        None => agent.get(url).header("Authorization", token).call(),
    };
    let mut response = response.expect("request");
    let _ = response.body_mut().read_to_string();
    (response.status().as_u16(), started.elapsed())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn load(api: &str, token: &str, clients: usize, per_client: usize, post: bool) -> Vec<Duration> {
    let (tx, rx) = mpsc::channel();
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            let (tx, api, token) = (tx.clone(), api.to_owned(), token.to_owned());
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
                for i in 0..per_client {
                    let (status, took) = if post {
                        let body = json!({"scheduleName": format!("load {c}-{i}"), "frequency": "rate(1 day)",
                                          "gadgetType": "GIZMO", "quantity": 10});
                        call(&agent, "POST", &format!("{api}/schedule"), &token, Some(&body))
                    } else {
                        call(&agent, "GET", &format!("{api}/orders"), &token, None)
                    };
                    assert!(status < 300, "status {status}");
                    let _ = tx.send(took);
                }
            })
        })
        .collect();
    drop(tx);
    for t in threads {
        t.join().expect("client thread");
    }
    let mut all: Vec<Duration> = rx.into_iter().collect();
    all.sort();
    all
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let clients = args.first().copied().unwrap_or(4);
    let per_client = args.get(1).copied().unwrap_or(50);
    let dir = tempfile::tempdir().expect("tempdir");
    let stack = format!("acme-load-{}", &uuid::Uuid::new_v4().simple().to_string()[..6]);
    let text = std::fs::read_to_string(repo_root().join("stacks/acme-scheduling.yaml")).expect("flagship");
    let spec = dir.path().join("stack.yaml");
    std::fs::write(&spec, text.replacen("Stack: acme-scheduling", &format!("Stack: {stack}"), 1)).expect("spec");
    let state = dir.path().join("state.json");
    let (spec_s, state_s) = (spec.to_str().unwrap(), state.to_str().unwrap());
    let applied = strata().args(["apply", spec_s, "--state", state_s, "--auto-approve"]).stdout(Stdio::null()).status();
    assert!(applied.expect("strata").success(), "apply");

    let mut served = strata()
        .args(["local", "run", spec_s, "--state", state_s, "--no-apply", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("local run");
    let mut lines = BufReader::new(served.stdout.take().unwrap()).lines();
    let api = loop {
        let line = lines.next().expect("API line").expect("line");
        if let Some(url) = line.trim().strip_prefix("API") {
            break url.trim().to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let (cold_tx, cold_rx) = mpsc::channel();
    let stderr = served.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("cold start:") {
                let _ = cold_tx.send(line);
            }
        }
    });
    let login = strata()
        .args(["local", "login", "load@example.com", "--stack", spec_s, "--state", state_s, "--token-only"])
        .output()
        .expect("login");
    let token = String::from_utf8_lossy(&login.stdout).trim().to_owned();
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();

    let (_, first) = call(&agent, "GET", &format!("{api}/orders"), &token, None);
    let (_, warm) = call(&agent, "GET", &format!("{api}/orders"), &token, None);
    // The order-executor's cold start: a schedule due in two seconds.
    let at = (jiff::Timestamp::now() + jiff::SignedDuration::from_secs(2)).strftime("%Y-%m-%dT%H:%M:%S").to_string();
    let body = json!({"scheduleName": "cold", "frequency": format!("at({at})"), "gadgetType": "WIDGET", "quantity": 5});
    call(&agent, "POST", &format!("{api}/schedule"), &token, Some(&body));
    let posts = load(&api, &token, clients, per_client, true);
    let gets = load(&api, &token, clients, per_client, false);

    std::thread::sleep(Duration::from_secs(3));
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    for line in cold_rx.try_iter() {
        println!("{}", line.trim_start_matches('['));
    }
    println!("GET /orders: first request {:.1} ms (cold), then {:.1} ms (warm)", ms(first), ms(warm));
    for (name, all) in [("POST /schedule", &posts), ("GET /orders", &gets)] {
        println!(
            "{name:<15} {clients} clients x {per_client}: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            ms(percentile(all, 0.5)),
            ms(percentile(all, 0.99)),
            ms(*all.last().unwrap())
        );
    }
    let _ = Command::new("kill").arg(served.id().to_string()).status();
    let _ = served.wait();
    let _ = strata().args(["destroy", spec_s, "--state", state_s, "--auto-approve"]).stdout(Stdio::null()).status();
}
