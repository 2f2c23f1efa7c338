//! One integration-test binary (as just does it): every test drives the real
//! `strata` executable the way a user does, and checks its output and exit code.

mod acme_safety;
mod adoption;
mod aws_rules;
mod child_processes;
mod cli;
mod cloud;
mod crash;
mod drift;
mod export;
mod fault_proxy;
mod fault_stack;
mod faults;
mod flagship;
mod flagship_apply;
mod graph;
mod interrupt;
mod invalid_specs;
mod lambda_build;
mod lambda_noop;
mod local_runtime;
mod outputs;
mod package;
mod plan_diff;
mod planfile;
mod providers_api;
mod providers_compute;
mod providers_data;
mod providers_network;
mod remote_state;
mod replacement;
mod selection;
mod state_lock;
mod state_path;
mod support;
mod yaml_limits;
