//! Load: 4,096 calls in flight at once through one client, against moto on 127.0.0.1.
//! Every call must succeed, and the sockets the process holds must stay within the
//! client's in-flight bound (`HttpConfig::max_connections`, default 128), counted by
//! sampling `/proc/self/fd` while the calls run. A fixed number of calls; every wait is
//! bounded. The peak memory of the same load next to the official SDK is a benchmark
//! (`cargo xtask bench`, docs/performance.md), not asserted here.

use inia::auth::config::Env;
use inia::connection::{HttpConfig, DEFAULT_MAX_CONNECTIONS};
use inia::{json, Credentials, Session};
use inia_test_support::{open_sockets, Moto};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const CALLS: usize = 4096;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_thousand_calls_in_flight_stay_within_the_socket_bound() {
    let moto = Moto::start(&[]);
    let before = open_sockets();
    let sts = Session::builder()
        .env(Env::empty())
        .region("us-east-1")
        .endpoint_url(moto.endpoint())
        .credentials(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .http_config(HttpConfig::default())
        .build()
        .unwrap()
        .client("sts")
        .unwrap();
    let peak = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, stop) = (peak.clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                peak.fetch_max(open_sockets(), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };
    let calls = (0..CALLS).map(|_| {
        let sts = sts.clone();
        async move { sts.call("GetCallerIdentity", json!({})).await }
    });
    let all = futures_util::future::join_all(calls);
    let results = tokio::time::timeout(Duration::from_secs(600), all)
        .await
        .expect("4,096 calls within 10 minutes");
    stop.store(true, Ordering::Relaxed);
    sampler.await.unwrap();
    let failed: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(
        failed.is_empty(),
        "{} of {CALLS} failed, first: {:?}",
        failed.len(),
        failed.first().map(|e| e.to_string())
    );
    let accounts = results
        .iter()
        .filter(|r| r.as_ref().is_ok_and(|v| v["Account"].is_string()))
        .count();
    assert_eq!(accounts, CALLS);
    let peak = peak.load(Ordering::Relaxed);
    // A slot is given back when a response body ends; moto closes each connection after
    // its answer, and hyper's connection task closes the socket an instant later: a few
    // sockets may be closing while new ones open. Unbounded, this is thousands.
    const CLOSING: usize = 16;
    assert!(
        peak <= before + DEFAULT_MAX_CONNECTIONS + CLOSING,
        "{peak} sockets at the peak, {before} before: more than the bound of {DEFAULT_MAX_CONNECTIONS} (+{CLOSING} closing)"
    );
    assert!(
        peak > before + 8,
        "the calls ran concurrently ({peak} sockets at the peak, {before} before)"
    );
}
