//! Changing one value of a shared config or credentials file as text, the way
//! `aws configure set` does: every other line (comments, blank lines, order, other
//! sections) stays as it was; a key already in the section is replaced in place; a new
//! key goes after the section's last line; a missing section is added at the end. A
//! nested key (`s3.addressing_style`) lives in an indented block under its parent key
//! (`s3 =`), created when missing. And writing such a file so that no reader sees half of
//! it and nobody else can read it ([`write_private`]).
//!
//! Owns editing and writing. Does not own parsing (`ini`) or which file a key belongs in
//! (the command line's `configure`).

use std::path::Path;

/// One line's shape, as far as editing cares.
enum Line<'a> {
    Section(&'a str),
    /// A key at the start of a line (not indented) and its value.
    Key(&'a str, &'a str),
    /// An indented `subkey = value`, under the last key.
    Sub(&'a str),
    Other,
}

fn classify(line: &str) -> Line<'_> {
    let trimmed = line.trim();
    if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
        return Line::Other;
    }
    if let Some(rest) = trimmed.strip_prefix('[') {
        if let Some(end) = rest.find(']') {
            return Line::Section(rest[..end].trim());
        }
    }
    let indented = line.starts_with([' ', '\t']);
    let split = trimmed.find(['=', ':']);
    match (indented, split) {
        (false, Some(i)) => Line::Key(trimmed[..i].trim(), trimmed[i + 1..].trim()),
        (true, Some(i)) => Line::Sub(trimmed[..i].trim()),
        _ => Line::Other,
    }
}

