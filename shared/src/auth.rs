//! Who may do what: roles, the permissions they grant, the access token's claims and
//! their verification. command-api signs tokens; every service verifies them here, with
//! the public key only, so a read replica can never mint one.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};

use crate::ids::{SessionId, UserId};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, sqlx::Type,
)]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum Role {
    Admin,
    Sales,
    Warehouse,
    /// Read-only.
    Analyst,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Sales, Role::Warehouse, Role::Analyst];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Sales => "sales",
            Role::Warehouse => "warehouse",
            Role::Analyst => "analyst",
        }
    }

    /// What the role grants, as shown by `GET /auth/me` so that a frontend can hide
    /// what the user may not do. Routes themselves declare roles (see `web::access`).
    pub fn permissions(self) -> &'static [&'static str] {
        match self {
            Role::Admin => &[
                "catalogue:read",
                "catalogue:write",
                "orders:write",
                "stock:write",
                "users:manage",
                "audit:read",
                "projector:admin",
            ],
            Role::Sales => &["catalogue:read", "catalogue:write", "orders:write"],
            Role::Warehouse => &["catalogue:read", "stock:write"],
            Role::Analyst => &["catalogue:read"],
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = crate::Invalid;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| {
                crate::Invalid::new(
                    "unknown_role",
                    format!(
                        "`{}` is not a role: admin, sales, warehouse or analyst",
                        crate::input::excerpt(s, 32)
                    ),
                )
            })
    }
}

/// A non-empty set of roles, kept sorted so that events and tokens compare stably.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Role>", into = "Vec<Role>")]
pub struct Roles(BTreeSet<Role>);

impl Roles {
    pub fn one(role: Role) -> Self {
        Self(BTreeSet::from([role]))
    }

    pub fn contains(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    pub fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        self.0.iter().copied()
    }

    /// Every permission the roles grant, once each, sorted.
    pub fn permissions(&self) -> Vec<&'static str> {
        let all: BTreeSet<_> = self.iter().flat_map(|r| r.permissions()).copied().collect();
        all.into_iter().collect()
    }

    /// `admin,sales`: the form stored in event metadata.
    pub fn joined(&self) -> String {
        self.iter().map(Role::as_str).collect::<Vec<_>>().join(",")
    }
}

impl TryFrom<Vec<Role>> for Roles {
    type Error = crate::Invalid;

    fn try_from(roles: Vec<Role>) -> Result<Self, Self::Error> {
        if roles.is_empty() {
            return Err(crate::Invalid::new(
                "no_role",
                "an account needs at least one role",
            ));
        }
        Ok(Self(roles.into_iter().collect()))
    }
}

impl From<Roles> for Vec<Role> {
    fn from(roles: Roles) -> Self {
        roles.0.into_iter().collect()
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_a_sorted_non_empty_set() {
        let roles: Roles = serde_json::from_str(r#"["sales","admin","sales"]"#).unwrap();
        assert_eq!(roles.joined(), "admin,sales");
        assert!(serde_json::from_str::<Roles>("[]").is_err());
        assert!(serde_json::from_str::<Roles>(r#"["root"]"#).is_err());
    }

    #[test]
    fn permissions_are_the_union_of_the_roles() {
        let roles = Roles::try_from(vec![Role::Sales, Role::Analyst]).unwrap();
        assert_eq!(
            roles.permissions(),
            vec!["catalogue:read", "catalogue:write", "orders:write"]
        );
    }

    #[test]
    fn a_role_parses_from_its_name_only() {
        assert_eq!("warehouse".parse::<Role>().unwrap(), Role::Warehouse);
        assert_eq!("Admin".parse::<Role>().unwrap_err().code, "unknown_role");
    }

    mod properties {
        use super::super::*;
        use crate::prop::{accepted_round_trips, config, hostile, one_of_words};
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(config())]

            #[test]
            fn a_role_never_panics_and_round_trips(raw in hostile(one_of_words(&[
                "admin", "sales", "warehouse", "analyst",
            ]))) {
                accepted_round_trips(&raw, Role::from_str)?;
            }
        }
    }
}
