//! Browser sessions (DESIGN §9): the refresh token in an `HttpOnly; Secure;
//! SameSite=Strict` cookie scoped to `/auth`, so that no script can read it, and a CSRF
//! check on every call that uses that cookie.
//!
//! CSRF: the token a browser must echo in `X-CSRF-Token` is derived from the refresh
//! token (`base64url(SHA-256("gescom-csrf-v1" ‖ refresh token))`): nothing is stored,
//! the value rotates with the refresh token, and a page that cannot read the refresh
//! token cannot compute it. The browser gets it in the response body (`csrf_token`) and in
//! a readable `gescom_csrf` cookie (`Path=/`) so that a reloaded page can refresh. It is
//! compared in constant time with the value derived from the cookie the browser sent.
//!
//! Names with prefixes the browser enforces: `__Host-gescom_csrf` can only be set by this
//! very host over HTTPS (a sibling subdomain cannot plant one), and it is the value a
//! refresh must echo; `__Secure-gescom_refresh` can only be set over HTTPS. A request
//! carrying two refresh cookies (one planted with a narrower path comes first) is refused
//! rather than guessed at.
//!
//! Besides, when the request says where it comes from (`Origin`), it must be one of
//! `GESCOM_CORS_ORIGINS`, the API's own origin, or attested same-origin by the browser
//! (`Sec-Fetch-Site: same-origin`, which a page cannot forge; a same-origin reverse
//! proxy in front of the API keeps it).

use axum::http::{header, HeaderMap, HeaderValue};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use platform::problem::Code;
use sha2::{Digest, Sha256};

use super::error::ApiError;

/// The `HttpOnly` cookie holding the refresh token.
pub const REFRESH_COOKIE: &str = "__Secure-gescom_refresh";
/// The readable cookie holding the CSRF token.
pub const CSRF_COOKIE: &str = "__Host-gescom_csrf";
/// The header a cookie-mode call echoes the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The refresh cookie is only ever sent to `/auth/...`.
pub const REFRESH_PATH: &str = "/auth";

/// The CSRF token that goes with a refresh token.
pub fn csrf_token(refresh_token: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(b"gescom-csrf-v1\0");
    hash.update(refresh_token.as_bytes());
    URL_SAFE_NO_PAD.encode(hash.finalize())
}

/// Equal, in a time that depends only on the lengths.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The values of cookie `name` in the request, in the order the browser sent them.
fn cookies<'a>(headers: &'a HeaderMap, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(move |(key, _)| *key == name)
        .map(|(_, value)| value.trim_matches('"'))
        .filter(|value| !value.is_empty())
}

/// The value of cookie `name` in the request, if any (the first one).
pub fn cookie<'a>(headers: &'a HeaderMap, name: &'a str) -> Option<&'a str> {
    cookies(headers, name).next()
}

/// The session cookie's refresh token, if there is exactly one.
fn only_refresh_cookie(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let mut found = cookies(headers, REFRESH_COOKIE);
    match (found.next(), found.next()) {
        (first, None) => Ok(first),
        (Some(_), Some(_)) | (None, Some(_)) => Err(csrf_failed(
            "the request carries two session cookies; sign in again",
        )),
    }
}

/// The two `Set-Cookie` headers of a browser session whose refresh token is `refresh`,
/// valid `max_age` seconds.
pub fn set_cookies(refresh: &str, max_age: i64) -> Result<[HeaderValue; 2], ApiError> {
    let max_age = max_age.max(0);
    Ok([
        header_value(format!(
            "{REFRESH_COOKIE}={refresh}; Path={REFRESH_PATH}; Max-Age={max_age}; HttpOnly; Secure; SameSite=Strict"
        ))?,
        header_value(format!(
            "{CSRF_COOKIE}={}; Path=/; Max-Age={max_age}; Secure; SameSite=Strict",
            csrf_token(refresh)
        ))?,
    ])
}

/// The two `Set-Cookie` headers that delete a browser session's cookies.
pub fn clear_cookies() -> [HeaderValue; 2] {
    [
        HeaderValue::from_static(
            "__Secure-gescom_refresh=; Path=/auth; Max-Age=0; HttpOnly; Secure; SameSite=Strict",
        ),
        HeaderValue::from_static("__Host-gescom_csrf=; Path=/; Max-Age=0; Secure; SameSite=Strict"),
    ]
}

