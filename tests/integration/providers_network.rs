//! Provider tests for the network types against the local cloud (see cloud.rs).
//!
//! Each test drives a provider through create -> read -> update -> find ->
//! delete and checks what landed with an INDEPENDENT client: boto3 from the
//! local cloud's own virtualenv (moto depends on it), never strata's SDK code.

use serde_json::{json, Value};
use strata::provider::types::{
    ec2_route_table, ec2_security_group, ec2_subnet, ec2_subnet_route_table_association, ec2_vpc, ec2_vpc_endpoint,
};
use strata::provider::{Cx, Request, ResourceProvider, StrataTags};

use crate::cloud::{cx, runtime, tags, unique};

/// One resource of a throwaway stack: its logical name, tags and properties.
struct Spec {
    name: &'static str,
    tags: StrataTags,
    props: Value,
}

impl Spec {
    fn new(name: &'static str, props: Value) -> Spec {
        Spec { name, tags: tags(name), props }
    }

    fn req(&self) -> Request<'_> {
        Request { logical_name: self.name, properties: &self.props, tags: &self.tags }
    }

    /// The properties as `read` reports them: `Tags` also holds the stack-wide
    /// tags (AWS has them on the resource; `read` cannot tell them apart),
    /// after the resource's own tags.
    fn live_view(&self) -> Value {
        let mut view = self.props.clone();
        let mut tags = self.props.get("Tags").and_then(Value::as_array).cloned().unwrap_or_default();
        for (key, value) in &self.tags.stack_tags {
            tags.push(json!({"Key": key, "Value": value}));
        }
        view["Tags"] = Value::Array(tags);
        view
    }
}

/// Runs a boto3 script against the local cloud and returns what it passed to
/// `out(...)` as JSON. The script has an EC2 client in `ec2`.
fn boto3(script: &str) -> Value {
    let prelude = "import boto3, json, os, sys\n\
        ec2 = boto3.client('ec2', endpoint_url=os.environ['ENDPOINT'])\n\
        def out(value):\n    print(json.dumps(value, default=str))\n";
    crate::support::boto3_json(prelude, script)
}

/// Tags as boto3 reports them, as a map.
fn tag_map(tags: &Value) -> serde_json::Map<String, Value> {
    tags.as_array()
        .into_iter()
        .flatten()
        .map(|t| (t["Key"].as_str().unwrap_or_default().to_owned(), t["Value"].clone()))
        .collect()
}

/// Checks that boto3 sees the identity tags, the stack tag and the spec's own tags.
fn assert_tagged(aws_tags: &Value, spec: &Spec, own: &[(&str, &str)]) {
    let tags = tag_map(aws_tags);
    assert_eq!(tags["strata:stack"], json!(spec.tags.stack));
    assert_eq!(tags["strata:environment"], json!("local"));
    assert_eq!(tags["strata:logical-name"], json!(spec.name));
    assert_eq!(tags["project"], json!("strata-tests"));
    for (k, v) in own {
        assert_eq!(tags.get(*k), Some(&json!(v)), "tag {k}");
    }
}

async fn new_vpc(cx: &Cx, cidr: &str) -> (Spec, String) {
    let spec = Spec::new("Vpc", json!({"CidrBlock": cidr, "EnableDnsSupport": true, "EnableDnsHostnames": true}));
    let applied = ec2_vpc::Provider.create(cx, &spec.req()).await.expect("create vpc");
    (spec, applied.physical_id)
}

async fn new_subnet(cx: &Cx, vpc: &str, cidr: &str, zone: &str) -> String {
    let spec = Spec::new("Subnet", json!({"VpcId": vpc, "CidrBlock": cidr, "AvailabilityZone": zone}));
    ec2_subnet::Provider.create(cx, &spec.req()).await.expect("create subnet").physical_id
}

