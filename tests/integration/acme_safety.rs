//! The ACME API on AWS's semantics, end to end over HTTP against the local
//! runtime (the flagship stack applied to the local cloud, `strata local
//! run`, users signed in through the local user pool):
//!
//! - 20 concurrent `POST /schedule` with one name create exactly one
//!   schedule (the name claim is one DynamoDB transaction), and its first
//!   firing produces exactly one order;
//! - the same `Idempotency-Key` twice returns the same scheduleId; with a
//!   different body it is a 422;
//! - paging `GET /orders?status=CREATED&limit=1`, a user only ever sees their
//!   own orders, and a tampered, foreign or other-listing `nextToken` is a
//!   400 with one fixed message.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::flagship_apply::{destroy_on_purpose, flagship_copy};
use crate::local_runtime::{call, login, serve};
use crate::support::{repo_root, stderr, stdout, strata};

/// `POST /schedule` with an optional Idempotency-Key: status, body and
/// whether the answer says it is a replay.
fn post(api: &str, token: &str, body: &Value, key: Option<&str>) -> (u16, Value, bool) {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut request = agent.post(format!("{api}/schedule")).header("Authorization", token);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    let mut response = request.send_json(body).expect("POST /schedule answers");
    let replayed = response.headers().get("idempotent-replayed").is_some_and(|v| v == "true");
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null), replayed)
}

/// A schedule body firing first at `start`, small enough to be CREATED.
fn schedule(name: &str, start: jiff::Timestamp) -> Value {
    json!({
        "scheduleName": name,
        // The second firing is after the test.
        "frequency": "rate(10 minutes)",
        "gadgetType": "WIDGET",
        "quantity": 5,
        "startDate": start.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
    })
}

/// Every order of `token`'s user, all pages.
fn all_orders(api: &str, token: &str) -> Vec<Value> {
    let (status, body) = call("GET", &format!("{api}/orders?limit=100"), Some(token), None);
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().unwrap().clone()
}

/// Pages `GET /orders?status=CREATED&limit=1` to the end: the ids and the
/// tokens seen.
fn page_created(api: &str, token: &str) -> (Vec<String>, Vec<String>) {
    let (mut ids, mut tokens) = (Vec::new(), Vec::new());
    let mut next: Option<String> = None;
    for _ in 0..20 {
        let url = match &next {
            None => format!("{api}/orders?status=CREATED&limit=1"),
            Some(t) => format!("{api}/orders?status=CREATED&limit=1&nextToken={t}"),
        };
        let (status, body) = call("GET", &url, Some(token), None);
        assert_eq!(status, 200, "{body}");
        ids.extend(body["items"].as_array().unwrap().iter().map(|o| o["orderId"].as_str().unwrap().to_owned()));
        match body["nextToken"].as_str() {
            Some(t) => {
                tokens.push(t.to_owned());
                next = Some(t.to_owned());
            }
            None => break,
        }
    }
    (ids, tokens)
}

