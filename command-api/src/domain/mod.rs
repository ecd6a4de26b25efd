//! Aggregates: pure `decide`/`evolve` (`decide.rs`), no I/O, no HTTP, no SQL; the order
//! reads the catalogue through its `Catalogue` service.

pub mod customer;
mod decide;
pub mod invoice;
pub mod login_attempt;
pub mod order;
pub mod product;
pub mod session;
pub mod stock;
pub mod user;

/// An aggregate's stream id, typed: the command bus takes nothing else, so that a product
/// id cannot name an order's stream.
pub trait Keyed: cqrs_es::Aggregate {
    type Id: Copy
        + Eq
        + std::hash::Hash
        + std::fmt::Display
        + std::str::FromStr
        + Send
        + Sync
        + 'static;

    /// The command's name, a fixed text per kind of command (the metrics' `command`
    /// label): never its data.
    fn command_name(command: &Self::Command) -> &'static str;
}

impl Keyed for customer::Customer {
    type Id = contracts::ids::CustomerId;
    fn command_name(command: &Self::Command) -> &'static str {
        use customer::CustomerCommand as C;
        match command {
            C::Create { .. } => "Create",
            C::Update(_) => "Update",
            C::Archive => "Archive",
            C::Reactivate => "Reactivate",
        }
    }
}
impl Keyed for invoice::Invoice {
    type Id = contracts::ids::InvoiceId;
    fn command_name(command: &Self::Command) -> &'static str {
        use invoice::InvoiceCommand as C;
        match command {
            C::Issue(_) => "Issue",
            C::IssueCreditNote { .. } => "IssueCreditNote",
            C::RecordPayment { .. } => "RecordPayment",
            C::RecordDelivery { .. } => "RecordDelivery",
        }
    }
}
impl Keyed for login_attempt::LoginAttempt {
    /// A refused login's own stream: nothing else names it.
    type Id = uuid::Uuid;
    fn command_name(_: &Self::Command) -> &'static str {
        "RecordFailure"
    }
}
impl Keyed for order::Order {
    type Id = contracts::ids::OrderId;
    fn command_name(command: &Self::Command) -> &'static str {
        use order::OrderCommand as C;
        match command {
            C::Create { .. } => "Create",
            C::AddLine { .. } => "AddLine",
            C::ChangeLine { .. } => "ChangeLine",
            C::RemoveLine { .. } => "RemoveLine",
            C::SetCustomer { .. } => "SetCustomer",
            C::SetTerms { .. } => "SetTerms",
            C::BeginSubmit => "BeginSubmit",
            C::CompleteSubmit => "CompleteSubmit",
            C::RejectSubmit { .. } => "RejectSubmit",
            C::Cancel { .. } => "Cancel",
            C::MarkStockReleased => "MarkStockReleased",
            C::Fulfil => "Fulfil",
            C::MarkStockConsumed => "MarkStockConsumed",
        }
    }
}
impl Keyed for product::Product {
    type Id = contracts::ids::ProductId;
    fn command_name(command: &Self::Command) -> &'static str {
        use product::ProductCommand as C;
        match command {
            C::Create { .. } => "Create",
            C::Update(_) => "Update",
            C::Archive => "Archive",
            C::Reactivate => "Reactivate",
        }
    }
}
impl Keyed for session::Session {
    type Id = contracts::ids::SessionId;
    fn command_name(command: &Self::Command) -> &'static str {
        use session::SessionCommand as C;
        match command {
            C::Start { .. } => "Start",
            C::Refresh { .. } => "Refresh",
            C::End { .. } => "End",
        }
    }
}
/// One stock stream per product, keyed by the product's id.
impl Keyed for stock::Stock {
    type Id = contracts::ids::ProductId;
    fn command_name(command: &Self::Command) -> &'static str {
        use stock::StockAction as A;
        match command.action {
            A::Adjust { .. } => "Adjust",
            A::Reserve { .. } => "Reserve",
            A::Release { .. } => "Release",
            A::Consume { .. } => "Consume",
        }
    }
}
impl Keyed for user::User {
    type Id = contracts::ids::UserId;
    fn command_name(command: &Self::Command) -> &'static str {
        use user::UserCommand as C;
        match command {
            C::Create { .. } => "Create",
            C::ChangeRoles { .. } => "ChangeRoles",
            C::Disable { .. } => "Disable",
            C::Enable => "Enable",
            C::ChangePassword { .. } => "ChangePassword",
        }
    }
}
