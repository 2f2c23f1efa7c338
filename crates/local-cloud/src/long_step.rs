//! The steps a user waits minutes for (first-run installs, Lambda builds)
//! are never silent: a line when one starts, naming the log its tool writes
//! to, then a line at least every few seconds while it runs (rewritten in
//! place on a terminal), and one when it ends. The tool's own output goes to
//! the log as it comes, so `tail -f` on the log follows it too.

use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How often a running step says so, unless `STRATA_PROGRESS_SECS` says
/// otherwise (tests shorten it). Under 10 s, the longest a first run may
/// stay silent.
const DEFAULT_EVERY: Duration = Duration::from_secs(8);
/// On a terminal the status line is redrawn this often (it costs nothing).
const TERMINAL_EVERY: Duration = Duration::from_secs(1);

/// What a finished tool did.
#[derive(Debug)]
pub struct Finished {
    pub status: ExitStatus,
    /// stdout and stderr as they came, interleaved by line.
    pub output: String,
}

/// Runs `command` to its end as the long step `what` (for example "building
/// lambdas/order-executor"), its stdout and stderr streamed into `log`.
/// `status_of` turns the tool's output lines into the short status shown
/// with each progress line (for cargo: how many crates are compiled).
pub fn run(
    command: &mut Command,
    what: &str,
    log: &Path,
    mut status_of: impl FnMut(&str) -> Option<String>,
) -> std::io::Result<Finished> {
    if let Some(dir) = log.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut log_file = File::create(log)?;
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    let (lines, received) = mpsc::channel::<String>();
    let readers: Vec<_> = [
        child.stdout.take().map(|o| Box::new(o) as Box<dyn Read + Send>),
        child.stderr.take().map(|e| Box::new(e) as Box<dyn Read + Send>),
    ]
    .into_iter()
    .flatten()
    .map(|stream| {
        let lines = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    break;
                }
            }
        })
    })
    .collect();
    drop(lines);

    let mut reporter = Reporter::start(what, log);
    let mut output = String::new();
    let mut status = None;
    loop {
        match received.recv_timeout(reporter.until_next()) {
            Ok(line) => {
                // The log is a convenience; a full disk must not fail the build.
                let _ = writeln!(log_file, "{line}");
                if let Some(s) = status_of(&line) {
                    status = Some(s);
                }
                output.push_str(&line);
                output.push('\n');
                reporter.tick(status.as_deref(), false);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => reporter.tick(status.as_deref(), true),
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    for reader in readers {
        let _ = reader.join();
    }
    let exit = child.wait()?;
    reporter.end(exit.success());
    if !exit.success() {
        output.push_str(&format!("({exit})\n"));
    }
    Ok(Finished { status: exit, output })
}

/// cargo's "Compiling <crate> v<version>" lines as "N crates compiled (last)".
pub fn cargo_status() -> impl FnMut(&str) -> Option<String> {
    let mut compiled = 0usize;
    move |line: &str| {
        let name = line.trim_start().strip_prefix("Compiling ")?.split_whitespace().next()?;
        compiled += 1;
        Some(format!("{compiled} crates compiled, now {name}"))
    }
}

/// pip's last "Collecting"/"Downloading"/"Installing" line, shortened.
pub fn pip_status(line: &str) -> Option<String> {
    let line = line.trim();
    let wanted = ["Collecting", "Downloading", "Installing", "Building", "Successfully"];
    wanted.iter().any(|w| line.starts_with(w)).then(|| line.chars().take(72).collect())
}

/// Writes the progress lines of one step to stderr.
struct Reporter {
    what: String,
    started: Instant,
    last: Instant,
    every: Duration,
    terminal: bool,
}

impl Reporter {
    fn start(what: &str, log: &Path) -> Self {
        let terminal = std::io::stderr().is_terminal();
        let every = std::env::var("STRATA_PROGRESS_SECS")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .filter(|s| *s > 0)
            .map_or(DEFAULT_EVERY, Duration::from_secs);
        eprintln!("{}, log: {}", capitalised(what), log.display());
        let now = Instant::now();
        Reporter {
            what: what.to_owned(),
            started: now,
            last: now,
            every: if terminal { TERMINAL_EVERY.min(every) } else { every },
            terminal,
        }
    }

    fn until_next(&self) -> Duration {
        self.every.saturating_sub(self.last.elapsed())
    }

    /// A progress line when one is due (`due`), or on a terminal whenever the
    /// status moved on.
    fn tick(&mut self, status: Option<&str>, due: bool) {
        if !due && !(self.terminal && self.last.elapsed() >= TERMINAL_EVERY) {
            return;
        }
        self.last = Instant::now();
        let line = match status {
            Some(status) => format!("  ... still {} ({}; {status})", self.what, elapsed(self.started)),
            None => format!("  ... still {} ({})", self.what, elapsed(self.started)),
        };
        if self.terminal {
            eprint!("\r\x1b[2K{}", line.chars().take(120).collect::<String>());
        } else {
            eprintln!("{line}");
        }
    }

    fn end(&self, success: bool) {
        if self.terminal {
            eprint!("\r\x1b[2K");
        }
        let how = if success { "done" } else { "FAILED" };
        eprintln!("{}: {how} after {}", capitalised(&self.what), elapsed(self.started));
    }
}

fn elapsed(since: Instant) -> String {
    let secs = since.elapsed().as_secs();
    if secs < 60 {
        format!("{secs}s")
    } else {
        format!("{}m{:02}s", secs / 60, secs % 60)
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_lines_count_crates() {
        let mut status = cargo_status();
        assert_eq!(status("   Compiling tokio v1.48.0"), Some("1 crates compiled, now tokio".into()));
        assert_eq!(status("warning: unused"), None);
        assert_eq!(status("   Compiling serde v1.0.0"), Some("2 crates compiled, now serde".into()));
    }

    #[test]
    fn a_tool_output_goes_to_the_log_and_comes_back() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("logs/tool.log");
        let finished =
            run(Command::new("sh").args(["-c", "echo out; echo err >&2; exit 3"]), "testing", &log, pip_status)
                .unwrap();
        assert_eq!(finished.status.code(), Some(3));
        let logged = std::fs::read_to_string(&log).unwrap();
        for text in [&finished.output, &logged] {
            assert!(text.contains("out\n") && text.contains("err\n"), "{text}");
        }
    }
}
