//! The static description of every resource type strata knows: its properties,
//! which of them force a replacement, and the attributes it exposes to `${...}`
//! references. Validation, the planner and (later) the providers all read this
//! one table, so a property is described exactly once.

/// The shape a property value must have.
///
/// Any scalar position also accepts a string that is exactly one `${...}`
/// reference, because its value is only known after apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    String,
    Integer,
    Boolean,
    /// One of a fixed set of strings (AWS enum values, case-sensitive).
    Enum(&'static [&'static str]),
    /// A CIDR block such as `10.0.1.0/24`; validated as one.
    Cidr,
    /// An EventBridge Scheduler / CloudWatch schedule expression
    /// (`rate(...)`, `cron(...)`, `at(...)`); validated with `schedule-expr`.
    ScheduleExpression,
    /// A list whose items all have the given type.
    List(&'static ValueType),
    /// A map from free-form string keys to values of the given type
    /// (for example Lambda environment variables).
    Map(&'static ValueType),
    /// An object with a fixed set of keys.
    Object(&'static [PropertySchema]),
    /// Any YAML value, kept as JSON (IAM policy documents, key policies).
    Json,
}

/// One property of a resource type (or one key of an `Object` value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PropertySchema {
    /// The CloudFormation property name, e.g. `CidrBlock`.
    pub name: &'static str,
    pub ty: ValueType,
    pub required: bool,
    /// CloudFormation's createOnly: changing it replaces the resource.
    pub create_only: bool,
}

/// The description of one resource type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceSchema {
    /// CloudFormation type name, e.g. `AWS::EC2::VPC`.
    pub type_name: &'static str,
    pub properties: &'static [PropertySchema],
    /// Names usable as `${Logical.Attribute}`, e.g. `VpcId`, `Arn`.
    pub attributes: &'static [&'static str],
    /// The attribute that holds the physical id recorded in state
    /// (CloudFormation's `Ref` value), e.g. `VpcId` for a VPC.
    pub id_attribute: &'static str,
    /// Whether strata can put its stack / environment / logical-name tags on it.
    pub taggable: bool,
}

impl ResourceSchema {
    pub fn property(&self, name: &str) -> Option<&'static PropertySchema> {
        self.properties.iter().find(|p| p.name == name)
    }

    pub fn has_attribute(&self, name: &str) -> bool {
        self.attributes.contains(&name)
    }

    /// Whether changing `property` replaces the resource: AWS's
    /// `createOnlyProperties` say so, or strata's provider cannot update it
    /// in place (its `create_only` flag; a test keeps the flags a superset of
    /// AWS's list).
    pub fn forces_replacement(&self, property: &str) -> bool {
        let by_aws =
            super::aws_schema::for_type(self.type_name).is_some_and(|aws| aws.create_only().contains(&property));
        by_aws || self.property(property).is_some_and(|p| p.create_only)
    }
}

/// Shorthand constructors so the per-type tables stay readable.
pub const fn required(name: &'static str, ty: ValueType) -> PropertySchema {
    PropertySchema { name, ty, required: true, create_only: false }
}

pub const fn optional(name: &'static str, ty: ValueType) -> PropertySchema {
    PropertySchema { name, ty, required: false, create_only: false }
}

/// Marks a property as createOnly (changing it forces replacement).
pub const fn create_only(p: PropertySchema) -> PropertySchema {
    PropertySchema { create_only: true, ..p }
}

/// CloudFormation's usual `Tags: [{Key, Value}]` list.
pub const TAG_LIST: ValueType =
    ValueType::List(&ValueType::Object(&[required("Key", ValueType::String), required("Value", ValueType::String)]));
