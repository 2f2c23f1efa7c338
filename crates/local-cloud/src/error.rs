//! The crate's one error type. Each variant says what to do about it, since
//! the CLI and test helpers show these messages to people as they are.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum LocalCloudError {
    #[error(
        "cannot run Python at `{python}`: install python3 and python3-venv \
         (Debian: apt-get install python3 python3-venv), or set STRATA_PYTHON to a Python 3 interpreter"
    )]
    PythonNotFound { python: PathBuf },

    #[error(
        "`{python} -m venv` could not create {venv}: install python3-venv \
         (Debian: apt-get install python3-venv)\n--- last lines of its output ---\n{output}"
    )]
    VenvFailed { python: PathBuf, venv: PathBuf, output: String },

    #[error(
        "`pip install moto[server]=={version}` failed (is PyPI reachable?); full output in {log}\n\
         --- last lines of pip's output ---\n{output}"
    )]
    PipFailed { version: String, log: PathBuf, output: String },

    #[error("moto exited while starting ({status}); last lines of {log}:\n{output}")]
    ServerExited { status: String, log: PathBuf, output: String },

    #[error("moto did not answer on {endpoint} within {seconds} s; last lines of {log}:\n{output}")]
    StartTimeout { endpoint: String, seconds: u64, log: PathBuf, output: String },

    #[error("cannot stop moto (pid {pid}): it is still running after SIGKILL")]
    StopFailed { pid: u32 },

    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl LocalCloudError {
    /// Wraps an I/O error with what was being done and to which path.
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| LocalCloudError::Io { action, path, source }
    }
}

/// The last `n` lines of a tool's output: enough to see why it failed
/// without flooding the terminal.
pub(crate) fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::tail;

    #[test]
    fn tail_keeps_the_last_lines() {
        assert_eq!(tail("a\nb\nc\n", 2), "b\nc");
        assert_eq!(tail("a\nb", 5), "a\nb");
        assert_eq!(tail("", 3), "");
    }
}
