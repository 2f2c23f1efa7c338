//! The price table: `pricing/aws-prices.yaml`, compiled into the binary so
//! `strata cost` gives the same answer wherever it runs, and so a price
//! change is a reviewed diff with its source and date next to it.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Deserialize;

use super::{exact, CostError};

/// The checked-in table.
pub const EMBEDDED: &str = include_str!("../../pricing/aws-prices.yaml");
const EMBEDDED_PATH: &str = "pricing/aws-prices.yaml";

/// Every price, for every region it has.
#[derive(Debug, Clone, Deserialize)]
pub struct PriceTable {
    /// When the table was last read from its sources.
    pub read: String,
    pub regions: Vec<String>,
    pub prices: BTreeMap<String, Price>,
}

/// One price: USD per `per` units, per region.
#[derive(Debug, Clone, Deserialize)]
pub struct Price {
    pub unit: String,
    pub per: Decimal,
    pub source: String,
    pub read: String,
    #[serde(default)]
    pub note: Option<String>,
    /// Region name -> USD.
    #[serde(flatten)]
    pub by_region: BTreeMap<String, Decimal>,
}

/// The table narrowed to one region: what the resource models read.
pub struct Regional<'a> {
    pub region: &'a str,
    table: &'a PriceTable,
}

impl PriceTable {
    /// The table compiled into strata.
    pub fn embedded() -> Result<Self, CostError> {
        Self::parse(EMBEDDED_PATH, EMBEDDED)
    }

    pub fn parse(path: &str, text: &str) -> Result<Self, CostError> {
        let invalid = |message: String| CostError::Invalid { path: path.to_owned(), message };
        let table: PriceTable =
            serde_json::from_value(exact::parse(path, text)?).map_err(|e| invalid(e.to_string()))?;
        for (name, price) in &table.prices {
            if price.per <= Decimal::ZERO {
                return Err(invalid(format!("`{name}`: `per` must be positive")));
            }
            for region in &table.regions {
                if !price.by_region.contains_key(region) {
                    return Err(invalid(format!("`{name}` has no price for {region}")));
                }
            }
        }
        Ok(table)
    }

    pub fn for_region<'a>(&'a self, region: &'a str) -> Result<Regional<'a>, CostError> {
        if !self.regions.iter().any(|r| r == region) {
            return Err(CostError::UnknownRegion { region: region.to_owned(), known: self.regions.join(", ") });
        }
        Ok(Regional { region, table: self })
    }
}

impl Regional<'_> {
    /// `quantity` units of price `name`, as a charge.
    pub fn charge(&self, name: &str, quantity: Decimal) -> Result<super::Charge, CostError> {
        let missing = || CostError::MissingPrice { name: name.to_owned(), region: self.region.to_owned() };
        let price = self.table.prices.get(name).ok_or_else(missing)?;
        let unit_price = *price.by_region.get(self.region).ok_or_else(missing)?;
        Ok(super::Charge {
            price: name.to_owned(),
            quantity,
            unit: price.unit.clone(),
            unit_price,
            per: price.per,
            usd: quantity * unit_price / price.per,
        })
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;

    #[test]
    fn the_checked_in_table_has_every_region_and_a_source_for_each_price() {
        let table = PriceTable::embedded().unwrap();
        assert!(table.regions.iter().any(|r| r == "us-east-1") && table.regions.iter().any(|r| r == "eu-west-1"));
        for (name, price) in &table.prices {
            assert!(price.source.starts_with("https://"), "{name} has no source page");
            assert!(!price.read.is_empty(), "{name} has no read date");
        }
    }

    #[test]
    fn charges_are_exact() {
        let table = PriceTable::embedded().unwrap();
        let us = table.for_region("us-east-1").unwrap();
        // 400,000 GB-s at $0.0000166667: exactly $6.66668, which an f64 cannot hold.
        let c = us.charge("lambda_gb_second_x86_64", Decimal::from(400_000)).unwrap();
        assert_eq!(c.usd, "6.66668".parse::<Decimal>().unwrap());
        let c = us.charge("lambda_requests", Decimal::from(10_000)).unwrap();
        assert_eq!(c.usd, "0.002".parse::<Decimal>().unwrap());
        assert!(matches!(table.for_region("ap-south-1"), Err(CostError::UnknownRegion { .. })));
    }

    #[test]
    fn a_table_missing_a_region_is_refused() {
        let text = "read: x\nregions: [us-east-1, eu-west-1]\nprices:\n  p: {unit: u, per: 1, source: s, read: r, us-east-1: \"1\"}\n";
        let err = PriceTable::parse("t.yaml", text).unwrap_err().to_string();
        assert!(err.contains("no price for eu-west-1"), "{err}");
    }
}
