//! One resource's monthly cost, by type: which prices apply and what
//! quantity each is charged for. The quantities come from the resource's
//! own properties (memory, architecture, subnets, alarm metrics) and the
//! usage inputs; docs/cost.md lists the rule for each type.

use rust_decimal::Decimal;

use super::prices::Regional;
use super::usage::Usage;
use super::{Charge, CostError, Line, Pricing};
use crate::spec::yaml::{Node, NodeValue};
use crate::spec::{Resource, Stack};

/// Types AWS does not charge for by themselves (their traffic is charged
/// where it lands: a Lambda, an endpoint, a table).
const NO_CHARGE: &[&str] = &[
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::EC2::VPC",
    "AWS::EC2::Subnet",
    "AWS::EC2::RouteTable",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::KMS::Alias",
    "AWS::Lambda::Permission",
    "AWS::ApiGateway::Resource",
    "AWS::ApiGateway::Method",
    "AWS::ApiGateway::Deployment",
    "AWS::ApiGateway::Stage",
    "AWS::ApiGateway::Authorizer",
    "AWS::Cognito::UserPoolClient",
];

/// The cost line of `resource`.
pub fn line(stack: &Stack, resource: &Resource, prices: &Regional<'_>, usage: &Usage) -> Result<Line, CostError> {
    let model = Model { stack, resource, prices, usage };
    let (pricing, charges, basis) = match resource.type_name.as_str() {
        "AWS::Lambda::Function" => model.lambda()?,
        "AWS::ApiGateway::RestApi" => model.rest_api()?,
        "AWS::DynamoDB::Table" => model.table()?,
        "AWS::KMS::Key" => model.kms_key()?,
        "AWS::EC2::VPCEndpoint" => model.vpc_endpoint()?,
        "AWS::Logs::LogGroup" => model.log_group()?,
        "AWS::CloudWatch::Alarm" => model.alarm()?,
        "AWS::Scheduler::ScheduleGroup" => model.schedule_group()?,
        "AWS::Cognito::UserPool" => (
            Pricing::NotEstimated,
            vec![],
            "priced per monthly active user; not in the price table (docs/cost.md)".to_owned(),
        ),
        t if NO_CHARGE.contains(&t) => (Pricing::NoCharge, vec![], "no charge".to_owned()),
        _ => (Pricing::NotEstimated, vec![], "strata has no price model for this type".to_owned()),
    };
    let monthly_usd = charges.iter().map(|c| c.usd).sum();
    Ok(Line {
        resource: resource.name.clone(),
        type_name: resource.type_name.clone(),
        pricing,
        charges,
        monthly_usd,
        basis,
    })
}

type Priced = (Pricing, Vec<Charge>, String);

struct Model<'a> {
    stack: &'a Stack,
    resource: &'a Resource,
    prices: &'a Regional<'a>,
    usage: &'a Usage,
}

