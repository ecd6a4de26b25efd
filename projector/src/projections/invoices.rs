//! `invoices`, `invoice_lines`, `credit_notes`, `credit_note_lines`, `invoice_payments`,
//! `invoice_transmissions`: every row from the invoice's own events. The customer's code and name, the seller and
//! the buyer are the snapshots `InvoiceIssued` carries, never read from other read
//! models, so an invoice projects the same whatever arrives first (DESIGN §9).

use contracts::envelope::Stored;
use contracts::events::InvoiceEvent;
use contracts::ids::InvoiceId;
use contracts::invoice::{DocumentRef, InvoiceStatus, CURRENCY};
use contracts::money::Money;
use rust_decimal::Decimal;
use sqlx::PgConnection;

use super::error::ProjectionError;

pub async fn apply(
    conn: &mut PgConnection,
    stored: Stored<InvoiceId, InvoiceEvent>,
) -> Result<(), ProjectionError> {
    let id = stored.id;
    let at = stored.meta.occurred_at;
    let actor = stored.meta.actor_id.clone();
    let version = Version {
        sequence: stored.sequence,
        at,
    };
    match stored.event {
        InvoiceEvent::InvoiceIssued {
            invoice_id,
            number,
            order_id,
            order_number,
            customer_id,
            issue_date,
            delivery_date,
            due_date,
            payment_terms,
            seller,
            buyer,
            lines,
            totals,
        } => {
            sqlx::query(
                "INSERT INTO invoices (id, number, status, order_id, order_number, customer_id,
                                       customer_code, customer_name, issue_date, delivery_date,
                                       due_date, payment_terms, currency, seller, buyer,
                                       line_count, total_net, total_vat, total_gross, vat_lines,
                                       version, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                         $17, $18, $19, $20, $21, $22, $22)",
            )
            .bind(invoice_id)
            .bind(&number)
            .bind(InvoiceStatus::settled(
                totals.gross,
                Money::ZERO,
                Money::ZERO,
            ))
            .bind(order_id)
            .bind(&order_number)
            .bind(customer_id)
            .bind(buyer.code.as_str())
            .bind(&buyer.legal_name)
            .bind(issue_date)
            .bind(delivery_date)
            .bind(due_date)
            .bind(payment_terms.as_str())
            .bind(CURRENCY)
            .bind(sqlx::types::Json(&seller))
            .bind(sqlx::types::Json(&buyer))
            .bind(lines.len() as i32)
            .bind(totals.net)
            .bind(totals.vat_total)
            .bind(totals.gross)
            .bind(sqlx::types::Json(&totals.vat))
            .bind(stored.sequence)
            .bind(at)
            .execute(&mut *conn)
            .await?;
            let mut columns = LineColumns::default();
            for line in &lines {
                columns.line_no.push(line.line_no as i32);
                columns.order_line_no.push(line.order_line_no as i32);
                columns.product_id.push(line.product_id.as_uuid());
                columns.sku.push(line.sku.as_str().to_owned());
                columns.label.push(line.label.as_str().to_owned());
                columns.unit.push(line.unit.as_str());
                columns.quantity.push(line.quantity.value());
                columns.unit_price.push(line.unit_price.amount());
                columns.discount.push(line.discount.percent());
                columns.vat_rate.push(line.vat_rate.percent());
                columns.net.push(line.net.amount());
            }
            sqlx::query(
                "INSERT INTO invoice_lines (invoice_id, line_no, order_line_no, product_id, sku,
                                            label, unit, quantity, unit_price, discount,
                                            vat_rate, net)
                 SELECT $1, * FROM UNNEST($2::int[], $3::int[], $4::uuid[], $5::text[],
                                          $6::text[], $7::text[], $8::numeric[], $9::numeric[],
                                          $10::numeric[], $11::numeric[], $12::numeric[])",
            )
            .bind(invoice_id)
            .bind(&columns.line_no)
            .bind(&columns.order_line_no)
            .bind(&columns.product_id)
            .bind(&columns.sku)
            .bind(&columns.label)
            .bind(&columns.unit)
            .bind(&columns.quantity)
            .bind(&columns.unit_price)
            .bind(&columns.discount)
            .bind(&columns.vat_rate)
            .bind(&columns.net)
            .execute(conn)
            .await?;
            Ok(())
        }
        InvoiceEvent::CreditNoteIssued {
            credit_note_id,
            number,
            issue_date,
            reason,
            lines,
            totals,
            ..
        } => {
            sqlx::query(
                "INSERT INTO credit_notes (invoice_id, id, number, issue_date, reason, total_net,
                                           total_vat, total_gross, vat_lines, created_at,
                                           created_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(id)
            .bind(credit_note_id)
            .bind(&number)
            .bind(issue_date)
            .bind(&reason)
            .bind(totals.net)
            .bind(totals.vat_total)
            .bind(totals.gross)
            .bind(sqlx::types::Json(&totals.vat))
            .bind(at)
            .bind(&actor)
            .execute(&mut *conn)
            .await?;
            let line_no: Vec<i32> = (1..=lines.len() as i32).collect();
            let invoice_line_no: Vec<i32> =
                lines.iter().map(|l| l.invoice_line_no as i32).collect();
            let quantity: Vec<Option<Decimal>> = lines
                .iter()
                .map(|l| l.quantity.map(|q| q.value()))
                .collect();
            let vat_rate: Vec<Decimal> = lines.iter().map(|l| l.vat_rate.percent()).collect();
            let net: Vec<Decimal> = lines.iter().map(|l| l.net.amount()).collect();
            sqlx::query(
                "INSERT INTO credit_note_lines (invoice_id, credit_note_id, line_no,
                                                invoice_line_no, quantity, vat_rate, net)
                 SELECT $1, $2, * FROM UNNEST($3::int[], $4::int[], $5::numeric[],
                                              $6::numeric[], $7::numeric[])",
            )
            .bind(id)
            .bind(credit_note_id)
            .bind(&line_no)
            .bind(&invoice_line_no)
            .bind(&quantity)
            .bind(&vat_rate)
            .bind(&net)
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "UPDATE invoice_lines l
                    SET credited_quantity = l.credited_quantity + coalesce(c.quantity, 0),
                        credited_net = l.credited_net + c.net
                   FROM UNNEST($2::int[], $3::numeric[], $4::numeric[]) AS c(line_no, quantity, net)
                  WHERE l.invoice_id = $1 AND l.line_no = c.line_no",
            )
            .bind(id)
            .bind(&invoice_line_no)
            .bind(&quantity)
            .bind(&net)
            .execute(&mut *conn)
            .await?;
            settle(conn, id, version, "credited", totals.gross).await
        }
        InvoiceEvent::PaymentRecorded {
            payment_id,
            paid_on,
            amount,
            method,
            reference,
            ..
        } => {
            sqlx::query(
                "INSERT INTO invoice_payments (invoice_id, id, paid_on, amount, method, reference,
                                               recorded_at, recorded_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(payment_id)
            .bind(paid_on)
            .bind(amount)
            .bind(method)
            .bind(&reference)
            .bind(at)
            .bind(&actor)
            .execute(&mut *conn)
            .await?;
            settle(conn, id, version, "paid", amount).await
        }
        InvoiceEvent::DeliveryStatusRecorded {
            document,
            number,
            status,
            platform_ref,
            reason,
            reported_at,
        } => {
            let document_id = match document {
                DocumentRef::Invoice => id.as_uuid(),
                DocumentRef::CreditNote { credit_note_id } => credit_note_id.as_uuid(),
            };
            sqlx::query(
                "INSERT INTO invoice_transmissions (invoice_id, document_id, kind, number, status,
                                                    platform_ref, reason, reported_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (invoice_id, document_id) DO UPDATE
                    SET status = EXCLUDED.status, platform_ref = EXCLUDED.platform_ref,
                        reason = EXCLUDED.reason, reported_at = EXCLUDED.reported_at",
            )
            .bind(id)
            .bind(document_id)
            .bind(document.kind())
            .bind(&number)
            .bind(status)
            .bind(&platform_ref)
            .bind(&reason)
            .bind(reported_at)
            .execute(&mut *conn)
            .await?;
            // The invoice's version follows its stream, so that `min_version` holds.
            sqlx::query("UPDATE invoices SET version = $2, updated_at = $3 WHERE id = $1")
                .bind(id)
                .bind(version.sequence)
                .bind(version.at)
                .execute(conn)
                .await?;
            Ok(())
        }
    }
}

