//! One integration-test binary (as just does it): every test drives the real
//! `strata` executable the way a user does, and checks its output and exit code.

mod flagship;
mod graph;
mod invalid_specs;
mod plan_diff;
mod planfile;
mod state_lock;
mod support;
