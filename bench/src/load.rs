//! Load: 4,096 STS GetCallerIdentity calls in flight at once through one client, for
//! inia's engine and for the official Rust SDK (`aws-sdk-sts`), each in a process of its
//! own (this binary again, `load-child inia|sdk PORT`), against one nginx (the canned
//! answer of `sdk.rs`, with room for 8,192 connections). Per client: wall time for all
//! calls, the peak of open sockets (sampled from `/proc/self/fd` every 2 ms), and the
//! process's peak RSS from `wait4`'s rusage. Every answer is checked for the account id.
//! Rounds alternate between the two; medians are printed.
//!
//! Both clients run on a two-worker multi-thread tokio runtime with default settings
//! apart from the endpoint and static credentials: inia bounds requests in flight (and
//! so sockets) at `HttpConfig::max_connections` (128); the SDK's pool has no such bound.
//!
//! Owns this benchmark. Does not own nginx's setup (`sdk.rs`).

use inia_test_support::open_sockets;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Calls in flight at once, per round.
const CALLS: usize = 4096;
/// Rounds per client.
const ROUNDS: usize = 3;

/// What a child reports on its one line of output: `elapsed_ms peak_sockets`.
struct Report {
    elapsed: Duration,
    peak_sockets: usize,
    peak_rss_kb: u64,
}

/// The child's side: run the calls with `which` client against nginx on `port`, print
/// `elapsed_ms peak_sockets`.
pub fn child(args: &[String]) -> Result<(), String> {
    let [which, port] = args else {
        return Err("usage: load-child inia|sdk PORT".into());
    };
    let url = format!("http://127.0.0.1:{port}");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let peak = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let sampler = {
            let (peak, stop) = (peak.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    peak.fetch_max(open_sockets(), Ordering::Relaxed);
                    std::thread::sleep(Duration::from_millis(2));
                }
            })
        };
        let started = Instant::now();
        let mut set = tokio::task::JoinSet::new();
        match which.as_str() {
            "inia" => {
                let client = crate::sdk::inia_client(url).await?;
                for _ in 0..CALLS {
                    set.spawn(crate::sdk::inia_call(client.clone()));
                }
            }
            "sdk" => {
                let client = crate::sdk::sdk_client(url).await?;
                for _ in 0..CALLS {
                    set.spawn(crate::sdk::sdk_call(client.clone()));
                }
            }
            other => return Err(format!("load-child: unknown client {other}")),
        }
        let mut failed = 0usize;
        let mut first = None;
        while let Some(joined) = set.join_next().await {
            if let Err(e) = joined.map_err(|e| e.to_string()).and_then(|r| r) {
                failed += 1;
                first.get_or_insert(e);
            }
        }
        let elapsed = started.elapsed();
        stop.store(true, Ordering::Relaxed);
        let _ = sampler.join();
        if let Some(e) = first {
            return Err(format!(
                "{which}: {failed} of {CALLS} calls failed, first: {e}"
            ));
        }
        println!(
            "{:.3} {}",
            elapsed.as_secs_f64() * 1e3,
            peak.load(Ordering::Relaxed)
        );
        Ok(())
    })
}

/// Run this binary as `load-child which port`; its report and peak RSS.
fn spawn(which: &str, port: u16) -> Result<Report, String> {
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let child = Command::new(me)
        .args(["load-child", which, &port.to_string()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the {which} child: {e}"))?;
    let pid = i32::try_from(child.id()).map_err(|e| e.to_string())?;
    // Read the pipes before reaping, so a chatty child cannot block on a full pipe.
    let mut child = child;
    let mut out = String::new();
    let mut err = String::new();
    {
        use std::io::Read;
        if let Some(mut s) = child.stdout.take() {
            let _ = s.read_to_string(&mut out);
        }
        if let Some(mut s) = child.stderr.take() {
            let _ = s.read_to_string(&mut err);
        }
    }
    let mut status = 0;
    // SAFETY: wait4 on the PID we spawned and have not reaped; it fills the zeroed rusage.
    let usage = unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        if libc::wait4(pid, &mut status, 0, &mut u) != pid {
            return Err(format!("{which}: wait4 failed"));
        }
        u
    };
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        return Err(format!("{which} child failed: {}", err.trim()));
    }
    let mut words = out.split_whitespace();
    let elapsed_ms: f64 = words
        .next()
        .and_then(|w| w.parse().ok())
        .ok_or_else(|| format!("{which}: unexpected output {out:?}"))?;
    let peak_sockets = words
        .next()
        .and_then(|w| w.parse().ok())
        .ok_or_else(|| format!("{which}: unexpected output {out:?}"))?;
    Ok(Report {
        elapsed: Duration::from_secs_f64(elapsed_ms / 1e3),
        peak_sockets,
        // ru_maxrss is in KiB on Linux.
        peak_rss_kb: u64::try_from(usage.ru_maxrss).unwrap_or(0),
    })
}

fn median<T: Copy + PartialOrd>(mut v: Vec<T>) -> T {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    v[v.len() / 2]
}

pub fn run() -> Result<(), String> {
    let nginx = crate::sdk::start_nginx_with(8192)?;
    let mut inia = Vec::new();
    let mut sdk = Vec::new();
    for _ in 0..ROUNDS {
        inia.push(spawn("inia", nginx.port)?);
        sdk.push(spawn("sdk", nginx.port)?);
    }
    let row = |name: &str, v: &[Report]| {
        let ms = median(v.iter().map(|r| r.elapsed.as_secs_f64() * 1e3).collect());
        let sockets = median(v.iter().map(|r| r.peak_sockets).collect());
        let rss = median(v.iter().map(|r| r.peak_rss_kb).collect());
        format!(
            "{name}: {ms:.0} ms, {sockets} sockets at the peak, {:.1} MB peak RSS",
            rss as f64 / 1024.0
        )
    };
    println!(
        "| {CALLS} STS GetCallerIdentity calls in flight through one client (nginx; medians of {ROUNDS}) | {} | {} | |",
        row("inia", &inia),
        row("aws-sdk-sts", &sdk)
    );
    Ok(())
}
