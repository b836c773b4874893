//! The error type of spec loading. Owns the messages that tell a spec author what is
//! wrong and where; does not own recovery (callers decide).

use std::path::PathBuf;

/// Everything that can go wrong while finding, reading or resolving a spec file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{origin}:{line}:{column}: invalid JSON: {message}")]
    Json {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{origin}: shape `{referrer}` refers to shape `{name}`, which the model does not define"
    )]
    MissingShape {
        origin: String,
        name: String,
        referrer: String,
    },
    #[error("{origin}: unknown protocol `{protocol}` (inia knows query, ec2, json, rest-json, rest-xml, smithy-rpc-v2-cbor)")]
    UnknownProtocol { origin: String, protocol: String },
    #[error("{origin}: the model names no protocol in its metadata")]
    NoProtocol { origin: String },
    #[error("unknown service `{name}`: no {file} for it in {searched}")]
    UnknownService {
        name: String,
        file: String,
        searched: String,
    },
    #[error("{origin}: the model has no operation `{name}`")]
    UnknownOperation { origin: String, name: String },
    #[error("{origin}: {message}")]
    Invalid { origin: String, message: String },
}

impl ModelError {
    /// A JSON error at a byte offset of `text`, reported as file:line:column.
    pub(crate) fn json_at(origin: &str, text: &str, base: usize, err: &serde_json::Error) -> Self {
        let (base_line, base_col) = line_col(text, base);
        let (line, column) = if err.line() <= 1 {
            (base_line, base_col + err.column().saturating_sub(1))
        } else {
            (base_line + err.line() - 1, err.column())
        };
        ModelError::Json {
            origin: origin.to_string(),
            line,
            column,
            message: strip_position(&err.to_string()),
        }
    }
}

/// 1-based line and column of byte offset `pos` in `text`.
pub(crate) fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let pos = pos.min(text.len());
    let before = &text.as_bytes()[..pos];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = pos
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1)
        + 1;
    (line, col)
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
    }
}
