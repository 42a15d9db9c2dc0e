//! The access token: when `REGWATCH_WEB_TOKEN` is set, every request must carry it, as
//! `Authorization: Bearer TOKEN`, as HTTP Basic with the token as the password (browsers ask
//! for it), or, on `/feed.atom` only, as `?token=` (feed readers cannot send headers). Tokens are
//! compared in constant time (SHA-256 of both, then `subtle`) and never logged.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use url::form_urlencoded;

use super::Web;

/// The only path that accepts the token in its query string.
const FEED_PATH: &str = "/feed.atom";

/// The expected token, kept as its SHA-256 (compared at a fixed length).
#[derive(Clone)]
pub(super) struct Token([u8; 32]);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(***)")
    }
}

impl Token {
    pub(super) fn new(secret: &str) -> Token {
        Token(Sha256::digest(secret.as_bytes()).into())
    }

    /// Whether `given` is the token, in time independent of where they differ.
    fn matches(&self, given: &str) -> bool {
        let given: [u8; 32] = Sha256::digest(given.as_bytes()).into();
        self.0.ct_eq(&given).into()
    }

    /// Whether the request carries the token in one of the accepted places.
    fn admits(&self, request: &Request) -> bool {
        let header_ok = request
            .headers()
            .get_all(header::AUTHORIZATION)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| self.authorization(v));
        if header_ok {
            return true;
        }
        request.uri().path() == FEED_PATH
            && request.uri().query().is_some_and(|q| {
                form_urlencoded::parse(q.as_bytes()).any(|(k, v)| k == "token" && self.matches(&v))
            })
    }

    /// `Bearer TOKEN`, or `Basic base64(user:TOKEN)` (any user name).
    fn authorization(&self, value: &str) -> bool {
        let (scheme, rest) = value.trim().split_once(' ').unwrap_or((value, ""));
        let rest = rest.trim();
        if scheme.eq_ignore_ascii_case("bearer") {
            return self.matches(rest);
        }
        if scheme.eq_ignore_ascii_case("basic") {
            let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(rest) else {
                return false;
            };
            let Ok(text) = String::from_utf8(decoded) else {
                return false;
            };
            return text
                .split_once(':')
                .is_some_and(|(_, password)| self.matches(password));
        }
        false
    }
}

/// Middleware: lets the request through when no token is set or it carries the token; else
/// 401 with a Basic challenge (so a browser asks).
pub(super) async fn require(State(web): State<Web>, request: Request, next: Next) -> Response {
    match &web.token {
        Some(token) if !token.admits(&request) => {
            let mut r = (
                StatusCode::UNAUTHORIZED,
                "this regwatch needs its access token: send `Authorization: Bearer TOKEN`, or the token as the HTTP Basic password\n",
            )
                .into_response();
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"regwatch\", charset=\"UTF-8\""),
            );
            r
        }
        _ => next.run(request).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(uri: &str, auth: Option<&str>) -> Request {
        let mut b = axum::http::Request::builder().uri(uri);
        if let Some(a) = auth {
            b = b.header(header::AUTHORIZATION, a);
        }
        b.body(axum::body::Body::empty()).unwrap()
    }

    #[test]
    fn bearer_basic_and_feed_query_are_accepted_and_nothing_else() {
        let t = Token::new("s3cret");
        assert!(t.admits(&request("/", Some("Bearer s3cret"))));
        assert!(t.admits(&request("/", Some("bearer  s3cret "))));
        // "anyone:s3cret"
        assert!(t.admits(&request("/", Some("Basic YW55b25lOnMzY3JldA=="))));
        assert!(t.admits(&request("/feed.atom?severity=high&token=s3cret", None)));
        assert!(!t.admits(&request("/?token=s3cret", None)));
        assert!(!t.admits(&request("/api/v1/changes?token=s3cret", None)));
        assert!(!t.admits(&request("/", Some("Bearer s3cre"))));
        assert!(!t.admits(&request("/", Some("Basic !!!"))));
        assert!(!t.admits(&request("/", None)));
        assert_eq!(format!("{t:?}"), "Token(***)");
    }
}
