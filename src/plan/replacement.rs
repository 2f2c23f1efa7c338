//! The order of a replacement: create the new object before destroying the old
//! one when AWS lets both exist at once, so whatever uses the resource moves
//! to the new object before the old one goes (no window without it, and no
//! DependencyViolation from deleting something still in use). Otherwise the
//! old object must go first.
//!
//! Two objects can coexist unless a property AWS keeps unique is the same on
//! both. A name left out of the spec is generated from stack, environment and
//! logical name, so two absent names are the same name.

use serde_json::Value;

use super::action::contains_unknown;

/// Per type, the property sets AWS requires to be unique among live objects
/// (within their parent where the set names one).
const UNIQUE: &[(&str, &[&[&str]])] = &[
    ("AWS::ApiGateway::Method", &[&["ResourceId", "HttpMethod"]]),
    ("AWS::ApiGateway::Resource", &[&["ParentId", "PathPart"]]),
    ("AWS::ApiGateway::Stage", &[&["RestApiId", "StageName"]]),
    ("AWS::CloudWatch::Alarm", &[&["AlarmName"]]),
    ("AWS::DynamoDB::Table", &[&["TableName"]]),
    ("AWS::EC2::SecurityGroup", &[&["VpcId", "GroupName"]]),
    ("AWS::EC2::SubnetRouteTableAssociation", &[&["SubnetId"]]),
    ("AWS::EC2::VPCEndpoint", &[&["VpcId", "ServiceName"]]),
    ("AWS::IAM::Role", &[&["RoleName"]]),
    ("AWS::KMS::Alias", &[&["AliasName"]]),
    ("AWS::Lambda::Function", &[&["FunctionName"]]),
    ("AWS::Logs::LogGroup", &[&["LogGroupName"]]),
    ("AWS::Scheduler::Schedule", &[&["GroupName", "Name"]]),
    ("AWS::Scheduler::ScheduleGroup", &[&["Name"]]),
];

/// Types whose new object conflicts with the old one in ways no name shows:
/// a subnet's CIDR may overlap the old one's, and a Lambda permission's
/// statement id comes from the logical name.
const ALWAYS_DESTROY_FIRST: &[&str] = &["AWS::EC2::Subnet", "AWS::Lambda::Permission"];

/// How one replacement is carried out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplacementOrder {
    pub create_before_destroy: bool,
    pub why: String,
}

/// The order for replacing an object of `type_name` recorded with `before`
/// by one with `after` (which may hold values known only after apply).
pub fn order(type_name: &str, before: &Value, after: &Value) -> ReplacementOrder {
    if ALWAYS_DESTROY_FIRST.contains(&type_name) {
        return ReplacementOrder {
            create_before_destroy: false,
            why: format!("a new {type_name} cannot exist beside the old one"),
        };
    }
    let sets = UNIQUE.iter().find(|(t, _)| *t == type_name).map_or(&[][..], |(_, sets)| *sets);
    for set in sets {
        let same = set.iter().all(|p| {
            let (b, a) = (before.get(*p), after.get(*p));
            b == a && !a.is_some_and(contains_unknown)
        });
        if same {
            return ReplacementOrder {
                create_before_destroy: false,
                why: format!("{} stays the same and must be unique", describe(set)),
            };
        }
    }
    ReplacementOrder { create_before_destroy: true, why: String::from("the new object can exist beside the old one") }
}

fn describe(set: &[&str]) -> String {
    let names: Vec<String> = set.iter().map(|p| format!("`{p}`")).collect();
    names.join(" + ")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_unchanged_name_forces_destroy_first() {
        let o = order(
            "AWS::DynamoDB::Table",
            &json!({"TableName": "t", "KeySchema": [1]}),
            &json!({"TableName": "t", "KeySchema": [2]}),
        );
        assert!(!o.create_before_destroy);
        assert!(o.why.contains("`TableName`"), "{}", o.why);
    }

    #[test]
    fn two_absent_names_are_the_same_generated_name() {
        let o = order("AWS::IAM::Role", &json!({"Path": "/a/"}), &json!({"Path": "/b/"}));
        assert!(!o.create_before_destroy);
    }

    #[test]
    fn a_new_name_or_a_new_parent_allows_create_first() {
        assert!(
            order("AWS::Logs::LogGroup", &json!({"LogGroupName": "a"}), &json!({"LogGroupName": "b"}))
                .create_before_destroy
        );
        let stage = order(
            "AWS::ApiGateway::Stage",
            &json!({"RestApiId": "old", "StageName": "v1"}),
            &json!({"RestApiId": {"$unknown": "Api.RestApiId"}, "StageName": "v1"}),
        );
        assert!(stage.create_before_destroy, "{}", stage.why);
        assert!(
            order("AWS::EC2::VPC", &json!({"CidrBlock": "10.0.0.0/16"}), &json!({"CidrBlock": "10.1.0.0/16"}))
                .create_before_destroy
        );
    }

    #[test]
    fn subnets_always_go_first() {
        assert!(
            !order("AWS::EC2::Subnet", &json!({"CidrBlock": "a"}), &json!({"CidrBlock": "b"})).create_before_destroy
        );
    }
}
