//! Who may do what: roles and the permissions they grant. The access token that carries
//! them is `platform::token`.

use crate::FieldCode;
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "sqlx", sqlx(type_name = "text", rename_all = "lowercase"))]
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
                    FieldCode::UnknownRole,
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
                FieldCode::NoRole,
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
