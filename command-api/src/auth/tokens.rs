//! Issuing tokens: short-lived EdDSA access JWTs, and opaque refresh tokens of which only
//! a SHA-256 hash is ever stored.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use contracts::account::Email;
use contracts::auth::Roles;
use contracts::ids::{SessionId, UserId};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use platform::token::{Claims, TokenSettings, TokenVerifier};
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("not an Ed25519 private key in PKCS#8 PEM form")]
    Private,
    #[error("cannot derive the public key: {0}")]
    Public(String),
}

/// Signs access tokens. Lives in command-api only: no other service holds the private key.
#[derive(Clone)]
pub struct TokenIssuer {
    key: EncodingKey,
    settings: TokenSettings,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
}

impl std::fmt::Debug for TokenIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenIssuer")
            .field("kid", &self.settings.kid)
            .finish_non_exhaustive()
    }
}

/// An access token and when it expires.
#[derive(Debug, Clone)]
pub struct AccessToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

pub struct Subject<'a> {
    pub user_id: UserId,
    pub session_id: SessionId,
    pub email: &'a Email,
    pub roles: &'a Roles,
    pub must_change_password: bool,
}

impl TokenIssuer {
    /// The issuer, and the verifier of its own tokens (derived from the same key, so that
    /// the two cannot disagree).
    pub fn from_private_pem(
        pem: &[u8],
        settings: TokenSettings,
        access_ttl: Duration,
        refresh_ttl: Duration,
    ) -> Result<(Self, TokenVerifier), KeyError> {
        let key = EncodingKey::from_ed_pem(pem).map_err(|_| KeyError::Private)?;
        // The verifier refuses tokens living longer than those this issuer mints.
        let settings = TokenSettings {
            access_ttl_secs: access_ttl.num_seconds().max(0) as u64,
            ..settings
        };
        let public = super::keys::public_pem_of(pem).map_err(KeyError::Public)?;
        let verifier = TokenVerifier::from_public_pem(public.as_bytes(), &settings)
            .map_err(|e| KeyError::Public(e.to_string()))?;
        Ok((
            Self {
                key,
                settings,
                access_ttl,
                refresh_ttl,
            },
            verifier,
        ))
    }

    pub fn access(
        &self,
        subject: Subject<'_>,
        now: DateTime<Utc>,
    ) -> Result<AccessToken, jsonwebtoken::errors::Error> {
        let expires_at = now + self.access_ttl;
        let claims = Claims {
            iss: self.settings.issuer.clone(),
            aud: self.settings.audience.clone(),
            sub: subject.user_id,
            sid: subject.session_id,
            email: subject.email.to_string(),
            roles: subject.roles.clone(),
            iat: now.timestamp().max(0) as u64,
            nbf: Some(now.timestamp().max(0) as u64),
            exp: expires_at.timestamp().max(0) as u64,
            pwd_change: subject.must_change_password,
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.settings.kid.clone());
        let token = jsonwebtoken::encode(&header, &claims, &self.key)?;
        Ok(AccessToken { token, expires_at })
    }
}

/// `<session id>.<32 random bytes, base64url>`: the session part lets the server find the
/// family without a lookup table; the random part is the secret.
#[derive(Clone)]
pub struct RefreshToken(String);

impl std::fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RefreshToken(<redacted>)")
    }
}

impl RefreshToken {
    pub fn generate(session: SessionId) -> Self {
        let secret: [u8; 32] = rand::random();
        Self(format!("{session}.{}", URL_SAFE_NO_PAD.encode(secret)))
    }

    /// Splits a presented token; `None` when it cannot be one of ours.
    pub fn parse(raw: &str) -> Option<(SessionId, Self)> {
        let raw = raw.trim();
        let (session, secret) = raw.split_once('.')?;
        let decoded = URL_SAFE_NO_PAD.decode(secret).ok()?;
        if decoded.len() != 32 {
            return None;
        }
        Some((session.parse().ok()?, Self(raw.to_owned())))
    }

    /// What is stored: SHA-256, hex. A fast hash is right here: the token is 256 random
    /// bits, nothing to brute-force.
    pub fn hash(&self) -> String {
        let digest = Sha256::digest(self.0.as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refresh_token_parses_back_to_its_session() {
        let session = SessionId::generate();
        let token = RefreshToken::generate(session);
        let (parsed_session, parsed) = RefreshToken::parse(token.expose()).unwrap();
        assert_eq!(parsed_session, session);
        assert_eq!(parsed.hash(), token.hash());
        assert_eq!(token.hash().len(), 64);
    }

    #[test]
    fn garbage_is_not_a_refresh_token() {
        for raw in [
            "",
            "abc",
            "not-a-uuid.AAAA",
            &format!("{}.short", SessionId::generate()),
        ] {
            assert!(RefreshToken::parse(raw).is_none(), "{raw:?}");
        }
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig { cases: 192, failure_persistence: None, ..ProptestConfig::default() })]

            #[test]
            fn a_presented_refresh_token_never_panics(
                raw in prop_oneof![
                    any::<String>(),
                    (any::<u128>(), "[A-Za-z0-9_😀é.\u{0}-]{0,50}")
                        .prop_map(|(n, s)| format!("{}.{s}", uuid::Uuid::from_u128(n))),
                ]
            ) {
                if let Some((session, token)) = RefreshToken::parse(&raw) {
                    prop_assert_eq!(RefreshToken::parse(token.expose()).map(|(s, _)| s), Some(session));
                }
            }
        }
    }
}