/// `text` with `key` (or `key.sub` when `sub` is given) of section `section` set to
/// `value`. Section names are given as they appear between the brackets (`default`,
/// `profile dev`).
pub fn set_value(text: &str, section: &str, key: &str, sub: Option<&str>, value: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let Some(start) = lines
        .iter()
        .position(|l| matches!(classify(l), Line::Section(s) if s == section))
    else {
        let mut text = text.to_string();
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&format!("[{section}]\n"));
        match sub {
            None => text.push_str(&format!("{key} = {value}\n")),
            Some(s) => text.push_str(&format!("{key} =\n    {s} = {value}\n")),
        }
        return text;
    };
    let end = (start + 1..lines.len())
        .find(|&i| matches!(classify(lines[i]), Line::Section(_)))
        .unwrap_or(lines.len());
    // The section's last key (or its header): new keys go after it, so blank lines and
    // comments above the next section stay with that section.
    let last = (start..end)
        .rev()
        .find(|&i| !matches!(classify(lines[i]), Line::Other))
        .unwrap_or(start);
    let key_at = (start + 1..end)
        .find(|&i| matches!(classify(lines[i]), Line::Key(k, _) if k.eq_ignore_ascii_case(key)));
    // The indented lines under the key at `k` end before the returned index.
    let block_end = |k: usize| {
        (k + 1..end)
            .find(|&i| !matches!(classify(lines[i]), Line::Sub(_)))
            .unwrap_or(end)
    };
    let mut out: Vec<String> = lines.iter().map(|l| (*l).to_string()).collect();
    let sub_line = |s: &str| format!("    {s} = {value}");
    match (sub, key_at) {
        (None, Some(k)) => {
            // The key's nested block, if it had one, goes with the old value.
            out.splice(k..block_end(k), [format!("{key} = {value}")]);
        }
        (None, None) => out.insert(last + 1, format!("{key} = {value}")),
        (Some(s), Some(k)) => {
            if matches!(classify(lines[k]), Line::Key(_, v) if !v.is_empty()) {
                out[k] = format!("{key} =");
            }
            let be = block_end(k);
            match (k + 1..be)
                .find(|&i| matches!(classify(lines[i]), Line::Sub(n) if n.eq_ignore_ascii_case(s)))
            {
                Some(i) => out[i] = sub_line(s),
                None => out.insert(be, sub_line(s)),
            }
        }
        (Some(s), None) => {
            out.splice(last + 1..last + 1, [format!("{key} ="), sub_line(s)]);
        }
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// Write `bytes` to `path` so that no reader ever sees half of it and no one else can
/// read it: a temporary file beside it (mode 0600), then a rename over the old one. The
/// folder is made when missing.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    // A target that exists and is not a regular file (`/dev/null`) is written in place:
    // renaming over it would replace the device with a file.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        return std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|mut f| f.write_all(bytes));
    }
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = options.open(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    match result.and_then(|()| std::fs::rename(&tmp, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {

    #[cfg(unix)]
    #[test]
    fn a_device_or_fifo_is_written_in_place_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).unwrap())
        };
        write_private(&fifo, b"[default]\n").unwrap();
        assert_eq!(reader.join().unwrap(), b"[default]\n");
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    }
    use super::*;

    const FILE: &str = "# my settings\n[default]\nregion = us-east-1 # keep\n\n; dev box\n[profile dev]\noutput = json\ns3 =\n    addressing_style = path\n\n[profile last]\nregion = eu-west-1\n";

    #[test]
    fn a_key_is_replaced_in_place() {
        let t = set_value(FILE, "profile dev", "output", None, "table");
        assert_eq!(t, FILE.replace("output = json", "output = table"));
    }

    #[test]
    fn a_new_key_goes_after_the_sections_last_line() {
        let t = set_value(FILE, "default", "output", None, "text");
        assert_eq!(t, FILE.replace("# keep\n\n", "# keep\noutput = text\n\n"));
        let t = set_value(FILE, "profile last", "output", None, "text");
        assert_eq!(t, format!("{FILE}output = text\n"));
    }

    #[test]
    fn a_missing_section_is_added_at_the_end() {
        let t = set_value(FILE, "profile new", "region", None, "ap-south-1");
        assert_eq!(t, format!("{FILE}[profile new]\nregion = ap-south-1\n"));
        assert_eq!(
            set_value("", "default", "region", None, "x"),
            "[default]\nregion = x\n"
        );
        assert_eq!(
            set_value("[a]\nk = v", "b", "k", None, "w"),
            "[a]\nk = v\n[b]\nk = w\n"
        );
    }

    #[test]
    fn nested_keys_live_in_their_parents_block() {
        let t = set_value(
            FILE,
            "profile dev",
            "s3",
            Some("addressing_style"),
            "virtual",
        );
        assert_eq!(t, FILE.replace("= path", "= virtual"));
        let t = set_value(
            FILE,
            "profile dev",
            "s3",
            Some("max_concurrent_requests"),
            "20",
        );
        assert_eq!(
            t,
            FILE.replace("= path\n", "= path\n    max_concurrent_requests = 20\n")
        );
        let t = set_value(FILE, "default", "s3", Some("addressing_style"), "path");
        assert_eq!(
            t,
            FILE.replace(
                "# keep\n\n",
                "# keep\ns3 =\n    addressing_style = path\n\n"
            )
        );
    }

    #[test]
    fn what_is_written_parses_as_it_should() {
        let t = set_value(
            FILE,
            "profile dev",
            "s3",
            Some("use_accelerate_endpoint"),
            "true",
        );
        let t = set_value(&t, "profile dev", "region", None, "us-west-2");
        let ini = crate::config::ini::parse(&t, "config").unwrap();
        let dev = ini.section("profile dev").unwrap();
        assert_eq!(dev.get("region"), Some("us-west-2"));
        assert_eq!(dev.get("output"), Some("json"));
        let s3 = dev.value("s3").unwrap().as_nested().unwrap();
        assert_eq!(s3.get("addressing_style").map(String::as_str), Some("path"));
        assert_eq!(
            s3.get("use_accelerate_endpoint").map(String::as_str),
            Some("true")
        );
    }

    #[test]
    fn files_are_written_whole_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/credentials");
        write_private(&path, b"one").unwrap();
        write_private(&path, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(
            std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1
        );
    }
}
