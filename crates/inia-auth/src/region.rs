//! Region resolution: `AWS_REGION`, then `AWS_DEFAULT_REGION`, then the selected
//! profile's `region` key (config and credentials files merged, the credentials file
//! winning), all read through an injected [`Env`].
//!
//! Empty values count as unset. The profile is selected as for credentials (in code,
//! `AWS_PROFILE`, `AWS_DEFAULT_PROFILE`, `default`); an explicitly chosen profile that
//! exists nowhere is `ProfileNotFound`, but only when the variables did not already
//! answer. Owns: the order. Does not own: files or profile selection (`config::files`).

use crate::config::{Env, ProfileFiles, SelectedProfile};
use crate::provider::CredentialsError;

/// The variables looked at, in order.
pub const REGION_VARS: [&str; 2] = ["AWS_REGION", "AWS_DEFAULT_REGION"];

/// The region to use, if any is configured. `profile` is a profile given in code.
pub fn resolve_region(
    env: &Env,
    profile: Option<&str>,
) -> Result<Option<String>, CredentialsError> {
    if let Some(r) = REGION_VARS.iter().find_map(|v| env.get_non_empty(v)) {
        return Ok(Some(r.trim().to_owned()));
    }
    region_from(env, &ProfileFiles::load(env)?, profile)
}

/// [`resolve_region`] with the config files already loaded (a session reads them once).
pub fn region_from(
    env: &Env,
    files: &ProfileFiles,
    profile: Option<&str>,
) -> Result<Option<String>, CredentialsError> {
    if let Some(r) = REGION_VARS.iter().find_map(|v| env.get_non_empty(v)) {
        return Ok(Some(r.trim().to_owned()));
    }
    let selected = SelectedProfile::select(profile, env);
    Ok(files.selected(&selected)?.and_then(|p| {
        p.get("region")
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order() {
        let dir = tempfile::tempdir().unwrap();
        let aws = dir.path().join(".aws");
        std::fs::create_dir(&aws).unwrap();
        std::fs::write(
            aws.join("config"),
            "[default]\nregion = from-default\n[profile dev]\nregion = from-dev\n[profile none]\noutput = json\n",
        )
        .unwrap();
        std::fs::write(aws.join("credentials"), "[dev]\nregion = from-creds\n").unwrap();
        let env = Env::empty().with_home(dir.path());
        let r = |env: &Env, p: Option<&str>| resolve_region(env, p).unwrap();

        assert_eq!(r(&env, None).as_deref(), Some("from-default"));
        assert_eq!(r(&env, Some("dev")).as_deref(), Some("from-creds"));
        assert_eq!(r(&env, Some("none")), None);
        let e = env.clone().with_var("AWS_PROFILE", "dev");
        assert_eq!(r(&e, None).as_deref(), Some("from-creds"));
        let e = env
            .clone()
            .with_var("AWS_DEFAULT_REGION", "d")
            .with_var("AWS_REGION", "");
        assert_eq!(r(&e, Some("dev")).as_deref(), Some("d"));
        let e = e.with_var("AWS_REGION", "r");
        assert_eq!(r(&e, Some("missing")).as_deref(), Some("r"));
        assert!(matches!(
            resolve_region(&env, Some("missing")),
            Err(CredentialsError::ProfileNotFound(_))
        ));
        assert_eq!(
            r(&Env::empty().with_home(dir.path().join("nowhere")), None),
            None
        );
    }
}
