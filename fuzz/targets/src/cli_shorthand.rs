//! The shorthand target: the bytes as an AWS CLI shorthand argument (`Key=a,Values=[b,c]`,
//! `{...}`, quoted values), parsed by inia-cli's shorthand grammar. inia-cli is a binary
//! crate, so its self-contained `shorthand.rs` is compiled into this crate as a module,
//! unchanged. A parsed value never nests deeper than the grammar's `MAX_DEPTH`.
//!
//! Owns the call and the depth check. Does not own the grammar (inia-cli).

#[path = "../../../crates/inia-cli/src/shorthand.rs"]
mod grammar;

use grammar::Sh;

/// Parse the argument `data` holds (UTF-8 only: command-line arguments reach the parser
/// as `String`s).
pub fn shorthand(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(map) = grammar::parse(text) else {
        return;
    };
    let deepest = map.values().map(depth).max().unwrap_or(0);
    assert!(
        deepest <= grammar::MAX_DEPTH + 1,
        "shorthand nested {deepest} deep, past the limit of {}",
        grammar::MAX_DEPTH
    );
}

/// How deep a value nests (a string is 0), with an explicit stack.
fn depth(root: &Sh) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(root, 0usize)];
    while let Some((v, d)) = stack.pop() {
        deepest = deepest.max(d);
        match v {
            Sh::Str(s) => {
                let _ = s.len();
            }
            Sh::List(items) => stack.extend(items.iter().map(|c| (c, d + 1))),
            Sh::Map(m) => stack.extend(m.values().map(|c| (c, d + 1))),
        }
    }
    deepest
}
