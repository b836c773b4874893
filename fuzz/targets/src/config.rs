//! The config-file target: the bytes as a shared config or credentials file, read by
//! inia-auth's INI parser (`config::ini`); then the words of every `[profile "..."]`
//! name and `credential_process` value are split as a shell would (`config::shell`), as
//! the profile loader and the process provider do. Text that is not UTF-8 is rejected
//! here, as `ini::read` rejects it before parsing.
//!
//! Owns nothing but the calls. Does not own the parsers (inia-auth).

use inia_auth::config::{ini, shell};

/// Parse the file `data` holds.
pub fn ini(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = match ini::parse(text, "fuzz/config") {
        Ok(parsed) => parsed,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    let _ = format!("{parsed:?}");
    for section in parsed.sections() {
        if let Some(profile) = section.name().strip_prefix("profile ") {
            let _ = shell::split(profile);
        }
        if let Some(command) = section.get("credential_process") {
            let _ = shell::split(command);
        }
        for value in section.values().values() {
            if let Some(nested) = value.as_nested() {
                let _ = nested.len();
            }
        }
        assert!(
            parsed.section(section.name()).is_some(),
            "a section is found by its own name"
        );
    }
}