fn header_value(line: String) -> Result<HeaderValue, ApiError> {
    HeaderValue::try_from(line).map_err(|e| ApiError::Internal(format!("cookie header: {e}")))
}

fn csrf_failed(message: &str) -> ApiError {
    ApiError::Forbidden {
        code: Code::CsrfFailed,
        message: message.to_owned(),
    }
}

/// Refuses a cookie-mode call from a foreign origin (any call that sets or uses the
/// session cookie).
pub fn check_origin(headers: &HeaderMap, allowed: &[HeaderValue]) -> Result<(), ApiError> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    if allowed.iter().any(|o| o.as_bytes() == origin.as_bytes()) {
        return Ok(());
    }
    let same_origin_fetch = headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"same-origin");
    let own_host = headers.get(header::HOST).is_some_and(|host| {
        origin
            .to_str()
            .ok()
            .and_then(|o| o.split_once("://"))
            .is_some_and(|(_, authority)| authority.as_bytes() == host.as_bytes())
    });
    if same_origin_fetch || own_host {
        Ok(())
    } else {
        Err(csrf_failed(
            "this origin may not use the session cookie (GESCOM_CORS_ORIGINS)",
        ))
    }
}

/// The refresh token of the session cookie, once the origin and the CSRF token echoed in
/// `X-CSRF-Token` are checked; `None` without a cookie.
pub fn refresh_from_cookie<'a>(
    headers: &'a HeaderMap,
    allowed: &[HeaderValue],
) -> Result<Option<&'a str>, ApiError> {
    let Some(refresh) = only_refresh_cookie(headers)? else {
        return Ok(None);
    };
    check_origin(headers, allowed)?;
    let presented = headers
        .get(CSRF_HEADER)
        .ok_or_else(|| csrf_failed("the X-CSRF-Token header is missing"))?;
    if !constant_time_eq(presented.as_bytes(), csrf_token(refresh).as_bytes()) {
        return Err(csrf_failed(
            "the X-CSRF-Token header does not match the session",
        ));
    }
    Ok(Some(refresh))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_by_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; __Secure-gescom_refresh=tok.en ; gescom_refresh=x"),
        );
        assert_eq!(cookie(&headers, "__Secure-gescom_refresh"), Some("tok.en"));
        assert_eq!(cookie(&headers, "b"), None);
    }

    #[test]
    fn two_refresh_cookies_are_refused_not_guessed_at() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static(
                "__Secure-gescom_refresh=planted; __Secure-gescom_refresh=own",
            ),
        );
        assert!(matches!(
            refresh_from_cookie(&headers, &[]),
            Err(ApiError::Forbidden {
                code: Code::CsrfFailed,
                ..
            })
        ));
    }

    #[test]
    fn the_cookies_cleared_are_the_cookies_set() {
        let [refresh, csrf] = clear_cookies();
        assert!(refresh
            .to_str()
            .is_ok_and(|v| v.starts_with(&format!("{REFRESH_COOKIE}=;"))));
        assert!(csrf
            .to_str()
            .is_ok_and(|v| v.starts_with(&format!("{CSRF_COOKIE}=;"))));
    }

    #[test]
    fn the_csrf_token_depends_on_the_refresh_token() {
        assert_ne!(csrf_token("a"), csrf_token("b"));
        assert_eq!(csrf_token("a"), csrf_token("a"));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }

    #[test]
    fn a_foreign_origin_is_refused_a_listed_or_same_one_accepted() {
        let allowed = [HeaderValue::from_static("https://app.example.com")];
        let mut headers = HeaderMap::new();
        assert!(check_origin(&headers, &allowed).is_ok());
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(check_origin(&headers, &allowed).is_err());
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://app.example.com"),
        );
        assert!(check_origin(&headers, &allowed).is_ok());
        headers.insert(header::ORIGIN, HeaderValue::from_static("http://api:8081"));
        headers.insert(header::HOST, HeaderValue::from_static("api:8081"));
        assert!(check_origin(&headers, &allowed).is_ok());
    }
}