#[test]
fn vpc_create_read_update_find_delete() {
    runtime().block_on(async {
        let cx = cx().await;
        let mut spec = Spec::new(
            "Vpc",
            json!({
                "CidrBlock": "10.20.0.0/16",
                "EnableDnsSupport": true,
                "EnableDnsHostnames": true,
                "Tags": [{"Key": "Name", "Value": "net-test"}],
            }),
        );
        let applied = ec2_vpc::Provider.create(&cx, &spec.req()).await.expect("create");
        let id = applied.physical_id.clone();
        assert_eq!(applied.attributes["VpcId"], json!(id));
        assert_eq!(applied.attributes["CidrBlock"], json!("10.20.0.0/16"));
        assert!(applied.attributes["DefaultNetworkAcl"].as_str().is_some_and(|a| a.starts_with("acl-")));
        assert!(applied.attributes["DefaultSecurityGroup"].as_str().is_some_and(|g| g.starts_with("sg-")));

        let aws = boto3(&format!(
            "v = ec2.describe_vpcs(VpcIds=['{id}'])['Vpcs'][0]\n\
             h = ec2.describe_vpc_attribute(VpcId='{id}', Attribute='enableDnsHostnames')['EnableDnsHostnames']['Value']\n\
             s = ec2.describe_vpc_attribute(VpcId='{id}', Attribute='enableDnsSupport')['EnableDnsSupport']['Value']\n\
             acl = ec2.describe_network_acls(Filters=[{{'Name': 'vpc-id', 'Values': ['{id}']}}, {{'Name': 'default', 'Values': ['true']}}])['NetworkAcls'][0]['NetworkAclId']\n\
             out({{'cidr': v['CidrBlock'], 'tags': v['Tags'], 'hostnames': h, 'support': s, 'acl': acl}})"
        ));
        assert_eq!(aws["cidr"], json!("10.20.0.0/16"));
        assert_eq!(aws["hostnames"], json!(true));
        assert_eq!(aws["support"], json!(true));
        assert_eq!(aws["acl"], applied.attributes["DefaultNetworkAcl"]);
        assert_tagged(&aws["tags"], &spec, &[("Name", "net-test")]);

        let live = ec2_vpc::Provider.read(&cx, &id, &spec.props).await.expect("read").expect("exists");
        for key in ["CidrBlock", "EnableDnsSupport", "EnableDnsHostnames", "Tags"] {
            assert_eq!(live.properties[key], spec.live_view()[key], "{key}");
        }
        assert_eq!(live.properties["InstanceTenancy"], json!("default"));
        assert_eq!(live.attributes, applied.attributes);
        assert!(spec.tags.identifies(&live.tags));

        let before = spec.props.clone();
        spec.props["EnableDnsHostnames"] = json!(false);
        spec.props["Tags"] = json!([{"Key": "Team", "Value": "net"}]);
        let updated = ec2_vpc::Provider.update(&cx, &id, &before, &spec.req()).await.expect("update");
        assert_eq!(updated.physical_id, id);
        let aws = boto3(&format!(
            "v = ec2.describe_vpcs(VpcIds=['{id}'])['Vpcs'][0]\n\
             h = ec2.describe_vpc_attribute(VpcId='{id}', Attribute='enableDnsHostnames')['EnableDnsHostnames']['Value']\n\
             out({{'tags': v['Tags'], 'hostnames': h}})"
        ));
        assert_eq!(aws["hostnames"], json!(false));
        assert_tagged(&aws["tags"], &spec, &[("Team", "net")]);
        assert!(!tag_map(&aws["tags"]).contains_key("Name"), "the removed tag is gone");

        let found = ec2_vpc::Provider.find(&cx, &spec.req()).await.expect("find").expect("found by tags");
        assert_eq!(found.physical_id, id);
        let stranger = Spec::new("Vpc", spec.props.clone());
        assert!(ec2_vpc::Provider.find(&cx, &stranger.req()).await.expect("find").is_none());

        ec2_vpc::Provider.delete(&cx, &id, &spec.props).await.expect("delete");
        let aws = boto3(&format!("out(len(ec2.describe_vpcs(Filters=[{{'Name': 'vpc-id', 'Values': ['{id}']}}])['Vpcs']))"));
        assert_eq!(aws, json!(0));
        ec2_vpc::Provider.delete(&cx, &id, &spec.props).await.expect("a second delete succeeds");
        assert!(ec2_vpc::Provider.read(&cx, &id, &spec.props).await.expect("read").is_none());
    });
}

#[test]
fn batched_reads_return_every_existing_id_and_skip_missing_ones() {
    runtime().block_on(async {
        let cx = cx().await;
        let (_, a) = new_vpc(&cx, "10.21.0.0/16").await;
        let (_, b) = new_vpc(&cx, "10.22.0.0/16").await;
        let subnet_a = new_subnet(&cx, &a, "10.21.1.0/24", "us-east-1a").await;
        let subnet_b = new_subnet(&cx, &b, "10.22.1.0/24", "us-east-1b").await;

        let calls = cx.clients.calls();
        let vpcs = ec2_vpc::describe_many(&cx, &[&a, &b, "vpc-0000000000000dead"]).await.expect("vpcs");
        assert_eq!(vpcs.keys().cloned().collect::<Vec<_>>(), {
            let mut ids = vec![a.clone(), b.clone()];
            ids.sort();
            ids
        });
        assert_eq!(vpcs[&a].properties["CidrBlock"], json!("10.21.0.0/16"));
        // One DescribeVpcs, one DescribeNetworkAcls, one DescribeSecurityGroups,
        // and the two DNS attributes of each VPC.
        assert_eq!(cx.clients.calls() - calls, 3 + 2 * 2);

        let calls = cx.clients.calls();
        let subnets =
            ec2_subnet::describe_many(&cx, &[&subnet_a, &subnet_b, "subnet-0000000000000dead"]).await.expect("subnets");
        assert_eq!(subnets.len(), 2);
        assert_eq!(subnets[&subnet_b].properties["AvailabilityZone"], json!("us-east-1b"));
        assert_eq!(cx.clients.calls() - calls, 1);

        let default_groups = [
            vpcs[&a].attributes["DefaultSecurityGroup"].as_str().unwrap_or_default().to_owned(),
            vpcs[&b].attributes["DefaultSecurityGroup"].as_str().unwrap_or_default().to_owned(),
        ];
        let calls = cx.clients.calls();
        let groups =
            ec2_security_group::describe_many(&cx, &[&default_groups[0], &default_groups[1], "sg-0000000000000dead"])
                .await
                .expect("groups");
        assert_eq!(groups.len(), 2);
        assert_eq!(cx.clients.calls() - calls, 1);

        for subnet in [&subnet_a, &subnet_b] {
            ec2_subnet::Provider.delete(&cx, subnet, &json!({})).await.expect("delete subnet");
        }
        for vpc in [&a, &b] {
            ec2_vpc::Provider.delete(&cx, vpc, &json!({})).await.expect("delete vpc");
        }
    });
}

