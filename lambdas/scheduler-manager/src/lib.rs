//! scheduler-manager: the ACME schedule API behind API Gateway (REST, Cognito
//! authorizer).
//!
//! - [`routes`]: the route table (tested against `openapi.yaml`);
//! - [`identity`]: the caller's Cognito `sub`;
//! - [`validation`] and [`query`]: request bodies and query strings;
//! - [`service`]: what each operation does;
//! - [`store`] and [`scheduler`]: DynamoDB and EventBridge Scheduler access;
//! - [`page_token`]: opaque, checked pagination tokens;
//! - [`error`] and [`response`]: JSON answers;
//! - [`app`]: the HTTP edge tying them together.

pub mod app;
pub mod error;
pub mod identity;
pub mod page_token;
pub mod query;
pub mod response;
pub mod routes;
pub mod scheduler;
pub mod service;
pub mod store;
pub mod validation;

pub use app::App;
