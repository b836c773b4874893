//! `inia sso login` and `inia sso logout`, the AWS CLI v2's sign-in commands (the other
//! `inia sso ...` words are the SSO portal's API, run as any service's).
//!
//! `login` signs in for the selected profile's `sso_session` (or its legacy
//! `sso_start_url`), or for `--sso-session NAME`, and caches the token where the AWS CLI
//! does. As the AWS CLI v2 does, an `sso-session` signs in with the authorization-code
//! flow: the authorize page's URL is printed (and opened in a browser unless
//! `--no-browser`), and the browser's redirect to 127.0.0.1 completes the sign-in. With
//! `--use-device-code`, or for the legacy profile form (which the AWS CLI never signs in
//! that way), it uses a device code: the page to open and the code to confirm are printed
//! (the page opened unless `--no-browser`) and the confirmation waited for. The wording is
//! the AWS CLI v2's, on stderr; `Successfully logged into Start URL: ...` on stdout.
//! `logout` revokes and deletes every cached token.
//!
//! Owns the commands' arguments, the choice of flow, opening the browser and what they
//! print. Does not own the flows (`inia::sso_login`).

use crate::error::CliError;
use crate::globals::Globals;
use inia::auth::config::{Env, ProfileFiles, SelectedProfile};
use inia::sso_login::{sign_in_target, sso_session_target, DeviceAuthorization, SsoLogin};
use inia::time::{SystemClock, TokioSleep};
use std::sync::Arc;

/// Run `sso login|logout ...`; `None` when `words` is not one of them.
pub async fn run(g: &Globals, words: &[String]) -> Option<Result<(), CliError>> {
    match words.first().map(String::as_str) {
        Some("login") => Some(login(g, &words[1..]).await),
        Some("logout") => Some(logout(g, &words[1..]).await),
        _ => None,
    }
}

struct Flags {
    session: Option<String>,
    no_browser: bool,
    device_code: bool,
}

fn flags(args: &[String]) -> Result<Flags, CliError> {
    let mut f = Flags {
        session: None,
        no_browser: false,
        device_code: false,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--no-browser" => f.no_browser = true,
            "--use-device-code" => f.device_code = true,
            "--sso-session" => {
                f.session = Some(it.next().cloned().ok_or_else(|| {
                    CliError::usage("argument --sso-session: expected one argument")
                })?)
            }
            other => return Err(CliError::usage(format!("Unknown options: {other}"))),
        }
    }
    Ok(f)
}

fn config_error(message: String) -> CliError {
    CliError {
        code: crate::error::CONFIG,
        message,
    }
}

fn login_for(g: &Globals, f: &Flags, env: &Env) -> Result<SsoLogin, CliError> {
    let files = ProfileFiles::load(env).map_err(|e| CliError::from(inia::Error::from(e)))?;
    let target = match &f.session {
        Some(name) => sso_session_target(name, &files),
        None => {
            let selected = SelectedProfile::select(g.profile.as_deref(), env);
            let profile = files
                .selected(&selected)
                .map_err(|e| CliError::from(inia::Error::from(e)))?;
            let missing = || {
                format!(
                    "Missing the following required SSO configuration values: sso_start_url, \
                     sso_region (profile {}; or give --sso-session)",
                    selected.name()
                )
            };
            match profile.as_ref().and_then(|p| sign_in_target(p, &files)) {
                Some(t) => t,
                None => Err(missing()),
            }
        }
    };
    let (session, scopes) = target.map_err(config_error)?;
    SsoLogin::new(
        session,
        scopes,
        env,
        Arc::new(TokioSleep),
        Arc::new(SystemClock),
    )
    .map_err(CliError::from)
}

/// Open `url` in a browser unless `no_browser`, and say where to go, as the AWS CLI does.
/// True when a browser was started.
fn show_url(url: &str, open: &str, no_browser: bool) -> bool {
    let opened = !no_browser && open_browser(open);
    if opened {
        eprintln!(
            "Attempting to automatically open the SSO authorization page in your default browser."
        );
        eprintln!("If the browser does not open or you wish to use a different device to authorize this request, open the following URL:");
    } else {
        eprintln!("Browser will not be automatically opened.");
        eprintln!("Please visit the following URL:");
    }
    eprint!("\n{url}\n");
    opened
}

fn show_device_code(auth: &DeviceAuthorization, no_browser: bool) {
    let full = auth.verification_uri_complete.as_deref();
    let opened = show_url(
        &auth.verification_uri,
        full.unwrap_or(&auth.verification_uri),
        no_browser,
    );
    eprint!("\nThen enter the code:\n\n{}\n", auth.user_code);
    if let (false, Some(full)) = (opened, full) {
        eprint!("\nAlternatively, you may visit the following URL which will autofill the code upon loading:\n{full}\n");
    }
}

/// Ask the desktop to open `url`; false when no opener could be started.
fn open_browser(url: &str) -> bool {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_ok()
}

async fn login(g: &Globals, args: &[String]) -> Result<(), CliError> {
    let f = flags(args)?;
    let env = Env::real();
    let login = login_for(g, &f, &env)?;
    let no_browser = f.no_browser;
    // As the AWS CLI v2: the authorization code for an sso-session, else the device code.
    if f.device_code || login.session().name.is_none() {
        login
            .device_code(|auth| show_device_code(auth, no_browser))
            .await
    } else {
        login
            .authorization_code(|url| {
                show_url(url, url, no_browser);
            })
            .await
    }
    .map_err(CliError::from)?;
    println!("Successfully logged into Start URL: {}", start_url(&login));
    Ok(())
}

fn start_url(login: &SsoLogin) -> String {
    login.session().start_url.clone()
}

async fn logout(g: &Globals, args: &[String]) -> Result<(), CliError> {
    if let Some(a) = args.first() {
        return Err(CliError::usage(format!("Unknown options: {a}")));
    }
    let env = Env::real();
    // Any sign-in serves: logout clears the whole cache folder.
    let files = ProfileFiles::load(&env).map_err(|e| CliError::from(inia::Error::from(e)))?;
    let selected = SelectedProfile::select(g.profile.as_deref(), &env);
    let target = files
        .selected(&selected)
        .ok()
        .flatten()
        .and_then(|p| sign_in_target(&p, &files))
        .and_then(Result::ok);
    let (session, scopes) = target.unwrap_or_else(|| {
        (
            inia::sso_token::SsoSession {
                name: None,
                start_url: String::new(),
                region: "us-east-1".into(),
            },
            Vec::new(),
        )
    });
    let login = SsoLogin::new(
        session,
        scopes,
        &env,
        Arc::new(TokioSleep),
        Arc::new(SystemClock),
    )
    .map_err(CliError::from)?;
    login.logout().await.map_err(CliError::from)?;
    Ok(())
}
