//! Splitting a command line into words the way a POSIX shell would (as Python's
//! `shlex.split` does), without running a shell.
//!
//! Owns: quoting and escaping rules. Does not own: running anything (see
//! `provider::process`). Used for `credential_process` and for `[profile "a b"]` names.

/// Why a line could not be split.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SplitError {
    /// A `'` or `"` with no closing match.
    UnterminatedQuote,
    /// A `\` as the last character.
    TrailingBackslash,
}

impl std::fmt::Display for SplitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SplitError::UnterminatedQuote => "no closing quotation",
            SplitError::TrailingBackslash => "no character after the final backslash",
        })
    }
}

/// Split `line` into words: whitespace separates words; `'...'` is literal; inside
/// `"..."` a backslash escapes only `"` and `\`; outside quotes a backslash escapes any
/// character; adjacent quoted and unquoted parts join into one word; `''` is an empty
/// word. No variable expansion, globbing or comments.
pub fn split(line: &str) -> Result<Vec<String>, SplitError> {
    let mut words = Vec::new();
    let mut word = String::new();
    // True once the current word has begun, even if it is still empty (`''`).
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err(SplitError::UnterminatedQuote),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err(SplitError::UnterminatedQuote),
                        },
                        Some(c) => word.push(c),
                        None => return Err(SplitError::UnterminatedQuote),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => word.push(c),
                    None => return Err(SplitError::TrailingBackslash),
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Vec<String> {
        split(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    #[test]
    fn words_and_quotes() {
        assert_eq!(ok("  a  b\tc "), ["a", "b", "c"]);
        assert_eq!(
            ok("/bin/sh -c 'echo \"hi there\"'"),
            ["/bin/sh", "-c", "echo \"hi there\""]
        );
        assert_eq!(ok(r#"a"b c"d"#), ["ab cd"]);
        assert_eq!(ok(r#""x\"y\\z\n""#), [r#"x"y\z\n"#]);
        assert_eq!(ok(r"a\ b c\'d"), ["a b", "c'd"]);
        assert_eq!(ok("a '' b"), ["a", "", "b"]);
        assert_eq!(ok("x # not a comment"), ["x", "#", "not", "a", "comment"]);
        assert!(ok("   ").is_empty());
    }

    #[test]
    fn errors() {
        assert_eq!(split("a 'b"), Err(SplitError::UnterminatedQuote));
        assert_eq!(split("a \"b\\"), Err(SplitError::UnterminatedQuote));
        assert_eq!(split("a b\\"), Err(SplitError::TrailingBackslash));
    }
}
