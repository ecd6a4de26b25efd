//! The VAT category of each rate (EN 16931 BT-118, UNCL 5305) and the exemption it
//! must state, from the rate and the buyer.
//!
//! A rate above zero is the standard category (`S`). At zero, what the invoice must say
//! depends on the buyer: goods sold to a business of another member state (a VAT
//! number whose prefix is not FR) are an intra-Community supply (`K`, article 262 ter I
//! of the CGI), goods sent out of the EU an export (`G`, article 262 I), anything else
//! an exemption (`E`) whose article gescom does not know (it depends on the goods).

use contracts::invoice::Buyer;
use rust_decimal::Decimal;

/// Member states of the European Union (ISO 3166-1 alpha-2), and Monaco, which is in
/// France's VAT territory.
const EU_VAT_AREA: [&str; 28] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "MC",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// `S`: VAT charged at the rate.
    Standard,
    /// `K`: intra-Community supply of goods, exempt; the buyer accounts for the VAT.
    IntraCommunity,
    /// `G`: goods exported out of the EU, exempt.
    Export,
    /// `E`: exempt for another reason.
    Exempt,
}

/// What a document must say about a VAT exemption: the words and their VATEX code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exemption {
    /// CEF VATEX code (EN 16931 BT-121).
    pub code: Option<&'static str>,
    /// The mention in French, as the CII carries it (BT-120).
    pub fr: &'static str,
    pub en: &'static str,
}

impl Category {
    pub fn of(rate: Decimal, buyer: &Buyer) -> Self {
        if rate > Decimal::ZERO {
            return Category::Standard;
        }
        let foreign_vat = buyer
            .vat_number
            .as_ref()
            .is_some_and(|vat| vat.country() != "FR");
        if foreign_vat {
            return Category::IntraCommunity;
        }
        let country = buyer
            .billing_address
            .as_ref()
            .or(buyer.shipping_address.as_ref())
            .map(|a| a.country.as_str());
        match country {
            Some(country) if !EU_VAT_AREA.contains(&country) && buyer.vat_number.is_none() => {
                Category::Export
            }
            _ => Category::Exempt,
        }
    }

    /// UNCL 5305.
    pub fn code(self) -> &'static str {
        match self {
            Category::Standard => "S",
            Category::IntraCommunity => "K",
            Category::Export => "G",
            Category::Exempt => "E",
        }
    }

    /// The mention the document must carry; none when VAT is charged.
    pub fn exemption(self) -> Option<Exemption> {
        match self {
            Category::Standard => None,
            Category::IntraCommunity => Some(Exemption {
                code: Some("VATEX-EU-IC"),
                fr: "Exonération de TVA, article 262 ter I du CGI (livraison \
                     intracommunautaire de biens) ; autoliquidation : TVA due par \
                     l’acquéreur",
                en: "VAT exempt, article 262 ter I of the French Tax Code (intra-Community \
                     supply of goods); reverse charge: VAT due by the customer",
            }),
            Category::Export => Some(Exemption {
                code: Some("VATEX-EU-G"),
                fr: "Exonération de TVA, article 262 I du CGI (exportation hors de l’Union \
                     européenne)",
                en: "VAT exempt, article 262 I of the French Tax Code (export outside the \
                     European Union)",
            }),
            Category::Exempt => Some(Exemption {
                code: None,
                fr: "Exonération de TVA",
                en: "VAT exempt",
            }),
        }
    }
}

/// The buyer's country (ISO 3166-1 alpha-2): its billing address's, else its shipping
/// address's, else its VAT number's (`EL` is Greece, `XI` Northern Ireland), else France.
pub fn buyer_country(buyer: &Buyer) -> String {
    if let Some(address) = buyer
        .billing_address
        .as_ref()
        .or(buyer.shipping_address.as_ref())
    {
        return address.country.as_str().to_owned();
    }
    match buyer.vat_number.as_ref().map(|v| v.country()) {
        Some("EL") => "GR".to_owned(),
        Some("XI") => "GB".to_owned(),
        Some(prefix) => prefix.to_owned(),
        None => "FR".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use contracts::customer::{Address, CustomerCode, VatNumber};

    use super::*;

    fn buyer(vat: Option<&str>, country: Option<&str>) -> Buyer {
        Buyer {
            code: CustomerCode::parse("X").unwrap_or_else(|e| panic!("{e:?}")),
            legal_name: "X".into(),
            siren: None,
            siret: None,
            vat_number: vat.map(|v| VatNumber::parse(v).unwrap_or_else(|e| panic!("{e:?}"))),
            email: None,
            billing_address: country.map(|c| {
                Address::parse("1 rue", None, "1000", "Ville", c)
                    .unwrap_or_else(|e| panic!("{e:?}"))
            }),
            shipping_address: None,
        }
    }

    #[test]
    fn a_rate_above_zero_is_standard_whoever_buys() {
        let rate = Decimal::new(55, 1);
        assert_eq!(
            Category::of(rate, &buyer(Some("DE136695976"), Some("DE"))),
            Category::Standard
        );
        assert_eq!(Category::Standard.exemption(), None);
    }

    #[test]
    fn zero_rated_goods_to_a_business_of_another_member_state_are_an_intra_community_supply() {
        let k = Category::of(Decimal::ZERO, &buyer(Some("DE136695976"), Some("DE")));
        assert_eq!(k, Category::IntraCommunity);
        assert_eq!(k.code(), "K");
        let mention = k.exemption().unwrap_or_else(|| panic!("a mention"));
        assert_eq!(mention.code, Some("VATEX-EU-IC"));
        assert!(mention
            .fr
            .starts_with("Exonération de TVA, article 262 ter I du CGI"));
        assert!(mention.fr.contains("autoliquidation"));
        // A French VAT number is no intra-Community supply, nor is Monaco.
        assert_eq!(
            Category::of(Decimal::ZERO, &buyer(Some("FR44732829320"), Some("FR"))),
            Category::Exempt
        );
        assert_eq!(
            Category::of(Decimal::ZERO, &buyer(None, Some("MC"))),
            Category::Exempt
        );
    }

    #[test]
    fn zero_rated_goods_sent_out_of_the_union_are_an_export() {
        let g = Category::of(Decimal::ZERO, &buyer(None, Some("CH")));
        assert_eq!(g, Category::Export);
        assert_eq!(g.exemption().and_then(|e| e.code), Some("VATEX-EU-G"));
    }

    #[test]
    fn the_buyer_country_falls_back_on_the_vat_prefix_then_france() {
        assert_eq!(buyer_country(&buyer(None, Some("BE"))), "BE");
        assert_eq!(buyer_country(&buyer(Some("EL094259216"), None)), "GR");
        assert_eq!(buyer_country(&buyer(None, None)), "FR");
    }
}
