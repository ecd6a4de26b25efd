//! What an invoice or a credit note prints, in French or English: every mention French
//! law requires of an invoice (CGI annexe II, article 242 nonies A; Code de commerce,
//! articles L441-9, L441-10 and D441-5), laid out by [`crate::pdf`].

use contracts::customer::Address;

use super::document::{InvoiceDocument, Kind};
use crate::pdf::{Lang, Line, Paragraph, Party, Seller, Sheet, VatRow};

struct Labels {
    invoice: &'static str,
    credit_note: &'static str,
    issue_date: &'static str,
    delivery_date: &'static str,
    due_date: &'static str,
    order: &'static str,
    corrects: &'static str,
    /// Between an invoice's number and its date: `FAC-… du 05/03/2026`.
    of: &'static str,
    billed_to: &'static str,
    delivered_to: &'static str,
    customer_code: &'static str,
    vat_number: &'static str,
    nature: &'static str,
    goods: &'static str,
    payment_terms: &'static str,
    due_on: &'static str,
    reason: &'static str,
    settles: &'static str,
    small_print: &'static str,
}

const FR: Labels = Labels {
    invoice: "FACTURE",
    credit_note: "AVOIR",
    issue_date: "Date d’émission",
    delivery_date: "Date de livraison",
    due_date: "Date d’échéance",
    order: "Commande",
    corrects: "Facture d’origine",
    of: "du",
    billed_to: "Client (adresse de facturation)",
    delivered_to: "Adresse de livraison",
    customer_code: "Code client",
    vat_number: "N° TVA intracommunautaire",
    nature: "Nature de l’opération",
    goods: "Livraison de biens",
    payment_terms: "Conditions de paiement",
    due_on: "échéance le",
    reason: "Motif de l’avoir",
    settles: "Avoir à déduire du solde de la facture",
    small_print: "En cas de retard de paiement, des pénalités au taux égal à trois fois \
                  le taux d’intérêt légal sont exigibles le jour suivant la date \
                  d’échéance (article L441-10 du Code de commerce), ainsi qu’une \
                  indemnité forfaitaire pour frais de recouvrement de 40\u{A0}€ (article \
                  D441-5 du Code de commerce). Pas d’escompte pour paiement anticipé.",
};

const EN: Labels = Labels {
    invoice: "INVOICE",
    credit_note: "CREDIT NOTE",
    issue_date: "Issue date",
    delivery_date: "Delivery date",
    due_date: "Due date",
    order: "Order",
    corrects: "Original invoice",
    of: "of",
    billed_to: "Customer (billing address)",
    delivered_to: "Delivery address",
    customer_code: "Customer code",
    vat_number: "EU VAT number",
    nature: "Nature of the operation",
    goods: "Supply of goods",
    payment_terms: "Payment terms",
    due_on: "due on",
    reason: "Reason for the credit note",
    settles: "To be deducted from the balance of invoice",
    small_print: "Late payment incurs penalties at three times the French statutory \
                  interest rate from the day after the due date (article L441-10 of the \
                  French Commercial Code) and a fixed recovery fee of €40 (article D441-5 \
                  of the French Commercial Code). No discount for early payment.",
};

fn labels(lang: Lang) -> &'static Labels {
    match lang {
        Lang::Fr => &FR,
        Lang::En => &EN,
    }
}

