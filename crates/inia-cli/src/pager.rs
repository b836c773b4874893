//! The output pager, as AWS CLI v2 has it: when stdout is a terminal, a result is written
//! through the pager named by `AWS_PAGER`, else the profile's `cli_pager`, else `PAGER`,
//! else `less` (an empty value at any of these turns paging off); `--no-cli-pager` turns
//! it off too. `less` gets `LESS=FRX` when `LESS` is unset, so a short result is printed
//! and `less` exits at once. Output to a pipe or a file is never paged.
//!
//! The pager is started just before the result is printed (so errors and prompts stay on
//! the terminal) and takes over the process's stdout; [`finish`] closes it and waits for
//! the pager to exit. A pager that cannot be started is a configuration error (253), as
//! in the AWS CLI v2.
//!
//! Owns the pager process. Does not own what is printed (`output`).

use crate::error::{CliError, CONFIG};
use crate::globals::Globals;
use inia::auth::config::{Env, ProfileFiles, SelectedProfile};
use std::io::IsTerminal;
use std::process::Child;
use std::sync::Mutex;

/// The running pager, between [`start`] and [`finish`].
static PAGER: Mutex<Option<Child>> = Mutex::new(None);

/// Start the pager when stdout is a terminal and one is configured.
pub fn start(g: &Globals) -> Result<(), CliError> {
    if g.no_cli_pager || !std::io::stdout().is_terminal() {
        return Ok(());
    }
    let env = Env::real();
    let command = match std::env::var("AWS_PAGER") {
        Ok(v) => v,
        Err(_) => match profile_pager(g, &env) {
            Some(v) => v,
            None => std::env::var("PAGER").unwrap_or_else(|_| "less".to_string()),
        },
    };
    let words = split(&command);
    let Some((program, args)) = words.split_first() else {
        return Ok(());
    };
    spawn(program, args).map_err(|e| CliError {
        code: CONFIG,
        message: format!(
            "Unable to redirect output to pager. Received the following error when opening pager:\n{e}\n\nSet cli_pager, AWS_PAGER or --no-cli-pager to choose another pager or none."
        ),
    })
}

/// The profile's `cli_pager` as written, empty included (which turns paging off).
fn profile_pager(g: &Globals, env: &Env) -> Option<String> {
    let files = ProfileFiles::load(env).ok()?;
    let profile = files
        .selected(&SelectedProfile::select(g.profile.as_deref(), env))
        .ok()??;
    profile.get("cli_pager").map(|v| v.trim().to_string())
}

/// Words of a pager command, split as a POSIX shell splits plain words and quotes.
fn split(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => {
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            }
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '\\') => {
                if let Some(n) = chars.next() {
                    word.push(n);
                    in_word = true;
                }
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

#[cfg(unix)]
fn spawn(program: &str, args: &[String]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::fd::AsRawFd;
    let mut cmd = std::process::Command::new(program);
    cmd.args(args).stdin(std::process::Stdio::piped());
    if std::env::var_os("LESS").is_none() {
        cmd.env("LESS", "FRX");
    }
    let mut child = cmd.spawn()?;
    let stdin = child
        .stdin
        .take()
        .ok_or_else(|| std::io::Error::other("the pager has no stdin"))?;
    let _ = std::io::stdout().flush();
    // SAFETY: dup2 on two open descriptors; stdout (1) now writes into the pager's pipe.
    if unsafe { libc::dup2(stdin.as_raw_fd(), 1) } < 0 {
        let e = std::io::Error::last_os_error();
        let _ = child.kill();
        let _ = child.wait();
        return Err(e);
    }
    drop(stdin);
    *PAGER.lock().unwrap_or_else(|p| p.into_inner()) = Some(child);
    Ok(())
}

#[cfg(not(unix))]
fn spawn(_program: &str, _args: &[String]) -> std::io::Result<()> {
    Ok(())
}

/// Close the pager's input and wait for it to exit (nothing when no pager runs).
pub fn finish() {
    let child = PAGER.lock().unwrap_or_else(|p| p.into_inner()).take();
    let Some(mut child) = child else { return };
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::fd::AsRawFd;
        let _ = std::io::stdout().flush();
        // Point stdout at /dev/null, which closes the pipe: the pager sees the end.
        if let Ok(null) = std::fs::OpenOptions::new().write(true).open("/dev/null") {
            // SAFETY: dup2 on two open descriptors.
            unsafe {
                libc::dup2(null.as_raw_fd(), 1);
            }
        }
    }
    let _ = child.wait();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(split("less -R"), ["less", "-R"]);
        assert_eq!(split("  "), Vec::<String>::new());
        assert_eq!(
            split(r#"my\ pager --x="a b" 'c d'"#),
            ["my pager", "--x=a b", "c d"]
        );
    }
}
