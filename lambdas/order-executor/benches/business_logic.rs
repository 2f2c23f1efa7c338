//! The time of one executor invocation's business logic: catalogue lookup,
//! pricing (decimal money), discount, priority, delivery days and status, for
//! every gadget type and a spread of quantities across all discount tiers.
//!
//!     cargo bench -p order-executor --bench business_logic
//!
//! No I/O: the DynamoDB reads and writes of an invocation are not included.

use std::hint::black_box;
use std::time::Instant;

use acme_core::catalogue::{self, CATALOGUE};
use order_executor::rules;

const QUANTITIES: [u32; 8] = [1, 9, 10, 49, 50, 99, 100, 1000];
const ROUNDS: u32 = 200_000;

fn one_invocation(gadget_type: &str, quantity: u32) -> u32 {
    let Some(entry) = catalogue::find(gadget_type) else { return 0 };
    let pricing = rules::price(entry.unit_price(), quantity);
    let priority = rules::priority(pricing.total, None);
    let status = rules::order_status(pricing.total);
    let days = rules::estimated_delivery_days(entry.base_delivery_days, quantity, priority);
    black_box((pricing, status));
    days
}

fn main() {
    let cases: Vec<(&str, u32)> =
        CATALOGUE.iter().flat_map(|e| QUANTITIES.iter().map(move |q| (e.gadget_type, *q))).collect();
    // Warm up, then measure.
    for (g, q) in &cases {
        black_box(one_invocation(g, *q));
    }
    let started = Instant::now();
    let mut sink = 0u64;
    for _ in 0..ROUNDS {
        for (g, q) in &cases {
            sink += u64::from(one_invocation(black_box(g), black_box(*q)));
        }
    }
    let elapsed = started.elapsed();
    let calls = u64::from(ROUNDS) * cases.len() as u64;
    black_box(sink);
    println!(
        "business logic: {calls} invocations in {:.2} s = {:.0} ns per invocation",
        elapsed.as_secs_f64(),
        elapsed.as_nanos() as f64 / calls as f64
    );
}
