//! The ACME system end to end on one machine, through HTTP only: the flagship
//! stack is applied to the local cloud and served by `strata local run`; two
//! users sign in through the local user pool (`strata local login`), one
//! creates a schedule whose first run is seconds away, the scheduler fires
//! it, the order-executor Lambda writes the order, and the API lists it with
//! the right total and priority; the schedule is read, listed and cancelled,
//! and no further order comes. Requests without a token or with a tampered
//! one get 401; the other user sees none of the first user's schedules.
//! While the cancellation is awaited, schemathesis (PyPI, pinned) fuzzes the
//! API against its OpenAPI document with a valid token: no 5xx, no response
//! that breaks the document.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::flagship_apply::{destroy_on_purpose, flagship_copy};
use crate::support::{repo_root, stderr, stdout, strata};

/// `strata local run`, killed when the test ends.
pub(crate) struct Served {
    child: Child,
    pub(crate) api: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        // SIGTERM: strata stops its Lambda processes before exiting.
        let _ = Command::new("kill").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
    }
}

pub(crate) fn serve(spec: &str, state: &str) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(["local", "run", spec, "--state", state, "--no-apply", "--port", "0"])
        .current_dir(repo_root())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("strata local run starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let api = loop {
        let line = lines.next().expect("strata local run printed its API").expect("a line");
        if let Some(url) = line.trim().strip_prefix("API") {
            break url.trim().to_owned();
        }
    };
    // Keep draining stdout so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Served { child, api }
}