#[test]
fn subnet_create_read_update_find_delete() {
    runtime().block_on(async {
        let cx = cx().await;
        let (vpc_spec, vpc) = new_vpc(&cx, "10.30.0.0/16").await;
        let mut spec = Spec::new(
            "PrivateSubnetA",
            json!({
                "VpcId": vpc,
                "CidrBlock": "10.30.1.0/24",
                "AvailabilityZone": "us-east-1a",
                "MapPublicIpOnLaunch": false,
                "Tags": [{"Key": "Name", "Value": "private-a"}],
            }),
        );
        let applied = ec2_subnet::Provider.create(&cx, &spec.req()).await.expect("create");
        let id = applied.physical_id.clone();
        assert_eq!(applied.attributes["SubnetId"], json!(id));
        assert_eq!(applied.attributes["VpcId"], json!(vpc));
        assert_eq!(applied.attributes["CidrBlock"], json!("10.30.1.0/24"));
        assert_eq!(applied.attributes["AvailabilityZone"], json!("us-east-1a"));
        assert!(applied.attributes["AvailabilityZoneId"].as_str().is_some_and(|z| !z.is_empty()));

        let aws = boto3(&format!("out(ec2.describe_subnets(SubnetIds=['{id}'])['Subnets'][0])"));
        assert_eq!(aws["VpcId"], json!(vpc));
        assert_eq!(aws["CidrBlock"], json!("10.30.1.0/24"));
        assert_eq!(aws["AvailabilityZone"], json!("us-east-1a"));
        assert_eq!(aws["MapPublicIpOnLaunch"], json!(false));
        assert_tagged(&aws["Tags"], &spec, &[("Name", "private-a")]);

        let live = ec2_subnet::Provider.read(&cx, &id, &spec.props).await.expect("read").expect("exists");
        for key in ["VpcId", "CidrBlock", "AvailabilityZone", "MapPublicIpOnLaunch", "Tags"] {
            assert_eq!(live.properties[key], spec.live_view()[key], "{key}");
        }
        assert_eq!(live.attributes, applied.attributes);

        let before = spec.props.clone();
        spec.props["MapPublicIpOnLaunch"] = json!(true);
        spec.props["Tags"] = json!([{"Key": "Name", "Value": "renamed"}]);
        ec2_subnet::Provider.update(&cx, &id, &before, &spec.req()).await.expect("update");
        let aws = boto3(&format!("out(ec2.describe_subnets(SubnetIds=['{id}'])['Subnets'][0])"));
        assert_eq!(aws["MapPublicIpOnLaunch"], json!(true));
        assert_tagged(&aws["Tags"], &spec, &[("Name", "renamed")]);
        let live = ec2_subnet::Provider.read(&cx, &id, &spec.props).await.expect("read").expect("exists");
        assert_eq!(live.properties["MapPublicIpOnLaunch"], json!(true));

        let found = ec2_subnet::Provider.find(&cx, &spec.req()).await.expect("find").expect("found by tags");
        assert_eq!(found.physical_id, id);
        assert_eq!(found.attributes, live.attributes);

        ec2_subnet::Provider.delete(&cx, &id, &spec.props).await.expect("delete");
        let aws = boto3(&format!(
            "out(len(ec2.describe_subnets(Filters=[{{'Name': 'subnet-id', 'Values': ['{id}']}}])['Subnets']))"
        ));
        assert_eq!(aws, json!(0));
        ec2_subnet::Provider.delete(&cx, &id, &spec.props).await.expect("a second delete succeeds");
        assert!(ec2_subnet::Provider.read(&cx, &id, &spec.props).await.expect("read").is_none());
        ec2_vpc::Provider.delete(&cx, &vpc, &vpc_spec.props).await.expect("delete vpc");
    });
}

