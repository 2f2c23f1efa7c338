//! What strata can build on this machine. A function whose code is a crate
//! (`Code: {Crate: ...}`) is built by strata; one that declares an
//! architecture strata does not build for would get an x86_64 binary that
//! cannot start on arm64 Lambda (`Runtime.InvalidEntrypoint` at the first
//! invocation, after a "successful" deploy). So it is refused here, at the
//! line that declares it.

use super::diagnostic::SpecDiagnostic;
use super::load::Diagnostics;
use super::model::Stack;
use crate::build::GLIBC_TARGET;

/// The Lambda architecture strata's builds produce (see `build::GLIBC_TARGET`).
pub const BUILT_ARCHITECTURE: &str = "x86_64";

pub fn check(stack: &Stack, diags: &mut Diagnostics) {
    for resource in stack.resources.values().filter(|r| r.type_name == "AWS::Lambda::Function") {
        let props = &resource.properties;
        if props.get("Code").and_then(|c| c.get("Crate")).is_none() {
            continue;
        }
        let Some(architectures) = props.get("Architectures").and_then(|a| a.as_seq()) else { continue };
        for arch in architectures {
            let Some(name) = arch.as_str() else { continue };
            if name == BUILT_ARCHITECTURE {
                continue;
            }
            diags.push_new(
                SpecDiagnostic::new(
                    "spec::unbuildable-architecture",
                    arch.span.clone(),
                    format!(
                        "`{}` builds its code from a crate, and strata builds crates for {BUILT_ARCHITECTURE} only \
                         ({GLIBC_TARGET}); an {name} function would get a binary it cannot run",
                        resource.name
                    ),
                )
                .label(format!("{name} is not built here"))
                .hint(format!(
                    "use `Architectures: [{BUILT_ARCHITECTURE}]` (or leave it out), or build the {name} zip yourself \
                     and give it as `Code: {{S3Bucket, S3Key}}`"
                )),
            );
        }
    }
}
