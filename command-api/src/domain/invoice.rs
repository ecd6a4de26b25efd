//! The Invoice aggregate: an invoice issued for a fulfilled order, then its credit notes
//! (*avoirs*) and payments, in one stream.
//!
//! Issued once, never changed: no command edits or deletes it. A correction is a credit
//! note, which takes units or an amount off lines and can never take more than is left;
//! a payment lowers the balance and can never take it below zero. The balance is the
//! invoice's TTC less its credit notes and payments.
//!
//! Pure: what the invoice needs of the order, the customer and the seller comes in the
//! `Issue` command as plain values (`crate::app::invoicing` reads them), and so do dates.

use chrono::{DateTime, Utc};
use chrono::{Datelike, Days, Months, NaiveDate};
use contracts::customer::PaymentTerms;
use contracts::events::{aggregate_types, InvoiceEvent, OrderLine, OrderStatus};
use contracts::ids::{CreditNoteId, CustomerId, InvoiceId, OrderId, PaymentId};
use contracts::invoice::{
    Buyer, CreditNoteLine, DeliveryStatus, DocumentRef, InvoiceLine, PaymentMethod, Seller,
};
use contracts::money::Money;
use contracts::pricing::{self, Totals};
use contracts::product::Quantity;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::decide::{pure_aggregate, Decide};

/// When an invoice issued on `issued` falls due under `terms`. Net terms count days from
/// the issue date; end-of-month terms count the days, then run to the end of that month
/// ("30 jours fin de mois": issued 15 January, due 28 February), the reading French
/// practice uses most (the law allows either order).
pub fn due_date(terms: PaymentTerms, issued: NaiveDate) -> NaiveDate {
    let plus = |days: u64| issued.checked_add_days(Days::new(days));
    let due = match terms {
        PaymentTerms::Immediate => Some(issued),
        PaymentTerms::Net30 => plus(30),
        PaymentTerms::Net45 => plus(45),
        PaymentTerms::Net60 => plus(60),
        PaymentTerms::EndOfMonth30 => plus(30).and_then(end_of_month),
        PaymentTerms::EndOfMonth45 => plus(45).and_then(end_of_month),
    };
    // Only a date near the end of the calendar overflows: it stays as far as it goes.
    due.unwrap_or(NaiveDate::MAX)
}

fn end_of_month(day: NaiveDate) -> Option<NaiveDate> {
    day.with_day(1)?
        .checked_add_months(Months::new(1))?
        .pred_opt()
}

/// What an invoice needs of its order, as the order stands when the invoice is issued.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderToInvoice {
    pub order_id: OrderId,
    pub number: String,
    pub status: OrderStatus,
    pub customer_id: Option<CustomerId>,
    pub lines: Vec<OrderLine>,
    /// The day it was fulfilled (the goods delivered), if it was.
    pub fulfilled_on: Option<NaiveDate>,
}

/// Everything an invoice is issued from: snapshots of the order, the customer and the
/// seller, and the day.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    pub id: InvoiceId,
    pub order: OrderToInvoice,
    pub buyer: Buyer,
    pub payment_terms: PaymentTerms,
    pub seller: Seller,
    pub issue_date: NaiveDate,
}

/// What a credit note takes off an invoice line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credit {
    /// Units given back, at the line's price and discount.
    Quantity { line_no: u32, quantity: Quantity },
    /// An amount (HT) taken off the line: a price reduction.
    Amount { line_no: u32, amount: Money },
}

