//! `inia`: the command line, shaped like the AWS CLI v2. `main` sets up what every run
//! needs (a panic hook that prints one line and exits 255, `--debug` logging, a
//! current-thread runtime, Ctrl-C as exit 130) and maps failures to exit codes.
//!
//! Owns process setup and exit codes. Does not own any command's logic (see `run`).

mod binary;
mod commands;
mod configure;
mod doc_text;
mod ec2_run;
mod error;
mod globals;
mod help;
mod help_route;
mod hoisted;
mod lookup;
mod names;
mod output;
mod pager;
mod params;
mod records;
mod renames;
mod run;
mod s3cmd;
mod shorthand;
mod sso_login;
mod text_pages;
mod timestamps;
mod values;

use error::CliError;

fn main() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        eprintln!("inia: internal error: {}", error::one_line(&msg));
        std::process::exit(error::OTHER);
    }));
    let args: Result<Vec<String>, _> = std::env::args_os()
        .skip(1)
        .map(|a| a.into_string())
        .collect();
    let code = match args {
        Ok(args) => real_main(args),
        Err(a) => report(CliError::usage(format!(
            "argument is not valid UTF-8: {}",
            a.to_string_lossy()
        ))),
    };
    pager::finish();
    std::process::exit(code);
}

fn real_main(args: Vec<String>) -> i32 {
    let (g, rest) = match globals::extract(args) {
        Ok(x) => x,
        Err(e) => return report(e),
    };
    if g.version {
        println!("inia-cli/{}", env!("CARGO_PKG_VERSION"));
        return 0;
    }
    if g.debug {
        let _ = tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_max_level(tracing_subscriber::filter::LevelFilter::DEBUG)
            .try_init();
    }
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return report(CliError::other(format!("cannot start the runtime: {e}"))),
    };
    rt.block_on(async {
        // The command's future is dropped when a signal wins, which cancels it where it
        // waits: temporary download files remove themselves, and open multipart uploads
        // spawn their AbortMultipartUpload, awaited below before the runtime ends.
        let finished = tokio::select! {
            r = run::run(&g, rest) => Some(r),
            _ = interrupted() => None,
        };
        match finished {
            Some(Ok(())) => 0,
            Some(Err(e)) => report(e),
            None => {
                let aborted = inia::transfer::finish_pending_aborts(ABORT_DEADLINE).await;
                eprintln!();
                if aborted > 0 {
                    eprintln!(
                        "inia: interrupted; aborted {aborted} unfinished multipart upload(s)"
                    );
                }
                130
            }
        }
    })
}

/// How long an interrupted command waits for its AbortMultipartUpload calls.
const ABORT_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

/// Ctrl-C, or (on Unix) SIGTERM.
async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Print the one-line reason (if there is one); the exit code.
fn report(e: CliError) -> i32 {
    if e.code == error::USAGE {
        eprintln!("inia: error: {}", e.message);
    } else if !e.message.is_empty() {
        eprintln!("{}", e.message);
    }
    e.code
}