/// Adds `amount` to the invoice's `credited` or `paid`, then sets its status from its
/// amounts ([`InvoiceStatus::settled`]) and its version.
async fn settle(
    conn: &mut PgConnection,
    id: InvoiceId,
    version: Version,
    column: &'static str,
    amount: Money,
) -> Result<(), ProjectionError> {
    let (gross, credited, paid): (Money, Money, Money) = sqlx::query_as(&format!(
        "UPDATE invoices SET {column} = {column} + $2 WHERE id = $1
         RETURNING total_gross, credited, paid"
    ))
    .bind(id)
    .bind(amount)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("UPDATE invoices SET status = $2, version = $3, updated_at = $4 WHERE id = $1")
        .bind(id)
        .bind(InvoiceStatus::settled(gross, credited, paid))
        .bind(version.sequence)
        .bind(version.at)
        .execute(conn)
        .await?;
    Ok(())
}

/// The event's place in its stream and its time: the row's version and `updated_at`.
#[derive(Debug, Clone, Copy)]
struct Version {
    sequence: i64,
    at: chrono::DateTime<chrono::Utc>,
}

/// The lines of an invoice, column by column, for one `INSERT … UNNEST`.
#[derive(Default)]
struct LineColumns {
    line_no: Vec<i32>,
    order_line_no: Vec<i32>,
    product_id: Vec<uuid::Uuid>,
    sku: Vec<String>,
    label: Vec<String>,
    unit: Vec<&'static str>,
    quantity: Vec<Decimal>,
    unit_price: Vec<Decimal>,
    discount: Vec<Decimal>,
    vat_rate: Vec<Decimal>,
    net: Vec<Decimal>,
}
