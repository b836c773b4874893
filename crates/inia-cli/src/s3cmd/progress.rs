//! What `inia s3` prints while it works: one AWS CLI line per finished file (`upload: a
//! to s3://b/a`) on stdout, one per failure on stderr, and, only when stderr is a
//! terminal, an indicatif progress bar of the bytes done so far (the engine's transfers
//! report per file, so the bar moves as files complete).
//!
//! Owns the lines and the bar. Does not own the transfers (see `copy`).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Lines and the optional bar of one command.
pub struct Reporter {
    bar: ProgressBar,
    quiet: bool,
}

impl Reporter {
    /// A reporter for `files` files of `bytes` bytes in all; the bar is drawn only on a
    /// terminal and never when `quiet`.
    pub fn new(files: u64, bytes: u64, quiet: bool) -> Reporter {
        let shown = !quiet && files > 0 && std::io::stderr().is_terminal();
        let bar = if shown {
            let bar = ProgressBar::with_draw_target(Some(bytes), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(
                "Completed {bytes}/{total_bytes} ({binary_bytes_per_sec}) {msg}",
            ) {
                bar.set_style(style);
            }
            bar
        } else {
            ProgressBar::hidden()
        };
        let r = Reporter { bar, quiet };
        r.remaining(files);
        r
    }

    fn remaining(&self, files: u64) {
        self.bar
            .set_message(format!("with {files} file(s) remaining"));
    }

    /// One file done (`bytes` of it), `left` still to go; prints `line` (if any) unless
    /// quiet.
    pub fn done(&self, line: &str, bytes: u64, left: u64) {
        self.bar.inc(bytes);
        self.remaining(left);
        if !self.quiet && !line.is_empty() {
            self.bar.suspend(|| println!("{line}"));
        }
    }

    /// One file failed: `line` on stderr, always.
    pub fn failed(&self, line: &str, left: u64) {
        self.remaining(left);
        self.bar.suspend(|| eprintln!("{line}"));
    }

    /// Remove the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
