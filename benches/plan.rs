//! Validate and plan time (and peak memory) of generated stacks, for each
//! stack shape of `examples/gen_stack.rs`, at growing sizes: a step that is
//! quadratic in the number of resources shows as a time ratio far above the
//! size ratio.
//!
//!     cargo build --release -p strata --bin strata
//!     cargo bench -p strata --bench plan -- [sizes...] [--shape NAME]   (default 10000 20000 40000 100000)
//!
//! `STRATA_BIN` picks another binary (e.g. a debug build: ratios hold,
//! absolute times do not). Plans are made without state (every resource a
//! create), in the default `local` environment: the plan looks up its
//! creates on the local cloud (one listing per type, `provider::lookup`),
//! which it starts when needed. Each run is a separate process measured
//! by wall time; peak memory is the child's maximum RSS. Everything is
//! measured in one run: read the ratios. Exits 1 when time(largest) /
//! time(smallest) exceeds 1.5 times the size ratio (the bound:
//! 100k / 10k <= 15).

#[path = "../examples/gen_stack.rs"]
mod gen_stack;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use gen_stack::Shape;

fn strata_binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("STRATA_BIN") {
        return PathBuf::from(bin);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), |t| root.join(t));
    target.join("release").join("strata")
}

/// Wall time (s) and peak RSS (MB) of one strata command.
struct Run {
    seconds: f64,
    peak_mb: f64,
}

/// Runs `strata args...` to completion; panics when it fails. Its stderr
/// goes to `log` (a pipe could fill up and stall it while we wait).
// The child is reaped by wait4 (for its own peak RSS), not by `Child::wait`.
#[allow(clippy::zombie_processes)]
fn run(bin: &Path, args: &[&str], log: &Path) -> Run {
    let stderr = std::fs::File::create(log).expect("create the stderr log");
    let started = Instant::now();
    let child = Command::new(bin)
        .args(args)
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e} (cargo build --release --bin strata first)", bin.display()));
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data; all zeroes is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our child, not yet reaped; the pointers are valid.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(waited, pid, "wait4");
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    assert!(ok, "strata {args:?} failed:\n{}", std::fs::read_to_string(log).unwrap_or_default());
    Run { seconds, peak_mb: usage.ru_maxrss as f64 / 1024.0 }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let mut sizes: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    if sizes.is_empty() {
        sizes = vec![10_000, 20_000, 40_000, 100_000];
    }
    sizes.sort_unstable();
    let shapes: Vec<Shape> = match args.iter().position(|a| a == "--shape").and_then(|i| args.get(i + 1)) {
        Some(name) => vec![Shape::parse(name).unwrap_or_else(|| panic!("unknown shape {name}"))],
        None => Shape::ALL.to_vec(),
    };
    let bin = strata_binary();
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("no-state.json");
    let state = state.to_str().expect("utf-8 path");
    println!("binary: {}", bin.display());
    println!(
        "{:<14} {:>8} {:>12} {:>12} {:>12} {:>12}",
        "shape", "size", "validate s", "plan s", "plan MB", "validate MB"
    );
    let mut too_slow = Vec::new();
    for shape in shapes {
        let mut plans: Vec<(usize, f64)> = Vec::new();
        for &n in &sizes {
            let spec = dir.path().join(format!("{}-{n}.yaml", shape.name()));
            std::fs::write(&spec, gen_stack::generate_shape(n, "generated", shape)).expect("write spec");
            let spec = spec.to_str().expect("utf-8 path");
            let log = dir.path().join("stderr.log");
            let validate = run(&bin, &["validate", spec], &log);
            let plan = run(&bin, &["plan", spec, "--state", state], &log);
            println!(
                "{:<14} {n:>8} {:>12.2} {:>12.2} {:>12.0} {:>12.0}",
                shape.name(),
                validate.seconds,
                plan.seconds,
                plan.peak_mb,
                validate.peak_mb
            );
            plans.push((n, plan.seconds));
        }
        if let (Some(&(small, t_small)), Some(&(large, t_large))) = (plans.first(), plans.last()) {
            if large > small {
                let size_ratio = large as f64 / small as f64;
                let time_ratio = t_large / t_small.max(1e-3);
                println!(
                    "{:<14} plan time {large}/{small}: {time_ratio:.1}x for {size_ratio:.0}x the resources",
                    shape.name()
                );
                if time_ratio > 1.5 * size_ratio {
                    too_slow.push(shape.name());
                }
            }
        }
    }
    if !too_slow.is_empty() {
        println!("superlinear: {}", too_slow.join(", "));
        std::process::exit(1);
    }
}
