//! Apply and destroy through injected faults, at several seeds and rates:
//! what the faults cost (wall time, API calls, runs needed) against a clean
//! run through the same proxy, measured in one run.
//!
//!     cargo bench -p strata --bench faults -- [rate ...]   (default 0.05 0.15 0.3)
//!
//! The stack is the fault test's (VPC, subnet, security group, table, log
//! group, role, KMS key); the test (`tests/integration/faults.rs`) checks
//! that no duplicate or orphan is left; this bench reports the figures.

// The bench uses the random faults only, not the exact ones tests plan.
#[allow(dead_code)]
#[path = "../tests/integration/fault_proxy.rs"]
mod fault_proxy;
#[path = "../tests/integration/fault_stack.rs"]
mod fault_stack;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use fault_proxy::FaultProxy;

const SEEDS: [u64; 3] = [1, 2, 3];

struct Outcome {
    wall: Duration,
    runs: usize,
    api_calls: u64,
}

/// Runs `command` (apply or destroy) until it succeeds, at most 5 times.
fn until_ok(dir: &Path, endpoint: &str, command: &str) -> Outcome {
    let started = Instant::now();
    let mut api_calls = 0;
    for runs in 1..=5 {
        let out = Command::new(env!("CARGO_BIN_EXE_strata"))
            .args([command, "stack.yaml", "--state", "state.json", "--auto-approve"])
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .env("STRATA_LOCAL_ENDPOINT", endpoint)
            .output()
            .expect("strata runs");
        let text = String::from_utf8_lossy(&out.stdout);
        api_calls += text
            .rsplit_once(" API calls")
            .and_then(|(head, _)| head.rsplit_once('(').map(|(_, n)| n.trim().parse::<u64>().unwrap_or(0)))
            .unwrap_or(0);
        if out.status.success() {
            return Outcome { wall: started.elapsed(), runs, api_calls };
        }
    }
    panic!("{command} did not converge in 5 runs");
}

fn main() {
    let rates: Vec<f64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let rates = if rates.is_empty() { vec![0.05, 0.15, 0.3] } else { rates };
    let cloud = strata::local::ensure_running().expect("local cloud");
    println!(
        "{:>5} {:>5} {:>9} {:>6} {:>8} {:>9} {:>6}  injected",
        "rate", "seed", "apply s", "runs", "calls", "destroy s", "runs"
    );
    let mut clean_apply = None;
    for rate in std::iter::once(0.0).chain(rates) {
        let seeds: &[u64] = if rate == 0.0 { &[0] } else { &SEEDS };
        for &seed in seeds {
            let proxy = FaultProxy::start(&cloud.endpoint, rate, seed);
            let dir = tempfile::tempdir().expect("temp dir");
            let stack = format!("fbench-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
            std::fs::write(dir.path().join("stack.yaml"), fault_stack::SPEC.replace("STACK", &stack))
                .expect("write spec");
            let apply = until_ok(dir.path(), &proxy.endpoint, "apply");
            let destroy = until_ok(dir.path(), &proxy.endpoint, "destroy");
            let clean = *clean_apply.get_or_insert(apply.wall);
            println!(
                "{rate:>5.2} {seed:>5} {:>9.2} {:>6} {:>8} {:>9.2} {:>6}  {} (apply {:.2}x clean)",
                apply.wall.as_secs_f64(),
                apply.runs,
                apply.api_calls,
                destroy.wall.as_secs_f64(),
                destroy.runs,
                proxy.counts.summary(),
                apply.wall.as_secs_f64() / clean.as_secs_f64().max(0.001)
            );
        }
    }
}
