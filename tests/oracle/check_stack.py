"""Independent oracle: reads what strata applied, straight from the (local)
cloud with boto3, and compares it with what strata's state says it applied
(the spec's properties with references resolved).

usage: check_stack.py present STATE_FILE ENDPOINT   -> every resource exists as specified
       check_stack.py absent  STATE_FILE ENDPOINT   -> none of them exists any more
       check_stack.py unique  STATE_FILE ENDPOINT   -> nothing of the stack exists twice
Prints one line per problem; exit 1 if any.
"""
import json
import sys

import boto3
from botocore.exceptions import ClientError

mode, state_path, endpoint = sys.argv[1], sys.argv[2], sys.argv[3]
state = json.load(open(state_path))
session = boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="us-east-1")


def client(name):
    return session.client(name, endpoint_url=endpoint)


ec2, kms, cognito, ddb = client("ec2"), client("kms"), client("cognito-idp"), client("dynamodb")
iam, logs, lam, sched = client("iam"), client("logs"), client("lambda"), client("scheduler")
apigw, cw = client("apigateway"), client("cloudwatch")
problems = []


def expect(name, what, actual, wanted):
    if actual != wanted:
        problems.append(f"{name}: {what} is {actual!r}, expected {wanted!r}")


def tags_of(items, key="Key", value="Value"):
    return {t[key]: t[value] for t in items or []}


def check_identity_tags(name, tags):
    expect(name, "tag strata:logical-name", tags.get("strata:logical-name"), name)
    expect(name, "tag strata:stack", tags.get("strata:stack"), state["stack"])


def rules(perms):
    out = set()
    for p in perms:
        for r in p.get("IpRanges", []):
            out.add((p["IpProtocol"], p.get("FromPort"), p.get("ToPort"), r["CidrIp"]))
        for g in p.get("UserIdGroupPairs", []):
            out.add((p["IpProtocol"], p.get("FromPort"), p.get("ToPort"), g["GroupId"]))
    return out


def spec_rules(items):
    out = set()
    for r in items or []:
        proto = str(r["IpProtocol"])
        fp, tp = r.get("FromPort"), r.get("ToPort")
        if proto == "-1":
            fp = tp = None
        target = r.get("CidrIp") or r.get("SourceSecurityGroupId") or r.get("DestinationSecurityGroupId")
        out.add((proto, fp, tp, target))
    return out


