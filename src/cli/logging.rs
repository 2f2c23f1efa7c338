//! One tracing subscriber for the process, writing to stderr only: stdout
//! is the command's result (a plan, `--json` lines) and must stay parseable
//! whatever the verbosity.
//!
//! `-v` shows strata's own debug logs; `-vv` adds the AWS SDK and its smithy
//! runtime at trace level (each request, retry and response status);
//! `RUST_LOG`, when set, replaces both with its own directives.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// The filter directives for `-v` given `count` times. An `EnvFilter`
/// directive matches every target that starts with it, so `aws` covers
/// `aws_config`, `aws_sdk_*` and `aws_smithy_*`.
pub fn directives(count: u8) -> &'static str {
    match count {
        0 => "strata=warn,local_cloud=warn",
        1 => "strata=debug,local_cloud=debug",
        _ => "strata=trace,local_cloud=trace,aws=trace",
    }
}

/// Installs the subscriber (once; a second call is a no-op).
pub fn install(verbose: u8) {
    let filter = match std::env::var("RUST_LOG") {
        Ok(custom) if !custom.trim().is_empty() => EnvFilter::new(custom),
        _ => EnvFilter::new(directives(verbose)),
    };
    let stderr = std::io::stderr();
    let ansi = stderr.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi).try_init();
}

#[cfg(test)]
mod tests {
    use super::directives;

    #[test]
    fn each_v_widens_the_filter_and_only_vv_lets_the_sdk_in() {
        assert!(!directives(0).contains("aws") && !directives(0).contains("debug"));
        assert!(directives(1).contains("strata=debug") && !directives(1).contains("aws"));
        assert!(directives(2).contains("aws=trace") && directives(3) == directives(2));
    }
}
