//! The LRS's HTTP client: where statements go, with what credentials, and what each answer means.
//! The password lives only in memory: it is never in an error, a log line or the database, and
//! whatever an LRS sends back is cleaned of it (and of the token made from it) before anyone sees it.

use super::statements::VERSION;
use crate::records::config::LrsConfig;
use std::time::Duration;

/// Where to send statements, and with what credentials.
#[derive(Clone)]
pub struct Lrs {
    /// The xAPI endpoint; statements go to `<endpoint>/statements`.
    pub endpoint: String,
    pub user: String,
    password: String,
}

impl std::fmt::Debug for Lrs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lrs")
            .field("endpoint", &self.endpoint)
            .field("user", &self.user)
            .field("password", &"(hidden)")
            .finish()
    }
}

/// Why an LRS cannot be used as given. No message names the password, or a value that may be it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LrsError {
    #[error("the LRS address `{0}` must start with https:// or http://")]
    Scheme(String),
    #[error(
        "the LRS address must not contain a user name or password; use --user and --password-env (or `user` and `password_env` in the settings file)"
    )]
    CredentialsInAddress,
    #[error("the LRS address `{0}` has no host")]
    NoHost(String),
    #[error("the LRS password is read from the environment variable {0}, which is not set")]
    PasswordNotSet(String),
    #[error(
        "the LRS password is read from an environment variable, but what was given as its name is not one (names are capital letters, digits and _, like DEALSIM_LRS_PASSWORD); give the variable's name, not the password itself; it is not shown here in case it is the password"
    )]
    NotAVariableName,
}

/// An address as it may be shown: any `user:password@` in it is taken out, whatever its scheme.
pub fn redact_address(address: &str) -> String {
    let (scheme, rest) = match address.find("://") {
        Some(at) => (&address[..at + 3], &address[at + 3..]),
        None => ("", address),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}…@{}", &rest[at + 1..]),
        None => address.to_string(),
    }
}

/// Whether `name` looks like an environment variable's name as people write them (capitals,
/// digits, underscores): anything else may be a password typed where its variable's name goes.
fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_uppercase() || c == '_')
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

impl Lrs {
    /// Checks the endpoint: http or https (in any case), a host, and no credentials inside it
    /// (they would end up in logs and error messages).
    pub fn new(endpoint: &str, user: &str, password: String) -> Result<Lrs, LrsError> {
        let endpoint = endpoint.trim().trim_end_matches('/');
        let shown = redact_address(endpoint);
        let lower = endpoint.to_ascii_lowercase();
        let scheme_length = if lower.starts_with("https://") {
            8
        } else if lower.starts_with("http://") {
            7
        } else if endpoint.contains("://") && shown != endpoint {
            return Err(LrsError::CredentialsInAddress);
        } else {
            return Err(LrsError::Scheme(shown));
        };
        let rest = &endpoint[scheme_length..];
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if authority.contains('@') {
            return Err(LrsError::CredentialsInAddress);
        }
        if authority.is_empty() {
            return Err(LrsError::NoHost(shown));
        }
        Ok(Lrs {
            endpoint: format!("{}{}", &lower[..scheme_length], rest),
            user: user.to_string(),
            password,
        })
    }

    /// The LRS of a settings entry, with its password read from the environment.
    pub fn from_config(config: &LrsConfig) -> Result<Lrs, LrsError> {
        if !is_variable_name(&config.password_env) {
            return Err(LrsError::NotAVariableName);
        }
        let password = std::env::var(&config.password_env)
            .map_err(|_| LrsError::PasswordNotSet(config.password_env.clone()))?;
        Lrs::new(&config.endpoint, &config.user, password)
    }

    /// A warning to show before sending, when there is one: the password would cross the
    /// network unencrypted.
    pub fn warning(&self) -> Option<String> {
        let host = self
            .endpoint
            .strip_prefix("http://")?
            .split(['/', ':'])
            .next()
            .unwrap_or("");
        let loopback = host == "localhost" || host.starts_with("127.") || host == "[";
        (!loopback).then(|| {
            format!(
                "the LRS address {} uses plain http://, so the password crosses the network unencrypted; use https:// unless this network is private",
                self.endpoint
            )
        })
    }

    fn token(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", self.user, self.password))
    }

    pub(super) fn authorization(&self) -> String {
        format!("Basic {}", self.token())
    }

    /// Text from the LRS (or about it) with the password and the token made from it taken out,
    /// cut to `max` characters: some LRSs echo the request's headers in their errors.
    pub fn clean(&self, text: &str, max: usize) -> String {
        let mut cleaned = text.trim().to_string();
        for secret in [self.token(), self.password.clone()] {
            if secret.len() >= 3 {
                cleaned = cleaned.replace(&secret, "(hidden)");
            }
        }
        crate::engine::text::shorten(&cleaned, max)
    }

    /// An HTTP agent for talking to the LRS: answers of every status come back as answers.
    pub(super) fn agent() -> ureq::Agent {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into()
    }
}

