//! What `inia s3` prints while it works, and the exit code that follows from it, as the
//! AWS CLI does: one line per finished file (`upload: a to s3://b/a`) on stdout, one per
//! failed file (`upload failed: a to s3://b/a <reason>`) and per skipped file
//! (`warning: Skipping file ...`) on stderr; `--only-show-errors` keeps the stderr lines
//! only, `--quiet` prints nothing. Exit code 1 when a file failed, else 2 when one was
//! skipped. Only when stderr is a terminal (and neither `--no-progress`,
//! `--only-show-errors` nor `--quiet` is given) an indicatif bar shows the bytes done so far
//! (the engine's transfers report per file, so the bar moves as files complete).
//!
//! Owns the lines, the bar and the counts. Does not own the transfers (see `copy`).

use crate::error::CliError;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::cell::Cell;
use std::io::IsTerminal;

/// How much is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Lines and (on a terminal) the bar.
    Full,
    /// Lines, no bar.
    NoProgress,
    /// Failures and warnings only.
    OnlyErrors,
    /// Nothing.
    Quiet,
}

impl Mode {
    /// The mode the options ask for; `stream` (a `-` path) prints errors only.
    pub fn of(args: &super::Args, stream: bool) -> Mode {
        if args.quiet {
            Mode::Quiet
        } else if args.only_show_errors || stream {
            Mode::OnlyErrors
        } else if args.no_progress {
            Mode::NoProgress
        } else {
            Mode::Full
        }
    }
}

/// Lines, the optional bar and the counts of one command.
pub struct Reporter {
    bar: ProgressBar,
    mode: Mode,
    failed: Cell<usize>,
    warned: Cell<usize>,
}

impl Reporter {
    /// A reporter printing as `mode` says; no bar yet.
    pub fn new(mode: Mode) -> Reporter {
        Reporter {
            bar: ProgressBar::hidden(),
            mode,
            failed: Cell::new(0),
            warned: Cell::new(0),
        }
    }

    /// Start the bar for `files` files of `bytes` bytes in all: drawn only on a terminal,
    /// and only in the full mode.
    pub fn start(&mut self, files: u64, bytes: u64) {
        let shown = self.mode == Mode::Full && files > 0 && std::io::stderr().is_terminal();
        if shown {
            let bar = ProgressBar::with_draw_target(Some(bytes), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(
                "Completed {bytes}/{total_bytes} ({binary_bytes_per_sec}) {msg}",
            ) {
                bar.set_style(style);
            }
            self.bar = bar;
        }
        self.remaining(files);
    }

    fn remaining(&self, files: u64) {
        self.bar
            .set_message(format!("with {files} file(s) remaining"));
    }

    /// A line of a dry run (`(dryrun) upload: a to s3://b/a`).
    pub fn dry(&self, line: &str) {
        if self.mode != Mode::Quiet {
            println!("(dryrun) {line}");
        }
    }

    /// One file done (`bytes` of it), `left` still to go; prints `line` (if any) unless
    /// the mode keeps successes quiet.
    pub fn done(&self, line: &str, bytes: u64, left: u64) {
        self.bar.inc(bytes);
        self.remaining(left);
        if matches!(self.mode, Mode::Full | Mode::NoProgress) && !line.is_empty() {
            self.bar.suspend(|| println!("{line}"));
        }
    }

    /// One file failed: `line` on stderr (unless quiet); the exit code becomes 1.
    pub fn failed(&self, line: &str, left: u64) {
        self.failed.set(self.failed.get() + 1);
        self.remaining(left);
        self.error_line(line);
    }

    /// One file skipped: `warning: Skipping file <path>. <why>` on stderr (unless
    /// quiet); the exit code becomes 2 unless a file failed.
    pub fn skipped(&self, path: &str, why: &str) {
        self.warning(&format!("Skipping file {path}. {why}"));
    }

    /// `warning: <text>` on stderr (unless quiet); counts as a skipped file.
    pub fn warning(&self, text: &str) {
        self.warned.set(self.warned.get() + 1);
        self.error_line(&format!("warning: {text}"));
    }

    fn error_line(&self, line: &str) {
        if self.mode != Mode::Quiet {
            self.bar.suspend(|| eprintln!("{line}"));
        }
    }

    /// The command could not go on (a listing failed, the object is missing): `fatal
    /// error: <reason>` (unless quiet), exit code 1.
    pub fn fatal(&self, reason: &str) -> CliError {
        self.bar.finish_and_clear();
        CliError {
            code: 1,
            message: if self.mode == Mode::Quiet {
                String::new()
            } else {
                format!("fatal error: {reason}")
            },
        }
    }

    /// Remove the bar; the command's outcome from the counts: 1 when a file failed, 2
    /// when one was skipped, else success.
    pub fn finish(&self) -> Result<(), CliError> {
        self.bar.finish_and_clear();
        let code = if self.failed.get() > 0 {
            1
        } else if self.warned.get() > 0 {
            2
        } else {
            return Ok(());
        };
        Err(CliError {
            code,
            message: String::new(),
        })
    }
}
