//! The document as a UN/CEFACT Cross Industry Invoice (CII D16B), in the Factur-X 1.07
//! (ZUGFeRD 2.3) "EN 16931" profile: guideline `urn:cen.eu:en16931:2017`. The same XML
//! is embedded in the PDF as `factur-x.xml` and served bare.
//!
//! What it carries, by EN 16931 business term: the number, type (380 or 381) and date
//! (BT-1 to BT-3); the billing frame `B1` (goods, BT-23, the French CTC's *cadre de
//! facturation*); the late-payment, recovery-fee and discount notes with their French
//! subject codes PMD, PMT and AAB (BT-21, BT-22); each line's item, quantity in UN/ECE
//! Recommendation 20 units, gross price, discount and net price, VAT category and rate,
//! net (BG-25); the seller and the buyer with their SIREN (scheme 0002), address, VAT
//! number and electronic address (the SIREN under scheme 0225, the French directory's;
//! else the buyer's email), the sales order (BT-14); the delivery date and address
//! (BT-72, BG-13); VAT per category and rate with the exemption's text and VATEX code
//! (BG-23); due date and payment terms (BT-9, BT-20); the totals (BG-22); a credit
//! note's invoice (BT-25, BT-26).

use std::io;

use contracts::customer::Address;
use rust_decimal::{Decimal, RoundingStrategy};

use super::document::{InvoiceDocument, Kind};
use super::vat::{buyer_country, Category};
use super::xml::Xml;

/// Factur-X's EN 16931 profile (BT-24).
pub const GUIDELINE: &str = "urn:cen.eu:en16931:2017";
/// The French billing frame of a goods invoice (BT-23).
pub const BILLING_FRAME_GOODS: &str = "B1";

const RSM: &str = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100";
const RAM: &str =
    "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100";
const QDT: &str = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100";
const UDT: &str = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100";

/// The mentions French law requires, as CII notes with their subject codes.
pub const NOTES: [(&str, &str); 3] = [
    (
        "PMD",
        "En cas de retard de paiement, des pénalités au taux égal à trois fois le taux \
         d’intérêt légal sont exigibles le jour suivant la date d’échéance (article L441-10 \
         du Code de commerce).",
    ),
    (
        "PMT",
        "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : \
         40 € (article D441-5 du Code de commerce).",
    ),
    ("AAB", "Pas d’escompte pour paiement anticipé."),
];

/// The CII XML of `document`.
pub fn write(document: &InvoiceDocument) -> io::Result<Vec<u8>> {
    let mut xml = Xml::new()?;
    xml.parent(
        "rsm:CrossIndustryInvoice",
        &[
            ("xmlns:rsm", RSM),
            ("xmlns:qdt", QDT),
            ("xmlns:ram", RAM),
            ("xmlns:udt", UDT),
        ],
        |x| {
            x.parent("rsm:ExchangedDocumentContext", &[], |x| {
                x.parent(
                    "ram:BusinessProcessSpecifiedDocumentContextParameter",
                    &[],
                    |x| x.text("ram:ID", BILLING_FRAME_GOODS),
                )?;
                x.parent("ram:GuidelineSpecifiedDocumentContextParameter", &[], |x| {
                    x.text("ram:ID", GUIDELINE)
                })
            })?;
            exchanged_document(x, document)?;
            x.parent("rsm:SupplyChainTradeTransaction", &[], |x| {
                for line in &document.lines {
                    line_item(x, document, line)?;
                }
                agreement(x, document)?;
                delivery(x, document)?;
                settlement(x, document)
            })
        },
    )?;
    Ok(xml.finish())
}

fn exchanged_document(x: &mut Xml, document: &InvoiceDocument) -> io::Result<()> {
    x.parent("rsm:ExchangedDocument", &[], |x| {
        x.text("ram:ID", &document.number)?;
        x.text("ram:TypeCode", document.kind.type_code())?;
        x.parent("ram:IssueDateTime", &[], |x| {
            date(x, "udt:DateTimeString", document.issue_date)
        })?;
        if let Some(reason) = document.reason.as_deref().filter(|r| !r.trim().is_empty()) {
            x.parent("ram:IncludedNote", &[], |x| x.text("ram:Content", reason))?;
        }
        for (code, content) in NOTES {
            x.parent("ram:IncludedNote", &[], |x| {
                x.text("ram:Content", content)?;
                x.text("ram:SubjectCode", code)
            })?;
        }
        Ok(())
    })
}