/// The page of `document` in `lang`.
pub fn sheet(document: &InvoiceDocument, lang: Lang) -> Sheet {
    let text = labels(lang);
    let colon = lang.colon();
    let buyer = &document.buyer;
    let seller = &document.seller;

    let mut facts = vec![(text.issue_date.to_owned(), lang.date(document.issue_date))];
    if let Some(corrected) = &document.corrects {
        facts.push((
            text.corrects.to_owned(),
            format!(
                "{} {} {}",
                corrected.number,
                text.of,
                lang.date(corrected.issue_date)
            ),
        ));
    }
    facts.push((
        text.delivery_date.to_owned(),
        lang.date(document.delivery_date),
    ));
    if let Some(due) = document.due_date {
        facts.push((text.due_date.to_owned(), lang.date(due)));
    }
    facts.push((text.order.to_owned(), document.order_number.clone()));

    let mut customer = buyer
        .billing_address
        .as_ref()
        .map(address_lines)
        .unwrap_or_default();
    customer.push(format!(
        "{}{colon}{}",
        text.customer_code,
        buyer.code.as_str()
    ));
    if let Some(siren) = document.buyer_siren() {
        customer.push(format!("SIREN{colon}{siren}"));
    }
    if let Some(siret) = &buyer.siret {
        customer.push(format!("SIRET{colon}{}", siret.as_str()));
    }
    if let Some(vat) = &buyer.vat_number {
        customer.push(format!("{}{colon}{}", text.vat_number, vat.as_str()));
    }
    let delivery = document.delivery_address().map(|address| Party {
        caption: text.delivered_to.to_owned(),
        name: Some(buyer.legal_name.clone()),
        lines: address_lines(address),
    });

    let mut paragraphs = vec![Paragraph {
        label: Some(text.nature.to_owned()),
        text: text.goods.to_owned(),
    }];
    for exemption in document
        .categories()
        .into_iter()
        .filter_map(|c| c.exemption())
    {
        paragraphs.push(Paragraph {
            label: None,
            text: match lang {
                Lang::Fr => exemption.fr,
                Lang::En => exemption.en,
            }
            .to_owned(),
        });
    }
    match document.kind {
        Kind::Invoice => {
            let terms = match lang {
                Lang::Fr => document.payment_terms.label_fr(),
                Lang::En => document.payment_terms.label_en(),
            };
            let terms = match document.due_date {
                Some(due) => format!("{terms}, {} {}", text.due_on, lang.date(due)),
                None => terms.to_owned(),
            };
            paragraphs.push(Paragraph {
                label: Some(text.payment_terms.to_owned()),
                text: terms,
            });
        }
        Kind::CreditNote => {
            if let Some(reason) = document.reason.as_deref().filter(|r| !r.trim().is_empty()) {
                paragraphs.push(Paragraph {
                    label: Some(text.reason.to_owned()),
                    text: reason.to_owned(),
                });
            }
            if let Some(corrected) = &document.corrects {
                paragraphs.push(Paragraph {
                    label: None,
                    text: format!(
                        "{} {} {} {}.",
                        text.settles,
                        corrected.number,
                        text.of,
                        lang.date(corrected.issue_date)
                    ),
                });
            }
        }
    }

    Sheet {
        title: match document.kind {
            Kind::Invoice => text.invoice,
            Kind::CreditNote => text.credit_note,
        }
        .to_owned(),
        number: document.number.clone(),
        facts,
        seller: Seller {
            name: seller.name.clone(),
            address: seller.address.clone(),
            siret: seller.siret.as_str().to_owned(),
            vat_number: seller.vat_number.as_str().to_owned(),
            legal_form: seller.legal_form.clone(),
            capital: seller.capital,
            rcs: seller.rcs.clone(),
            email: seller.email.clone(),
            phone: seller.phone.clone(),
        },
        seller_lines: vec![
            format!(
                "SIREN{colon}{} · SIRET{colon}{}",
                seller.siren(),
                seller.siret.as_str()
            ),
            format!("{}{colon}{}", text.vat_number, seller.vat_number.as_str()),
        ],
        left: delivery,
        right: Party {
            caption: text.billed_to.to_owned(),
            name: Some(buyer.legal_name.clone()),
            lines: customer,
        },
        lines: document
            .lines
            .iter()
            .map(|line| Line {
                sku: line.sku.clone(),
                label: line.label.clone(),
                quantity: line.quantity,
                unit: line.unit.clone(),
                unit_price: line.quantity.map(|_| line.unit_price),
                discount: if line.quantity.is_some() {
                    line.discount
                } else {
                    rust_decimal::Decimal::ZERO
                },
                vat_rate: line.vat_rate,
                net: line.net,
            })
            .collect(),
        vat: document
            .vat
            .iter()
            .map(|v| VatRow {
                rate: v.rate,
                base: v.base,
                amount: v.amount,
            })
            .collect(),
        total_net: document.total_net,
        total_vat: document.total_vat,
        total_gross: document.total_gross,
        paragraphs,
        small_print: text.small_print.to_owned(),
    }
}

/// An address as printed: street lines, postal code and city, and the country when it
/// is not France.
pub fn address_lines(address: &Address) -> Vec<String> {
    let mut lines = vec![address.line1.clone()];
    lines.extend(address.line2.clone());
    lines.push(format!("{} {}", address.postal_code, address.city));
    if address.country.as_str() != "FR" {
        lines.push(address.country.as_str().to_owned());
    }
    lines
}