impl Credit {
    fn line_no(&self) -> u32 {
        match *self {
            Credit::Quantity { line_no, .. } | Credit::Amount { line_no, .. } => line_no,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreditScope {
    /// Everything the invoice still has to credit.
    Whole,
    Lines(Vec<Credit>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum InvoiceCommand {
    Issue(Box<Issue>),
    IssueCreditNote {
        credit_note_id: CreditNoteId,
        issue_date: NaiveDate,
        reason: String,
        scope: CreditScope,
    },
    RecordPayment {
        payment_id: PaymentId,
        paid_on: NaiveDate,
        amount: Money,
        method: PaymentMethod,
        reference: Option<String>,
        /// The day it is recorded: a payment cannot be received later than that.
        today: NaiveDate,
    },
    /// What the approved platform reported of one of the invoice's documents (the
    /// transmission dispatcher's command). A report that does not move the document
    /// forward records nothing, so reports can be repeated safely.
    RecordDelivery {
        document: DocumentRef,
        status: DeliveryStatus,
        platform_ref: Option<String>,
        reason: Option<String>,
        reported_at: DateTime<Utc>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvoiceError {
    #[error("no such invoice")]
    NotFound,
    #[error("an invoice with this id already exists, for another order")]
    AlreadyExists,
    #[error("the order is {}: only a fulfilled order is invoiced", .0.as_str())]
    OrderNotFulfilled(OrderStatus),
    #[error("the order has no line to invoice")]
    NothingToInvoice,
    #[error("the invoice has no line {line_no}")]
    UnknownLine { index: usize, line_no: u32 },
    #[error("line {line_no} is named twice")]
    DuplicateLine { index: usize, line_no: u32 },
    #[error("{0}")]
    CreditExceeds(String),
    #[error("this invoice already has a credit note with this id, for another reason")]
    CreditNoteExists,
    #[error("the payment of {amount} exceeds the balance of {balance}")]
    Overpayment { amount: Money, balance: Decimal },
    #[error("this invoice already has a different payment with this id")]
    PaymentExists,
    #[error("a payment cannot be received after today ({today})")]
    PaidInFuture { today: NaiveDate },
    #[error("the invoice has no such credit note")]
    UnknownCreditNote,
}

/// An invoice line and what credit notes took off it so far.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Line {
    pub line: InvoiceLine,
    pub credited_quantity: Decimal,
    pub credited_net: Money,
}

impl Line {
    fn quantity_left(&self) -> Decimal {
        self.line.quantity.value() - self.credited_quantity
    }

    fn net_left(&self) -> Money {
        self.line
            .net
            .checked_sub(self.credited_net)
            .unwrap_or(Money::ZERO)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreditNote {
    pub id: CreditNoteId,
    pub number: String,
    pub reason: String,
    pub totals: Totals,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Payment {
    pub id: PaymentId,
    pub paid_on: NaiveDate,
    pub amount: Money,
    pub method: PaymentMethod,
    pub reference: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct State {
    pub number: String,
    pub order_id: OrderId,
    pub customer_id: CustomerId,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub lines: Vec<Line>,
    pub totals: Totals,
    pub credit_notes: Vec<CreditNote>,
    pub payments: Vec<Payment>,
    /// Each transmitted document's latest status at the platform.
    #[serde(default)]
    pub deliveries: Vec<(DocumentRef, DeliveryStatus)>,
}

impl State {
    /// TTC of the credit notes.
    pub fn credited(&self) -> Decimal {
        self.credit_notes
            .iter()
            .map(|c| c.totals.gross.amount())
            .sum()
    }

    pub fn paid(&self) -> Decimal {
        self.payments.iter().map(|p| p.amount.amount()).sum()
    }

    /// What the customer still owes: TTC less credit notes and payments (negative when a
    /// refund is owed).
    pub fn balance(&self) -> Decimal {
        self.totals.gross.amount() - self.credited() - self.paid()
    }

    /// The credit note's lines, or why it would take more than is left.
    fn credit_lines(&self, scope: &CreditScope) -> Result<Vec<CreditNoteLine>, InvoiceError> {
        let credits = match scope {
            CreditScope::Lines(credits) => credits,
            // The whole rest of every line: its net and its units.
            CreditScope::Whole => {
                let lines: Vec<CreditNoteLine> = self
                    .lines
                    .iter()
                    .filter(|l| l.net_left() > Money::ZERO || l.quantity_left() > Decimal::ZERO)
                    .map(|l| CreditNoteLine {
                        invoice_line_no: l.line.line_no,
                        quantity: Quantity::new(l.quantity_left())
                            .ok()
                            .filter(|q| !q.value().is_zero()),
                        vat_rate: l.line.vat_rate,
                        net: l.net_left(),
                    })
                    .collect();
                if lines.is_empty() {
                    return Err(InvoiceError::CreditExceeds(
                        "the invoice is credited in full already".to_owned(),
                    ));
                }
                return Ok(lines);
            }
        };
        let mut seen = Vec::new();
        let mut lines = Vec::with_capacity(credits.len());
        for (index, credit) in credits.iter().enumerate() {
            let line_no = credit.line_no();
            if seen.contains(&line_no) {
                return Err(InvoiceError::DuplicateLine { index, line_no });
            }
            seen.push(line_no);
            let line = self
                .line(line_no)
                .ok_or(InvoiceError::UnknownLine { index, line_no })?;
            let left = line.net_left();
            let (quantity, net) = match *credit {
                Credit::Quantity { quantity, .. } => {
                    let units_left = line.quantity_left();
                    if quantity.value() > units_left {
                        return Err(InvoiceError::CreditExceeds(format!(
                            "line {line_no}: {} units asked, {units_left} left to credit",
                            quantity.value()
                        )));
                    }
                    // The last units take exactly what is left of the line, so that the
                    // credit notes of a line add up to its net whatever the rounding.
                    let net = if quantity.value() == units_left {
                        left
                    } else {
                        pricing::line_net(quantity, line.line.unit_price, line.line.discount)
                    };
                    (Some(quantity), net)
                }
                Credit::Amount { amount, .. } => (None, amount),
            };
            if net > left {
                return Err(InvoiceError::CreditExceeds(format!(
                    "line {line_no}: {net} asked, {left} left to credit (HT)"
                )));
            }
            lines.push(CreditNoteLine {
                invoice_line_no: line_no,
                quantity,
                vat_rate: line.line.vat_rate,
                net,
            });
        }
        Ok(lines)
    }

    /// The platform's report, none when it does not move the document forward.
    fn delivery(
        &self,
        document: DocumentRef,
        status: DeliveryStatus,
        platform_ref: Option<String>,
        reason: Option<String>,
        reported_at: DateTime<Utc>,
    ) -> Result<Option<InvoiceEvent>, InvoiceError> {
        let number = match document {
            DocumentRef::Invoice => self.number.clone(),
            DocumentRef::CreditNote { credit_note_id } => self
                .credit_notes
                .iter()
                .find(|c| c.id == credit_note_id)
                .ok_or(InvoiceError::UnknownCreditNote)?
                .number
                .clone(),
        };
        let current = self
            .deliveries
            .iter()
            .find(|(d, _)| *d == document)
            .map(|(_, s)| *s);
        if !status.advances(current) {
            return Ok(None);
        }
        Ok(Some(InvoiceEvent::DeliveryStatusRecorded {
            document,
            number,
            status,
            platform_ref,
            reason: reason.filter(|_| status == DeliveryStatus::Rejected),
            reported_at,
        }))
    }

    fn line(&self, line_no: u32) -> Option<&Line> {
        self.lines.iter().find(|l| l.line.line_no == line_no)
    }

    /// A credit note, none for a retry of one already issued.
    fn credit_note(
        &self,
        credit_note_id: CreditNoteId,
        issue_date: NaiveDate,
        reason: String,
        scope: &CreditScope,
    ) -> Result<Option<InvoiceEvent>, InvoiceError> {
        if let Some(existing) = self.credit_notes.iter().find(|c| c.id == credit_note_id) {
            return if existing.reason == reason {
                Ok(None)
            } else {
                Err(InvoiceError::CreditNoteExists)
            };
        }
        let lines = self.credit_lines(scope)?;
        let left = pricing::vat_left(
            &self.totals.vat,
            self.credit_notes.iter().flat_map(|c| &c.totals.vat),
        );
        let totals = pricing::credit_totals(lines.iter().map(|l| (l.vat_rate, l.net)), &left);
        Ok(Some(InvoiceEvent::CreditNoteIssued {
            credit_note_id,
            // Assigned by the database in the event's transaction.
            number: String::new(),
            invoice_number: self.number.clone(),
            customer_id: self.customer_id,
            issue_date,
            reason,
            lines,
            totals,
        }))
    }

    /// A payment, none for a retry of one already recorded.
    fn payment(
        &self,
        payment: Payment,
        today: NaiveDate,
    ) -> Result<Option<InvoiceEvent>, InvoiceError> {
        if let Some(existing) = self.payments.iter().find(|p| p.id == payment.id) {
            return if *existing == payment {
                Ok(None)
            } else {
                Err(InvoiceError::PaymentExists)
            };
        }
        if payment.paid_on > today {
            return Err(InvoiceError::PaidInFuture { today });
        }
        let balance = self.balance();
        let after = balance - payment.amount.amount();
        if after < Decimal::ZERO {
            return Err(InvoiceError::Overpayment {
                amount: payment.amount,
                balance,
            });
        }
        Ok(Some(InvoiceEvent::PaymentRecorded {
            payment_id: payment.id,
            invoice_number: self.number.clone(),
            customer_id: self.customer_id,
            paid_on: payment.paid_on,
            amount: payment.amount,
            method: payment.method,
            reference: payment.reference,
            balance: Money::from_store(after),
        }))
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Invoice {
    state: Option<State>,
}

impl Invoice {
    pub fn state(&self) -> Option<&State> {
        self.state.as_ref()
    }
}

pure_aggregate!(Invoice, aggregate_types::INVOICE);

fn issue(issue: Issue) -> Result<InvoiceEvent, InvoiceError> {
    let Issue {
        id,
        order,
        buyer,
        payment_terms,
        seller,
        issue_date,
    } = issue;
    let (OrderStatus::Fulfilled, Some(delivery_date), Some(customer_id)) =
        (order.status, order.fulfilled_on, order.customer_id)
    else {
        return Err(InvoiceError::OrderNotFulfilled(order.status));
    };
    // The whole order: every line, every unit (deliveries one by one would name them).
    let lines: Vec<InvoiceLine> = order
        .lines
        .iter()
        .zip(1..)
        .map(|(line, line_no)| InvoiceLine::of_order_line(line_no, line, line.quantity))
        .collect();
    if lines.is_empty() {
        return Err(InvoiceError::NothingToInvoice);
    }
    let totals = pricing::totals(lines.iter().map(|l| (l.vat_rate, l.net)));
    Ok(InvoiceEvent::InvoiceIssued {
        invoice_id: id,
        // Assigned by the database in the event's transaction.
        number: String::new(),
        order_id: order.order_id,
        order_number: order.number,
        customer_id,
        issue_date,
        delivery_date,
        due_date: due_date(payment_terms, issue_date),
        payment_terms,
        seller: Box::new(seller),
        buyer: Box::new(buyer),
        lines,
        totals,
    })
}

impl Decide for Invoice {
    type Command = InvoiceCommand;
    type Event = InvoiceEvent;
    type Error = InvoiceError;

    fn decide(&self, command: Self::Command) -> Result<Vec<Self::Event>, Self::Error> {
        let Some(state) = &self.state else {
            return match command {
                InvoiceCommand::Issue(command) => Ok(vec![issue(*command)?]),
                _ => Err(InvoiceError::NotFound),
            };
        };
        let event = match command {
            // The same invoice sent again (a retry): already done.
            InvoiceCommand::Issue(command) if command.order.order_id == state.order_id => None,
            InvoiceCommand::Issue(_) => return Err(InvoiceError::AlreadyExists),
            InvoiceCommand::IssueCreditNote {
                credit_note_id,
                issue_date,
                reason,
                scope,
            } => state.credit_note(credit_note_id, issue_date, reason, &scope)?,
            InvoiceCommand::RecordPayment {
                payment_id,
                paid_on,
                amount,
                method,
                reference,
                today,
            } => state.payment(
                Payment {
                    id: payment_id,
                    paid_on,
                    amount,
                    method,
                    reference,
                },
                today,
            )?,
            InvoiceCommand::RecordDelivery {
                document,
                status,
                platform_ref,
                reason,
                reported_at,
            } => state.delivery(document, status, platform_ref, reason, reported_at)?,
        };
        Ok(event.into_iter().collect())
    }

    fn evolve(&mut self, event: Self::Event) {
        match event {
            InvoiceEvent::InvoiceIssued {
                number,
                order_id,
                customer_id,
                issue_date,
                due_date,
                lines,
                totals,
                ..
            } => {
                self.state = Some(State {
                    number,
                    order_id,
                    customer_id,
                    issue_date,
                    due_date,
                    lines: lines
                        .into_iter()
                        .map(|line| Line {
                            line,
                            credited_quantity: Decimal::ZERO,
                            credited_net: Money::ZERO,
                        })
                        .collect(),
                    totals,
                    credit_notes: Vec::new(),
                    payments: Vec::new(),
                    deliveries: Vec::new(),
                })
            }
            InvoiceEvent::CreditNoteIssued {
                credit_note_id,
                number,
                reason,
                lines,
                totals,
                ..
            } => {
                let Some(state) = &mut self.state else {
                    return;
                };
                for credit in &lines {
                    if let Some(line) = state
                        .lines
                        .iter_mut()
                        .find(|l| l.line.line_no == credit.invoice_line_no)
                    {
                        if let Some(quantity) = credit.quantity {
                            line.credited_quantity += quantity.value();
                        }
                        line.credited_net = line.credited_net + credit.net;
                    }
                }
                state.credit_notes.push(CreditNote {
                    id: credit_note_id,
                    number,
                    reason,
                    totals,
                });
            }
            InvoiceEvent::PaymentRecorded {
                payment_id,
                paid_on,
                amount,
                method,
                reference,
                ..
            } => {
                if let Some(state) = &mut self.state {
                    state.payments.push(Payment {
                        id: payment_id,
                        paid_on,
                        amount,
                        method,
                        reference,
                    });
                }
            }
            InvoiceEvent::DeliveryStatusRecorded {
                document, status, ..
            } => {
                if let Some(state) = &mut self.state {
                    state.deliveries.retain(|(d, _)| *d != document);
                    state.deliveries.push((document, status));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use contracts::customer::{CustomerCode, Siret, VatNumber};
    use contracts::ids::ProductId;
    use contracts::pricing::Discount;
    use contracts::product::{ProductName, Sku, Unit, VatRate};
    use cqrs_es::test::TestFramework;

    type InvoiceTest = TestFramework<Invoice>;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }
    fn money(s: &str) -> Money {
        Money::parse(s).unwrap()
    }
    fn qty(s: &str) -> Quantity {
        Quantity::parse(s).unwrap()
    }
    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn id() -> InvoiceId {
        "0190a3c4-0000-7000-8000-0000000000f1".parse().unwrap()
    }
    fn order_id() -> OrderId {
        "0190a3c4-0000-7000-8000-0000000000c1".parse().unwrap()
    }
    fn customer() -> CustomerId {
        "0190a3c4-0000-7000-8000-0000000000d1".parse().unwrap()
    }
    fn credit_note_id(n: u8) -> CreditNoteId {
        format!("0190a3c4-0000-7000-8000-0000000001{n:02}")
            .parse()
            .unwrap()
    }
    fn payment_id(n: u8) -> PaymentId {
        format!("0190a3c4-0000-7000-8000-0000000002{n:02}")
            .parse()
            .unwrap()
    }

    fn seller() -> Seller {
        Seller {
            name: "Négoce Dupont SAS".to_owned(),
            address: vec!["12 rue des Halles".to_owned(), "69002 Lyon".to_owned()],
            siret: Siret::parse("35600000000048").unwrap(),
            vat_number: VatNumber::parse("FR39356000000").unwrap(),
            legal_form: Some("SAS".to_owned()),
            capital: Some(dec("50000")),
            rcs: None,
            email: None,
            phone: None,
        }
    }

    fn buyer() -> Buyer {
        Buyer {
            code: CustomerCode::parse("ACME").unwrap(),
            legal_name: "Acme SARL".to_owned(),
            siren: None,
            siret: Some(Siret::parse("73282932000074").unwrap()),
            vat_number: Some(VatNumber::parse("FR44732829320").unwrap()),
            email: None,
            billing_address: None,
            shipping_address: None,
        }
    }

    /// An order line: (line no, quantity, unit price, discount %, VAT rate).
    fn order_line(no: u32, quantity: &str, price: &str, discount: &str, rate: &str) -> OrderLine {
        OrderLine {
            line_no: no,
            product_id: format!("0190a3c4-0000-7000-8000-0000000000{no:02}")
                .parse::<ProductId>()
                .unwrap(),
            sku: Sku::parse(&format!("SKU-{no}")).unwrap(),
            label: ProductName::parse(&format!("Article {no}")).unwrap(),
            unit: Unit::Piece,
            quantity: qty(quantity),
            unit_price: money(price),
            discount: Discount::parse(discount).unwrap(),
            vat_rate: VatRate::new(dec(rate)).unwrap(),
        }
    }

    /// The golden order: mixed rates (20, 5.5, 10 %) and discounts.
    fn golden_lines() -> Vec<OrderLine> {
        vec![
            order_line(1, "3", "19.99", "33.33", "20"), // 59.97 × 0.6667 = 39.981999 → 39.98
            order_line(2, "2", "12.50", "0", "5.5"),    // 25.00
            order_line(4, "7", "1.15", "15", "10"),     // 6.8425 → 6.84 (line 3 was removed)
            order_line(5, "1", "100", "33.33", "20"),   // 66.67
        ]
    }

    fn issue_command(status: OrderStatus, lines: Vec<OrderLine>) -> InvoiceCommand {
        InvoiceCommand::Issue(Box::new(Issue {
            id: id(),
            order: OrderToInvoice {
                order_id: order_id(),
                number: "PRO-2026-000007".to_owned(),
                status,
                customer_id: Some(customer()),
                lines,
                fulfilled_on: (status == OrderStatus::Fulfilled).then(|| day("2026-03-02")),
            },
            buyer: buyer(),
            payment_terms: PaymentTerms::EndOfMonth30,
            seller: seller(),
            issue_date: day("2026-03-03"),
        }))
    }

    /// The invoice of the golden order, as stored (numbered).
    fn issued() -> InvoiceEvent {
        let InvoiceCommand::Issue(command) = issue_command(OrderStatus::Fulfilled, golden_lines())
        else {
            unreachable!()
        };
        let mut event = issue(*command).unwrap();
        if let InvoiceEvent::InvoiceIssued { number, .. } = &mut event {
            *number = "FAC-2026-000001".to_owned();
        }
        event
    }

    fn totals_of(event: &InvoiceEvent) -> (String, Vec<(String, String, String)>, String, String) {
        let totals = match event {
            InvoiceEvent::InvoiceIssued { totals, .. }
            | InvoiceEvent::CreditNoteIssued { totals, .. } => totals,
            other => panic!("{other:?} has no totals"),
        };
        (
            totals.net.to_string(),
            totals
                .vat
                .iter()
                .map(|l| {
                    (
                        l.rate.percent().to_string(),
                        l.base.to_string(),
                        l.amount.to_string(),
                    )
                })
                .collect(),
            totals.vat_total.to_string(),
            totals.gross.to_string(),
        )
    }

    fn decided(
        given: Vec<InvoiceEvent>,
        command: InvoiceCommand,
    ) -> Result<Vec<InvoiceEvent>, InvoiceError> {
        let mut invoice = Invoice::default();
        for event in given {
            invoice.evolve(event);
        }
        invoice.decide(command)
    }

    fn credit(scope: CreditScope, n: u8) -> InvoiceCommand {
        InvoiceCommand::IssueCreditNote {
            credit_note_id: credit_note_id(n),
            issue_date: day("2026-03-10"),
            reason: "retour".to_owned(),
            scope,
        }
    }

    fn pay(n: u8, amount: &str) -> InvoiceCommand {
        InvoiceCommand::RecordPayment {
            payment_id: payment_id(n),
            paid_on: day("2026-03-20"),
            amount: money(amount),
            method: PaymentMethod::BankTransfer,
            reference: Some("VIR 42".to_owned()),
            today: day("2026-03-20"),
        }
    }

    /// Decides `command` after `given`, and returns the event it records.
    fn one(given: &[InvoiceEvent], command: InvoiceCommand) -> InvoiceEvent {
        let events = decided(given.to_vec(), command).unwrap();
        assert_eq!(events.len(), 1, "{events:?}");
        events.into_iter().next().unwrap()
    }

    #[test]
    fn due_dates_follow_each_payment_term() {
        let cases = [
            (PaymentTerms::Immediate, "2026-01-15", "2026-01-15"),
            (PaymentTerms::Net30, "2026-01-15", "2026-02-14"),
            (PaymentTerms::Net30, "2026-12-15", "2027-01-14"),
            (PaymentTerms::Net45, "2026-01-15", "2026-03-01"),
            (PaymentTerms::Net60, "2026-01-15", "2026-03-16"),
            // 30 days, then to the end of that month.
            (PaymentTerms::EndOfMonth30, "2026-01-15", "2026-02-28"),
            (PaymentTerms::EndOfMonth30, "2026-01-31", "2026-03-31"),
            (PaymentTerms::EndOfMonth30, "2028-01-30", "2028-02-29"),
            (PaymentTerms::EndOfMonth30, "2026-12-10", "2027-01-31"),
            (PaymentTerms::EndOfMonth45, "2026-01-15", "2026-03-31"),
            (PaymentTerms::EndOfMonth45, "2026-01-10", "2026-02-28"),
            (PaymentTerms::EndOfMonth45, "2026-11-20", "2027-01-31"),
        ];
        for (terms, issued, due) in cases {
            assert_eq!(
                due_date(terms, day(issued)),
                day(due),
                "{terms} from {issued}"
            );
        }
        // No date overflows into a panic.
        for terms in PaymentTerms::ALL {
            assert_eq!(due_date(terms, NaiveDate::MAX), NaiveDate::MAX);
        }
    }

    #[test]
    fn an_invoice_takes_the_whole_fulfilled_order_priced_by_the_order_rules() {
        let InvoiceEvent::InvoiceIssued {
            number,
            lines,
            due_date,
            delivery_date,
            ..
        } = one(&[], issue_command(OrderStatus::Fulfilled, golden_lines()))
        else {
            panic!("not an invoice");
        };
        assert_eq!(number, "", "numbered by the database");
        assert_eq!(delivery_date, day("2026-03-02"));
        assert_eq!(due_date, day("2026-04-30"));
        let got: Vec<(u32, u32, String, String)> = lines
            .iter()
            .map(|l| {
                (
                    l.line_no,
                    l.order_line_no,
                    l.quantity.to_string(),
                    l.net.to_string(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (1, 1, "3".to_owned(), "39.98".to_owned()),
                (2, 2, "2".to_owned(), "25.00".to_owned()),
                (3, 4, "7".to_owned(), "6.84".to_owned()),
                (4, 5, "1".to_owned(), "66.67".to_owned()),
            ]
        );
    }

    /// The golden test of invoice money: mixed rates, discounts, a credit note of one
    /// line, a credit note of one unit, then a payment of exactly what is left.
    #[test]
    fn golden_invoice_credit_notes_and_payment() {
        let s = |v: &str| v.to_owned();
        let invoice = issued();
        assert_eq!(
            totals_of(&invoice),
            (
                s("138.49"),
                vec![
                    (s("20"), s("106.65"), s("21.33")),
                    (s("10"), s("6.84"), s("0.68")),
                    (s("5.5"), s("25.00"), s("1.38")),
                ],
                s("23.39"),
                s("161.88"),
            )
        );
        // The order's own totals, by the same code, are the invoice's.
        let order_totals = pricing::totals(golden_lines().iter().map(|l| {
            (
                l.vat_rate,
                pricing::line_net(l.quantity, l.unit_price, l.discount),
            )
        }));
        let InvoiceEvent::InvoiceIssued { totals, .. } = &invoice else {
            unreachable!()
        };
        assert_eq!(*totals, order_totals);

        // Line 2 whole: its rate's base is used up, so is its VAT.
        let line_two = one(
            std::slice::from_ref(&invoice),
            credit(
                CreditScope::Lines(vec![Credit::Quantity {
                    line_no: 2,
                    quantity: qty("2"),
                }]),
                1,
            ),
        );
        assert_eq!(
            totals_of(&line_two),
            (
                s("25.00"),
                vec![(s("5.5"), s("25.00"), s("1.38"))],
                s("1.38"),
                s("26.38")
            )
        );
        // One unit of line 1 (19.99 − 33.33 % = 13.327333 → 13.33).
        let one_unit = one(
            &[invoice.clone(), line_two.clone()],
            credit(
                CreditScope::Lines(vec![Credit::Quantity {
                    line_no: 1,
                    quantity: qty("1"),
                }]),
                2,
            ),
        );
        assert_eq!(
            totals_of(&one_unit),
            (
                s("13.33"),
                vec![(s("20"), s("13.33"), s("2.67"))],
                s("2.67"),
                s("16.00")
            )
        );
        let history = [invoice, line_two, one_unit];
        let mut state = Invoice::default();
        for e in history.clone() {
            state.evolve(e);
        }
        assert_eq!(state.state().unwrap().balance(), dec("119.50"));
        // One cent more than the balance is refused; the balance itself settles it.
        assert_eq!(
            decided(history.to_vec(), pay(1, "119.51")).unwrap_err(),
            InvoiceError::Overpayment {
                amount: money("119.51"),
                balance: dec("119.50")
            }
        );
        let InvoiceEvent::PaymentRecorded { balance, .. } = one(&history, pay(1, "119.50")) else {
            panic!("not a payment");
        };
        assert_eq!(balance.to_string(), "0.00");
    }

    #[test]
    fn only_a_fulfilled_order_is_invoiced() {
        for status in [
            OrderStatus::Draft,
            OrderStatus::Submitted,
            OrderStatus::Cancelled,
        ] {
            InvoiceTest::with(())
                .given_no_previous_events()
                .when(issue_command(status, golden_lines()))
                .then_expect_error(InvoiceError::OrderNotFulfilled(status));
        }
    }

    #[test]
    fn an_issued_invoice_is_not_issued_again() {
        // A retry of the same invoice: nothing new.
        InvoiceTest::with(())
            .given(vec![issued()])
            .when(issue_command(OrderStatus::Fulfilled, golden_lines()))
            .then_expect_events(vec![]);
        // The same id for another order.
        let InvoiceCommand::Issue(mut other) =
            issue_command(OrderStatus::Fulfilled, golden_lines())
        else {
            unreachable!()
        };
        other.order.order_id = "0190a3c4-0000-7000-8000-0000000000c2".parse().unwrap();
        InvoiceTest::with(())
            .given(vec![issued()])
            .when(InvoiceCommand::Issue(other))
            .then_expect_error(InvoiceError::AlreadyExists);
        InvoiceTest::with(())
            .given_no_previous_events()
            .when(pay(1, "1"))
            .then_expect_error(InvoiceError::NotFound);
    }

    #[test]
    fn a_credit_note_never_takes_more_than_is_left() {
        let units = |line_no, quantity: &str| Credit::Quantity {
            line_no,
            quantity: qty(quantity),
        };
        let lines = |credits| credit(CreditScope::Lines(credits), 1);
        let refused = |given: Vec<InvoiceEvent>, command| match decided(given, command) {
            Err(InvoiceError::CreditExceeds(why)) => why,
            other => panic!("{other:?}"),
        };
        assert!(refused(vec![issued()], lines(vec![units(1, "4")])).contains("3 left"));
        let over = lines(vec![Credit::Amount {
            line_no: 3,
            amount: money("6.85"),
        }]);
        assert!(refused(vec![issued()], over).contains("6.84 left"));
        // After two units of line 1, one is left, and an amount may not pass its net.
        let two = one(&[issued()], lines(vec![units(1, "2")]));
        let after = vec![issued(), two.clone()];
        refused(
            after.clone(),
            credit(CreditScope::Lines(vec![units(1, "2")]), 2),
        );
        let InvoiceEvent::CreditNoteIssued { lines: last, .. } =
            one(&after, credit(CreditScope::Lines(vec![units(1, "1")]), 2))
        else {
            panic!("not a credit note");
        };
        // 39.98 − 26.65 (2 × 13.327333, rounded once): the rest of the line, exactly.
        let InvoiceEvent::CreditNoteIssued { lines: first, .. } = &two else {
            unreachable!()
        };
        assert_eq!(first[0].net.to_string(), "26.65");
        assert_eq!(last[0].net.to_string(), "13.33");
        // The whole invoice, then nothing more.
        let whole = one(&[issued()], credit(CreditScope::Whole, 1));
        assert_eq!(totals_of(&whole), totals_of(&issued()));
        assert!(refused(vec![issued(), whole], credit(CreditScope::Whole, 2)).contains("in full"));
    }

    #[test]
    fn a_credit_note_names_lines_the_invoice_has_once_each() {
        let lines = |credits| credit(CreditScope::Lines(credits), 1);
        let amount = |line_no| Credit::Amount {
            line_no,
            amount: money("1"),
        };
        InvoiceTest::with(())
            .given(vec![issued()])
            .when(lines(vec![amount(1), amount(9)]))
            .then_expect_error(InvoiceError::UnknownLine {
                index: 1,
                line_no: 9,
            });
        InvoiceTest::with(())
            .given(vec![issued()])
            .when(lines(vec![amount(1), amount(2), amount(1)]))
            .then_expect_error(InvoiceError::DuplicateLine {
                index: 2,
                line_no: 1,
            });
    }

    #[test]
    fn a_credit_note_or_a_payment_sent_again_is_recorded_once() {
        let note = one(&[issued()], credit(CreditScope::Whole, 1));
        InvoiceTest::with(())
            .given(vec![issued(), note.clone()])
            .when(credit(CreditScope::Whole, 1))
            .then_expect_events(vec![]);
        let mut other_reason = credit(CreditScope::Whole, 1);
        if let InvoiceCommand::IssueCreditNote { reason, .. } = &mut other_reason {
            *reason = "geste commercial".to_owned();
        }
        InvoiceTest::with(())
            .given(vec![issued(), note])
            .when(other_reason)
            .then_expect_error(InvoiceError::CreditNoteExists);

        let paid = one(&[issued()], pay(1, "10"));
        InvoiceTest::with(())
            .given(vec![issued(), paid.clone()])
            .when(pay(1, "10"))
            .then_expect_events(vec![]);
        InvoiceTest::with(())
            .given(vec![issued(), paid])
            .when(pay(1, "11"))
            .then_expect_error(InvoiceError::PaymentExists);
    }

    #[test]
    fn a_payment_lowers_the_balance_and_is_not_received_in_the_future() {
        InvoiceTest::with(())
            .given(vec![issued()])
            .when(pay(1, "61.88"))
            .then_expect_events(vec![InvoiceEvent::PaymentRecorded {
                payment_id: payment_id(1),
                invoice_number: "FAC-2026-000001".to_owned(),
                customer_id: customer(),
                paid_on: day("2026-03-20"),
                amount: money("61.88"),
                method: PaymentMethod::BankTransfer,
                reference: Some("VIR 42".to_owned()),
                balance: money("100.00"),
            }]);
        let mut early = pay(1, "1");
        if let InvoiceCommand::RecordPayment { paid_on, .. } = &mut early {
            *paid_on = day("2026-03-21");
        }
        InvoiceTest::with(())
            .given(vec![issued()])
            .when(early)
            .then_expect_error(InvoiceError::PaidInFuture {
                today: day("2026-03-20"),
            });
        // Credited in full: nothing is left to pay.
        let whole = one(&[issued()], credit(CreditScope::Whole, 1));
        assert!(matches!(
            decided(vec![issued(), whole], pay(1, "0.01")),
            Err(InvoiceError::Overpayment { .. })
        ));
    }

    fn report(document: DocumentRef, status: DeliveryStatus) -> InvoiceCommand {
        InvoiceCommand::RecordDelivery {
            document,
            status,
            platform_ref: Some("PA-77".to_owned()),
            reason: Some("numéro de TVA de l'acheteur inconnu".to_owned()),
            reported_at: "2026-03-04T08:00:00Z".parse().unwrap(),
        }
    }

    /// Given the invoice and what the platform already reported, the statuses recorded
    /// for a sequence of reports.
    fn recorded(reports: &[(DocumentRef, DeliveryStatus)]) -> Vec<(String, DeliveryStatus)> {
        let mut given = vec![issued(), one(&[issued()], credit(CreditScope::Whole, 1))];
        if let InvoiceEvent::CreditNoteIssued { number, .. } = &mut given[1] {
            *number = "AV-2026-000001".to_owned();
        }
        let mut out = Vec::new();
        for &(document, status) in reports {
            for event in decided(given.clone(), report(document, status)).unwrap() {
                let InvoiceEvent::DeliveryStatusRecorded { number, status, .. } = &event else {
                    panic!("{event:?}");
                };
                out.push((number.clone(), *status));
                given.push(event);
            }
        }
        out
    }

    #[test]
    fn a_platform_report_is_recorded_once_and_only_forward() {
        use DeliveryStatus::*;
        let invoice = DocumentRef::Invoice;
        let note = DocumentRef::CreditNote {
            credit_note_id: credit_note_id(1),
        };
        let fac = || "FAC-2026-000001".to_owned();
        // Repeated and late reports record nothing; each document has its own life cycle.
        assert_eq!(
            recorded(&[
                (invoice, Deposited),
                (invoice, Deposited),
                (note, Deposited),
                (invoice, Paid),
                (invoice, Accepted),
                (invoice, Rejected),
            ]),
            vec![
                (fac(), Deposited),
                ("AV-2026-000001".to_owned(), Deposited),
                (fac(), Paid)
            ]
        );
        // A rejection ends the cycle.
        assert_eq!(
            recorded(&[(invoice, Rejected), (invoice, Deposited), (invoice, Paid)]),
            vec![(fac(), Rejected)]
        );
    }

    #[test]
    fn only_a_rejection_keeps_the_platforms_reason() {
        let reason = |status| match one(&[issued()], report(DocumentRef::Invoice, status)) {
            InvoiceEvent::DeliveryStatusRecorded { reason, .. } => reason,
            other => panic!("{other:?}"),
        };
        assert_eq!(reason(DeliveryStatus::Deposited), None);
        assert!(reason(DeliveryStatus::Rejected).is_some());
    }

    #[test]
    fn a_report_on_an_unknown_credit_note_or_invoice_is_refused() {
        let note = DocumentRef::CreditNote {
            credit_note_id: credit_note_id(9),
        };
        assert_eq!(
            decided(vec![issued()], report(note, DeliveryStatus::Deposited)),
            Err(InvoiceError::UnknownCreditNote)
        );
        assert_eq!(
            decided(
                vec![],
                report(DocumentRef::Invoice, DeliveryStatus::Deposited)
            ),
            Err(InvoiceError::NotFound)
        );
    }
}