/// What the LRS said to a batch of statements.
pub(super) enum Answer {
    Accepted,
    /// 400: the LRS refused the content; sent one at a time, the statement at fault is found.
    Refused(u16, String),
    /// 409: it already holds a statement with this id (an earlier answer was lost).
    Conflict,
    /// 413: the batch is too large for this LRS.
    TooLarge,
    /// 429: the LRS asks to wait this many seconds before sending again.
    Wait(u64),
    /// Not deliverable now, for a reason about the LRS or the address, not about a statement:
    /// unreachable, server errors, refused credentials, a wrong path, a timeout.
    NotNow(String),
}

/// How long to wait when a 429 gives no `Retry-After`.
const DEFAULT_WAIT_SECONDS: u64 = 5;

pub(super) fn post(agent: &ureq::Agent, lrs: &Lrs, body: &str) -> Answer {
    let response = agent
        .post(format!("{}/statements", lrs.endpoint))
        .header("X-Experience-API-Version", VERSION)
        .header("Content-Type", "application/json")
        .header("Authorization", lrs.authorization())
        .send(body);
    match response {
        Ok(mut response) => {
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get("Retry-After")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            let text = response
                .body_mut()
                .with_config()
                .limit(64 * 1024)
                .read_to_string()
                .unwrap_or_default();
            match status {
                200..=299 => Answer::Accepted,
                409 => Answer::Conflict,
                400 => Answer::Refused(status, lrs.clean(&text, 600)),
                413 => Answer::TooLarge,
                429 => Answer::Wait(retry_after.unwrap_or(DEFAULT_WAIT_SECONDS)),
                401 | 403 => Answer::NotNow(format!(
                    "the LRS refused the user name or password (HTTP {status}); check --user and the password's variable"
                )),
                404 => Answer::NotNow(format!(
                    "the LRS has no statements resource at {}/statements (HTTP 404); check the address: it usually ends in /xAPI",
                    lrs.endpoint
                )),
                408 => Answer::NotNow(
                    "the LRS timed out reading the request (HTTP 408); try again, or send smaller batches with --batch".into(),
                ),
                _ => Answer::NotNow(format!(
                    "the LRS answered HTTP {status}: {}",
                    lrs.clean(&text, 200)
                )),
            }
        }
        // ureq's message names the host and the problem, never the headers.
        Err(error) => Answer::NotNow(format!(
            "the LRS at {} cannot be reached: {}",
            lrs.endpoint,
            lrs.clean(&error.to_string(), 300)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endpoint_with_credentials_in_it_is_refused_whatever_its_scheme() {
        for address in [
            "https://u:p@lrs.example/xapi",
            "HTTPS://u:secret@lrs.example/xapi",
            "ftp://u:secret@lrs.example",
        ] {
            let error = Lrs::new(address, "u", "p".into()).unwrap_err();
            assert_eq!(error, LrsError::CredentialsInAddress, "{address}");
            assert!(!error.to_string().contains("secret"));
        }
        assert!(matches!(
            Lrs::new("ftp://lrs.example", "u", "p".into()),
            Err(LrsError::Scheme(_))
        ));
        let lrs = Lrs::new("HTTP://127.0.0.1:8100/xAPI/", "u", "secret".into()).unwrap();
        assert_eq!(lrs.endpoint, "http://127.0.0.1:8100/xAPI");
        assert!(!format!("{lrs:?}").contains("secret"));
        assert_eq!(lrs.warning(), None, "loopback needs no warning");
        let remote = Lrs::new("http://lrs.example/xAPI", "u", "secret".into()).unwrap();
        assert!(remote.warning().unwrap().contains("unencrypted"));
    }

    #[test]
    fn an_address_is_shown_without_its_credentials() {
        assert_eq!(
            redact_address("gopher://user:hunter2@host/x"),
            "gopher://…@host/x"
        );
        assert_eq!(redact_address("https://host/x@y"), "https://host/x@y");
    }

    #[test]
    fn what_the_lrs_echoes_is_cleaned_of_the_password_and_token() {
        let lrs = Lrs::new("https://lrs.example/xAPI", "trainer", "hunter22".into()).unwrap();
        let echoed = format!(
            "bad request; headers: Authorization: {}; pw hunter22",
            lrs.authorization()
        );
        let cleaned = lrs.clean(&echoed, 600);
        assert!(!cleaned.contains("hunter22"), "{cleaned}");
        assert!(!cleaned.contains(&lrs.token()), "{cleaned}");
    }

    #[test]
    fn a_password_given_as_the_variable_name_is_never_echoed() {
        let config = LrsConfig {
            endpoint: "https://lrs.example/xAPI".into(),
            user: "u".into(),
            password_env: "s3cret!pass".into(),
        };
        let error = Lrs::from_config(&config).unwrap_err();
        assert_eq!(error, LrsError::NotAVariableName);
        assert!(!error.to_string().contains("s3cret"));
    }
}
