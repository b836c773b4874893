//! Local configuration: the injectable environment ([`Env`]), the INI dialect of the AWS
//! config files ([`ini`]), the shared config and credentials files and profile selection
//! ([`files`]), changing one value of those files as text ([`edit`]), and shell-like word
//! splitting ([`shell`]).
//!
//! Owns: reading, interpreting and editing files and variables. Does not own: turning them into
//! credentials (see [`crate::provider`]) or regions (see [`crate::region`]).

pub mod edit;
pub mod env;
pub mod files;
pub mod ini;
pub mod shell;

pub use env::Env;
pub use files::{Profile, ProfileFiles, ProfileSource, SelectedProfile};
