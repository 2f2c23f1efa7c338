//! scheduler-manager in process: realistic API Gateway REST events (Cognito
//! authorizer claims included) against the local cloud's DynamoDB and
//! Scheduler, checking what landed there.

mod support;

mod create;
mod failures;
mod openapi;
mod orders;
mod safety;
mod schedules;
