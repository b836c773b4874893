//! `s3api select-object-content ... OUTFILE`, as the AWS CLI runs it: the output's event
//! stream is not printed; the payloads of its `Records` events are written, in order, to
//! OUTFILE (a temporary file beside it, renamed into place when the stream ended well),
//! and what else the output holds is printed (usually nothing). Other event-stream
//! outputs are printed whole, each event as `{EventName: {...}}` in a list.
//!
//! Owns that call and the file. Does not own decoding event streams (the engine).

use crate::error::CliError;
use crate::params::Parsed;
use inia::protocol::timefmt;
use inia::{Client, Value};
use std::io::Write;
use std::path::Path;

/// Call `name` and write its records to the outfile; the rest of the output.
pub async fn call(client: &Client, name: &str, parsed: Parsed) -> Result<Value, CliError> {
    let Some(path) = parsed.outfile else {
        return Err(CliError::usage(
            "the following arguments are required: outfile",
        ));
    };
    let mut out = client
        .call(name, parsed.params)
        .await
        .map_err(crate::run::engine)?;
    let key = stream_key(client, name);
    let events = match out.as_object_mut().and_then(|m| m.shift_remove(&key)) {
        Some(Value::Array(events)) => events,
        _ => Vec::new(),
    };
    write_records(&events, &path)?;
    Ok(out)
}

/// The output member that holds the event stream (the output shape's payload).
fn stream_key(client: &Client, name: &str) -> String {
    let model = client.model();
    model
        .operation(name)
        .ok()
        .and_then(|op| op.output.clone())
        .and_then(|out| model.target(&out, name).ok())
        .and_then(|shape| shape.payload.clone())
        .unwrap_or_else(|| "Payload".to_string())
}

/// Write every `Records` event's payload to `path`, through a temporary file renamed into
/// place, so a failure leaves what was there.
fn write_records(events: &[Value], path: &Path) -> Result<(), CliError> {
    let fail = |e: std::io::Error| CliError::other(format!("{}: {e}", path.display()));
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "records".into());
    let temp = dir.join(format!(".{name}.inia-{}", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        for event in events {
            let Some(payload) = event["Records"]["Payload"].as_str() else {
                continue;
            };
            let bytes = timefmt::base64_decode(payload).unwrap_or_default();
            file.write_all(&bytes)?;
        }
        file.flush()?;
        std::fs::rename(&temp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&temp);
        return Err(fail(e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_record_payloads_are_written_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let events = vec![
            json!({"Records": {"Payload": timefmt::base64_encode(b"a,1\n")}}),
            json!({"Stats": {"Details": {"BytesScanned": 10}}}),
            json!({"Records": {"Payload": timefmt::base64_encode(b"b,2\n")}}),
            json!({"End": {}}),
        ];
        write_records(&events, &path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"a,1\nb,2\n");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(left.len(), 1, "no temporary file is left");
    }
}
