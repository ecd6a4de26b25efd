//! The User aggregate: an account with its roles, status and password hash.
//!
//! Checking a password (argon2, CPU-bound) happens before the command, in the auth
//! service, against a state loaded at a known version; the command then carries that
//! version, so a password changed in between is a conflict, not a bypass.

use super::decide::{pure_aggregate, Decide};
use contracts::account::{DisplayName, Email, UserStatus};
use contracts::auth::{Role, Roles};
use contracts::events::{aggregate_types, UserEvent};
use contracts::ids::{SessionId, UserId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq)]
pub enum UserCommand {
    Create {
        id: UserId,
        email: Email,
        display_name: DisplayName,
        roles: Roles,
        password_hash: String,
        must_change_password: bool,
    },
    /// `by`: who asks; an admin may not take the admin role from themselves.
    ChangeRoles {
        roles: Roles,
        by: UserId,
    },
    /// `by`: who asks; nobody may disable themselves.
    Disable {
        by: UserId,
    },
    Enable,
    /// Ends every session of the account but `kept_session`.
    ChangePassword {
        password_hash: String,
        by_admin: bool,
        kept_session: Option<SessionId>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    #[error("no such user")]
    NotFound,
    #[error("a user with this id already exists")]
    AlreadyExists,
    #[error("you cannot disable your own account")]
    CannotDisableSelf,
    #[error("you cannot remove the admin role from your own account")]
    CannotDemoteSelf,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct User {
    state: Option<State>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct State {
    pub id: UserId,
    pub email: Email,
    pub display_name: DisplayName,
    pub roles: Roles,
    pub status: UserStatus,
    pub password_hash: String,
    pub must_change_password: bool,
    /// How many times the password changed: a session started at another count has
    /// ended, unless it is `kept_session`.
    pub password_epoch: u64,
    pub kept_session: Option<SessionId>,
}

impl State {
    /// Whether a session that started at `epoch` may still be refreshed.
    pub fn session_survives(&self, session: SessionId, epoch: u64) -> bool {
        epoch == self.password_epoch || self.kept_session == Some(session)
    }

    /// Enabled and holding `role` now, whatever an older token says.
    pub fn may_act_as(&self, role: Role) -> bool {
        self.status == UserStatus::Active && self.roles.contains(role)
    }
}

impl User {
    pub fn state(&self) -> Option<&State> {
        self.state.as_ref()
    }
}

pure_aggregate!(User, aggregate_types::USER);

impl Decide for User {
    type Command = UserCommand;
    type Event = UserEvent;
    type Error = UserError;

    fn decide(&self, command: Self::Command) -> Result<Vec<Self::Event>, Self::Error> {
        let event = match (command, &self.state) {
            (
                UserCommand::Create {
                    id,
                    email,
                    display_name,
                    roles,
                    password_hash,
                    must_change_password,
                },
                None,
            ) => UserEvent::UserCreated {
                user_id: id,
                email,
                display_name,
                roles,
                password_hash,
                must_change_password,
            },
            (UserCommand::Create { .. }, Some(_)) => return Err(UserError::AlreadyExists),
            (_, None) => return Err(UserError::NotFound),
            (UserCommand::ChangeRoles { roles, by }, Some(state)) => {
                if roles == state.roles {
                    return Ok(vec![]);
                }
                if by == state.id
                    && !roles.contains(Role::Admin)
                    && state.roles.contains(Role::Admin)
                {
                    return Err(UserError::CannotDemoteSelf);
                }
                UserEvent::UserRolesChanged { roles }
            }
            (UserCommand::Disable { by }, Some(state)) => {
                if by == state.id {
                    return Err(UserError::CannotDisableSelf);
                }
                match state.status {
                    UserStatus::Active => UserEvent::UserDisabled {},
                    UserStatus::Disabled => return Ok(vec![]),
                }
            }
            (UserCommand::Enable, Some(state)) => match state.status {
                UserStatus::Disabled => UserEvent::UserEnabled {},
                UserStatus::Active => return Ok(vec![]),
            },
            (
                UserCommand::ChangePassword {
                    password_hash,
                    by_admin,
                    kept_session,
                },
                Some(_),
            ) => UserEvent::UserPasswordChanged {
                password_hash,
                by_admin,
                kept_session,
            },
        };
        Ok(vec![event])
    }

    fn evolve(&mut self, event: Self::Event) {
        if let UserEvent::UserCreated {
            user_id,
            email,
            display_name,
            roles,
            password_hash,
            must_change_password,
        } = event
        {
            self.state = Some(State {
                id: user_id,
                email,
                display_name,
                roles,
                status: UserStatus::Active,
                password_hash,
                must_change_password,
                password_epoch: 0,
                kept_session: None,
            });
            return;
        }
        let Some(state) = &mut self.state else {
            return;
        };
        match event {
            UserEvent::UserCreated { .. } => {}
            UserEvent::UserRolesChanged { roles } => state.roles = roles,
            UserEvent::UserDisabled {} => state.status = UserStatus::Disabled,
            UserEvent::UserEnabled {} => state.status = UserStatus::Active,
            UserEvent::UserPasswordChanged {
                password_hash,
                by_admin,
                kept_session,
            } => {
                state.password_hash = password_hash;
                state.must_change_password = by_admin;
                state.password_epoch += 1;
                state.kept_session = kept_session;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cqrs_es::test::TestFramework;

    type UserTest = TestFramework<User>;

    fn id() -> UserId {
        "0190a3c4-0000-7000-8000-00000000000a".parse().unwrap()
    }

    fn created(roles: &[Role]) -> UserEvent {
        UserEvent::UserCreated {
            user_id: id(),
            email: Email::parse("ana@example.com").unwrap(),
            display_name: DisplayName::parse("Ana").unwrap(),
            roles: Roles::try_from(roles.to_vec()).unwrap(),
            password_hash: "$argon2id$old".to_owned(),
            must_change_password: false,
        }
    }

    #[test]
    fn creating_a_user_records_it() {
        let UserEvent::UserCreated {
            user_id,
            email,
            display_name,
            roles,
            password_hash,
            must_change_password,
        } = created(&[Role::Sales])
        else {
            unreachable!()
        };
        UserTest::with(())
            .given_no_previous_events()
            .when(UserCommand::Create {
                id: user_id,
                email,
                display_name,
                roles,
                password_hash,
                must_change_password,
            })
            .then_expect_events(vec![created(&[Role::Sales])]);
    }

    #[test]
    fn changing_roles_to_the_same_set_records_nothing() {
        UserTest::with(())
            .given(vec![created(&[Role::Sales, Role::Analyst])])
            .when(UserCommand::ChangeRoles {
                roles: Roles::try_from(vec![Role::Analyst, Role::Sales]).unwrap(),
                by: UserId::generate(),
            })
            .then_expect_events(vec![]);
    }

    #[test]
    fn an_admin_cannot_remove_their_own_admin_role() {
        UserTest::with(())
            .given(vec![created(&[Role::Admin])])
            .when(UserCommand::ChangeRoles {
                roles: Roles::one(Role::Sales),
                by: id(),
            })
            .then_expect_error(UserError::CannotDemoteSelf);
    }

    #[test]
    fn another_admin_may_change_an_admins_roles() {
        UserTest::with(())
            .given(vec![created(&[Role::Admin])])
            .when(UserCommand::ChangeRoles {
                roles: Roles::one(Role::Sales),
                by: UserId::generate(),
            })
            .then_expect_events(vec![UserEvent::UserRolesChanged {
                roles: Roles::one(Role::Sales),
            }]);
    }

    #[test]
    fn nobody_disables_themselves() {
        UserTest::with(())
            .given(vec![created(&[Role::Admin])])
            .when(UserCommand::Disable { by: id() })
            .then_expect_error(UserError::CannotDisableSelf);
    }

    #[test]
    fn disabling_twice_records_nothing_the_second_time() {
        UserTest::with(())
            .given(vec![created(&[Role::Sales]), UserEvent::UserDisabled {}])
            .when(UserCommand::Disable {
                by: UserId::generate(),
            })
            .then_expect_events(vec![]);
    }

    #[test]
    fn enabling_a_disabled_user_enables_it() {
        UserTest::with(())
            .given(vec![created(&[Role::Sales]), UserEvent::UserDisabled {}])
            .when(UserCommand::Enable)
            .then_expect_events(vec![UserEvent::UserEnabled {}]);
    }

    #[test]
    fn a_command_on_a_missing_user_is_refused() {
        UserTest::with(())
            .given_no_previous_events()
            .when(UserCommand::Enable)
            .then_expect_error(UserError::NotFound);
    }

    #[test]
    fn an_admin_reset_forces_a_change_at_next_login() {
        let mut user = User::default();
        user.evolve(created(&[Role::Sales]));
        user.evolve(UserEvent::UserPasswordChanged {
            password_hash: "$argon2id$new".to_owned(),
            by_admin: true,
            kept_session: None,
        });
        let state = user.state().unwrap();
        assert!(state.must_change_password);
        assert_eq!(state.password_hash, "$argon2id$new");
    }

    fn session(n: u128) -> SessionId {
        uuid::Uuid::from_u128(n).to_string().parse().unwrap()
    }

    #[test]
    fn a_password_change_ends_every_session_but_the_one_it_came_from() {
        let mut user = User::default();
        user.evolve(created(&[Role::Sales]));
        let (a, b, c) = (session(1), session(2), session(3));
        let state = user.state().unwrap().clone();
        assert!(state.session_survives(a, 0) && state.session_survives(b, 0));

        user.evolve(UserEvent::UserPasswordChanged {
            password_hash: "$argon2id$1".to_owned(),
            by_admin: false,
            kept_session: Some(a),
        });
        let state = user.state().unwrap().clone();
        assert!(state.session_survives(a, 0), "the session that changed it");
        assert!(!state.session_survives(b, 0), "another session from before");
        assert!(state.session_survives(c, 1), "a login after the change");

        user.evolve(UserEvent::UserPasswordChanged {
            password_hash: "$argon2id$2".to_owned(),
            by_admin: true,
            kept_session: None,
        });
        let state = user.state().unwrap().clone();
        assert!(!state.session_survives(a, 0), "an admin reset keeps none");
        assert!(!state.session_survives(c, 1));
        assert!(state.session_survives(b, 2));
    }

    #[test]
    fn only_an_enabled_admin_may_act_as_admin() {
        let mut user = User::default();
        user.evolve(created(&[Role::Admin]));
        assert!(user.state().unwrap().may_act_as(Role::Admin));
        user.evolve(UserEvent::UserDisabled {});
        assert!(!user.state().unwrap().may_act_as(Role::Admin));
        user.evolve(UserEvent::UserEnabled {});
        user.evolve(UserEvent::UserRolesChanged {
            roles: Roles::one(Role::Sales),
        });
        assert!(!user.state().unwrap().may_act_as(Role::Admin));
    }
}
