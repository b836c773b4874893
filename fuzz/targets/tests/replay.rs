//! Replays the fuzz corpus on stable: every file of `fuzz/corpus/<target>/` (seeds, and
//! whatever a fuzzing run chose to keep) and `fuzz/regressions/<target>/` (minimized
//! crashes, kept once fixed) goes through its target function, which must not panic.
//! Every target must have seeds, and every folder must name a target.
//!
//! Owns the replay. Does not own the targets (`src/`) or finding new inputs
//! (`cargo xtask fuzz`).

use inia_fuzz_targets::TARGETS;
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The files directly in `dir` (none when it does not exist), sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

/// Run every file of `<fuzz>/<kind>/<target>/` through the target; the count replayed.
fn replay(kind: &str, name: &str, target: fn(&[u8])) -> usize {
    let inputs = files(&fuzz_dir().join(kind).join(name));
    for path in &inputs {
        let data = std::fs::read(path).unwrap();
        let shown = path.display().to_string();
        let outcome = std::panic::catch_unwind(|| target(&data));
        assert!(outcome.is_ok(), "{name} panicked on {shown}");
    }
    inputs.len()
}

#[test]
fn every_target_has_seeds_and_none_panics_on_them() {
    let mut empty = Vec::new();
    for (name, target) in TARGETS {
        if replay("corpus", name, *target) == 0 {
            empty.push(*name);
        }
    }
    assert!(empty.is_empty(), "targets without seeds: {empty:?}");
}

#[test]
fn no_regression_comes_back() {
    for (name, target) in TARGETS {
        replay("regressions", name, *target);
    }
}

#[test]
fn every_folder_names_a_target() {
    for kind in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz_dir().join(kind)) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(
                TARGETS.iter().any(|(t, _)| *t == name),
                "fuzz/{kind}/{name} is not a target"
            );
        }
    }
}

#[test]
fn every_fuzz_binary_calls_its_target() {
    for (name, _) in TARGETS {
        let path = fuzz_dir().join("fuzz_targets").join(format!("{name}.rs"));
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            text.contains(&format!("inia_fuzz_targets::{name}(data)")),
            "{} does not call inia_fuzz_targets::{name}",
            path.display()
        );
    }
}
