//! Exports a stack spec for other engines. Today one target: a
//! CloudFormation template (`strata export cloudformation`), built without
//! calling AWS so it can be reviewed, linted and committed like the spec.

pub mod attributes;
pub mod cloudformation;
pub mod strings;

/// Errors of the export layer: a spec that validates but that a template
/// cannot express.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ExportError {
    #[error("`${{{resource}.{attribute}}}`: CloudFormation has no Ref or Fn::GetAtt for `{attribute}` of {type_name}")]
    #[diagnostic(
        code(export::no_attribute),
        help("refer to an attribute CloudFormation returns (`strata types {type_name}` lists strata's), or write the value itself")
    )]
    NoAttribute { resource: String, type_name: String, attribute: String },
    #[error("the spec's parameter `{name}` has the name of a parameter the template needs for itself")]
    #[diagnostic(
        code(export::parameter_clash),
        help("rename the parameter: EnvironmentName, ArtifactBucket and <Function>CodeKey are the export's own")
    )]
    ParameterClash { name: String },
    #[error("cannot read the references in `{text}`: {message}")]
    #[diagnostic(code(export::reference))]
    Reference { text: String, message: String },
}
