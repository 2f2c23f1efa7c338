//! strata: an infrastructure-as-code provisioner for AWS stacks written in YAML.
//!
//! Layers, top to bottom (data never flows back up): `cli` parses flags and
//! renders; `ops` orchestrates one command; `spec` turns YAML into a checked
//! stack; `graph` orders resources; `plan` diffs spec against `state`;
//! `provider` describes (and later drives) AWS resource types; `export` writes a
//! stack for another engine (a CloudFormation template); `cost` estimates what
//! a stack costs a month; `render` formats.

pub mod build;
pub mod cli;
pub mod cost;
pub mod drift;
pub mod export;
pub mod graph;
pub mod local;
pub mod ops;
pub mod plan;
pub mod provider;
pub mod render;
pub mod runtime;
pub mod spec;
pub mod state;
