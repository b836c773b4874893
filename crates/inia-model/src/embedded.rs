//! The spec files compiled into the binary from `service-specs/` (see build.rs).
//!
//! Owns the table of embedded files. Does not own search order (see `loader`).

include!(concat!(env!("OUT_DIR"), "/embedded_specs.rs"));

/// The text of an embedded file by its path relative to `service-specs/`.
pub fn get(rel: &str) -> Option<&'static str> {
    FILES
        .binary_search_by(|(name, _)| (*name).cmp(rel))
        .ok()
        .map(|i| FILES[i].1)
}

/// Services that have an embedded `service-2.json`.
pub fn services() -> impl Iterator<Item = &'static str> {
    let mut last = "";
    FILES.iter().filter_map(move |(name, _)| {
        let service = name.split('/').next()?;
        (name.ends_with("/service-2.json") && service != last).then(|| {
            last = service;
            service
        })
    })
}

/// Embedded api-versions of `service` that have a service model.
pub fn versions(service: &str) -> Vec<String> {
    FILES
        .iter()
        .filter_map(|(name, _)| {
            let mut parts = name.splitn(3, '/');
            let (s, v, f) = (parts.next()?, parts.next()?, parts.next()?);
            (s == service && f == "service-2.json").then(|| v.to_string())
        })
        .collect()
}

/// Names of the embedded files directly in `folder` (`providers` → `aws.json`, ...).
pub fn names_under(folder: &str) -> impl Iterator<Item = &'static str> + '_ {
    FILES.iter().filter_map(move |(name, _)| {
        let rest = name.strip_prefix(folder)?.strip_prefix('/')?;
        (!rest.contains('/')).then_some(rest)
    })
}