impl Model<'_> {
    fn prop(&self, name: &str) -> Option<&Node> {
        self.resource.properties.get(name)
    }

    fn prop_str(&self, name: &str) -> Option<&str> {
        self.prop(name).and_then(Node::as_str)
    }

    fn prop_number(&self, name: &str) -> Option<Decimal> {
        match &self.prop(name)?.value {
            NodeValue::Int(i) => Some(Decimal::from(*i)),
            NodeValue::Float(s) | NodeValue::Str(s) => s.parse().ok(),
            _ => None,
        }
    }

    /// This resource's own `key` from the usage file, else `default`.
    fn qty(&self, key: &str, default: Decimal) -> Decimal {
        self.usage.of(&self.resource.name, key, default)
    }

    /// Requests and GB-seconds. A function an API Gateway method integrates
    /// is invoked once per API request; any other (ACME's schedule target)
    /// once per order.
    fn lambda(&self) -> Result<Priced, CostError> {
        let from_api = self.stack.resources.values().any(|r| {
            r.type_name == "AWS::ApiGateway::Method" && r.dependencies.iter().any(|(d, _)| *d == self.resource.name)
        });
        let driver = if from_api { "api_requests_per_month" } else { "orders_per_month" };
        let invocations = self.qty("invocations", self.usage.driver(driver));
        let duration_ms = self.qty("duration_ms", self.usage.driver("lambda_duration_ms"));
        let memory_mb = self.prop_number("MemorySize").unwrap_or(Decimal::from(128));
        let arm = self
            .prop("Architectures")
            .and_then(Node::as_seq)
            .is_some_and(|a| a.iter().any(|n| n.as_str() == Some("arm64")));
        let gb_seconds = invocations * duration_ms / Decimal::from(1000) * memory_mb / Decimal::from(1024);
        let compute = if arm { "lambda_gb_second_arm64" } else { "lambda_gb_second_x86_64" };
        let charges =
            vec![self.prices.charge("lambda_requests", invocations)?, self.prices.charge(compute, gb_seconds)?];
        let source = if from_api { "API requests" } else { "orders" };
        let basis = format!("{} invocations ({source}) x {duration_ms} ms x {memory_mb} MB", n(invocations));
        Ok((Pricing::Charged, charges, basis))
    }

    fn rest_api(&self) -> Result<Priced, CostError> {
        let requests = self.qty("requests", self.usage.driver("api_requests_per_month"));
        Ok((
            Pricing::Charged,
            vec![self.prices.charge("apigateway_rest_requests", requests)?],
            format!("{} requests", n(requests)),
        ))
    }

    /// On-demand tables: request units and storage. Provisioned capacity is
    /// priced per capacity-hour, which the table does not have yet.
    fn table(&self) -> Result<Priced, CostError> {
        if self.prop_str("BillingMode") != Some("PAY_PER_REQUEST") {
            return Ok((Pricing::NotEstimated, vec![], "provisioned capacity is not in the price table".to_owned()));
        }
        let orders = self.usage.driver("orders_per_month");
        let api = self.usage.driver("api_requests_per_month");
        let writes = self.qty("write_units", orders * self.usage.driver("dynamodb_write_units_per_order"));
        let reads = self.qty("read_units", api * self.usage.driver("dynamodb_read_units_per_request"));
        let gb = self.qty("gb_stored", self.usage.driver("dynamodb_gb_stored"));
        let charges = vec![
            self.prices.charge("dynamodb_write_request_units", writes)?,
            self.prices.charge("dynamodb_read_request_units", reads)?,
            self.prices.charge("dynamodb_storage", gb)?,
        ];
        Ok((Pricing::Charged, charges, format!("on-demand: {} WRU, {} RRU, {gb} GB", n(writes), n(reads))))
    }

    fn kms_key(&self) -> Result<Priced, CostError> {
        let requests = self.qty("requests", self.usage.driver("kms_requests_per_month"));
        let charges = vec![self.prices.charge("kms_key", Decimal::ONE)?, self.prices.charge("kms_requests", requests)?];
        Ok((Pricing::Charged, charges, format!("1 key, {} requests", n(requests))))
    }

    /// Interface endpoints: one hourly charge per subnet (one per AZ) plus
    /// the data through them. Gateway endpoints (S3, DynamoDB) are free.
    fn vpc_endpoint(&self) -> Result<Priced, CostError> {
        if self.prop_str("VpcEndpointType").unwrap_or("Gateway") != "Interface" {
            return Ok((Pricing::NoCharge, vec![], "gateway endpoint: no charge".to_owned()));
        }
        let azs = Decimal::from(self.prop("SubnetIds").and_then(Node::as_seq).map_or(1, <[Node]>::len));
        let hours = self.usage.driver("hours_per_month") * azs;
        let gb = self.qty("gb_processed", self.usage.driver("endpoint_gb_processed_per_month"));
        let charges = vec![
            self.prices.charge("vpc_interface_endpoint_hour", hours)?,
            self.prices.charge("vpc_interface_endpoint_data", gb)?,
        ];
        Ok((Pricing::Charged, charges, format!("{azs} AZ x {} h, {gb} GB", self.usage.driver("hours_per_month"))))
    }

    fn log_group(&self) -> Result<Priced, CostError> {
        let ingested = self.qty("gb_ingested", self.usage.driver("log_gb_ingested_per_month"));
        let stored = self.qty("gb_stored", self.usage.driver("log_gb_stored"));
        let charges =
            vec![self.prices.charge("logs_ingestion", ingested)?, self.prices.charge("logs_storage", stored)?];
        Ok((Pricing::Charged, charges, format!("{ingested} GB ingested, {stored} GB stored")))
    }

    /// Per metric the alarm reads: a metric-math alarm over two metrics
    /// costs two alarm metrics (the expression itself is free).
    fn alarm(&self) -> Result<Priced, CostError> {
        let metrics = match self.prop("Metrics").and_then(Node::as_seq) {
            Some(items) => items.iter().filter(|m| m.get("MetricStat").is_some()).count(),
            None => 1,
        };
        let metrics = Decimal::from(metrics);
        Ok((
            Pricing::Charged,
            vec![self.prices.charge("cloudwatch_alarm_metric", metrics)?],
            format!("{metrics} alarm metric(s)"),
        ))
    }

    /// The group is free; its schedules' invocations are charged here, since
    /// ACME's schedules are created at run time, not in the spec: one per order.
    fn schedule_group(&self) -> Result<Priced, CostError> {
        let invocations = self.qty("invocations", self.usage.driver("orders_per_month"));
        Ok((
            Pricing::Charged,
            vec![self.prices.charge("scheduler_invocations", invocations)?],
            format!("{} schedule invocations (orders)", n(invocations)),
        ))
    }
}

/// A quantity with thousands separators: 20000 -> 20,000.
fn n(d: Decimal) -> String {
    let text = d.normalize().to_string();
    let (int, frac) = text.split_once('.').map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn quantities_read_well() {
        assert_eq!(super::n("20000".parse().unwrap()), "20,000");
        assert_eq!(super::n("512.50".parse().unwrap()), "512.5");
        assert_eq!(super::n("100".parse().unwrap()), "100");
    }
}