fn line_item(
    x: &mut Xml,
    document: &InvoiceDocument,
    line: &super::document::DocumentLine,
) -> io::Result<()> {
    let category = document.category(line.vat_rate);
    x.parent("ram:IncludedSupplyChainTradeLineItem", &[], |x| {
        x.parent("ram:AssociatedDocumentLineDocument", &[], |x| {
            x.text("ram:LineID", &line.line_no.to_string())
        })?;
        x.parent("ram:SpecifiedTradeProduct", &[], |x| {
            x.text("ram:SellerAssignedID", &line.sku)?;
            x.text("ram:Name", &line.label)
        })?;
        // Units given back at the line's price, or an amount taken off (one of it).
        let (quantity, unit, gross, net_price) = match line.quantity {
            Some(quantity) => {
                let net_price = price(line.net_price());
                (
                    quantity.normalize(),
                    unit_code(&line.unit),
                    (line.discount > Decimal::ZERO).then(|| price(line.unit_price)),
                    net_price,
                )
            }
            None => (Decimal::ONE, "C62", None, price(line.net)),
        };
        x.parent("ram:SpecifiedLineTradeAgreement", &[], |x| {
            if let Some(gross) = gross {
                x.parent("ram:GrossPriceProductTradePrice", &[], |x| {
                    x.text("ram:ChargeAmount", &gross.to_string())?;
                    x.parent("ram:AppliedTradeAllowanceCharge", &[], |x| {
                        x.parent("ram:ChargeIndicator", &[], |x| {
                            x.text("udt:Indicator", "false")
                        })?;
                        x.text(
                            "ram:ActualAmount",
                            &(gross - net_price).normalize().to_string(),
                        )
                    })
                })?;
            }
            x.parent("ram:NetPriceProductTradePrice", &[], |x| {
                x.text("ram:ChargeAmount", &net_price.to_string())
            })
        })?;
        x.parent("ram:SpecifiedLineTradeDelivery", &[], |x| {
            x.text_with(
                "ram:BilledQuantity",
                &[("unitCode", unit)],
                &quantity.to_string(),
            )
        })?;
        x.parent("ram:SpecifiedLineTradeSettlement", &[], |x| {
            x.parent("ram:ApplicableTradeTax", &[], |x| {
                x.text("ram:TypeCode", "VAT")?;
                x.text("ram:CategoryCode", category.code())?;
                x.text("ram:RateApplicablePercent", &rate(line.vat_rate))
            })?;
            x.parent(
                "ram:SpecifiedTradeSettlementLineMonetarySummation",
                &[],
                |x| x.text("ram:LineTotalAmount", &amount(line.net)),
            )
        })
    })
}

fn agreement(x: &mut Xml, document: &InvoiceDocument) -> io::Result<()> {
    let seller = &document.seller;
    let buyer = &document.buyer;
    x.parent("ram:ApplicableHeaderTradeAgreement", &[], |x| {
        x.parent("ram:SellerTradeParty", &[], |x| {
            x.text("ram:Name", &seller.name)?;
            x.parent("ram:SpecifiedLegalOrganization", &[], |x| {
                x.text_with("ram:ID", &[("schemeID", "0002")], seller.siren())
            })?;
            seller_address(x, &seller.address, seller.vat_number.country())?;
            x.parent("ram:URIUniversalCommunication", &[], |x| {
                x.text_with("ram:URIID", &[("schemeID", "0225")], seller.siren())
            })?;
            x.parent("ram:SpecifiedTaxRegistration", &[], |x| {
                x.text_with("ram:ID", &[("schemeID", "VA")], seller.vat_number.as_str())
            })
        })?;
        x.parent("ram:BuyerTradeParty", &[], |x| {
            x.text("ram:Name", &buyer.legal_name)?;
            if let Some(siren) = document.buyer_siren() {
                x.parent("ram:SpecifiedLegalOrganization", &[], |x| {
                    x.text_with("ram:ID", &[("schemeID", "0002")], siren)
                })?;
            }
            match &buyer.billing_address {
                Some(address) => postal_address(x, address),
                None => x.parent("ram:PostalTradeAddress", &[], |x| {
                    x.text("ram:CountryID", &buyer_country(buyer))
                }),
            }?;
            let endpoint = match (document.buyer_siren(), &buyer.email) {
                (Some(siren), _) => Some(("0225", siren)),
                (None, Some(email)) => Some(("EM", email.as_str())),
                (None, None) => None,
            };
            if let Some((scheme, id)) = endpoint {
                x.parent("ram:URIUniversalCommunication", &[], |x| {
                    x.text_with("ram:URIID", &[("schemeID", scheme)], id)
                })?;
            }
            if let Some(vat) = &buyer.vat_number {
                x.parent("ram:SpecifiedTaxRegistration", &[], |x| {
                    x.text_with("ram:ID", &[("schemeID", "VA")], vat.as_str())
                })?;
            }
            Ok(())
        })?;
        x.parent("ram:SellerOrderReferencedDocument", &[], |x| {
            x.text("ram:IssuerAssignedID", &document.order_number)
        })
    })
}

