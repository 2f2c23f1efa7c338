//! What both ACME Lambdas share, so that it is written exactly once:
//!
//! - [`model`]: the schedule definition, the purchase order and the Scheduler
//!   input contract, as typed values;
//! - [`catalogue`]: the gadget types ACME can order (data, not literals in code);
//! - [`table`]: how those models map onto the DynamoDB tables the stack creates
//!   (attribute and index names, item conversion);
//! - [`config`]: the environment variables each function reads at cold start;
//! - [`time`]: the one timestamp format stored in sort keys;
//! - [`aws`] and [`logging`]: SDK configuration and structured JSON logs.
//!
//! With the `test-support` feature, [`test_support`] gives the Lambdas' tests a
//! local cloud, tables with the stack's key schema and realistic events.

pub mod aws;
pub mod catalogue;
pub mod config;
pub mod logging;
pub mod model;
pub mod table;
pub mod time;

#[cfg(feature = "test-support")]
pub mod test_support;
