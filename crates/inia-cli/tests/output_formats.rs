//! `--output text|table|yaml` end to end: the `inia` binary against moto printing
//! `ec2 describe-regions` in each format, the format also chosen by `AWS_DEFAULT_OUTPUT`
//! and by the profile's `output` key, and `--query` applied before formatting. Each
//! format's text is checked against the regions the JSON output lists.
//!
//! Owns end-to-end tests of the output formats. Does not own the formatters' exact layout
//! (unit tests in src/formats).

use inia_test_support::Moto;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// Run `inia --endpoint-url <moto> args...` with a clean environment (HOME in `home`,
/// instance metadata disabled, region us-east-1) plus `extra` variables; stdout.
fn inia(home: &Path, endpoint: &str, extra: &[(&str, &str)], args: &[&str]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_inia"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", "secret-test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .args(["--endpoint-url", endpoint])
        .args(args);
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run inia");
    assert!(
        out.status.success(),
        "inia {args:?} failed ({:?}): {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn describe_regions_in_each_format() {
    let moto = Moto::start(&[]);
    let endpoint = moto.endpoint();
    let home = tempfile::tempdir().expect("temp home");
    let run = |extra: &[(&str, &str)], args: &[&str]| inia(home.path(), &endpoint, extra, args);

    let json: Value =
        serde_json::from_str(&run(&[], &["ec2", "describe-regions"])).expect("json output");
    let regions = json["Regions"].as_array().expect("Regions").clone();
    assert!(regions.len() > 3, "{json}");
    let name = |r: &Value| r["RegionName"].as_str().unwrap_or_default().to_string();

    // text: one REGIONS line per region, values in sorted key order.
    let text = run(&[], &["ec2", "describe-regions", "--output", "text"]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), regions.len(), "{text}");
    for (line, r) in lines.iter().zip(&regions) {
        let obj = r.as_object().expect("region object");
        let mut keys: Vec<&String> = obj.keys().collect();
        keys.sort();
        let want: Vec<String> = std::iter::once("REGIONS".to_string())
            .chain(
                keys.iter()
                    .map(|k| obj[*k].as_str().unwrap_or_default().into()),
            )
            .collect();
        assert_eq!(*line, want.join("\t"));
    }

    // table: a box titled with the operation, a Regions section, one row per region.
    let table = run(&[], &["ec2", "describe-regions", "--output", "table"]);
    let lines: Vec<&str> = table.lines().collect();
    let width = lines[0].chars().count();
    assert!(lines[0].chars().all(|c| c == '-'), "{table}");
    assert!(lines.iter().all(|l| l.chars().count() == width), "{table}");
    assert_eq!(
        lines[1].split_whitespace().collect::<Vec<_>>(),
        ["|", "DescribeRegions", "|"]
    );
    assert_eq!(
        lines[3].split_whitespace().collect::<Vec<_>>(),
        ["||", "Regions", "||"]
    );
    assert!(lines[5].contains("RegionName"), "{table}");
    for r in &regions {
        let row = format!("|  {}", name(r));
        assert!(
            lines.iter().any(|l| l.contains(&row)),
            "{} in {table}",
            name(r)
        );
    }
    assert_eq!(lines.len(), 8 + regions.len(), "{table}");

    // yaml: block style, keys in response order.
    let yaml = run(&[], &["ec2", "describe-regions", "--output", "yaml"]);
    let mut want = String::from("Regions:\n");
    for r in &regions {
        for (i, (k, v)) in r.as_object().expect("region object").iter().enumerate() {
            let lead = if i == 0 { "- " } else { "  " };
            want.push_str(&format!("{lead}{k}: {}\n", v.as_str().unwrap_or_default()));
        }
    }
    assert_eq!(yaml, want);

    // --query first, then the format.
    let q = ["ec2", "describe-regions", "--query", "Regions[].RegionName"];
    let names: Vec<String> = regions.iter().map(name).collect();
    let text = run(&[], &[&q[..], &["--output", "text"]].concat());
    assert_eq!(text, format!("{}\n", names.join("\t")));
    let yaml = run(&[], &[&q[..], &["--output", "yaml"]].concat());
    assert_eq!(yaml, format!("- {}\n", names.join("\n- ")));

    // The format from AWS_DEFAULT_OUTPUT, then from the profile; --output wins.
    assert_eq!(run(&[("AWS_DEFAULT_OUTPUT", "text")], &q), text);
    let config = home.path().join("config");
    std::fs::write(&config, "[default]\noutput = yaml\n").expect("write config");
    let cfg = config.to_string_lossy().into_owned();
    assert_eq!(run(&[("AWS_CONFIG_FILE", cfg.as_str())], &q), yaml);
    let forced = run(
        &[
            ("AWS_CONFIG_FILE", cfg.as_str()),
            ("AWS_DEFAULT_OUTPUT", "table"),
        ],
        &[&q[..], &["--output", "text"]].concat(),
    );
    assert_eq!(forced, text);
}
