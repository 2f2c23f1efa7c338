//! The HTTP edge: route, authenticate, call the service, answer JSON.

use std::collections::HashMap;

use acme_core::config::ManagerConfig;
use aws_config::SdkConfig;
use jiff::Timestamp;
use lambda_http::http::StatusCode;
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use tracing::Instrument;

use crate::error::{ApiError, FieldError};
use crate::identity::caller;
use crate::page_token::PageTokens;
use crate::query::{orders_query, schedules_query};
use crate::response::json;
use crate::routes::{match_route, Matched, Operation, RouteError};
use crate::scheduler::SchedulerGateway;
use crate::service::{Service, ServiceError};
use crate::store::{DefinitionStore, OrderStore};

/// Longest schedule id accepted in a path (ours are 36-character UUIDs).
const MAX_ID_CHARS: usize = 64;

#[derive(Clone)]
pub struct App {
    service: Service,
}

impl App {
    pub fn new(config: &ManagerConfig, sdk: &SdkConfig) -> Self {
        let dynamodb = aws_sdk_dynamodb::Client::new(sdk);
        let scheduler = aws_sdk_scheduler::Client::new(sdk);
        App {
            service: Service::new(
                DefinitionStore::new(dynamodb.clone(), config.schedule_table.clone()),
                OrderStore::new(dynamodb, config.orders_table.clone()),
                SchedulerGateway::new(
                    scheduler,
                    config.schedule_group.clone(),
                    config.order_executor_arn.clone(),
                    config.scheduler_role_arn.clone(),
                ),
                PageTokens::new(aws_sdk_kms::Client::new(sdk), config.page_token_key_arn.clone()),
            ),
        }
    }

    /// Handles one API Gateway request. Never fails: every error is a JSON
    /// response.
    pub async fn handle(&self, request: Request) -> Response<Body> {
        let request_id = match request.request_context_ref() {
            Some(RequestContext::ApiGatewayV1(context)) => context.request_id.clone().unwrap_or_default(),
            _ => String::new(),
        };
        let span = tracing::info_span!(
            "request",
            requestId = %request_id,
            method = %request.method(),
            path = %request.raw_http_path(),
            owner = tracing::field::Empty,
        );
        async {
            let response = match self.dispatch(&request).await {
                Ok(response) => response,
                Err(error) => error.into_response(),
            };
            tracing::info!(status = response.status().as_u16(), "request handled");
            response
        }
        .instrument(span)
        .await
    }

    async fn dispatch(&self, request: &Request) -> Result<Response<Body>, ApiError> {
        let matched = match_route(request.method(), request.raw_http_path()).map_err(|err| match err {
            RouteError::NotFound => ApiError::not_found("no such route"),
            RouteError::MethodNotAllowed { allowed } => ApiError::method_not_allowed(&allowed),
        })?;
        let caller = caller(request).ok_or_else(ApiError::unauthorized)?;
        tracing::Span::current().record("owner", caller.sub.as_str());
        let now = Timestamp::now();
        let service = &self.service;
        let response = match matched.operation {
            Operation::CreateSchedule => {
                let key = idempotency_key(request)?;
                let created = service.create_schedule(&caller, request.body().as_ref(), key.as_deref(), now).await?;
                let mut response = json(StatusCode::CREATED, &created.definition);
                if let Ok(location) = format!("/schedule/{}", created.definition.schedule_id).parse() {
                    response.headers_mut().insert("location", location);
                }
                if created.replayed {
                    response.headers_mut().insert(REPLAYED_HEADER, lambda_http::http::HeaderValue::from_static("true"));
                }
                response
            }
            Operation::ListSchedules => {
                let page = schedules_query(&query_params(request)).map_err(ServiceError::Invalid)?;
                json(StatusCode::OK, &service.list_schedules(&caller, &page, now).await?)
            }
            Operation::GetSchedule => {
                let id = schedule_id(&matched)?;
                json(StatusCode::OK, &service.get_schedule(&caller, id).await?)
            }
            Operation::CancelSchedule => {
                let id = schedule_id(&matched)?;
                json(StatusCode::OK, &service.cancel_schedule(&caller, id, now).await?)
            }
            Operation::ListOrders => {
                let (filter, page) = orders_query(&query_params(request)).map_err(ServiceError::Invalid)?;
                json(StatusCode::OK, &service.list_orders(&caller, &filter, &page).await?)
            }
        };
        Ok(response)
    }
}

/// The request header naming a create for safe retries.
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";
/// Set on a create's answer when it repeats an earlier request's.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";
/// Longest Idempotency-Key accepted (a UUID is 36).
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 128;

/// The Idempotency-Key header, if sent: 1 to 128 visible ASCII characters.
fn idempotency_key(request: &Request) -> Result<Option<String>, ServiceError> {
    let Some(value) = request.headers().get(IDEMPOTENCY_HEADER) else { return Ok(None) };
    check_idempotency_key(value.as_bytes()).map(Some).map_err(|err| ServiceError::Invalid(vec![err]))
}

fn check_idempotency_key(value: &[u8]) -> Result<String, FieldError> {
    let visible = |b: &u8| b.is_ascii_graphic();
    if value.is_empty() || value.len() > MAX_IDEMPOTENCY_KEY_CHARS || !value.iter().all(visible) {
        return Err(FieldError::new(
            "Idempotency-Key",
            format!("must be 1 to {MAX_IDEMPOTENCY_KEY_CHARS} visible ASCII characters (a UUID is a good key)"),
        ));
    }
    Ok(String::from_utf8_lossy(value).into_owned())
}

fn schedule_id(matched: &Matched) -> Result<&str, ServiceError> {
    match matched.param("id") {
        Some(id) if !id.is_empty() && id.chars().count() <= MAX_ID_CHARS => Ok(id),
        _ => Err(ServiceError::Invalid(vec![FieldError::new("id", "is not a schedule id")])),
    }
}

/// Single-valued query parameters; of a repeated one the first wins.
fn query_params(request: &Request) -> HashMap<String, String> {
    let mut params = HashMap::new();
    if let Some(map) = request.query_string_parameters_ref() {
        for (name, value) in map.iter() {
            params.entry(name.to_owned()).or_insert_with(|| value.to_owned());
        }
    }
    params
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotency_keys_are_short_visible_ascii() {
        assert_eq!(check_idempotency_key(b"4f1c-9a").unwrap(), "4f1c-9a");
        let too_long = vec![b'k'; MAX_IDEMPOTENCY_KEY_CHARS + 1];
        for bad in [&b""[..], b"has space", b"tab\t", "caf\u{e9}".as_bytes(), &too_long] {
            assert_eq!(check_idempotency_key(bad).unwrap_err().field, "Idempotency-Key", "{bad:?}");
        }
    }
}
