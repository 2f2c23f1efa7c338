//! Resource graphs: the dependency graph of a stack (`dag`) and the
//! bounded-parallel walk that apply and destroy run over it (`walk`).

pub mod dag;
pub mod family;
pub mod walk;

pub use dag::{Cycle, NodeSpec, ResourceGraph};