def present(name, r):
    t, pid, p, a = r["type"], r["physical_id"], r["properties"], r["attributes"]
    if t == "AWS::EC2::VPC":
        v = ec2.describe_vpcs(VpcIds=[pid])["Vpcs"][0]
        expect(name, "CidrBlock", v["CidrBlock"], p["CidrBlock"])
        check_identity_tags(name, tags_of(v.get("Tags")))
    elif t == "AWS::EC2::Subnet":
        s = ec2.describe_subnets(SubnetIds=[pid])["Subnets"][0]
        expect(name, "CidrBlock", s["CidrBlock"], p["CidrBlock"])
        expect(name, "VpcId", s["VpcId"], p["VpcId"])
        expect(name, "AvailabilityZone", s["AvailabilityZone"], p["AvailabilityZone"])
        check_identity_tags(name, tags_of(s.get("Tags")))
    elif t == "AWS::EC2::RouteTable":
        rt = ec2.describe_route_tables(RouteTableIds=[pid])["RouteTables"][0]
        expect(name, "VpcId", rt["VpcId"], p["VpcId"])
        check_identity_tags(name, tags_of(rt.get("Tags")))
    elif t == "AWS::EC2::SubnetRouteTableAssociation":
        rt = ec2.describe_route_tables(RouteTableIds=[p["RouteTableId"]])["RouteTables"][0]
        subnets = {x.get("SubnetId") for x in rt["Associations"] if x.get("RouteTableAssociationId") == pid}
        expect(name, "associated subnet", subnets, {p["SubnetId"]})
    elif t == "AWS::EC2::SecurityGroup":
        g = ec2.describe_security_groups(GroupIds=[pid])["SecurityGroups"][0]
        expect(name, "VpcId", g["VpcId"], p["VpcId"])
        expect(name, "egress rules", rules(g["IpPermissionsEgress"]), spec_rules(p.get("SecurityGroupEgress")))
        expect(name, "ingress rules", rules(g["IpPermissions"]), spec_rules(p.get("SecurityGroupIngress")))
        check_identity_tags(name, tags_of(g.get("Tags")))
    elif t == "AWS::EC2::VPCEndpoint":
        e = ec2.describe_vpc_endpoints(VpcEndpointIds=[pid])["VpcEndpoints"][0]
        expect(name, "ServiceName", e["ServiceName"], p["ServiceName"])
        expect(name, "VpcEndpointType", e["VpcEndpointType"], p["VpcEndpointType"])
        expect(name, "VpcId", e["VpcId"], p["VpcId"])
        if "RouteTableIds" in p:
            expect(name, "RouteTableIds", sorted(e.get("RouteTableIds", [])), sorted(p["RouteTableIds"]))
        if "SubnetIds" in p:
            expect(name, "SubnetIds", sorted(e.get("SubnetIds", [])), sorted(p["SubnetIds"]))
    elif t == "AWS::KMS::Key":
        k = kms.describe_key(KeyId=pid)["KeyMetadata"]
        expect(name, "KeyState", k["KeyState"], "Enabled")
        expect(name, "Description", k.get("Description"), p.get("Description", ""))
        rot = kms.get_key_rotation_status(KeyId=pid)["KeyRotationEnabled"]
        expect(name, "EnableKeyRotation", rot, p.get("EnableKeyRotation", False))
        check_identity_tags(name, tags_of(kms.list_resource_tags(KeyId=pid).get("Tags"), "TagKey", "TagValue"))
    elif t == "AWS::KMS::Alias":
        aliases = {x["AliasName"]: x.get("TargetKeyId") for x in kms.list_aliases()["Aliases"]}
        expect(name, "alias target", aliases.get(p["AliasName"]), p["TargetKeyId"])
    elif t == "AWS::Cognito::UserPool":
        u = cognito.describe_user_pool(UserPoolId=pid)["UserPool"]
        expect(name, "Name", u["Name"], p["UserPoolName"])
        check_identity_tags(name, u.get("UserPoolTags", {}))
    elif t == "AWS::Cognito::UserPoolClient":
        c = cognito.describe_user_pool_client(UserPoolId=p["UserPoolId"], ClientId=pid)["UserPoolClient"]
        expect(name, "ClientName", c["ClientName"], p["ClientName"])
        expect(name, "ExplicitAuthFlows", sorted(c.get("ExplicitAuthFlows", [])), sorted(p["ExplicitAuthFlows"]))
        expect(name, "has a secret", "ClientSecret" in c, False)
    elif t == "AWS::DynamoDB::Table":
        d = ddb.describe_table(TableName=pid)["Table"]
        expect(name, "TableStatus", d["TableStatus"], "ACTIVE")
        expect(name, "KeySchema", d["KeySchema"], p["KeySchema"])
        expect(name, "BillingMode", d.get("BillingModeSummary", {}).get("BillingMode"), p.get("BillingMode"))
        want = sorted(g["IndexName"] for g in p.get("GlobalSecondaryIndexes", []))
        expect(name, "GSIs", sorted(g["IndexName"] for g in d.get("GlobalSecondaryIndexes", [])), want)
        if p.get("SSESpecification", {}).get("SSEEnabled"):
            expect(name, "SSE", d.get("SSEDescription", {}).get("Status"), "ENABLED")
        check_identity_tags(name, tags_of(ddb.list_tags_of_resource(ResourceArn=d["TableArn"]).get("Tags")))
    elif t == "AWS::IAM::Role":
        role = iam.get_role(RoleName=pid)["Role"]
        expect(name, "trust policy", role["AssumeRolePolicyDocument"], p["AssumeRolePolicyDocument"])
        inline = sorted(iam.list_role_policies(RoleName=pid)["PolicyNames"])
        expect(name, "inline policies", inline, sorted(x["PolicyName"] for x in p.get("Policies", [])))
        for pol in p.get("Policies", []):
            doc = iam.get_role_policy(RoleName=pid, PolicyName=pol["PolicyName"])["PolicyDocument"]
            expect(name, f"policy {pol['PolicyName']}", doc, pol["PolicyDocument"])
        check_identity_tags(name, tags_of(role.get("Tags")))
    elif t == "AWS::Logs::LogGroup":
        groups = logs.describe_log_groups(logGroupNamePrefix=pid)["logGroups"]
        g = [x for x in groups if x["logGroupName"] == pid]
        expect(name, "exists", len(g), 1)
        if g:
            expect(name, "RetentionInDays", g[0].get("retentionInDays"), p.get("RetentionInDays"))
    elif t == "AWS::Lambda::Function":
        f = lam.get_function_configuration(FunctionName=pid)
        for key in ("Runtime", "Handler", "MemorySize", "Timeout"):
            if key in p:
                expect(name, key, f.get(key), p[key])
        expect(name, "environment", f.get("Environment", {}).get("Variables", {}), p.get("Environment", {}).get("Variables", {}))
        expect(name, "CodeSha256", f.get("CodeSha256"), p["Code"].get("CodeSha256"))
        expect(name, "Role", f.get("Role"), p["Role"])
    elif t == "AWS::Lambda::Permission":
        fn, sid = pid.split("|", 1)
        policy = json.loads(lam.get_policy(FunctionName=fn)["Policy"])
        expect(name, "statement", any(s.get("Sid") == sid for s in policy["Statement"]), True)
    elif t == "AWS::Scheduler::ScheduleGroup":
        expect(name, "State", sched.get_schedule_group(Name=pid)["State"], "ACTIVE")
    elif t == "AWS::ApiGateway::RestApi":
        expect(name, "name", apigw.get_rest_api(restApiId=pid)["name"], p["Name"])
    elif t == "AWS::ApiGateway::Resource":
        res = apigw.get_resource(restApiId=p["RestApiId"], resourceId=pid)
        expect(name, "pathPart", res.get("pathPart"), p["PathPart"])
        expect(name, "parentId", res.get("parentId"), p["ParentId"])
    elif t == "AWS::ApiGateway::Authorizer":
        au = apigw.get_authorizer(restApiId=p["RestApiId"], authorizerId=pid)
        expect(name, "type", au["type"], p["Type"])
        expect(name, "providerARNs", au.get("providerARNs"), p.get("ProviderARNs"))
    elif t == "AWS::ApiGateway::Method":
        api, res, verb = pid.split("|")
        m = apigw.get_method(restApiId=api, resourceId=res, httpMethod=verb)
        expect(name, "authorizationType", m["authorizationType"], p["AuthorizationType"])
        expect(name, "authorizerId", m.get("authorizerId"), p.get("AuthorizerId"))
        expect(name, "integration uri", m.get("methodIntegration", {}).get("uri"), p["Integration"]["Uri"])
    elif t == "AWS::ApiGateway::Deployment":
        apigw.get_deployment(restApiId=p["RestApiId"], deploymentId=pid)
    elif t == "AWS::ApiGateway::Stage":
        api, stage = pid.split("|")
        s = apigw.get_stage(restApiId=api, stageName=stage)
        expect(name, "deploymentId", s["deploymentId"], p["DeploymentId"])
    elif t == "AWS::CloudWatch::Alarm":
        alarms = cw.describe_alarms(AlarmNames=[pid])["MetricAlarms"]
        expect(name, "exists", len(alarms), 1)
        if alarms:
            expect(name, "Threshold", alarms[0]["Threshold"], float(p["Threshold"]))
            expect(name, "ComparisonOperator", alarms[0]["ComparisonOperator"], p["ComparisonOperator"])
    else:
        problems.append(f"{name}: the oracle does not know {t}")


