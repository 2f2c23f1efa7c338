//! DynamoDB's isolation on the local cloud. DynamoDB serialises a
//! `TransactWriteItems` against every other write and read of its items
//! (AWS, "Isolation levels for DynamoDB transactions"), which is what lets the
//! scheduler-manager claim a schedule name with one conditional transaction.
//! moto 5.2.5 serves requests on threads and does not: its transaction
//! checks and writes item by item, and a failed one restores a copy of the
//! whole table taken when it began, erasing what concurrent requests wrote
//! in between. The local cloud models AWS here; this test races conditional
//! transactions through the server strata starts and checks AWS's outcome.

use std::process::Command;

use local_cloud::{ensure_running, LocalCloudConfig};

/// Rounds of `CONTENDERS` simultaneous claims of one key, each on a new table.
const SCRIPT: &str = r#"
import json, sys, threading, uuid
import boto3
from botocore.config import Config

endpoint, rounds, contenders = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ddb = boto3.client(
    "dynamodb", endpoint_url=endpoint, region_name="us-east-1",
    aws_access_key_id="test", aws_secret_access_key="test",
    config=Config(retries={"max_attempts": 1}, max_pool_connections=contenders),
)
report = []
for _ in range(rounds):
    table = "isolation-" + uuid.uuid4().hex[:8]
    ddb.create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
    )
    # Items already in the table, as in a table in use: moto copies the
    # whole table at the start of every transaction.
    for start in range(0, 300, 25):
        ddb.batch_write_item(RequestItems={table: [
            {"PutRequest": {"Item": {"pk": {"S": f"other#{n}"}}}} for n in range(start, start + 25)
        ]})
    winners, barrier = [], threading.Barrier(contenders)

    def claim(i):
        put = lambda item: {"Put": {"TableName": table, "Item": item,
                                    "ConditionExpression": "attribute_not_exists(pk)"}}
        barrier.wait()
        try:
            ddb.transact_write_items(TransactItems=[
                put({"pk": {"S": f"definition#{i}"}}),
                put({"pk": {"S": "claim"}, "holder": {"S": str(i)}}),
            ])
            winners.append(str(i))
        except ddb.exceptions.TransactionCanceledException:
            pass

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(contenders)]
    for t in threads: t.start()
    for t in threads: t.join()
    items = ddb.scan(TableName=table, ConsistentRead=True)["Items"]
    report.append({
        "winners": winners,
        "keys": sorted(item["pk"]["S"] for item in items if not item["pk"]["S"].startswith("other#")),
        "others": sum(1 for item in items if item["pk"]["S"].startswith("other#")),
        "holder": next((item["holder"]["S"] for item in items if item["pk"]["S"] == "claim"), None),
    })
    ddb.delete_table(TableName=table)
print(json.dumps(report))
"#;

#[test]
fn concurrent_conditional_transactions_have_exactly_one_winner_whose_writes_stay() {
    let cfg = LocalCloudConfig::from_env();
    let cloud = ensure_running(&cfg).expect("the local cloud starts");
    let python = cfg.install_dir.join("venv/bin/python");
    let out = Command::new(&python)
        .args(["-c", SCRIPT, &cloud.endpoint, "8", "20"])
        .output()
        .expect("run the venv's python");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the script's JSON report");
    for round in report.as_array().expect("rounds") {
        let winners: Vec<&str> = round["winners"].as_array().unwrap().iter().map(|w| w.as_str().unwrap()).collect();
        assert_eq!(winners.len(), 1, "exactly one transaction wins the claim: {round}");
        let expected = vec!["claim".to_string(), format!("definition#{}", winners[0])];
        let keys: Vec<&str> = round["keys"].as_array().unwrap().iter().map(|k| k.as_str().unwrap()).collect();
        assert_eq!(keys, expected, "the winner's writes, and only they, are in the table: {round}");
        assert_eq!(round["holder"], winners[0], "the claim names the winner: {round}");
        assert_eq!(round["others"], 300, "nothing else in the table was lost: {round}");
    }
}