pub(crate) fn login(spec: &str, state: &str, user: &str) -> String {
    let out = strata(&repo_root(), &["local", "login", user, "--stack", spec, "--state", state, "--token-only"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    stdout(&out).trim().to_owned()
}

/// One HTTP request; the status and the JSON body (Null when there is none).
pub(crate) fn call(method: &str, url: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let auth = token.unwrap_or_default();
    let response = match (method, body) {
        ("POST", Some(body)) => agent.post(url).header("Authorization", auth).send_json(body),
        ("DELETE", _) => agent.delete(url).header("Authorization", auth).call(),
        _ => agent.get(url).header("Authorization", auth).call(),
    };
    let mut response = response.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn orders_of(api: &str, token: &str, schedule: &str) -> Vec<Value> {
    let (status, body) = call("GET", &format!("{api}/orders"), Some(token), None);
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().unwrap().iter().filter(|o| o["scheduleId"] == schedule).cloned().collect()
}

const SCHEMATHESIS: &str = "schemathesis==4.32.5";

/// schemathesis in a virtualenv of its own under strata's home, installed
/// on first use (like the local cloud's moto).
fn schemathesis() -> PathBuf {
    let venv = strata::local::home_dir().join("schemathesis-4.32.5");
    let exe = venv.join("bin/schemathesis");
    if !exe.exists() {
        let made = Command::new("python3").args(["-m", "venv"]).arg(&venv).status().expect("python3 runs");
        assert!(made.success(), "python3 -m venv {}", venv.display());
        let pip = Command::new(venv.join("bin/pip")).args(["install", "-q", SCHEMATHESIS]).status().expect("pip runs");
        assert!(pip.success(), "pip install {SCHEMATHESIS}");
    }
    exe
}

/// Fuzzes the API with schemathesis; its report when it finds anything.
fn fuzz(api: &str, token: &str) -> Result<String, String> {
    // Its cache goes to the working directory: not the repository.
    let scratch = tempfile::tempdir().expect("temp dir");
    let out = Command::new(schemathesis())
        .current_dir(scratch.path())
        .arg("run")
        .arg(repo_root().join("lambdas/scheduler-manager/openapi.yaml"))
        .args(["--url", api, "--header", &format!("Authorization: {token}")])
        .args([
            "--checks",
            "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance",
        ])
        .args(["--max-examples", "25", "--seed", "7", "--workers", "1"])
        .env("NO_COLOR", "1")
        .output()
        .expect("schemathesis runs");
    let report = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    if out.status.success() {
        Ok(report)
    } else {
        Err(report)
    }
}

/// The signature's last characters changed: same claims, forged signature.
fn tampered(token: &str) -> String {
    let mut t = token.to_owned();
    let last = t.pop().unwrap();
    t.push(if last == 'A' { 'B' } else { 'A' });
    t
}

#[test]
fn sign_in_schedule_order_cancel_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let stack = format!("acme-e2e-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let spec = flagship_copy(dir.path(), &stack);
    let (spec, state) = (spec.to_str().unwrap().to_owned(), dir.path().join("state.json").to_str().unwrap().to_owned());
    let out = strata(&repo_root(), &["apply", &spec, "--state", &state, "--auto-approve"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    let served = serve(&spec, &state);
    let api = served.api.clone();
    let alice = login(&spec, &state, "alice@example.com");
    let bob = login(&spec, &state, "bob@example.com");

    // API Gateway's Cognito authorizer: no token, a forged one, an access
    // token's worth of garbage: 401 before any function runs.
    assert_eq!(call("GET", &format!("{api}/orders"), None, None).0, 401);
    assert_eq!(call("GET", &format!("{api}/orders"), Some(&tampered(&alice)), None).0, 401);
    assert_eq!(call("GET", &format!("{api}/orders"), Some("not-a-jwt"), None).0, 401);
    assert_eq!(call("GET", &format!("{api}/nowhere"), Some(&alice), None).0, 403, "unknown routes as API Gateway");

    // A rate schedule whose first run is its start date, seconds away.
    let start = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(6);
    let new = json!({
        "scheduleName": "e2e widgets",
        "frequency": "rate(1 minute)",
        "gadgetType": "WIDGET",
        "quantity": 150,
        "startDate": start.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
    });
    let (status, created) = call("POST", &format!("{api}/schedule"), Some(&alice), Some(new));
    assert_eq!(status, 201, "{created}");
    let id = created["scheduleId"].as_str().unwrap().to_owned();

    let (status, listed) = call("GET", &format!("{api}/schedules"), Some(&alice), None);
    assert_eq!(status, 200);
    assert!(listed["items"].as_array().unwrap().iter().any(|s| s["scheduleId"] == id.as_str()), "{listed}");
    let (status, read) = call("GET", &format!("{api}/schedule/{id}"), Some(&alice), None);
    assert_eq!((status, read["scheduleName"].as_str()), (200, Some("e2e widgets")), "{read}");
    // Bob sees none of it.
    assert_eq!(call("GET", &format!("{api}/schedule/{id}"), Some(&bob), None).0, 404);
    // A `+` in the path reaches the function as `+`, as on API Gateway (not
    // as a space): scheduler-manager routes on the event's path.
    let (status, missing) = call("GET", &format!("{api}/schedule/no+such"), Some(&alice), None);
    assert_eq!(status, 404, "{missing}");
    assert!(missing.to_string().contains("schedule no+such does not exist"), "{missing}");
    let (_, bobs) = call("GET", &format!("{api}/schedules"), Some(&bob), None);
    assert!(bobs["items"].as_array().unwrap().is_empty(), "{bobs}");

    // The scheduler fires it; the order-executor writes the order.
    let deadline = Instant::now() + Duration::from_secs(45);
    let orders = loop {
        let orders = orders_of(&api, &alice, &id);
        if !orders.is_empty() || Instant::now() > deadline {
            break orders;
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    assert_eq!(orders.len(), 1, "one order from the first run");
    let order = &orders[0];
    // 150 widgets at 25.00 = 3750.00, 15 % volume discount = 562.50 off.
    assert_eq!(order["subtotal"], "3750.00", "{order}");
    assert_eq!(order["total"], "3187.50", "{order}");
    assert_eq!(order["priority"], "MEDIUM", "{order}");
    assert_eq!(order["createdAt"], start.strftime("%Y-%m-%dT%H:%M:%S.000Z").to_string(), "the scheduled time");
    assert!(orders_of(&api, &bob, &id).is_empty(), "bob sees none of alice's orders");

    // Cancelled: the next run (start + 1 minute) never happens.
    let (status, cancelled) = call("DELETE", &format!("{api}/schedule/{id}"), Some(&alice), None);
    assert!(status == 200 || status == 204, "{status} {cancelled}");
    let second_run = start + jiff::SignedDuration::from_secs(60);
    let carol = login(&spec, &state, "carol@example.com");
    let fuzzed = fuzz(&api, &carol);
    assert!(fuzzed.is_ok(), "schemathesis found problems:\n{}", fuzzed.unwrap_err());
    assert!(fuzzed.unwrap().contains("passed"), "schemathesis ran its cases");
    let left = second_run - jiff::Timestamp::now();
    if left.is_positive() {
        std::thread::sleep(left.unsigned_abs());
    }
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(orders_of(&api, &alice, &id).len(), 1, "no order after the cancellation");

    drop(served);
    let out = destroy_on_purpose(Path::new(&spec), Path::new(&state));
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
}

#[test]
fn a_greedy_proxy_resource_takes_several_segments_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let stack = format!("proxy-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let spec = dir.path().join("stack.yaml");
    // replacement's API with its one route made a greedy `/{proxy+}`, ANY.
    let greedy = crate::replacement::API_SPEC
        .replace("PathPart: orders", "PathPart: \"{proxy+}\"")
        .replace("HttpMethod: GET", "HttpMethod: ANY");
    std::fs::write(&spec, greedy.replace("STACK", &stack)).unwrap();
    let state = dir.path().join("state.json");
    let (spec, state) = (spec.to_str().unwrap(), state.to_str().unwrap());
    let out = strata(&repo_root(), &["apply", spec, "--state", state, "--auto-approve"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let served = serve(spec, state);
    // Matched: the route exists but its MOCK integration is not run locally,
    // so the gateway answers 500 (an unmatched path is a 403 instead).
    for path in ["a", "a/b/c.txt", "a+b/c%20d"] {
        let (status, body) = call("GET", &format!("{}/{path}", served.api), None, None);
        assert_eq!(status, 500, "{path}: {body}");
    }
    // `{proxy+}` needs at least one segment: the root is not a route.
    let (status, body) = call("GET", &format!("{}/", served.api), None, None);
    assert_eq!((status, body["message"].as_str()), (403, Some("Missing Authentication Token")), "{body}");
    drop(served);
    let out = strata(&repo_root(), &["destroy", spec, "--state", state, "--auto-approve"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
}
