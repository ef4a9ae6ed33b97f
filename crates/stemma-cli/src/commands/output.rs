//! Output shared by the commands that print reports: the terminal style a `--color` flag
//! asks for, the `--html` file, and standard output that a closed pipe does not turn into an
//! error.

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::{Context, Result};
use stemma_report::compare::TerminalStyle;

/// The terminal style for a `--color` value: `always`, `never`, or `auto` (colour on a
/// terminal unless `NO_COLOR` is set), wrapped to the terminal's width (100 off a terminal).
pub fn terminal_style(color: &str) -> TerminalStyle {
    let color = match color {
        "always" => true,
        "never" => false,
        _ => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let width = terminal_size::terminal_size()
        .map(|(w, _)| usize::from(w.0))
        .unwrap_or(100)
        .clamp(40, 200);
    TerminalStyle { color, width }
}

/// Write the HTML report to `path` when one was asked for; `render` runs only then.
pub fn write_html(path: Option<&Path>, render: impl FnOnce() -> String) -> Result<()> {
    match path {
        Some(path) => std::fs::write(path, render())
            .with_context(|| format!("{}: cannot write the HTML report", path.display())),
        None => Ok(()),
    }
}

/// Write `text` to standard output; a closed pipe (`| head`) ends quietly.
pub fn write_stdout(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to standard output"),
    }
}