fn delivery(x: &mut Xml, document: &InvoiceDocument) -> io::Result<()> {
    let buyer = &document.buyer;
    // Where the goods went, when the buyer's file says so; an intra-Community supply
    // always names it (BR-IC-12: the country it was delivered to).
    let intra_community = document.categories().contains(&Category::IntraCommunity);
    let ship_to = buyer.shipping_address.as_ref().or(intra_community
        .then_some(buyer.billing_address.as_ref())
        .flatten());
    x.parent("ram:ApplicableHeaderTradeDelivery", &[], |x| {
        if ship_to.is_some() || intra_community {
            x.parent("ram:ShipToTradeParty", &[], |x| {
                x.text("ram:Name", &buyer.legal_name)?;
                match ship_to {
                    Some(address) => postal_address(x, address),
                    None => x.parent("ram:PostalTradeAddress", &[], |x| {
                        x.text("ram:CountryID", &buyer_country(buyer))
                    }),
                }
            })?;
        }
        x.parent("ram:ActualDeliverySupplyChainEvent", &[], |x| {
            x.parent("ram:OccurrenceDateTime", &[], |x| {
                date(x, "udt:DateTimeString", document.delivery_date)
            })
        })
    })
}

fn settlement(x: &mut Xml, document: &InvoiceDocument) -> io::Result<()> {
    x.parent("ram:ApplicableHeaderTradeSettlement", &[], |x| {
        x.text("ram:InvoiceCurrencyCode", contracts::invoice::CURRENCY)?;
        for vat in &document.vat {
            let category = document.category(vat.rate);
            let exemption = category.exemption();
            x.parent("ram:ApplicableTradeTax", &[], |x| {
                x.text("ram:CalculatedAmount", &amount(vat.amount))?;
                x.text("ram:TypeCode", "VAT")?;
                x.optional("ram:ExemptionReason", exemption.map(|e| e.fr))?;
                x.text("ram:BasisAmount", &amount(vat.base))?;
                x.text("ram:CategoryCode", category.code())?;
                x.optional("ram:ExemptionReasonCode", exemption.and_then(|e| e.code))?;
                x.text("ram:RateApplicablePercent", &rate(vat.rate))
            })?;
        }
        x.parent("ram:SpecifiedTradePaymentTerms", &[], |x| {
            let terms = match (document.kind, &document.corrects) {
                (Kind::CreditNote, Some(corrected)) => format!(
                    "Avoir à déduire du solde de la facture {}",
                    corrected.number
                ),
                _ => document.payment_terms.label_fr().to_owned(),
            };
            x.text("ram:Description", &terms)?;
            if let Some(due) = document.due_date {
                x.parent("ram:DueDateDateTime", &[], |x| {
                    date(x, "udt:DateTimeString", due)
                })?;
            }
            Ok(())
        })?;
        x.parent(
            "ram:SpecifiedTradeSettlementHeaderMonetarySummation",
            &[],
            |x| {
                let line_total: Decimal = document.lines.iter().map(|l| l.net).sum();
                x.text("ram:LineTotalAmount", &amount(line_total))?;
                x.text("ram:TaxBasisTotalAmount", &amount(document.total_net))?;
                x.text_with(
                    "ram:TaxTotalAmount",
                    &[("currencyID", contracts::invoice::CURRENCY)],
                    &amount(document.total_vat),
                )?;
                x.text("ram:GrandTotalAmount", &amount(document.total_gross))?;
                x.text("ram:DuePayableAmount", &amount(document.total_gross))
            },
        )?;
        if let Some(corrected) = &document.corrects {
            x.parent("ram:InvoiceReferencedDocument", &[], |x| {
                x.text("ram:IssuerAssignedID", &corrected.number)?;
                x.parent("ram:FormattedIssueDateTime", &[], |x| {
                    date(x, "qdt:DateTimeString", corrected.issue_date)
                })
            })?;
        }
        Ok(())
    })
}

fn date(x: &mut Xml, name: &str, day: chrono::NaiveDate) -> io::Result<()> {
    x.text_with(
        name,
        &[("format", "102")],
        &day.format("%Y%m%d").to_string(),
    )
}

fn postal_address(x: &mut Xml, address: &Address) -> io::Result<()> {
    x.parent("ram:PostalTradeAddress", &[], |x| {
        x.text("ram:PostcodeCode", &address.postal_code)?;
        x.text("ram:LineOne", &address.line1)?;
        x.optional("ram:LineTwo", address.line2.as_deref())?;
        x.text("ram:CityName", &address.city)?;
        x.text("ram:CountryID", address.country.as_str())
    })
}