/// The token with one character in its middle changed.
fn tampered(token: &str) -> String {
    let mut chars: Vec<char> = token.chars().collect();
    let i = chars.len() / 2;
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

#[test]
fn one_schedule_per_name_idempotent_creates_and_private_pages_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let stack = format!("acme-safe-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let spec = flagship_copy(dir.path(), &stack);
    let (spec, state) = (spec.to_str().unwrap().to_owned(), dir.path().join("state.json").to_str().unwrap().to_owned());
    let out = strata(&repo_root(), &["apply", &spec, "--state", &state, "--auto-approve"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    let served = serve(&spec, &state);
    let api = served.api.clone();
    let alice = login(&spec, &state, "alice@example.com");
    let bob = login(&spec, &state, "bob@example.com");

    // Every schedule below fires first at `start`.
    let start = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(40);

    // 20 concurrent creates of one name: one 201, nineteen 409s naming it.
    let rush = schedule("rush", start);
    let answers: Vec<(u16, Value, bool)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..20).map(|_| scope.spawn(|| post(&api, &alice, &rush, None))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let created: Vec<&Value> = answers.iter().filter(|(s, _, _)| *s == 201).map(|(_, b, _)| b).collect();
    assert_eq!(created.len(), 1, "exactly one create wins: {answers:?}");
    let rush_id = created[0]["scheduleId"].as_str().unwrap().to_owned();
    assert_eq!(created[0]["status"], "ACTIVE");
    for (status, body, _) in answers.iter().filter(|(s, _, _)| *s != 201) {
        assert_eq!(*status, 409, "{body}");
        assert_eq!(body["details"]["scheduleId"], rush_id.as_str(), "{body}");
    }
    let (_, listed) = call("GET", &format!("{api}/schedules?limit=100"), Some(&alice), None);
    let rushes: Vec<&Value> =
        listed["items"].as_array().unwrap().iter().filter(|s| s["scheduleName"] == "rush").collect();
    assert_eq!(rushes.len(), 1, "one schedule named rush: {listed}");

    // The same Idempotency-Key twice: the same schedule; another body: 422.
    let restock = schedule("restock", start);
    let key = uuid::Uuid::new_v4().to_string();
    let (first_status, first, first_replayed) = post(&api, &alice, &restock, Some(&key));
    assert_eq!((first_status, first_replayed), (201, false), "{first}");
    let (again_status, again, again_replayed) = post(&api, &alice, &restock, Some(&key));
    assert_eq!((again_status, again_replayed), (201, true), "{again}");
    assert_eq!(again["scheduleId"], first["scheduleId"], "the first answer's schedule");
    let (other_status, other, _) = post(&api, &alice, &schedule("restock-2", start), Some(&key));
    assert_eq!((other_status, other["error"].as_str()), (422, Some("IDEMPOTENCY_KEY_REUSED")), "{other}");
    // Bob's key space is his own: the same key is a new request for him.
    let (bob_status, bob_first, _) = post(&api, &bob, &schedule("bob-1", start), Some(&key));
    assert_eq!(bob_status, 201, "{bob_first}");
    let (bob_status, bob_second, _) = post(&api, &bob, &schedule("bob-2", start), None);
    assert_eq!(bob_status, 201, "{bob_second}");

    // The first firing: one order per schedule, four in all.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (a, b) = (all_orders(&api, &alice).len(), all_orders(&api, &bob).len());
        if (a >= 2 && b >= 2) || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let alice_orders = all_orders(&api, &alice);
    let rush_orders = alice_orders.iter().filter(|o| o["scheduleId"] == rush_id.as_str()).count();
    assert_eq!(rush_orders, 1, "one order from the first firing of rush: {alice_orders:?}");
    eprintln!("figures: 20 concurrent identical POSTs -> 1 schedule, {rush_orders} order(s) on its first firing");

    // Paging with limit=1 never shows another user's orders.
    let alice_ids: BTreeSet<String> = alice_orders.iter().map(|o| o["orderId"].as_str().unwrap().to_owned()).collect();
    let (bob_ids, bob_tokens) = page_created(&api, &bob);
    assert_eq!(bob_ids.len(), 2, "bob's two orders, one per page: {bob_ids:?}");
    assert!(bob_ids.iter().all(|id| !alice_ids.contains(id)), "bob saw one of alice's orders");
    let (alice_paged, _) = page_created(&api, &alice);
    assert_eq!(alice_paged.iter().cloned().collect::<BTreeSet<_>>(), alice_ids, "alice pages exactly her own");

    // Tokens: opaque, and only for their owner and listing.
    let token = bob_tokens.first().expect("bob's first page has a nextToken").clone();
    assert!(!token.contains(&bob_ids[0]), "the token is opaque");
    let refusals = [
        (&bob, format!("{api}/orders?status=CREATED&limit=1&nextToken={}", tampered(&token))),
        (&alice, format!("{api}/orders?status=CREATED&limit=1&nextToken={token}")),
        (&bob, format!("{api}/orders?status=PENDING_APPROVAL&limit=1&nextToken={token}")),
        (&bob, format!("{api}/schedules?limit=1&nextToken={token}")),
        (&bob, format!("{api}/orders?status=CREATED&limit=1&nextToken=not-a-token")),
    ];
    let mut messages = BTreeSet::new();
    for (who, url) in &refusals {
        let (status, body) = call("GET", url, Some(who), None);
        assert_eq!(status, 400, "{url}: {body}");
        assert_eq!(body["details"]["field"], "nextToken", "{body}");
        messages.insert(body["message"].to_string());
    }
    assert_eq!(messages.len(), 1, "one generic message for every refused token: {messages:?}");

    drop(served);
    let out = destroy_on_purpose(Path::new(&spec), Path::new(&state));
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
}
