//! The document as an OASIS UBL 2.1 `Invoice` or `CreditNote`, by the EN 16931 UBL
//! syntax binding (customization `urn:cen.eu:en16931:2017`): the same business terms
//! as the CII ([`super::cii`]), for platforms that take UBL.
//!
//! Where UBL differs: notes carry their subject code as a `#PMT#` prefix (EN 16931's
//! UBL binding of BT-21); the sales order goes in `OrderReference/SalesOrderID`, whose
//! mandatory `ID` (the buyer's purchase order, which gescom does not hold) is `NA`; a
//! credit note's invoice is its `BillingReference`, and a credit note has no due date.

use std::io;

use contracts::customer::Address;
use contracts::invoice::CURRENCY;
use rust_decimal::Decimal;

use super::cii::{
    amount, price, rate, unit_code, SellerAddress, BILLING_FRAME_GOODS, GUIDELINE, NOTES,
};
use super::document::{DocumentLine, InvoiceDocument, Kind};
use super::vat::{buyer_country, Category};
use super::xml::Xml;

const INVOICE_NS: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
const CREDIT_NOTE_NS: &str = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";
const CAC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
const CBC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";

/// The UBL XML of `document`.
pub fn write(document: &InvoiceDocument) -> io::Result<Vec<u8>> {
    let (root, namespace) = match document.kind {
        Kind::Invoice => ("Invoice", INVOICE_NS),
        Kind::CreditNote => ("CreditNote", CREDIT_NOTE_NS),
    };
    let mut xml = Xml::new()?;
    xml.parent(
        root,
        &[("xmlns", namespace), ("xmlns:cac", CAC), ("xmlns:cbc", CBC)],
        |x| {
            x.text("cbc:CustomizationID", GUIDELINE)?;
            x.text("cbc:ProfileID", BILLING_FRAME_GOODS)?;
            x.text("cbc:ID", &document.number)?;
            x.text("cbc:IssueDate", &document.issue_date.to_string())?;
            match document.kind {
                Kind::Invoice => {
                    if let Some(due) = document.due_date {
                        x.text("cbc:DueDate", &due.to_string())?;
                    }
                    x.text("cbc:InvoiceTypeCode", document.kind.type_code())?;
                }
                Kind::CreditNote => x.text("cbc:CreditNoteTypeCode", document.kind.type_code())?,
            }
            if let Some(reason) = document.reason.as_deref().filter(|r| !r.trim().is_empty()) {
                x.text("cbc:Note", reason)?;
            }
            for (code, content) in NOTES {
                x.text("cbc:Note", &format!("#{code}#{content}"))?;
            }
            x.text("cbc:DocumentCurrencyCode", CURRENCY)?;
            x.parent("cac:OrderReference", &[], |x| {
                x.text("cbc:ID", "NA")?;
                x.text("cbc:SalesOrderID", &document.order_number)
            })?;
            if let Some(corrected) = &document.corrects {
                x.parent("cac:BillingReference", &[], |x| {
                    x.parent("cac:InvoiceDocumentReference", &[], |x| {
                        x.text("cbc:ID", &corrected.number)?;
                        x.text("cbc:IssueDate", &corrected.issue_date.to_string())
                    })
                })?;
            }
            supplier(x, document)?;
            customer(x, document)?;
            delivery(x, document)?;
            x.parent("cac:PaymentTerms", &[], |x| {
                x.text("cbc:Note", &payment_terms(document))
            })?;
            tax_total(x, document)?;
            x.parent("cac:LegalMonetaryTotal", &[], |x| {
                let line_total: Decimal = document.lines.iter().map(|l| l.net).sum();
                money(x, "cbc:LineExtensionAmount", line_total)?;
                money(x, "cbc:TaxExclusiveAmount", document.total_net)?;
                money(x, "cbc:TaxInclusiveAmount", document.total_gross)?;
                money(x, "cbc:PayableAmount", document.total_gross)
            })?;
            for line in &document.lines {
                document_line(x, document, line)?;
            }
            Ok(())
        },
    )?;
    Ok(xml.finish())
}

fn payment_terms(document: &InvoiceDocument) -> String {
    match (document.kind, &document.corrects) {
        (Kind::CreditNote, Some(corrected)) => format!(
            "Avoir à déduire du solde de la facture {}",
            corrected.number
        ),
        _ => document.payment_terms.label_fr().to_owned(),
    }
}

fn money(x: &mut Xml, name: &str, value: Decimal) -> io::Result<()> {
    x.text_with(name, &[("currencyID", CURRENCY)], &amount(value))
}

