//! Embeds every `.json` under the workspace's `service-specs/` as a sorted table of
//! (relative path, text). Provider files live there too and are embedded the same way.

use std::path::{Path, PathBuf};

fn walk(dir: &Path, base: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, base, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            if let Ok(rel) = p.strip_prefix(base) {
                let rel = rel.to_string_lossy().replace('\\', "/");
                out.push((rel, p.clone()));
            }
        }
    }
}

fn main() {
    let manifest =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let specs = manifest.join("../../service-specs");
    println!("cargo:rerun-if-changed={}", specs.display());
    let mut files = Vec::new();
    walk(&specs, &specs, &mut files);
    for (_, p) in &files {
        println!("cargo:rerun-if-changed={}", p.display());
    }
    files.sort();
    let mut src = String::from("/// (path under service-specs/, text), sorted by path.\npub static FILES: &[(&str, &str)] = &[\n");
    for (rel, p) in &files {
        let abs = p.canonicalize().unwrap_or_else(|_| p.clone());
        src.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            abs.display().to_string()
        ));
    }
    src.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("embedded_specs.rs");
    std::fs::write(out, src).expect("write embedded_specs.rs");
}
