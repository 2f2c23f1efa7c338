//! What users and machines read: the human plan, the JSON plan, state listings.
//! Output is written with ANSI styles; `anstream` strips them when stdout is
//! not a terminal or `NO_COLOR` is set.

pub mod cost;
pub mod drift;
pub mod error;
pub mod graph_dot;
pub mod json_lines;
pub mod outputs;
pub mod plan_human;
pub mod progress;
pub mod state;
pub mod template;
pub mod types;
pub mod value;