fn supplier(x: &mut Xml, document: &InvoiceDocument) -> io::Result<()> {
    let seller = &document.seller;
    x.parent("cac:AccountingSupplierParty", &[], |x| {
        x.parent("cac:Party", &[], |x| {
            x.text_with("cbc:EndpointID", &[("schemeID", "0225")], seller.siren())?;
            let parsed = SellerAddress::parse(&seller.address);
            x.parent("cac:PostalAddress", &[], |x| {
                let mut street = parsed.street.iter();
                x.optional("cbc:StreetName", street.next().map(String::as_str))?;
                x.optional(
                    "cbc:AdditionalStreetName",
                    street.next().map(String::as_str),
                )?;
                x.optional("cbc:CityName", parsed.city.as_deref())?;
                x.optional("cbc:PostalZone", parsed.postcode.as_deref())?;
                let rest: Vec<&str> = street.map(String::as_str).collect();
                if !rest.is_empty() {
                    x.parent("cac:AddressLine", &[], |x| {
                        x.text("cbc:Line", &rest.join(", "))
                    })?;
                }
                country(x, country_of_vat(seller.vat_number.country()))
            })?;
            x.parent("cac:PartyTaxScheme", &[], |x| {
                x.text("cbc:CompanyID", seller.vat_number.as_str())?;
                vat_scheme(x)
            })?;
            x.parent("cac:PartyLegalEntity", &[], |x| {
                x.text("cbc:RegistrationName", &seller.name)?;
                x.text_with("cbc:CompanyID", &[("schemeID", "0002")], seller.siren())?;
                let form = match (&seller.legal_form, seller.capital) {
                    (Some(form), Some(capital)) => {
                        Some(format!("{form} au capital de {} €", capital.normalize()))
                    }
                    (Some(form), None) => Some(form.clone()),
                    (None, _) => None,
                };
                x.optional("cbc:CompanyLegalForm", form.as_deref())
            })?;
            if seller.email.is_some() || seller.phone.is_some() {
                x.parent("cac:Contact", &[], |x| {
                    x.optional("cbc:Telephone", seller.phone.as_deref())?;
                    x.optional("cbc:ElectronicMail", seller.email.as_deref())
                })?;
            }
            Ok(())
        })
    })
}

fn customer(x: &mut Xml, document: &InvoiceDocument) -> io::Result<()> {
    let buyer = &document.buyer;
    x.parent("cac:AccountingCustomerParty", &[], |x| {
        x.parent("cac:Party", &[], |x| {
            match (document.buyer_siren(), &buyer.email) {
                (Some(siren), _) => {
                    x.text_with("cbc:EndpointID", &[("schemeID", "0225")], siren)?
                }
                (None, Some(email)) => {
                    x.text_with("cbc:EndpointID", &[("schemeID", "EM")], email.as_str())?
                }
                (None, None) => {}
            }
            match &buyer.billing_address {
                Some(address) => postal_address(x, "cac:PostalAddress", address)?,
                None => x.parent("cac:PostalAddress", &[], |x| {
                    country(x, &buyer_country(buyer))
                })?,
            }
            if let Some(vat) = &buyer.vat_number {
                x.parent("cac:PartyTaxScheme", &[], |x| {
                    x.text("cbc:CompanyID", vat.as_str())?;
                    vat_scheme(x)
                })?;
            }
            x.parent("cac:PartyLegalEntity", &[], |x| {
                x.text("cbc:RegistrationName", &buyer.legal_name)?;
                match document.buyer_siren() {
                    Some(siren) => x.text_with("cbc:CompanyID", &[("schemeID", "0002")], siren),
                    None => Ok(()),
                }
            })?;
            if let Some(email) = &buyer.email {
                x.parent("cac:Contact", &[], |x| {
                    x.text("cbc:ElectronicMail", email.as_str())
                })?;
            }
            Ok(())
        })
    })
}

fn delivery(x: &mut Xml, document: &InvoiceDocument) -> io::Result<()> {
    let buyer = &document.buyer;
    let intra_community = document.categories().contains(&Category::IntraCommunity);
    let ship_to = buyer.shipping_address.as_ref().or(intra_community
        .then_some(buyer.billing_address.as_ref())
        .flatten());
    x.parent("cac:Delivery", &[], |x| {
        x.text(
            "cbc:ActualDeliveryDate",
            &document.delivery_date.to_string(),
        )?;
        if ship_to.is_some() || intra_community {
            x.parent("cac:DeliveryLocation", &[], |x| match ship_to {
                Some(address) => postal_address(x, "cac:Address", address),
                None => x.parent("cac:Address", &[], |x| country(x, &buyer_country(buyer))),
            })?;
            x.parent("cac:DeliveryParty", &[], |x| {
                x.parent("cac:PartyName", &[], |x| {
                    x.text("cbc:Name", &buyer.legal_name)
                })
            })?;
        }
        Ok(())
    })
}

