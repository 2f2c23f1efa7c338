//! `strata cost`: the flagship's monthly estimate through the binary, as a
//! table and as JSON, and how a usage file moves it (numbers worked out by
//! hand below, from the prices in pricing/aws-prices.yaml).

use rust_decimal::Decimal;
use serde_json::Value;

use crate::support::{repo_root, stderr, stdout, strata, Scratch};

const FLAGSHIP: &str = "stacks/acme-scheduling.yaml";

fn d(text: &str) -> Decimal {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// `strata cost --json` in the repository root.
fn estimate(extra: &[&str]) -> Value {
    let mut args = vec!["cost", FLAGSHIP, "--json"];
    args.extend_from_slice(extra);
    let out = strata(&repo_root(), &args);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

fn line<'a>(estimate: &'a Value, resource: &str) -> &'a Value {
    estimate["lines"].as_array().unwrap().iter().find(|l| l["resource"] == resource).unwrap()
}

fn usd(v: &Value) -> Decimal {
    d(v["monthly_usd"].as_str().expect("amounts are decimal strings, never floats"))
}

#[test]
fn cost_table_for_the_flagship() {
    let out = strata(&repo_root(), &["cost", FLAGSHIP]);
    assert!(out.status.success(), "{}", stderr(&out));
    insta::assert_snapshot!("cost_flagship_local", stdout(&out));
    let out = strata(&repo_root(), &["cost", FLAGSHIP, "--env", "prod"]);
    assert!(out.status.success(), "{}", stderr(&out));
    insta::assert_snapshot!("cost_flagship_prod", stdout(&out));
}

#[test]
fn cost_json_lines_add_up_to_the_total() {
    let e = estimate(&[]);
    assert_eq!(e["region"], "us-east-1");
    assert_eq!(e["currency"], "USD");
    let lines = e["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 46, "one line per resource of the flagship");
    let sum: Decimal = lines.iter().map(usd).sum();
    assert_eq!(sum, usd(&e));
    // Free types are there, at 0, and say why.
    let role = line(&e, "SchedulerManagerRole");
    assert_eq!((role["pricing"].as_str(), usd(role)), (Some("no_charge"), Decimal::ZERO));
    assert_eq!(line(&e, "UserPool")["pricing"], "not_estimated");
    // Three interface endpoints in two AZs: 3 x 2 x 730 h x $0.01 + 3 x 0.1 GB x $0.01.
    let endpoints: Decimal =
        ["LogsEndpoint", "SchedulerEndpoint", "KmsEndpoint"].iter().map(|n| usd(line(&e, n))).sum();
    assert_eq!(endpoints, d("43.803"));
    assert_eq!(usd(line(&e, "DynamoDbEndpoint")), Decimal::ZERO, "gateway endpoints are free");
    // Each charge says its price and quantity.
    let charges = line(&e, "DataKey")["charges"].as_array().unwrap();
    assert_eq!(charges[0]["price"], "kms_key");
    assert_eq!(d(charges[1]["quantity"].as_str().unwrap()), d("20000"));
    // prod is eu-west-1, with its own DynamoDB prices.
    let prod = estimate(&["--env", "prod"]);
    assert_eq!(prod["region"], "eu-west-1");
    assert_ne!(usd(line(&prod, "PurchaseOrdersTable")), usd(line(&e, "PurchaseOrdersTable")));
}

#[test]
fn cost_with_a_usage_file_moves_as_computed_by_hand() {
    let s = Scratch::with_spec("unused: true\n");
    std::fs::write(
        s.path().join("usage.yaml"),
        "orders_per_month: 20000\nresources:\n  SchedulerManagerFunction:\n    duration_ms: 1000\n",
    )
    .unwrap();
    let usage = s.path().join("usage.yaml");
    let before = estimate(&[]);
    let after = estimate(&["--usage", usage.to_str().unwrap()]);

    // order-executor: 20,000 x 0.2 s x 256/1024 GB = 1,000 GB-s x $0.0000166667
    // + 20,000 requests x $0.20 / 1M = 0.0166667 + 0.004.
    assert_eq!(usd(line(&after, "OrderExecutorFunction")), d("0.0206667"));
    // scheduler-manager (API requests unchanged, 1 s each): 20,000 x 1 s x 0.25 GB
    // = 5,000 GB-s x $0.0000166667 + 20,000 x $0.20 / 1M = 0.0833335 + 0.004.
    assert_eq!(usd(line(&after, "SchedulerManagerFunction")), d("0.0873335"));
    // Schedules fire once per order: 20,000 x $1.00 / 1M.
    assert_eq!(usd(line(&after, "ScheduleGroup")), d("0.02"));
    // Each table: 40,000 WRU x $0.625 / 1M + 40,000 RRU x $0.125 / 1M + 0.2 GB x $0.25.
    assert_eq!(usd(line(&after, "PurchaseOrdersTable")), d("0.08"));
    // Nothing else moved: the total moves by exactly the lines above.
    let moved = |name: &str| usd(line(&after, name)) - usd(line(&before, name));
    let expected: Decimal = ["OrderExecutorFunction", "SchedulerManagerFunction", "ScheduleGroup"]
        .iter()
        .map(|n| moved(n))
        .sum::<Decimal>()
        + moved("PurchaseOrdersTable")
        + moved("ScheduleDefinitionsTable");
    assert_eq!(usd(&after) - usd(&before), expected);
    assert_eq!(moved("Api"), Decimal::ZERO);

    // The table shows the same, rounded to cents.
    let out = strata(&repo_root(), &["cost", FLAGSHIP, "--usage", usage.to_str().unwrap()]);
    let table = stdout(&out);
    let row = table.lines().find(|l| l.starts_with("OrderExecutorFunction ")).unwrap();
    assert!(row.contains(" 0.02 ") && row.contains("20,000 invocations (orders) x 200 ms x 256 MB"), "{row}");
}

#[test]
fn cost_refuses_usage_it_does_not_understand() {
    let s = Scratch::with_spec("unused: true\n");
    std::fs::write(s.path().join("typo.yaml"), "orders_per_mnth: 5\n").unwrap();
    std::fs::write(s.path().join("ghost.yaml"), "resources:\n  NoSuchThing:\n    invocations: 5\n").unwrap();
    let spec = repo_root().join(FLAGSHIP);
    for (file, says) in
        [("typo.yaml", "did you mean `orders_per_month`"), ("ghost.yaml", "`resources.NoSuchThing` is not a resource")]
    {
        let out = s.run(&["cost", spec.to_str().unwrap(), "--usage", file]);
        assert_eq!(out.status.code(), Some(1), "{file}");
        assert!(crate::support::flat(&stderr(&out)).contains(says), "{file}: {}", stderr(&out));
    }
    // A region the price table does not have is named, with the ones it has.
    let s = Scratch::with_spec(
        "Stack: demo\nEnvironments:\n  mumbai:\n    Region: ap-south-1\nResources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n",
    );
    let out = s.run(&["cost", "stack.yaml", "--env", "mumbai"]);
    assert_eq!(out.status.code(), Some(1));
    let err = crate::support::flat(&stderr(&out));
    assert!(err.contains("no prices for region ap-south-1") && err.contains("us-east-1, eu-west-1"), "{err}");
}