#[test]
fn route_table_and_association_create_read_update_find_delete() {
    runtime().block_on(async {
        let cx = cx().await;
        let (vpc_spec, vpc) = new_vpc(&cx, "10.40.0.0/16").await;
        let subnet = new_subnet(&cx, &vpc, "10.40.1.0/24", "us-east-1a").await;

        let mut table = Spec::new("PrivateRouteTable", json!({"VpcId": vpc, "Tags": [{"Key": "Name", "Value": "private"}]}));
        let applied = ec2_route_table::Provider.create(&cx, &table.req()).await.expect("create table");
        let table_id = applied.physical_id.clone();
        assert_eq!(applied.attributes["RouteTableId"], json!(table_id));
        let aws = boto3(&format!("out(ec2.describe_route_tables(RouteTableIds=['{table_id}'])['RouteTables'][0])"));
        assert_eq!(aws["VpcId"], json!(vpc));
        assert_tagged(&aws["Tags"], &table, &[("Name", "private")]);
        let live = ec2_route_table::Provider.read(&cx, &table_id, &table.props).await.expect("read").expect("exists");
        assert_eq!(live.properties, table.live_view());

        let before = table.props.clone();
        table.props["Tags"] = json!([{"Key": "Name", "Value": "private-2"}, {"Key": "Tier", "Value": "private"}]);
        ec2_route_table::Provider.update(&cx, &table_id, &before, &table.req()).await.expect("update table");
        let aws = boto3(&format!("out(ec2.describe_route_tables(RouteTableIds=['{table_id}'])['RouteTables'][0]['Tags'])"));
        assert_tagged(&aws, &table, &[("Name", "private-2"), ("Tier", "private")]);
        let live = ec2_route_table::Provider.read(&cx, &table_id, &table.props).await.expect("read").expect("exists");
        assert_eq!(live.properties["Tags"], table.live_view()["Tags"], "read follows the spec's tag order");
        let found = ec2_route_table::Provider.find(&cx, &table.req()).await.expect("find").expect("found by tags");
        assert_eq!(found.physical_id, table_id);

        let association =
            Spec::new("PrivateSubnetARouteTableAssociation", json!({"SubnetId": subnet, "RouteTableId": table_id}));
        let assoc = ec2_subnet_route_table_association::Provider.create(&cx, &association.req()).await.expect("associate");
        let assoc_id = assoc.physical_id.clone();
        assert!(assoc_id.starts_with("rtbassoc-"));
        assert_eq!(assoc.attributes["Id"], json!(assoc_id));
        let aws = boto3(&format!(
            "t = ec2.describe_route_tables(RouteTableIds=['{table_id}'])['RouteTables'][0]\n\
             out([a for a in t['Associations'] if a.get('SubnetId') == '{subnet}'])"
        ));
        assert_eq!(aws[0]["RouteTableAssociationId"], json!(assoc_id));
        let live = ec2_subnet_route_table_association::Provider
            .read(&cx, &assoc_id, &association.props)
            .await
            .expect("read")
            .expect("exists");
        assert_eq!(live.properties, association.props);
        let found = ec2_subnet_route_table_association::Provider
            .find(&cx, &association.req())
            .await
            .expect("find")
            .expect("found by subnet and table");
        assert_eq!(found.physical_id, assoc_id);

        ec2_subnet_route_table_association::Provider.delete(&cx, &assoc_id, &association.props).await.expect("disassociate");
        let aws = boto3(&format!(
            "t = ec2.describe_route_tables(RouteTableIds=['{table_id}'])['RouteTables'][0]\n\
             out([a for a in t['Associations'] if a.get('SubnetId') == '{subnet}'])"
        ));
        assert_eq!(aws, json!([]));
        ec2_subnet_route_table_association::Provider
            .delete(&cx, &assoc_id, &association.props)
            .await
            .expect("a second delete succeeds");
        assert!(ec2_subnet_route_table_association::Provider.read(&cx, &assoc_id, &association.props).await.expect("read").is_none());
        assert!(ec2_subnet_route_table_association::Provider.find(&cx, &association.req()).await.expect("find").is_none());

        ec2_route_table::Provider.delete(&cx, &table_id, &table.props).await.expect("delete table");
        let aws = boto3(&format!(
            "out(len(ec2.describe_route_tables(Filters=[{{'Name': 'route-table-id', 'Values': ['{table_id}']}}])['RouteTables']))"
        ));
        assert_eq!(aws, json!(0));
        ec2_route_table::Provider.delete(&cx, &table_id, &table.props).await.expect("a second delete succeeds");
        ec2_subnet::Provider.delete(&cx, &subnet, &json!({})).await.expect("delete subnet");
        ec2_vpc::Provider.delete(&cx, &vpc, &vpc_spec.props).await.expect("delete vpc");
    });
}

