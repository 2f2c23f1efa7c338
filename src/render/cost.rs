//! The cost estimate as a table: one row per resource, the total last.
//! Amounts are rounded to cents only here; the total is the exact sum
//! rounded once, so it may differ from the sum of the shown rows by a cent.

use crate::cost::{cents, Estimate, Pricing};

pub fn table(e: &Estimate) -> String {
    let name_w = e.lines.iter().map(|l| l.resource.len()).chain([8]).max().unwrap_or(8);
    let type_w = e.lines.iter().map(|l| l.type_name.len()).chain([4]).max().unwrap_or(4);
    let mut out = format!(
        "Monthly estimate for {} ({}, {}), prices read {}\n\n",
        e.stack, e.environment, e.region, e.prices_read
    );
    out.push_str(&format!("{:<name_w$}  {:<type_w$}  {:>10}  {}\n", "Resource", "Type", "USD/month", "Basis"));
    for l in &e.lines {
        let amount = match l.pricing {
            Pricing::NotEstimated => "-".to_owned(),
            _ => format!("{:.2}", cents(l.monthly_usd)),
        };
        out.push_str(&format!("{:<name_w$}  {:<type_w$}  {:>10}  {}\n", l.resource, l.type_name, amount, l.basis));
    }
    out.push_str(&format!("{:<name_w$}  {:<type_w$}  {:>10}\n", "Total", "", format!("{:.2}", cents(e.monthly_usd))));
    let not_estimated: Vec<&str> =
        e.lines.iter().filter(|l| l.pricing == Pricing::NotEstimated).map(|l| l.resource.as_str()).collect();
    if !not_estimated.is_empty() {
        out.push_str(&format!("\nNot in the total (no price model): {}\n", not_estimated.join(", ")));
    }
    out.push_str("\nList prices without free tiers; sources in pricing/aws-prices.yaml, method in docs/cost.md.\n");
    out
}