def gone(name, r):
    """True when the resource no longer exists (a KMS key pending deletion counts)."""
    t, pid, p = r["type"], r["physical_id"], r["properties"]
    try:
        if t == "AWS::EC2::VPC":
            return not ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [pid]}])["Vpcs"]
        if t == "AWS::EC2::Subnet":
            return not ec2.describe_subnets(Filters=[{"Name": "subnet-id", "Values": [pid]}])["Subnets"]
        if t == "AWS::EC2::RouteTable":
            return not ec2.describe_route_tables(Filters=[{"Name": "route-table-id", "Values": [pid]}])["RouteTables"]
        if t == "AWS::EC2::SubnetRouteTableAssociation":
            f = [{"Name": "association.route-table-association-id", "Values": [pid]}]
            return not ec2.describe_route_tables(Filters=f)["RouteTables"]
        if t == "AWS::EC2::SecurityGroup":
            return not ec2.describe_security_groups(Filters=[{"Name": "group-id", "Values": [pid]}])["SecurityGroups"]
        if t == "AWS::EC2::VPCEndpoint":
            # moto keeps deleted endpoints (state "deleted") and has no vpc-endpoint-id filter.
            eps = ec2.describe_vpc_endpoints(VpcEndpointIds=[pid])["VpcEndpoints"]
            return all(e["State"].lower() == "deleted" for e in eps)
        if t == "AWS::KMS::Key":
            return kms.describe_key(KeyId=pid)["KeyMetadata"]["KeyState"] == "PendingDeletion"
        if t == "AWS::KMS::Alias":
            return p["AliasName"] not in {x["AliasName"] for x in kms.list_aliases()["Aliases"]}
        if t == "AWS::Cognito::UserPool":
            cognito.describe_user_pool(UserPoolId=pid)
        elif t == "AWS::Cognito::UserPoolClient":
            cognito.describe_user_pool_client(UserPoolId=p["UserPoolId"], ClientId=pid)
        elif t == "AWS::DynamoDB::Table":
            ddb.describe_table(TableName=pid)
        elif t == "AWS::IAM::Role":
            iam.get_role(RoleName=pid)
        elif t == "AWS::Logs::LogGroup":
            return not [g for g in logs.describe_log_groups(logGroupNamePrefix=pid)["logGroups"] if g["logGroupName"] == pid]
        elif t == "AWS::Lambda::Function":
            lam.get_function(FunctionName=pid)
        elif t == "AWS::Lambda::Permission":
            fn, sid = pid.split("|", 1)
            policy = json.loads(lam.get_policy(FunctionName=fn)["Policy"])
            return not any(s.get("Sid") == sid for s in policy["Statement"])
        elif t == "AWS::Scheduler::ScheduleGroup":
            sched.get_schedule_group(Name=pid)
        elif t == "AWS::ApiGateway::RestApi":
            apigw.get_rest_api(restApiId=pid)
        elif t in ("AWS::ApiGateway::Resource", "AWS::ApiGateway::Authorizer", "AWS::ApiGateway::Method",
                   "AWS::ApiGateway::Deployment", "AWS::ApiGateway::Stage"):
            apigw.get_rest_api(restApiId=p["RestApiId"])
        elif t == "AWS::CloudWatch::Alarm":
            return not cw.describe_alarms(AlarmNames=[pid])["MetricAlarms"]
        else:
            problems.append(f"{name}: the oracle does not know {t}")
            return True
        return False
    except ClientError:
        return True


