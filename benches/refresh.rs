//! Refresh cost: API calls and wall time of reading every recorded resource
//! back from the local cloud, for the flagship stack and for a generated
//! stack of EC2 resources, with batched reads (one Describe call per type)
//! and without (one call chain per resource).
//!
//!     cargo build --release -p strata --bin strata
//!     cargo bench -p strata --bench refresh -- [ec2_resources]   (default 1000)
//!
//! Both stacks are applied with the release binary first and destroyed at
//! the end. Everything is measured in one run: read the ratios.

#[path = "../examples/gen_stack.rs"]
mod gen_stack;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use strata::drift::{self, RefreshOptions};
use strata::provider::aws::Target;
use strata::provider::Cx;
use strata::state::State;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn strata(args: &[&str]) {
    let status = Command::new(repo_root().join("target/release/strata"))
        .args(args)
        .current_dir(repo_root())
        .env("STRATA_LAMBDA_PROFILE", std::env::var("STRATA_LAMBDA_PROFILE").unwrap_or_else(|_| "lambda-ci".into()))
        .stdout(std::process::Stdio::null())
        .status()
        .expect("target/release/strata exists: cargo build --release -p strata first");
    assert!(status.success(), "strata {args:?} failed");
}

struct Measured {
    resources: usize,
    calls: u64,
    millis: u128,
}

fn measure(cx: &Cx, runtime: &tokio::runtime::Runtime, state: &State, batch: bool) -> Measured {
    let started = Instant::now();
    let refreshed = runtime
        .block_on(drift::refresh(cx, state, &BTreeMap::new(), RefreshOptions { parallelism: 10, batch }))
        .expect("refresh");
    let deleted = refreshed.resources.iter().filter(|r| r.status == drift::DriftStatus::Deleted).count();
    assert_eq!(deleted, 0, "everything applied is read back");
    Measured { resources: refreshed.resources.len(), calls: refreshed.api_calls, millis: started.elapsed().as_millis() }
}

fn report(label: &str, m: &Measured) {
    println!(
        "{label:<34} {:>5} resources {:>6} API calls ({:.2} per resource) {:>7} ms",
        m.resources,
        m.calls,
        m.calls as f64 / m.resources.max(1) as f64,
        m.millis
    );
}

fn applied(dir: &Path, name: &str, spec_text: &str) -> (PathBuf, PathBuf, State) {
    let spec = dir.join(format!("{name}.yaml"));
    let state = dir.join(format!("{name}.json"));
    std::fs::write(&spec, spec_text).expect("write spec");
    strata(&["apply", spec.to_str().unwrap(), "--state", state.to_str().unwrap(), "--auto-approve"]);
    let recorded: State = serde_json::from_str(&std::fs::read_to_string(&state).expect("state")).expect("state JSON");
    (spec, state, recorded)
}

fn main() {
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1000);
    let cloud = strata::local::ensure_running().expect("local cloud");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let target = Target { region: "us-east-1".into(), profile: None, endpoint: Some(cloud.endpoint.clone()) };
    let cx = runtime.block_on(Cx::connect(&target, BTreeMap::new(), repo_root())).expect("connect");
    let dir = tempfile::tempdir().expect("tempdir");
    let suffix = &uuid::Uuid::new_v4().simple().to_string()[..6];

    let flagship = std::fs::read_to_string(repo_root().join("stacks/acme-scheduling.yaml")).expect("flagship");
    let flagship = flagship.replacen("Stack: acme-scheduling", &format!("Stack: acme-refresh-{suffix}"), 1);
    let (f_spec, f_state, f_recorded) = applied(dir.path(), "flagship", &flagship);
    let ec2 = gen_stack::generate(n, &format!("ec2-refresh-{suffix}"), true);
    let (e_spec, e_state, e_recorded) = applied(dir.path(), "ec2", &ec2);

    report("flagship, batched", &measure(&cx, &runtime, &f_recorded, true));
    report("flagship, one by one", &measure(&cx, &runtime, &f_recorded, false));
    let batched = measure(&cx, &runtime, &e_recorded, true);
    let single = measure(&cx, &runtime, &e_recorded, false);
    report(&format!("{n} EC2 resources, batched"), &batched);
    report(&format!("{n} EC2 resources, one by one"), &single);
    println!(
        "batching: {:.1}x fewer calls, {:.1}x faster",
        single.calls as f64 / batched.calls.max(1) as f64,
        single.millis as f64 / batched.millis.max(1) as f64
    );

    for (spec, state) in [(f_spec, f_state), (e_spec, e_state)] {
        strata(&["destroy", spec.to_str().unwrap(), "--state", state.to_str().unwrap(), "--auto-approve"]);
    }
}
