//! A bounded-parallel walk over a DAG of tasks (OpenTofu's `dag/walk.go`,
//! cargo's `DependencyQueue`): a task starts when all its dependencies
//! succeeded, at most `parallelism` run at once, and a failure skips only the
//! tasks that depend on it, transitively; everything else still runs. Once
//! `stop` says so (Ctrl-C), no task starts; those in flight finish.

use std::future::Future;

use futures::stream::{FuturesUnordered, StreamExt};

/// Default number of resource operations in flight (apply, destroy and
/// refresh all walk with it unless told otherwise).
pub const DEFAULT_PARALLELISM: usize = 10;

/// How one task ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Succeeded,
    Failed(String),
    /// Not run because a dependency failed (named).
    Skipped {
        because: String,
    },
    /// Not started because the walk was asked to stop.
    NotStarted,
}

/// A DAG given as, for each task, the indices of the tasks it waits for.
#[derive(Debug, Clone, Default)]
pub struct TaskGraph {
    pub names: Vec<String>,
    pub waits_for: Vec<Vec<usize>>,
}

impl TaskGraph {
    pub fn add(&mut self, name: impl Into<String>) -> usize {
        self.names.push(name.into());
        self.waits_for.push(Vec::new());
        self.names.len() - 1
    }

    /// `task` may start only after `dependency` succeeded.
    pub fn edge(&mut self, dependency: usize, task: usize) {
        if dependency != task && !self.waits_for[task].contains(&dependency) {
            self.waits_for[task].push(dependency);
        }
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// Runs every task of `graph` with `run`, at most `parallelism` at a time.
/// Returns one outcome per task. Tasks left waiting on a cycle (which the
/// planner never builds) are reported as skipped. When `stop()` turns true,
/// nothing more starts: what is in flight finishes, the rest is
/// `NotStarted`.
pub async fn walk<F, Fut>(graph: &TaskGraph, parallelism: usize, stop: impl Fn() -> bool, run: F) -> Vec<Outcome>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let n = graph.len();
    let parallelism = parallelism.max(1);
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut waiting: Vec<usize> = vec![0; n];
    for (task, deps) in graph.waits_for.iter().enumerate() {
        waiting[task] = deps.len();
        for &d in deps {
            dependents[d].push(task);
        }
    }
    let mut outcomes: Vec<Option<Outcome>> = vec![None; n];
    // Ready tasks in index order, so runs are reproducible at parallelism 1.
    let mut ready: std::collections::BTreeSet<usize> = (0..n).filter(|&t| waiting[t] == 0).collect();
    let mut in_flight = FuturesUnordered::new();
    loop {
        while in_flight.len() < parallelism && !stop() {
            let Some(task) = ready.pop_first() else { break };
            let fut = run(task);
            in_flight.push(async move { (task, fut.await) });
        }
        let Some((task, result)) = in_flight.next().await else { break };
        match result {
            Ok(()) => {
                outcomes[task] = Some(Outcome::Succeeded);
                for &next in &dependents[task] {
                    waiting[next] -= 1;
                    if waiting[next] == 0 && outcomes[next].is_none() {
                        ready.insert(next);
                    }
                }
            }
            Err(message) => {
                outcomes[task] = Some(Outcome::Failed(message));
                skip_dependents(task, &graph.names[task], &dependents, &mut outcomes, &mut ready);
            }
        }
    }
    let stopped = stop();
    outcomes
        .into_iter()
        .map(|o| {
            o.unwrap_or_else(|| {
                if stopped {
                    Outcome::NotStarted
                } else {
                    Outcome::Skipped { because: String::from("a dependency cycle") }
                }
            })
        })
        .collect()
}

fn skip_dependents(
    failed: usize,
    failed_name: &str,
    dependents: &[Vec<usize>],
    outcomes: &mut [Option<Outcome>],
    ready: &mut std::collections::BTreeSet<usize>,
) {
    let mut stack = vec![failed];
    while let Some(t) = stack.pop() {
        for &d in &dependents[t] {
            if outcomes[d].is_none() {
                outcomes[d] = Some(Outcome::Skipped { because: failed_name.to_owned() });
                ready.remove(&d);
                stack.push(d);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    use std::time::Duration;

    use super::*;

    fn chain_and_side() -> TaskGraph {
        // a -> b -> c, and d independent
        let mut g = TaskGraph::default();
        let a = g.add("a");
        let b = g.add("b");
        let c = g.add("c");
        g.add("d");
        g.edge(a, b);
        g.edge(b, c);
        g
    }

    #[tokio::test]
    async fn dependencies_run_first() {
        let g = chain_and_side();
        let order = Mutex::new(Vec::new());
        let out = walk(
            &g,
            1,
            || false,
            |t| {
                order.lock().unwrap().push(t);
                async { Ok(()) }
            },
        )
        .await;
        assert!(out.iter().all(|o| *o == Outcome::Succeeded));
        assert_eq!(*order.lock().unwrap(), vec![0, 1, 2, 3], "ready tasks run in index order");
    }

    #[tokio::test]
    async fn a_failure_skips_only_its_dependents() {
        let g = chain_and_side();
        let out = walk(
            &g,
            4,
            || false,
            |t| async move {
                if t == 1 {
                    Err("boom".to_owned())
                } else {
                    Ok(())
                }
            },
        )
        .await;
        assert_eq!(out[0], Outcome::Succeeded);
        assert_eq!(out[1], Outcome::Failed("boom".into()));
        assert_eq!(out[2], Outcome::Skipped { because: "b".into() });
        assert_eq!(out[3], Outcome::Succeeded);
    }

    #[tokio::test(start_paused = true)]
    async fn parallelism_bounds_tasks_in_flight() {
        let mut g = TaskGraph::default();
        for i in 0..20 {
            g.add(format!("t{i}"));
        }
        let running = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        walk(
            &g,
            3,
            || false,
            |_| async {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(10)).await;
                running.fetch_sub(1, Ordering::SeqCst);
                Ok(())
            },
        )
        .await;
        assert_eq!(peak.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_stop_lets_tasks_in_flight_finish_and_starts_nothing_more() {
        let g = chain_and_side();
        let stop = std::sync::atomic::AtomicBool::new(false);
        let out = walk(
            &g,
            1,
            || stop.load(Ordering::SeqCst),
            |t| {
                if t == 0 {
                    stop.store(true, Ordering::SeqCst);
                }
                async { Ok(()) }
            },
        )
        .await;
        assert_eq!(out, vec![Outcome::Succeeded, Outcome::NotStarted, Outcome::NotStarted, Outcome::NotStarted]);
    }
}