/// A group's rules as boto3 sees them: `[[protocol, from, to, peer, description]]`, sorted.
fn aws_rules(group: &str, key: &str) -> Value {
    boto3(&format!(
        "g = ec2.describe_security_groups(GroupIds=['{group}'])['SecurityGroups'][0]\n\
         rules = []\n\
         for p in g['{key}']:\n\
         \x20   base = [p['IpProtocol'], p.get('FromPort'), p.get('ToPort')]\n\
         \x20   for r in p.get('IpRanges', []): rules.append(base + [r['CidrIp'], r.get('Description')])\n\
         \x20   for r in p.get('Ipv6Ranges', []): rules.append(base + [r['CidrIpv6'], r.get('Description')])\n\
         \x20   for r in p.get('PrefixListIds', []): rules.append(base + [r['PrefixListId'], r.get('Description')])\n\
         \x20   for r in p.get('UserIdGroupPairs', []): rules.append(base + [r['GroupId'], r.get('Description')])\n\
         out(sorted(rules, key=str))"
    ))
}

#[test]
fn security_group_rules_are_exactly_the_specs() {
    runtime().block_on(async {
        let cx = cx().await;
        let (vpc_spec, vpc) = new_vpc(&cx, "10.50.0.0/16").await;

        // The Lambdas' group of the flagship: egress listed, so the default
        // allow-all egress rule is replaced.
        let mut lambda = Spec::new(
            "LambdaSecurityGroup",
            json!({
                "GroupDescription": "Lambdas - HTTPS out",
                "VpcId": vpc,
                "SecurityGroupEgress": [
                    {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.50.0.0/16", "Description": "to the endpoints"},
                    {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0", "Description": "to DynamoDB"},
                ],
                "Tags": [{"Key": "Name", "Value": "lambda"}],
            }),
        );
        let applied = ec2_security_group::Provider.create(&cx, &lambda.req()).await.expect("create lambda group");
        let lambda_id = applied.physical_id.clone();
        assert_eq!(applied.attributes["GroupId"], json!(lambda_id));
        assert_eq!(applied.attributes["VpcId"], json!(vpc));
        assert_eq!(
            aws_rules(&lambda_id, "IpPermissionsEgress"),
            json!([
                ["tcp", 443, 443, "0.0.0.0/0", "to DynamoDB"],
                ["tcp", 443, 443, "10.50.0.0/16", "to the endpoints"],
            ]),
            "exactly the spec's egress, no allow-all"
        );
        assert_eq!(aws_rules(&lambda_id, "IpPermissions"), json!([]));
        let aws = boto3(&format!("out(ec2.describe_security_groups(GroupIds=['{lambda_id}'])['SecurityGroups'][0])"));
        assert_eq!(aws["Description"], json!("Lambdas - HTTPS out"));
        assert!(aws["GroupName"].as_str().is_some_and(|n| n.contains("LambdaSecurityGroup")), "a generated name");
        assert_tagged(&aws["Tags"], &lambda, &[("Name", "lambda")]);

        // The endpoints' group: ingress from the Lambdas' group, "no egress".
        let endpoint_name = unique("endpoints");
        let endpoints = Spec::new(
            "EndpointSecurityGroup",
            json!({
                "GroupDescription": "endpoints - HTTPS from the Lambdas",
                "GroupName": endpoint_name,
                "VpcId": vpc,
                "SecurityGroupIngress": [
                    {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "SourceSecurityGroupId": lambda_id, "Description": "from the Lambdas"},
                ],
                "SecurityGroupEgress": [{"IpProtocol": "-1", "CidrIp": "127.0.0.1/32", "Description": "no egress"}],
            }),
        );
        let endpoints_id = ec2_security_group::Provider.create(&cx, &endpoints.req()).await.expect("create").physical_id;
        assert_eq!(aws_rules(&endpoints_id, "IpPermissions"), json!([["tcp", 443, 443, lambda_id, "from the Lambdas"]]));
        assert_eq!(aws_rules(&endpoints_id, "IpPermissionsEgress"), json!([["-1", null, null, "127.0.0.1/32", "no egress"]]));
        let live = ec2_security_group::Provider.read(&cx, &endpoints_id, &endpoints.props).await.expect("read").expect("exists");
        for key in ["GroupDescription", "GroupName", "VpcId", "SecurityGroupIngress", "SecurityGroupEgress"] {
            assert_eq!(live.properties[key], endpoints.props[key], "{key}");
        }
        assert_eq!(live.properties["Tags"], json!([{"Key": "project", "Value": "strata-tests"}]), "the stack's tags");

        // A group without egress rules keeps AWS's default allow-all egress.
        let open = Spec::new("OpenGroup", json!({"GroupDescription": "default egress", "VpcId": vpc}));
        let open_id = ec2_security_group::Provider.create(&cx, &open.req()).await.expect("create").physical_id;
        assert_eq!(aws_rules(&open_id, "IpPermissionsEgress"), json!([["-1", null, null, "0.0.0.0/0", null]]));

        // A rule added by hand shows in read (drift can see it) ...
        boto3(&format!(
            "ec2.authorize_security_group_ingress(GroupId='{lambda_id}', IpPermissions=[{{'IpProtocol': 'tcp', 'FromPort': 22, 'ToPort': 22, 'IpRanges': [{{'CidrIp': '10.9.0.0/16'}}]}}])\nout(True)"
        ));
        let live = ec2_security_group::Provider.read(&cx, &lambda_id, &lambda.props).await.expect("read").expect("exists");
        assert_eq!(live.properties["SecurityGroupIngress"], json!([{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "10.9.0.0/16"}]));
        assert_eq!(live.properties["SecurityGroupEgress"], lambda.props["SecurityGroupEgress"]);

        // ... and the next update makes the rules the spec's again: the hand
        // rule is revoked, a rule is added, one removed, one re-described.
        let before = lambda.props.clone();
        lambda.props["SecurityGroupIngress"] =
            json!([{"IpProtocol": "tcp", "FromPort": 8443, "ToPort": 8443, "CidrIp": "10.50.0.0/16"}]);
        lambda.props["SecurityGroupEgress"] = json!([
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.50.0.0/16", "Description": "to the interface endpoints"},
            {"IpProtocol": "udp", "FromPort": 53, "ToPort": 53, "CidrIp": "10.50.0.2/32"},
        ]);
        lambda.props["Tags"] = json!([{"Key": "Name", "Value": "lambda-2"}]);
        ec2_security_group::Provider.update(&cx, &lambda_id, &before, &lambda.req()).await.expect("update");
        assert_eq!(aws_rules(&lambda_id, "IpPermissions"), json!([["tcp", 8443, 8443, "10.50.0.0/16", null]]));
        assert_eq!(
            aws_rules(&lambda_id, "IpPermissionsEgress"),
            json!([
                ["tcp", 443, 443, "10.50.0.0/16", "to the interface endpoints"],
                ["udp", 53, 53, "10.50.0.2/32", null],
            ])
        );
        let aws = boto3(&format!("out(ec2.describe_security_groups(GroupIds=['{lambda_id}'])['SecurityGroups'][0]['Tags'])"));
        assert_tagged(&aws, &lambda, &[("Name", "lambda-2")]);
        let live = ec2_security_group::Provider.read(&cx, &lambda_id, &lambda.props).await.expect("read").expect("exists");
        for key in ["SecurityGroupIngress", "SecurityGroupEgress", "Tags"] {
            assert_eq!(live.properties[key], lambda.live_view()[key], "{key}");
        }

        // No egress list any more: the default allow-all rule comes back.
        let before = lambda.props.clone();
        if let Some(props) = lambda.props.as_object_mut() {
            props.remove("SecurityGroupEgress");
        }
        ec2_security_group::Provider.update(&cx, &lambda_id, &before, &lambda.req()).await.expect("update");
        assert_eq!(aws_rules(&lambda_id, "IpPermissionsEgress"), json!([["-1", null, null, "0.0.0.0/0", null]]));

        // A rule whose peer is a group is revoked like any other.
        let mut endpoints = endpoints;
        let before = endpoints.props.clone();
        endpoints.props["SecurityGroupIngress"] =
            json!([{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.50.0.0/16"}]);
        ec2_security_group::Provider.update(&cx, &endpoints_id, &before, &endpoints.req()).await.expect("update");
        assert_eq!(aws_rules(&endpoints_id, "IpPermissions"), json!([["tcp", 443, 443, "10.50.0.0/16", null]]));
        assert_eq!(aws_rules(&endpoints_id, "IpPermissionsEgress"), json!([["-1", null, null, "127.0.0.1/32", "no egress"]]));

        let found = ec2_security_group::Provider.find(&cx, &lambda.req()).await.expect("find").expect("found by tags");
        assert_eq!(found.physical_id, lambda_id);
        let found = ec2_security_group::Provider.find(&cx, &endpoints.req()).await.expect("find").expect("found by tags");
        assert_eq!(found.physical_id, endpoints_id);

        // The endpoints' group refers to the Lambdas' group: it goes first.
        for (id, props) in [(&endpoints_id, &endpoints.props), (&lambda_id, &lambda.props), (&open_id, &open.props)] {
            ec2_security_group::Provider.delete(&cx, id, props).await.expect("delete");
            let aws = boto3(&format!(
                "out(len(ec2.describe_security_groups(Filters=[{{'Name': 'group-id', 'Values': ['{id}']}}])['SecurityGroups']))"
            ));
            assert_eq!(aws, json!(0));
            ec2_security_group::Provider.delete(&cx, id, props).await.expect("a second delete succeeds");
            assert!(ec2_security_group::Provider.read(&cx, id, props).await.expect("read").is_none());
        }
        ec2_vpc::Provider.delete(&cx, &vpc, &vpc_spec.props).await.expect("delete vpc");
    });
}

/// An endpoint as boto3 sees it (None once deleted or gone).
fn aws_endpoint(id: &str) -> Value {
    boto3(&format!(
        "e = [e for e in ec2.describe_vpc_endpoints()['VpcEndpoints'] if e['VpcEndpointId'] == '{id}' and e['State'] != 'deleted']\n\
         out(e[0] if e else None)"
    ))
}

/// How many routes through the endpoint each route table has.
fn endpoint_routes(tables: &[String], endpoint: &str) -> Value {
    boto3(&format!(
        "ts = {{t['RouteTableId']: t for t in ec2.describe_route_tables(RouteTableIds={tables:?})['RouteTables']}}\n\
         out([len([r for r in ts[t]['Routes'] if r.get('GatewayId') == '{endpoint}']) for t in {tables:?}])"
    ))
}

fn sorted(items: &Value) -> Vec<String> {
    let mut items: Vec<String> =
        items.as_array().into_iter().flatten().filter_map(|i| i.as_str().map(str::to_owned)).collect();
    items.sort();
    items
}

#[test]
fn gateway_endpoint_create_read_update_find_delete() {
    runtime().block_on(async {
        let cx = cx().await;
        let (vpc_spec, vpc) = new_vpc(&cx, "10.60.0.0/16").await;
        let mut tables = Vec::new();
        for name in ["a", "b"] {
            let spec = Spec::new("Table", json!({"VpcId": vpc, "Tags": [{"Key": "Name", "Value": name}]}));
            tables.push(ec2_route_table::Provider.create(&cx, &spec.req()).await.expect("table").physical_id);
        }
        let policy = json!({
            "Version": "2012-10-17",
            "Statement": [{"Sid": "StackTablesOnly", "Effect": "Allow", "Principal": "*", "Action": "dynamodb:*",
                           "Resource": ["arn:aws:dynamodb:us-east-1:123456789012:table/a"]}],
        });
        let mut spec = Spec::new(
            "DynamoDbEndpoint",
            json!({
                "VpcId": vpc,
                "ServiceName": "com.amazonaws.us-east-1.dynamodb",
                "VpcEndpointType": "Gateway",
                "RouteTableIds": [tables[0]],
                "PolicyDocument": policy,
                "Tags": [{"Key": "Name", "Value": "dynamodb"}],
            }),
        );
        let applied = ec2_vpc_endpoint::Provider.create(&cx, &spec.req()).await.expect("create");
        let id = applied.physical_id.clone();
        assert!(id.starts_with("vpce-"));
        assert_eq!(applied.attributes["Id"], json!(id));
        for name in ["DnsEntries", "NetworkInterfaceIds"] {
            assert!(applied.attributes[name].is_array(), "{name}");
        }
        assert!(applied.attributes["CreationTimestamp"].is_string());

        let aws = aws_endpoint(&id);
        assert_eq!(aws["State"], json!("available"));
        assert_eq!(aws["VpcEndpointType"], json!("Gateway"));
        assert_eq!(aws["ServiceName"], json!("com.amazonaws.us-east-1.dynamodb"));
        assert_eq!(aws["RouteTableIds"], json!([tables[0]]));
        let aws_policy: Value =
            serde_json::from_str(aws["PolicyDocument"].as_str().unwrap_or_default()).expect("policy JSON");
        assert_eq!(aws_policy, policy);
        assert_tagged(&aws["Tags"], &spec, &[("Name", "dynamodb")]);

        let live = ec2_vpc_endpoint::Provider.read(&cx, &id, &spec.props).await.expect("read").expect("exists");
        assert_eq!(live.properties, spec.live_view());
        assert_eq!(endpoint_routes(&tables, &id), json!([1, 0]), "the endpoint's route is in the first table");

        let before = spec.props.clone();
        spec.props["RouteTableIds"] = json!([tables[1]]);
        spec.props["PolicyDocument"]["Statement"][0]["Resource"] =
            json!(["arn:aws:dynamodb:us-east-1:123456789012:table/b"]);
        spec.props["Tags"] = json!([{"Key": "Name", "Value": "dynamodb-2"}]);
        ec2_vpc_endpoint::Provider.update(&cx, &id, &before, &spec.req()).await.expect("update");
        let aws = aws_endpoint(&id);
        assert_eq!(aws["RouteTableIds"], json!([tables[1]]));
        assert_eq!(endpoint_routes(&tables, &id), json!([0, 1]), "the endpoint's route moved to the second table");
        let aws_policy: Value =
            serde_json::from_str(aws["PolicyDocument"].as_str().unwrap_or_default()).expect("policy JSON");
        assert_eq!(aws_policy, spec.props["PolicyDocument"]);
        assert_tagged(&aws["Tags"], &spec, &[("Name", "dynamodb-2")]);
        let live = ec2_vpc_endpoint::Provider.read(&cx, &id, &spec.props).await.expect("read").expect("exists");
        assert_eq!(live.properties, spec.live_view());

        let found = ec2_vpc_endpoint::Provider.find(&cx, &spec.req()).await.expect("find").expect("found by tags");
        assert_eq!(found.physical_id, id);

        ec2_vpc_endpoint::Provider.delete(&cx, &id, &spec.props).await.expect("delete");
        assert_eq!(aws_endpoint(&id), Value::Null);
        ec2_vpc_endpoint::Provider.delete(&cx, &id, &spec.props).await.expect("a second delete succeeds");
        assert!(ec2_vpc_endpoint::Provider.read(&cx, &id, &spec.props).await.expect("read").is_none());
        assert!(
            ec2_vpc_endpoint::Provider.find(&cx, &spec.req()).await.expect("find").is_none(),
            "a deleted endpoint is not adopted"
        );

        for table in &tables {
            ec2_route_table::Provider.delete(&cx, table, &json!({})).await.expect("delete table");
        }
        ec2_vpc::Provider.delete(&cx, &vpc, &vpc_spec.props).await.expect("delete vpc");
    });
}

#[test]
fn interface_endpoint_create_read_update_find_delete() {
    runtime().block_on(async {
        let cx = cx().await;
        let (vpc_spec, vpc) = new_vpc(&cx, "10.70.0.0/16").await;
        let subnets = [
            new_subnet(&cx, &vpc, "10.70.1.0/24", "us-east-1a").await,
            new_subnet(&cx, &vpc, "10.70.2.0/24", "us-east-1b").await,
        ];
        let mut groups = Vec::new();
        for name in ["GroupA", "GroupB"] {
            let spec = Spec::new(name, json!({"GroupDescription": name, "VpcId": vpc}));
            groups.push(ec2_security_group::Provider.create(&cx, &spec.req()).await.expect("group").physical_id);
        }
        let mut spec = Spec::new(
            "LogsEndpoint",
            json!({
                "VpcId": vpc,
                "ServiceName": "com.amazonaws.us-east-1.logs",
                "VpcEndpointType": "Interface",
                "SubnetIds": [subnets[0], subnets[1]],
                "SecurityGroupIds": [groups[0]],
                "PrivateDnsEnabled": true,
            }),
        );
        let applied = ec2_vpc_endpoint::Provider.create(&cx, &spec.req()).await.expect("create");
        let id = applied.physical_id.clone();
        assert_eq!(
            applied.attributes["NetworkInterfaceIds"].as_array().map(Vec::len),
            Some(2),
            "one interface per subnet"
        );
        assert!(applied.attributes["DnsEntries"].as_array().is_some_and(|d| !d.is_empty()));

        let aws = aws_endpoint(&id);
        assert_eq!(aws["State"], json!("available"));
        assert_eq!(aws["VpcEndpointType"], json!("Interface"));
        assert_eq!(sorted(&aws["SubnetIds"]), sorted(&spec.props["SubnetIds"]));
        assert_eq!(aws["Groups"][0]["GroupId"], json!(groups[0]));
        assert_eq!(aws["PrivateDnsEnabled"], json!(true));
        assert_tagged(&aws["Tags"], &spec, &[]);

        let live = ec2_vpc_endpoint::Provider.read(&cx, &id, &spec.props).await.expect("read").expect("exists");
        for key in ["VpcId", "ServiceName", "VpcEndpointType", "SubnetIds", "SecurityGroupIds", "PrivateDnsEnabled"] {
            assert_eq!(live.properties[key], spec.props[key], "{key}");
        }
        assert_eq!(live.properties["PolicyDocument"]["Statement"][0]["Action"], json!("*"), "AWS's default policy");

        let before = spec.props.clone();
        spec.props["SubnetIds"] = json!([subnets[1]]);
        spec.props["SecurityGroupIds"] = json!([groups[1]]);
        spec.props["PrivateDnsEnabled"] = json!(false);
        ec2_vpc_endpoint::Provider.update(&cx, &id, &before, &spec.req()).await.expect("update");
        let aws = aws_endpoint(&id);
        assert_eq!(aws["SubnetIds"], json!([subnets[1]]));
        assert_eq!(
            aws["Groups"].as_array().map(|g| g.iter().map(|g| g["GroupId"].clone()).collect::<Vec<_>>()),
            Some(vec![json!(groups[1])])
        );
        // moto 5.2.5 ignores ModifyVpcEndpoint's PrivateDnsEnabled (it keeps
        // the value given at create time); AWS applies it.
        if !cx.local {
            assert_eq!(aws["PrivateDnsEnabled"], json!(false));
        }

        let found = ec2_vpc_endpoint::Provider.find(&cx, &spec.req()).await.expect("find").expect("found by tags");
        assert_eq!(found.physical_id, id);

        ec2_vpc_endpoint::Provider.delete(&cx, &id, &spec.props).await.expect("delete");
        assert_eq!(aws_endpoint(&id), Value::Null);
        ec2_vpc_endpoint::Provider.delete(&cx, &id, &spec.props).await.expect("a second delete succeeds");

        for group in &groups {
            ec2_security_group::Provider.delete(&cx, group, &json!({})).await.expect("delete group");
        }
        for subnet in &subnets {
            ec2_subnet::Provider.delete(&cx, subnet, &json!({})).await.expect("delete subnet");
        }
        ec2_vpc::Provider.delete(&cx, &vpc, &vpc_spec.props).await.expect("delete vpc");
    });
}
