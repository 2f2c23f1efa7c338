//! `strata cost`: a monthly estimate of what a stack costs on AWS, per
//! resource, from a checked-in price table (`pricing/aws-prices.yaml`, each
//! price with its source page and the date it was read) and usage inputs
//! (`pricing/usage-acme.yaml` by default: ACME at 10,000 orders a month).
//!
//! Money is `rust_decimal::Decimal` from the price file's text to the
//! rendered total: a float would turn $0.0000166667 into a different number.
//! The estimate is pure (no AWS call): the spec, a region, prices, usage.

mod exact;
pub mod prices;
pub mod resources;
pub mod usage;

use rust_decimal::Decimal;
use serde::Serialize;

pub use prices::PriceTable;
pub use usage::Usage;

/// What `strata cost` cannot do, for the user (miette) or the caller.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CostError {
    #[error("cannot read {path}")]
    #[diagnostic(code(cost::read))]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not valid YAML: {message}")]
    #[diagnostic(code(cost::yaml))]
    Yaml { path: String, message: String },
    #[error("{path}: {message}")]
    #[diagnostic(code(cost::invalid), help("see docs/cost.md for the file's format"))]
    Invalid { path: String, message: String },
    #[error("the price table has no prices for region {region}")]
    #[diagnostic(code(cost::region), help("regions with prices: {known}; add the region to pricing/aws-prices.yaml"))]
    UnknownRegion { region: String, known: String },
    #[error("the price table has no `{name}` for {region}")]
    #[diagnostic(code(cost::price))]
    MissingPrice { name: String, region: String },
}

/// One charge of one resource: what is counted, how much, at what price.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Charge {
    /// The price table's entry, e.g. `lambda_requests`.
    pub price: String,
    /// The quantity in the price's unit, e.g. 20000 (requests).
    pub quantity: Decimal,
    pub unit: String,
    /// USD per `per` units.
    pub unit_price: Decimal,
    pub per: Decimal,
    /// quantity / per * unit_price, unrounded.
    pub usd: Decimal,
}

/// How a resource is priced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pricing {
    /// Charged by the charges listed.
    Charged,
    /// AWS does not charge for this type itself.
    NoCharge,
    /// strata has no model for this type (or this configuration): counted as
    /// 0 in the total, and said so.
    NotEstimated,
}

/// One resource's monthly cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    pub resource: String,
    pub type_name: String,
    pub pricing: Pricing,
    pub charges: Vec<Charge>,
    /// The sum of the charges, unrounded.
    pub monthly_usd: Decimal,
    /// What the number rests on, for a person reading the table.
    pub basis: String,
}

/// The estimate: every resource in spec order, and the total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    pub stack: String,
    pub environment: String,
    pub region: String,
    pub currency: &'static str,
    /// When the prices were read (the price table's `read`).
    pub prices_read: String,
    pub lines: Vec<Line>,
    /// The exact sum of every line (rounded only when shown).
    pub monthly_usd: Decimal,
}

/// The estimate for `stack` in `region`.
pub fn estimate(
    stack: &crate::spec::Stack,
    environment: &str,
    region: &str,
    prices: &PriceTable,
    usage: &Usage,
) -> Result<Estimate, CostError> {
    let regional = prices.for_region(region)?;
    let lines =
        stack.resources.values().map(|r| resources::line(stack, r, &regional, usage)).collect::<Result<Vec<_>, _>>()?;
    let monthly_usd = lines.iter().map(|l| l.monthly_usd).sum();
    Ok(Estimate {
        stack: stack.name.clone(),
        environment: environment.to_owned(),
        region: region.to_owned(),
        currency: "USD",
        prices_read: prices.read.clone(),
        lines,
        monthly_usd,
    })
}

/// Cents, half away from zero: how an amount is shown (never how it is summed).
pub fn cents(usd: Decimal) -> Decimal {
    usd.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}