/// The seller's address, configured as free lines (`GESCOM_SELLER_ADDRESS`): a line
/// that starts with a French postal code gives the code and the city, a line `France`
/// is the country (the VAT number's), the others are street lines (the third and later
/// joined).
fn seller_address(x: &mut Xml, lines: &[String], vat_country: &str) -> io::Result<()> {
    let parsed = SellerAddress::parse(lines);
    let country = match vat_country {
        "EL" => "GR",
        "XI" => "GB",
        other => other,
    };
    x.parent("ram:PostalTradeAddress", &[], |x| {
        x.optional("ram:PostcodeCode", parsed.postcode.as_deref())?;
        let mut street = parsed.street.iter();
        x.optional("ram:LineOne", street.next().map(String::as_str))?;
        x.optional("ram:LineTwo", street.next().map(String::as_str))?;
        let rest: Vec<&str> = street.map(String::as_str).collect();
        x.optional(
            "ram:LineThree",
            (!rest.is_empty()).then(|| rest.join(", ")).as_deref(),
        )?;
        x.optional("ram:CityName", parsed.city.as_deref())?;
        x.text("ram:CountryID", country)
    })
}

#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct SellerAddress {
    pub street: Vec<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
}

impl SellerAddress {
    pub fn parse(lines: &[String]) -> Self {
        let lines: Vec<&str> = lines
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty() && !l.eq_ignore_ascii_case("france"))
            .collect();
        let split = |line: &str| {
            let digits = line.chars().take_while(char::is_ascii_digit).count();
            let rest = line.get(digits..).map(str::trim).unwrap_or_default();
            (digits == 5 && !rest.is_empty()).then(|| (line[..5].to_owned(), rest.to_owned()))
        };
        let city_line = lines.iter().rposition(|l| split(l).is_some());
        let mut address = SellerAddress::default();
        for (i, line) in lines.iter().enumerate() {
            match split(line).filter(|_| Some(i) == city_line) {
                Some((postcode, city)) => {
                    address.postcode = Some(postcode);
                    address.city = Some(city);
                }
                None => address.street.push((*line).to_owned()),
            }
        }
        address
    }
}

/// UN/ECE Recommendation 20 (and 21, `X` prefixed) codes of gescom's units.
pub fn unit_code(unit: &str) -> &'static str {
    match unit {
        "piece" => "H87",
        "kg" => "KGM",
        "g" => "GRM",
        "m" => "MTR",
        "m2" => "MTK",
        "m3" => "MTQ",
        "l" => "LTR",
        "hour" => "HUR",
        "day" => "DAY",
        "box" => "XBX",
        "pack" => "XPK",
        _ => "C62",
    }
}

/// An amount: two decimals.
pub fn amount(value: Decimal) -> String {
    let mut value = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    value.rescale(2);
    value.to_string()
}

/// A rate: as few decimals as it has (`20`, `5.5`).
pub fn rate(value: Decimal) -> String {
    value.normalize().to_string()
}

/// A unit price: as exact as it is, to at most six decimals (what the French CTC rules
/// allow, BR-FR-DEC-03), at least two.
pub fn price(value: Decimal) -> Decimal {
    let mut value = value
        .round_dp_with_strategy(6, RoundingStrategy::MidpointAwayFromZero)
        .normalize();
    if value.scale() < 2 {
        value.rescale(2);
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_configured_address_gives_street_postcode_and_city() {
        let lines = ["12 rue de la Paix", "Bâtiment C", "69002 Lyon", "France"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            SellerAddress::parse(&lines),
            SellerAddress {
                street: vec!["12 rue de la Paix".into(), "Bâtiment C".into()],
                postcode: Some("69002".into()),
                city: Some("Lyon".into()),
            }
        );
        // The last line that starts with five digits is the city's.
        let lines = ["10000 route nationale", "13100 Aix-en-Provence"]
            .map(String::from)
            .to_vec();
        let parsed = SellerAddress::parse(&lines);
        assert_eq!(parsed.postcode.as_deref(), Some("13100"));
        assert_eq!(parsed.street, vec!["10000 route nationale".to_owned()]);
        assert_eq!(SellerAddress::parse(&["1 rue A".into()]).postcode, None);
    }

    #[test]
    fn amounts_rates_and_prices_are_written_as_the_standard_wants() {
        let d = |s: &str| s.parse::<Decimal>().unwrap_or_default();
        assert_eq!(amount(d("12.5")), "12.50");
        assert_eq!(amount(d("0")), "0.00");
        assert_eq!(rate(d("5.50")), "5.5");
        assert_eq!(rate(d("20")), "20");
        assert_eq!(price(d("12")).to_string(), "12.00");
        assert_eq!(price(d("10.80857256")).to_string(), "10.808573");
        assert_eq!(price(d("3.3333")).to_string(), "3.3333");
    }
}