def duplicates():
    """Counts what the cloud holds for this stack, by logical name or unique name."""
    stack = state["stack"]
    by_tag = {}
    f = [{"Name": "tag:strata:stack", "Values": [stack]}]
    for items, key in ((ec2.describe_vpcs(Filters=f)["Vpcs"], "Tags"),
                       (ec2.describe_subnets(Filters=f)["Subnets"], "Tags"),
                       (ec2.describe_route_tables(Filters=f)["RouteTables"], "Tags"),
                       (ec2.describe_security_groups(Filters=f)["SecurityGroups"], "Tags"),
                       ([e for e in ec2.describe_vpc_endpoints(Filters=f)["VpcEndpoints"]
                         if e["State"].lower() != "deleted"], "Tags")):
        for it in items:
            logical = tags_of(it.get(key)).get("strata:logical-name")
            by_tag[logical] = by_tag.get(logical, 0) + 1
    for k in [k for p in kms.get_paginator("list_keys").paginate() for k in p["Keys"]]:
        if kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"] == "PendingDeletion":
            continue
        t = tags_of(kms.list_resource_tags(KeyId=k["KeyId"]).get("Tags"), "TagKey", "TagValue")
        if t.get("strata:stack") == stack:
            by_tag[t.get("strata:logical-name")] = by_tag.get(t.get("strata:logical-name"), 0) + 1
    # Keyed by service: a role and a function may share a name.
    names = []
    names += ["dynamodb:" + t for t in [t for p in ddb.get_paginator("list_tables").paginate() for t in p["TableNames"]] if stack in t]
    names += ["iam:" + r["RoleName"] for r in [r for p in iam.get_paginator("list_roles").paginate() for r in p["Roles"]] if stack in r["RoleName"]]
    names += ["lambda:" + fn["FunctionName"] for fn in [f for p in lam.get_paginator("list_functions").paginate() for f in p["Functions"]] if stack in fn["FunctionName"]]
    names += ["logs:" + g["logGroupName"] for g in [g for p in logs.get_paginator("describe_log_groups").paginate() for g in p["logGroups"]] if stack in g["logGroupName"]]
    names += ["cognito:" + u["Name"] for u in cognito.list_user_pools(MaxResults=60)["UserPools"] if stack in u["Name"]]
    names += ["apigateway:" + a["name"] for a in apigw.get_rest_apis(limit=500)["items"] if stack in a["name"]]
    names += ["cloudwatch:" + a["AlarmName"] for a in [a for p in cw.get_paginator("describe_alarms").paginate() for a in p["MetricAlarms"]] if stack in a["AlarmName"]]
    for n in names:
        by_tag[n] = by_tag.get(n, 0) + 1
    for key, count in sorted(by_tag.items(), key=str):
        if count > 1:
            problems.append(f"{key}: exists {count} times")


if mode == "unique":
    duplicates()
for name, r in (state["resources"].items() if mode != "unique" else []):
    try:
        if mode == "present":
            present(name, r)
        elif not gone(name, r):
            problems.append(f"{name}: {r['type']} {r['physical_id']} still exists")
    except ClientError as e:
        problems.append(f"{name}: {r['type']} {r['physical_id']}: {e}")

for p in problems:
    print(p)
print(f"checked {len(state['resources'])} resources: {len(problems)} problem(s)", file=sys.stderr)
sys.exit(1 if problems else 0)
