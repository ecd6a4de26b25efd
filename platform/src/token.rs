//! The access token: its claims and their verification. command-api signs tokens;
//! every service verifies them here, with the public key only, so a read replica can
//! never mint one.

use std::fmt;

use contracts::auth::Roles;
use contracts::ids::{SessionId, UserId};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};

/// The access token's claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The user id.
    pub sub: UserId,
    /// The session (refresh-token family) the token was issued in.
    pub sid: SessionId,
    pub email: String,
    pub roles: Roles,
    pub iat: u64,
    /// Not before: the issue time. Optional on the wire (tokens minted before it was
    /// added lack it), checked when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    pub exp: u64,
    /// Set after an admin reset the password: only self-service routes are open until
    /// the user sets a new one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pwd_change: bool,
}

/// The caller of a request, as its verified token describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: UserId,
    pub session_id: SessionId,
    pub email: String,
    pub roles: Roles,
    pub must_change_password: bool,
}

impl From<Claims> for Principal {
    fn from(claims: Claims) -> Self {
        Self {
            user_id: claims.sub,
            session_id: claims.sid,
            email: claims.email,
            roles: claims.roles,
            must_change_password: claims.pwd_change,
        }
    }
}

/// Issuer, audience, key id and access-token lifetime: the same on the signing and on the
/// verifying side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSettings {
    pub issuer: String,
    pub audience: String,
    pub kid: String,
    /// Seconds an access token lives: the signer's lifetime, and the longest `exp − iat`
    /// a verifier accepts (a longer one was not minted by this configuration).
    pub access_ttl_secs: u64,
}

/// Default access-token lifetime: 15 minutes.
pub const DEFAULT_ACCESS_TTL_SECS: u64 = 900;

impl Default for TokenSettings {
    fn default() -> Self {
        Self {
            issuer: "gescom".to_owned(),
            audience: "gescom-api".to_owned(),
            kid: "gescom-1".to_owned(),
            access_ttl_secs: DEFAULT_ACCESS_TTL_SECS,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is expired")]
    Expired,
    #[error("the token was signed by an unknown key")]
    UnknownKey,
    #[error("the token is invalid: {0}")]
    Invalid(String),
}

impl TokenError {
    fn invalid(why: impl Into<String>) -> Self {
        TokenError::Invalid(why.into())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("not an Ed25519 public key in PEM form: {0}")]
pub struct KeyError(String);

/// Checks an access token: EdDSA only (`alg` pinned: no `none`, no HS256 with the public
/// key as secret), known `kid`, issuer, audience, expiry, not-before, an issue time not
/// in the future and a lifetime no longer than the configured one.
#[derive(Clone)]
pub struct TokenVerifier {
    key: DecodingKey,
    kid: String,
    validation: Validation,
    max_lifetime_secs: u64,
}

impl fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenVerifier")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// Clock skew tolerated on `exp`, in seconds. Small: access tokens live minutes.
const LEEWAY_SECS: u64 = 5;

impl TokenVerifier {
    pub fn from_public_pem(pem: &[u8], settings: &TokenSettings) -> Result<Self, KeyError> {
        let key = DecodingKey::from_ed_pem(pem).map_err(|e| KeyError(e.to_string()))?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.algorithms = vec![Algorithm::EdDSA];
        validation.leeway = LEEWAY_SECS;
        validation.set_issuer(&[&settings.issuer]);
        validation.set_audience(&[&settings.audience]);
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        Ok(Self {
            key,
            kid: settings.kid.clone(),
            validation,
            max_lifetime_secs: settings.access_ttl_secs,
        })
    }

    pub fn verify(&self, token: &str) -> Result<Principal, TokenError> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|e| TokenError::Invalid(e.to_string()))?;
        if header.alg != Algorithm::EdDSA {
            return Err(TokenError::Invalid(format!(
                "algorithm {:?} is not accepted",
                header.alg
            )));
        }
        if header.kid.as_deref() != Some(self.kid.as_str()) {
            return Err(TokenError::UnknownKey);
        }
        let claims = jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid(e.to_string()),
            })?
            .claims;
        self.check_times(&claims, jsonwebtoken::get_current_timestamp())?;
        Ok(claims.into())
    }

    /// What the library does not check: a token issued in the future (beyond the clock
    /// skew) or living longer than this configuration mints, which only a leaked key or
    /// a forged clock would produce.
    fn check_times(&self, claims: &Claims, now: u64) -> Result<(), TokenError> {
        if claims.iat > now.saturating_add(LEEWAY_SECS) {
            return Err(TokenError::invalid("issued in the future"));
        }
        if claims.exp < claims.iat {
            return Err(TokenError::invalid("expires before it was issued"));
        }
        if claims.exp - claims.iat > self.max_lifetime_secs {
            return Err(TokenError::invalid(format!(
                "lives longer than {} s",
                self.max_lifetime_secs
            )));
        }
        if claims.nbf.is_some_and(|nbf| nbf > claims.exp) {
            return Err(TokenError::invalid("valid from after its expiry"));
        }
        Ok(())
    }
}
