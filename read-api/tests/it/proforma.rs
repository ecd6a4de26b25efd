//! The proforma PDF, read back as text: what a customer would see on it.

use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use contracts::auth::Role;
use http_body_util::BodyExt;
use serde_json::json;
use sqlx::PgPool;
use tower::ServiceExt;
use uuid::Uuid;

use crate::helpers::{get, read_router};

struct Pdf {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    bytes: Vec<u8>,
}

impl Pdf {
    /// The text of each page, spaces of every kind made plain so that assertions read
    /// like the document.
    fn pages(&self) -> Vec<String> {
        assert_eq!(
            self.status,
            StatusCode::OK,
            "{:?}",
            String::from_utf8_lossy(&self.bytes)
        );
        pdf_extract::extract_text_from_mem_by_pages(&self.bytes)
            .unwrap()
            .into_iter()
            .map(|page| {
                page.replace(['\u{202F}', '\u{A0}'], " ")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    fn text(&self) -> String {
        self.pages().join(" ")
    }
}

async fn fetch(router: &axum::Router, uri: &str, accept_language: Option<&str>) -> Pdf {
    fetch_with(router, uri, accept_language, None).await
}

async fn fetch_with(
    router: &axum::Router,
    uri: &str,
    accept_language: Option<&str>,
    if_none_match: Option<&str>,
) -> Pdf {
    let mut request =
        Request::get(uri).header("authorization", testkit::auth::bearer(&[Role::Sales]));
    if let Some(lang) = accept_language {
        request = request.header("accept-language", lang);
    }
    if let Some(etag) = if_none_match {
        request = request.header("if-none-match", etag);
    }
    let mut request = request.body(Body::empty()).unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo(std::net::SocketAddr::from(([192, 0, 2, 7], 1))));
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Pdf {
        status,
        headers,
        bytes,
    }
}

async fn seed_customer(pool: &PgPool) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO customers (id, code, legal_name, siren, siret, vat_number, billing_address,
                                payment_terms, status, version, created_at, updated_at)
         VALUES ($1, 'ACME', 'Acme Industrie SARL', '732829320', '73282932000074',
                 'FR44732829320', $2, 'end_of_month_45', 'active', 1, now(), now())",
    )
    .bind(id)
    .bind(
        json!({"line1": "3 avenue de la Gare", "line2": "Bâtiment B", "postal_code": "31000",
                 "city": "Toulouse", "country": "FR"}),
    )
    .execute(pool)
    .await
    .unwrap();
    id
}

/// One line: (sku, label, quantity, unit, unit price, discount, VAT rate, net).
type Line<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
);

#[allow(clippy::too_many_arguments)]
async fn seed_order(
    pool: &PgPool,
    status: &str,
    customer: Option<Uuid>,
    lines: &[Line<'_>],
    totals: (&str, &str, &str),
    vat_lines: serde_json::Value,
) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO orders (id, number, status, customer_id, customer_code, customer_name, notes,
                             line_count, total_net, total_vat, total_gross, vat_lines, version,
                             created_at, updated_at)
         VALUES ($1, 'PRO-2026-000042', $2, $3, 'ACME', 'Acme Industrie SARL',
                 'Livraison sur rendez-vous', $4, $5::numeric, $6::numeric, $7::numeric, $8, 3,
                 '2026-11-27T23:30:00Z', now())",
    )
    .bind(id)
    .bind(status)
    .bind(customer)
    .bind(lines.len() as i32)
    .bind(totals.0)
    .bind(totals.1)
    .bind(totals.2)
    .bind(vat_lines)
    .execute(pool)
    .await
    .unwrap();
    for (no, (sku, label, quantity, unit, price, discount, rate, net)) in lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO order_lines (order_id, line_no, product_id, sku, label, unit, quantity,
                                      unit_price, discount, vat_rate, net)
             VALUES ($1, $2, $3, $4, $5, $6, $7::numeric, $8::numeric, $9::numeric,
                     $10::numeric, $11::numeric)",
        )
        .bind(id)
        .bind(no as i32 + 1)
        .bind(Uuid::now_v7())
        .bind(sku)
        .bind(label)
        .bind(unit)
        .bind(quantity)
        .bind(price)
        .bind(discount)
        .bind(rate)
        .bind(net)
        .execute(pool)
        .await
        .unwrap();
    }
    id
}