fn tax_total(x: &mut Xml, document: &InvoiceDocument) -> io::Result<()> {
    x.parent("cac:TaxTotal", &[], |x| {
        money(x, "cbc:TaxAmount", document.total_vat)?;
        for vat in &document.vat {
            let category = document.category(vat.rate);
            x.parent("cac:TaxSubtotal", &[], |x| {
                money(x, "cbc:TaxableAmount", vat.base)?;
                money(x, "cbc:TaxAmount", vat.amount)?;
                x.parent("cac:TaxCategory", &[], |x| {
                    x.text("cbc:ID", category.code())?;
                    x.text("cbc:Percent", &rate(vat.rate))?;
                    let exemption = category.exemption();
                    x.optional("cbc:TaxExemptionReasonCode", exemption.and_then(|e| e.code))?;
                    x.optional("cbc:TaxExemptionReason", exemption.map(|e| e.fr))?;
                    vat_scheme(x)
                })
            })?;
        }
        Ok(())
    })
}

fn document_line(x: &mut Xml, document: &InvoiceDocument, line: &DocumentLine) -> io::Result<()> {
    let (element, quantity_element) = match document.kind {
        Kind::Invoice => ("cac:InvoiceLine", "cbc:InvoicedQuantity"),
        Kind::CreditNote => ("cac:CreditNoteLine", "cbc:CreditedQuantity"),
    };
    let category = document.category(line.vat_rate);
    let (quantity, unit, gross, net_price) = match line.quantity {
        Some(quantity) => (
            quantity.normalize(),
            unit_code(&line.unit),
            (line.discount > Decimal::ZERO).then(|| price(line.unit_price)),
            price(line.net_price()),
        ),
        None => (Decimal::ONE, "C62", None, price(line.net)),
    };
    x.parent(element, &[], |x| {
        x.text("cbc:ID", &line.line_no.to_string())?;
        x.text_with(
            quantity_element,
            &[("unitCode", unit)],
            &quantity.to_string(),
        )?;
        money(x, "cbc:LineExtensionAmount", line.net)?;
        x.parent("cac:Item", &[], |x| {
            x.text("cbc:Name", &line.label)?;
            x.parent("cac:SellersItemIdentification", &[], |x| {
                x.text("cbc:ID", &line.sku)
            })?;
            x.parent("cac:ClassifiedTaxCategory", &[], |x| {
                x.text("cbc:ID", category.code())?;
                x.text("cbc:Percent", &rate(line.vat_rate))?;
                vat_scheme(x)
            })
        })?;
        x.parent("cac:Price", &[], |x| {
            x.text_with(
                "cbc:PriceAmount",
                &[("currencyID", CURRENCY)],
                &net_price.to_string(),
            )?;
            if let Some(gross) = gross {
                x.parent("cac:AllowanceCharge", &[], |x| {
                    x.text("cbc:ChargeIndicator", "false")?;
                    x.text_with(
                        "cbc:Amount",
                        &[("currencyID", CURRENCY)],
                        &(gross - net_price).normalize().to_string(),
                    )?;
                    x.text_with(
                        "cbc:BaseAmount",
                        &[("currencyID", CURRENCY)],
                        &gross.to_string(),
                    )
                })?;
            }
            Ok(())
        })
    })
}

fn postal_address(x: &mut Xml, name: &str, address: &Address) -> io::Result<()> {
    x.parent(name, &[], |x| {
        x.text("cbc:StreetName", &address.line1)?;
        x.optional("cbc:AdditionalStreetName", address.line2.as_deref())?;
        x.text("cbc:CityName", &address.city)?;
        x.text("cbc:PostalZone", &address.postal_code)?;
        country(x, address.country.as_str())
    })
}

fn country(x: &mut Xml, code: &str) -> io::Result<()> {
    x.parent("cac:Country", &[], |x| {
        x.text("cbc:IdentificationCode", code)
    })
}

fn vat_scheme(x: &mut Xml) -> io::Result<()> {
    x.parent("cac:TaxScheme", &[], |x| x.text("cbc:ID", "VAT"))
}

/// The ISO country of a VAT prefix (`EL` is Greece, `XI` Northern Ireland).
fn country_of_vat(prefix: &str) -> &str {
    match prefix {
        "EL" => "GR",
        "XI" => "GB",
        other => other,
    }
}