/// 2 × 1 234.50 at 20 %; 2.5 kg × 18.40 − 10 % at 5.5 %; 12 × 3.3333 at 20 %.
async fn three_line_order(pool: &PgPool, status: &str) -> Uuid {
    let customer = seed_customer(pool).await;
    seed_order(
        pool,
        status,
        Some(customer),
        &[
            (
                "DRILL-18V",
                "Perceuse visseuse 18 V",
                "2",
                "piece",
                "1234.50",
                "0",
                "20",
                "2469.00",
            ),
            (
                "CAFE-1KG",
                "Café en grains « Moka »",
                "2.5",
                "kg",
                "18.40",
                "10",
                "5.5",
                "41.40",
            ),
            (
                "GANTS-L",
                "Gants de protection",
                "12",
                "pack",
                "3.3333",
                "0",
                "20",
                "40.00",
            ),
        ],
        ("2550.40", "504.08", "3054.48"),
        json!([{"rate": "20", "base": "2509.00", "amount": "501.80"},
               {"rate": "5.5", "base": "41.40", "amount": "2.28"}]),
    )
    .await
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_french_proforma_shows_both_parties_the_lines_vat_by_rate_and_totals(pool: PgPool) {
    let router = read_router(&pool, Duration::from_secs(1));
    let order = three_line_order(&pool, "submitted").await;
    let pdf = fetch(&router, &format!("/orders/{order}/proforma.pdf"), None).await;
    pdf.keep("three-lines-fr.pdf");
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert_eq!(pdf.headers["content-language"], "fr");
    assert_eq!(
        pdf.headers["content-disposition"],
        "inline; filename=\"PRO-2026-000042.pdf\""
    );
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    let text = pdf.text();
    for expected in [
        "FACTURE PROFORMA",
        "PRO-2026-000042",
        // Created at 23:30 UTC on the 27th: the 28th in Paris; valid 30 days.
        "Date : 28/11/2026",
        "Offre valable jusqu’au : 28/12/2026",
        // Seller, with its legal identity in the footer.
        "Négoce Dupont SAS",
        "SIRET 35600000000048",
        "TVA FR39356000000",
        "SAS au capital de 50 000,00 €",
        "RCS Lyon 356 000 000",
        // Customer.
        "Acme Industrie SARL",
        "3 avenue de la Gare",
        "31000 Toulouse",
        "SIRET : 73282932000074",
        "N° TVA intracommunautaire : FR44732829320",
        // Lines: quantity with unit, unit price, discount, rate, net.
        "Perceuse visseuse 18 V",
        "2 pce",
        "1 234,50 €",
        "2 469,00 €",
        "Café en grains « Moka »",
        "2,5 kg",
        "10 %",
        "5,5 %",
        "41,40 €",
        "3,3333 €",
        // VAT by rate and the totals.
        "2 509,00 €",
        "501,80 €",
        "2,28 €",
        "Total HT",
        "2 550,40 €",
        "Total TVA",
        "504,08 €",
        "Total TTC",
        "3 054,48 €",
        "Conditions de paiement : 45 jours fin de mois",
        "Livraison sur rendez-vous",
        "indemnité forfaitaire pour frais de recouvrement de 40 €",
        "L441-10",
        "Page 1 / 1",
    ] {
        assert!(
            text.contains(expected),
            "`{expected}` missing from:\n{text}"
        );
    }
    assert_eq!(pdf.pages().len(), 1);
    // Only the two faces the document uses are embedded, subset.
    assert!(
        pdf.bytes.len() < 150 * 1024,
        "a short proforma weighs {} bytes",
        pdf.bytes.len()
    );
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn english_is_served_on_request_with_english_formats(pool: PgPool) {
    let router = read_router(&pool, Duration::from_secs(1));
    let order = three_line_order(&pool, "draft").await;
    let by_query = fetch(
        &router,
        &format!("/orders/{order}/proforma.pdf?lang=en"),
        None,
    )
    .await;
    let by_header = fetch(
        &router,
        &format!("/orders/{order}/proforma.pdf"),
        Some("en-GB,en;q=0.9,fr;q=0.5"),
    )
    .await;
    assert_eq!(by_header.headers["content-language"], "en");
    for pdf in [&by_query, &by_header] {
        let text = pdf.text();
        for expected in [
            "PROFORMA INVOICE",
            "Date: 28 November 2026",
            "Offer valid until: 28 December 2026",
            "EU VAT number: FR44732829320",
            "SIRET: 73282932000074",
            "2 pc",
            "€1,234.50",
            "5.5%",
            "Total excl. VAT",
            "€2,550.40",
            "Total incl. VAT",
            "€3,054.48",
            "Payment terms: 45 days end of month",
            "fixed recovery fee of €40",
            "SAS with a share capital of €50,000.00",
        ] {
            assert!(
                text.contains(expected),
                "`{expected}` missing from:\n{text}"
            );
        }
        assert!(!text.contains("FACTURE"), "{text}");
    }
    // The query wins over the header.
    let french = fetch(
        &router,
        &format!("/orders/{order}/proforma.pdf?lang=fr"),
        Some("en"),
    )
    .await;
    assert!(french.text().contains("FACTURE PROFORMA"));
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_long_order_runs_onto_numbered_pages_each_with_the_line_headings(pool: PgPool) {
    let router = read_router(&pool, Duration::from_secs(1));
    let customer = seed_customer(&pool).await;
    let skus: Vec<String> = (1..=200).map(|i| format!("REF-{i:03}")).collect();
    let lines: Vec<Line<'_>> = skus
        .iter()
        .map(|sku| {
            (
                sku.as_str(),
                "Article de série",
                "1",
                "piece",
                "10.00",
                "0",
                "20",
                "10.00",
            )
        })
        .collect();
    let order = seed_order(
        &pool,
        "submitted",
        Some(customer),
        &lines,
        ("2000.00", "400.00", "2400.00"),
        json!([{"rate": "20", "base": "2000.00", "amount": "400.00"}]),
    )
    .await;
    let pdf = fetch(&router, &format!("/orders/{order}/proforma.pdf"), None).await;
    pdf.keep("series-200-fr.pdf");
    let pages = pdf.pages();
    let count = pages.len();
    assert!(count >= 4, "200 lines on {count} pages");
    assert_eq!(pdf.headers["x-page-count"], count.to_string().as_str());
    for (i, page) in pages.iter().enumerate() {
        let n = i + 1;
        assert!(
            page.contains(&format!("Page {n} / {count}")),
            "page {n}: {page}"
        );
        assert!(page.contains("SIRET 35600000000048"), "page {n}: {page}");
        if page.contains("REF-") {
            assert!(
                page.contains("Référence Désignation Quantité P.U. HT Remise TVA Montant HT"),
                "page {n} has lines but no headings: {page}"
            );
        }
        if n > 1 {
            assert!(page.contains("FACTURE PROFORMA PRO-2026-000042 (suite)"));
        }
    }
    let text = pdf.text();
    for sku in &skus {
        assert!(text.contains(sku.as_str()), "{sku} missing");
    }
    assert!(pages[count - 1].contains("Total TTC"));
    assert!(text.contains("2 400,00 €"));
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_proforma_is_refused_clearly_when_it_cannot_be_made(pool: PgPool) {
    let router = read_router(&pool, Duration::from_secs(1));
    let cancelled = three_line_order(&pool, "cancelled").await;
    let response = get(&router, &format!("/orders/{cancelled}/proforma.pdf")).await;
    assert_eq!(response.status, StatusCode::CONFLICT);
    assert_eq!(response.code(), "order_cancelled");

    let response = get(&router, &format!("/orders/{}/proforma.pdf", Uuid::now_v7())).await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert_eq!(response.code(), "order_not_found");

    let response = get(
        &router,
        &format!("/orders/{cancelled}/proforma.pdf?lang=de"),
    )
    .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.code(), "malformed_query");

    // A deployment without a seller says so instead of printing an anonymous document.
    let unconfigured = read_api::http::router(
        read_api::http::AppState::new(
            pool.clone(),
            read_api::freshness::Freshness::start(pool.clone(), Duration::from_secs(1)),
        ),
        platform::web::Readiness {
            db: pool.clone(),
            nats: platform::web::NatsCheck::Unused,
        },
        testkit::auth::verifier(),
        &platform::web::HttpSettings::new(Duration::from_secs(5)),
    );
    let response = get(&unconfigured, &format!("/orders/{cancelled}/proforma.pdf")).await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.code(), "seller_not_configured");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_client_holding_the_same_document_gets_304_until_the_order_or_customer_changes(
    pool: PgPool,
) {
    let router = read_router(&pool, Duration::from_secs(1));
    let order = three_line_order(&pool, "draft").await;
    let uri = format!("/orders/{order}/proforma.pdf");
    let first = fetch(&router, &uri, None).await;
    assert_eq!(first.status, StatusCode::OK);
    let etag = first.headers["etag"].to_str().unwrap().to_owned();

    let again = fetch_with(&router, &uri, None, Some(&etag)).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.bytes.is_empty());
    assert_eq!(again.headers["etag"], etag.as_str());

    // Another language is another document.
    let english = fetch_with(&router, &format!("{uri}?lang=en"), None, Some(&etag)).await;
    assert_eq!(english.status, StatusCode::OK);
    assert_ne!(english.headers["etag"], etag.as_str());

    // The customer moved: the document says so, and the old copy is stale.
    sqlx::query(
        "UPDATE customers SET version = version + 1,
                billing_address = billing_address || '{\"city\": \"Blagnac\", \"postal_code\": \"31700\"}'",
    )
    .execute(&pool)
    .await
    .unwrap();
    let moved = fetch_with(&router, &uri, None, Some(&etag)).await;
    assert_eq!(moved.status, StatusCode::OK);
    assert!(moved.text().contains("31700 Blagnac"));
    assert_ne!(moved.headers["etag"], etag.as_str());
}

/// `text` without any white space: a value wrapped over several lines of its cell reads
/// back whole, whatever the extraction made of the line ends.
fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

impl Pdf {
    /// Each page's text, squeezed.
    fn squeezed_pages(&self) -> Vec<String> {
        assert_eq!(self.status, StatusCode::OK);
        pdf_extract::extract_text_from_mem_by_pages(&self.bytes)
            .unwrap()
            .iter()
            .map(|p| squeeze(p))
            .collect()
    }

    /// Each page's text after its footer (drawn first: the seller's legal line, then
    /// "Page n / N") and its reminder of which document it continues, squeezed: what
    /// the page shows of the document itself.
    fn bodies(&self) -> Vec<String> {
        let pages = self.squeezed_pages();
        let count = pages.len();
        pages
            .iter()
            .enumerate()
            .map(|(i, page)| {
                let number = format!("Page{}/{count}", i + 1);
                let (_, body) = page
                    .split_once(&number)
                    .unwrap_or_else(|| panic!("no `{number}` on {page}"));
                let continued = body
                    .split_once("(suite)")
                    .or_else(|| body.split_once("(continued)"));
                match continued {
                    Some((_, rest)) if i > 0 => rest.to_owned(),
                    _ => body.to_owned(),
                }
            })
            .collect()
    }

    /// Keeps the PDF in `$PROFORMA_KEEP_DIR`, when set, to look at.
    fn keep(&self, name: &str) {
        if let Some(dir) = std::env::var_os("PROFORMA_KEEP_DIR") {
            std::fs::write(std::path::Path::new(&dir).join(name), &self.bytes).unwrap();
        }
    }
}

fn occurrences(haystack: &str, needle: &str) -> usize {
    haystack.match_indices(needle).count()
}

/// What a line looks like on the French document, each cell as printed.
struct PrintedLine {
    sku: String,
    label: String,
    quantity: String,
    unit_price: String,
    discount: String,
    rate: String,
    net: String,
}

impl PrintedLine {
    /// The row read back from left to right, squeezed.
    fn row(&self) -> String {
        squeeze(
            &[
                &self.sku,
                &self.label,
                &self.quantity,
                &self.unit_price,
                &self.discount,
                &self.rate,
                &self.net,
            ]
            .map(String::as_str)
            .concat(),
        )
    }
}

/// Order lines built to break a fixed layout, as stored (`line`) and as the French
/// proforma must print them (`printed`): 64-character SKUs without a break, 13 and 40
/// characters with hyphens; 200-character designations without a space, a long
/// hyphenated word followed by more words; 12-digit unit prices with four decimals and
/// nets; 3-decimal quantities with a long unit.
fn adversarial_lines(count: usize) -> Vec<(Vec<String>, PrintedLine)> {
    (1..=count)
        .map(|i| {
            let sku = match i % 3 {
                0 => format!(
                    "S{i:03}{}",
                    "QWERTYUIOPASDFGHJKLZXCVBNM0123456789".repeat(2)
                )[..64]
                    .to_owned(),
                1 => format!("R{i:03}-ABCDEFGH"),
                _ => format!("H{i:03}-CABLE-ELECTRIQUE-RIGIDE-3G2.5_100M"),
            };
            let label = match i % 4 {
                0 => format!("D{i:03}{}", "Désignationsansaucunespace".repeat(8))
                    .chars()
                    .take(200)
                    .collect::<String>(),
                1 => format!(
                    "Roulement-à-billes-étanche-à-double-rangée-en-acier-inoxydable-{i:03} \
                     pour arbre de transmission, livré avec sa notice"
                ),
                2 => format!("Article {i:03}"),
                _ => format!("Ligne {i:03} : {}", "mot long ".repeat(25))
                    .chars()
                    .take(200)
                    .collect::<String>()
                    .trim()
                    .to_owned(),
            };
            let unit = if i % 2 == 0 {
                "kilogrammes-nets-égouttés"
            } else {
                "kg"
            };
            // Three decimals, the last never a zero that the document would drop.
            let decimals = format!("{:02}7", i % 100);
            let quantity = format!("{}.{decimals}", 123_000 + i);
            let unit_price = format!("{}.7891", 100_000_000_000_u64 + i as u64);
            let discount = if i % 5 == 0 { "33.33" } else { "0" };
            let rate = if i % 2 == 0 { "20" } else { "5.5" };
            let net = format!("{}.{:02}", 900_000_000_000_u64 + 1000 * i as u64, i % 100);
            let printed = PrintedLine {
                sku: sku.clone(),
                label: label.clone(),
                quantity: format!("{},{decimals} {unit}", 123_000 + i),
                unit_price: format!("{},7891 €", 100_000_000_000_u64 + i as u64),
                discount: if discount == "0" {
                    String::new()
                } else {
                    "33,33 %".to_owned()
                },
                rate: if rate == "20" { "20 %" } else { "5,5 %" }.to_owned(),
                net: format!("{},{:02} €", 900_000_000_000_u64 + 1000 * i as u64, i % 100),
            };
            let stored = vec![
                sku,
                label,
                quantity,
                unit.to_owned(),
                unit_price,
                discount.to_owned(),
                rate.to_owned(),
                net,
            ];
            (stored, printed)
        })
        .collect()
}

async fn adversarial_order(
    pool: &PgPool,
    customer: Uuid,
    count: usize,
) -> (Uuid, Vec<PrintedLine>) {
    let lines = adversarial_lines(count);
    let stored: Vec<Line<'_>> = lines
        .iter()
        .map(|(s, _)| {
            (
                &*s[0], &*s[1], &*s[2], &*s[3], &*s[4], &*s[5], &*s[6], &*s[7],
            )
        })
        .collect();
    let order = seed_order(
        pool,
        "submitted",
        Some(customer),
        &stored,
        (
            "987654321098765.43",
            "123456789012345.67",
            "1111111110111111.10",
        ),
        json!([{"rate": "20", "base": "876543210987654.32", "amount": "175308642197530.86"},
               {"rate": "5.5", "base": "111111110111111.11", "amount": "6111111056111.11"}]),
    )
    .await;
    drop(stored);
    (order, lines.into_iter().map(|(_, p)| p).collect())
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn every_value_of_an_order_built_to_overflow_its_cells_is_printed_exactly_once(pool: PgPool) {
    let router = read_router(&pool, Duration::from_secs(1));
    let customer = seed_customer(&pool).await;
    let (order, lines) = adversarial_order(&pool, customer, 200).await;
    let pdf = fetch(&router, &format!("/orders/{order}/proforma.pdf"), None).await;
    pdf.keep("adversarial-200.pdf");
    let text = pdf.bodies().concat();
    for (n, line) in lines.iter().enumerate() {
        for value in [
            &line.sku,
            &line.label,
            &line.quantity,
            &line.unit_price,
            &line.net,
        ] {
            assert_eq!(
                occurrences(&text, &squeeze(value)),
                1,
                "line {}: `{value}` is not printed exactly once",
                n + 1
            );
        }
    }
    // The VAT by rate and the 15- and 16-digit totals under them.
    for total in [
        "876 543 210 987 654,32 €",
        "175 308 642 197 530,86 €",
        "111 111 110 111 111,11 €",
        "6 111 111 056 111,11 €",
        "987 654 321 098 765,43 €",
        "123 456 789 012 345,67 €",
        "1 111 111 110 111 111,10 €",
    ] {
        assert_eq!(occurrences(&text, &squeeze(total)), 1, "{total}");
    }
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn each_page_starts_with_the_heading_row_then_whole_rows_of_the_order(pool: PgPool) {
    let router = read_router(&pool, Duration::from_secs(1));
    let customer = seed_customer(&pool).await;
    let (order, lines) = adversarial_order(&pool, customer, 200).await;
    let pdf = fetch(&router, &format!("/orders/{order}/proforma.pdf"), None).await;
    let pages = pdf.squeezed_pages();
    assert!(pages.len() > 5, "200 long lines on {} pages", pages.len());
    assert_eq!(
        pdf.headers["x-page-count"],
        pages.len().to_string().as_str()
    );

    let heading = squeeze("Référence Désignation Quantité P.U. HT Remise TVA Montant HT");
    let continued = squeeze("FACTURE PROFORMA PRO-2026-000042 (suite)");
    let rows: Vec<String> = lines.iter().map(PrintedLine::row).collect();
    let mut next = 0;
    for (i, page) in pages.iter().enumerate() {
        let n = i + 1;
        let Some(at) = page.find(&heading) else {
            // Only the totals may come on a page of their own, after every line.
            assert_eq!(next, rows.len(), "page {n} has no heading row: {page}");
            continue;
        };
        if n > 1 {
            // The page's own header, then the heading row: nothing of the table before.
            assert!(
                page[..at].ends_with(&continued),
                "page {n} does not start with the heading row: {}",
                &page[..at]
            );
        }
        let mut rest = &page[at + heading.len()..];
        let first = next;
        while let Some(row) = rows.get(next) {
            let Some(after) = rest.strip_prefix(row.as_str()) else {
                break;
            };
            rest = after;
            next += 1;
        }
        assert!(
            next > first,
            "page {n}: the heading row is not followed by line {} whole: {}",
            next + 1,
            &rest[..rest.len().min(400)]
        );
        if next < rows.len() {
            assert!(
                rest.is_empty(),
                "page {n} ends with part of line {}: {rest}",
                next + 1
            );
        } else {
            assert!(
                rest.is_empty() || rest.starts_with(&squeeze("Taux de TVA")),
                "after the last line on page {n}: {rest}"
            );
        }
    }
    assert_eq!(
        next,
        rows.len(),
        "lines printed whole: {next} of {}",
        rows.len()
    );
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn long_names_addresses_notes_and_seller_lines_are_printed_whole(pool: PgPool) {
    let seller = read_api::proforma::Seller {
        name: format!("Établissements{}", "Négociantsréunis".repeat(5)),
        address: vec![
            format!("Zone-industrielle-{}", "du-grand-entrepôt-".repeat(6)),
            "69002 Lyon".to_owned(),
        ],
        siret: "35600000000048".to_owned(),
        vat_number: "FR39356000000".to_owned(),
        legal_form: Some(format!(
            "Société par actions simplifiée {}",
            "unipersonnelle ".repeat(6)
        )),
        capital: Some("123456789012.34".parse().unwrap()),
        rcs: Some(format!("RCS Lyon {}", "356000000".repeat(4))),
        email: Some(format!("{}@dupont.example", "service.des.ventes".repeat(4))),
        phone: None,
    };
    let state = read_api::http::AppState::new(
        pool.clone(),
        read_api::freshness::Freshness::start(pool.clone(), Duration::from_secs(1)),
    )
    .with_proforma(Some(read_api::proforma::ProformaSettings {
        seller: seller.clone(),
        validity_days: 30,
    }));
    let router = read_api::http::router(
        state,
        platform::web::Readiness {
            db: pool.clone(),
            nats: platform::web::NatsCheck::Unused,
        },
        testkit::auth::verifier(),
        &platform::web::HttpSettings::new(Duration::from_secs(10)),
    );
    let legal_name = format!("Raison{}", "sociale".repeat(27))
        .chars()
        .take(200)
        .collect::<String>();
    let line1 = format!("Bâtiment{}", "Z".repeat(192));
    let customer = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO customers (id, code, legal_name, siren, siret, vat_number, billing_address,
                                payment_terms, status, version, created_at, updated_at)
         VALUES ($1, 'CLIENT-AU-CODE-DE-TRENTE-DEUX-C', $2, '732829320', '73282932000074',
                 'FR44732829320', $3, 'end_of_month_45', 'active', 1, now(), now())",
    )
    .bind(customer)
    .bind(&legal_name)
    .bind(
        json!({"line1": line1, "line2": "Allée ".repeat(33).trim(), "postal_code": "31000",
                 "city": "Saint-Rémy-en-Bouzemont-Saint-Genest-et-Isson", "country": "FR"}),
    )
    .execute(&pool)
    .await
    .unwrap();
    let (order, lines) = adversarial_order(&pool, customer, 3).await;
    let notes = format!(
        "Livraison{} puis {}",
        "-sur-rendez-vous".repeat(10),
        "quai numéro quatre, ".repeat(95)
    )
    .chars()
    .take(2000)
    .collect::<String>();
    sqlx::query("UPDATE orders SET notes = $1")
        .bind(&notes)
        .execute(&pool)
        .await
        .unwrap();

    for lang in ["fr", "en"] {
        let pdf = fetch(
            &router,
            &format!("/orders/{order}/proforma.pdf?lang={lang}"),
            None,
        )
        .await;
        pdf.keep(&format!("long-texts-{lang}.pdf"));
        let pages = pdf.squeezed_pages();
        let text = pdf.bodies().concat();
        for value in [
            &legal_name,
            &line1,
            &"Allée ".repeat(33),
            &"31000 Saint-Rémy-en-Bouzemont-Saint-Genest-et-Isson".to_owned(),
            &"CLIENT-AU-CODE-DE-TRENTE-DEUX-C".to_owned(),
            &seller.address[0],
            seller.email.as_ref().unwrap(),
            &notes,
        ] {
            assert_eq!(occurrences(&text, &squeeze(value)), 1, "{lang}: `{value}`");
        }
        for line in &lines {
            assert_eq!(occurrences(&text, &squeeze(&line.sku)), 1, "{}", line.sku);
            assert_eq!(
                occurrences(&text, &squeeze(&line.label)),
                1,
                "{}",
                line.label
            );
        }
        // The seller's name heads the document, and its legal identity closes every page.
        assert_eq!(occurrences(&text, &squeeze(&seller.name)), 1);
        let footer_parts = [
            seller.name.clone(),
            seller.legal_form.clone().unwrap(),
            seller.rcs.clone().unwrap(),
            match lang {
                "fr" => "123 456 789 012,34 €",
                _ => "€123,456,789,012.34",
            }
            .to_owned(),
        ];
        for (i, page) in pages.iter().enumerate() {
            let number = format!("Page{}/{}", i + 1, pages.len());
            let (footer, _) = page.split_once(&number).unwrap();
            for part in &footer_parts {
                assert_eq!(
                    occurrences(footer, &squeeze(part)),
                    1,
                    "{lang} page {}: `{part}`",
                    i + 1
                );
            }
        }
    }
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn the_values_the_old_layout_dropped_now_print_whole_on_one_line(pool: PgPool) {
    // The cases of the report: 13-character SKUs (the whole column was empty), a net of
    // a million (blank, with the totals printed under it), a unit price with four
    // decimals, a quantity with three, a long hyphenated word in a designation.
    let router = read_router(&pool, Duration::from_secs(1));
    let customer = seed_customer(&pool).await;
    let order = seed_order(
        &pool,
        "draft",
        Some(customer),
        &[
            (
                "ACME-PUMP-001",
                "Pompe centrifuge",
                "2",
                "piece",
                "500000.00",
                "0",
                "20",
                "1000000.00",
            ),
            (
                "ACME-SEAL-002",
                "Garniture électro-mécanique-ultra-résistante-haute-température pour pompe",
                "123456.789",
                "kg",
                "123456.7891",
                "0",
                "20",
                "15241578750.19",
            ),
        ],
        ("15242578750.19", "3048515750.04", "18291094500.23"),
        json!([{"rate": "20", "base": "15242578750.19", "amount": "3048515750.04"}]),
    )
    .await;
    let pdf = fetch(&router, &format!("/orders/{order}/proforma.pdf"), None).await;
    pdf.keep("report-cases-fr.pdf");
    // Spaces made plain, line ends made spaces: a value cut over two lines would read
    // with a space inside.
    let text = pdf.text();
    for value in [
        "ACME-PUMP-001",
        "ACME-SEAL-002",
        "1 000 000,00 €",
        "123 456,7891 €",
        "123 456,789 kg",
        "15 241 578 750,19 €",
        "18 291 094 500,23 €",
    ] {
        assert_eq!(text.matches(value).count(), 1, "`{value}` in {text}");
    }
    assert!(
        squeeze(&text).contains(&squeeze(
            "Garniture électro-mécanique-ultra-résistante-haute-température pour pompe"
        )),
        "{text}"
    );
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn each_render_is_timed_on_metrics_by_language_and_a_304_renders_nothing(pool: PgPool) {
    let router = read_router(&pool, Duration::from_secs(1));
    let order = three_line_order(&pool, "draft").await;
    let uri = format!("/orders/{order}/proforma.pdf?lang=en");
    let first = fetch(&router, &uri, None).await;
    assert_eq!(first.status, StatusCode::OK);
    let etag = first.headers["etag"].to_str().unwrap().to_owned();
    let again = fetch_with(&router, &uri, None, Some(&etag)).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);

    let scraped = get(&router, "/metrics").await;
    assert_eq!(scraped.status, StatusCode::OK);
    let text = scraped.body.as_str().unwrap();
    let renders = |lang| {
        testkit::metrics::sample(
            text,
            "gescom_proforma_render_duration_seconds_count",
            &[("lang", lang)],
        )
    };
    assert_eq!(renders("en"), Some(1.0), "{text}");
    assert_eq!(renders("fr"), None, "{text}");
}
