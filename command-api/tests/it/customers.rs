//! Customers and CSV imports on the write side.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::{TestApp, TestResponse};

fn acme() -> Value {
    json!({
        "code": "ACME", "legal_name": "Acme SAS", "siret": "732 829 320 00074",
        "vat_number": "FR 44 732829320", "email": "Compta@Acme.fr", "phone": "+33 1 23 45 67 89",
        "billing_address": {"line1": "1 rue de la Paix", "postal_code": "75002", "city": "Paris",
                            "country": "fr"},
        "payment_terms": "end_of_month_45", "credit_limit": "15000"
    })
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_customer_is_created_with_its_legal_ids_and_updated_with_if_match(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let created = app.json(Method::POST, "/customers", &[], &acme()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let id = created.id();
    let updated = app
        .json(
            Method::PATCH,
            &format!("/customers/{id}"),
            &[("if-match", "\"1\"")],
            &json!({"phone": null, "payment_terms": "net_30"}),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{:?}", updated.body);
    assert_eq!(updated.version(), 2);
    let stale = app
        .json(
            Method::PATCH,
            &format!("/customers/{id}"),
            &[("if-match", "\"1\"")],
            &json!({"legal_name": "Acme"}),
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    let code = app
        .json(
            Method::PATCH,
            &format!("/customers/{id}"),
            &[],
            &json!({"code": "OTHER"}),
        )
        .await;
    assert_eq!(code.body["errors"][0]["code"], "immutable");
}

fn fields(response: &TestResponse) -> Vec<(String, String)> {
    assert_eq!(
        response.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        response.body
    );
    response.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn every_broken_customer_rule_names_its_field(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let bad = app
        .json(
            Method::POST,
            "/customers",
            &[],
            &json!({"code": "bad code", "legal_name": "X", "siren": "552081318",
                    "siret": "7328293200007", "vat_number": "FR41303265045", "email": "nope",
                    "billing_address": {"line1": "", "postal_code": "1", "city": "Lyon",
                                        "country": "FRA"},
                    "payment_terms": "net_90", "credit_limit": "-1"}),
        )
        .await;
    assert_eq!(
        fields(&bad),
        [
            ("code", "invalid_code"),
            ("siren", "invalid_siren"),
            ("siret", "invalid_siret"),
            ("vat_number", "invalid_vat_key"),
            ("email", "invalid_email"),
            ("billing_address.line1", "required"),
            ("billing_address.country", "unknown_country"),
            ("payment_terms", "unknown_payment_terms"),
            ("credit_limit", "negative"),
        ]
        .map(|(f, c)| (f.to_owned(), c.to_owned()))
    );
    let mismatch = app
        .json(
            Method::POST,
            "/customers",
            &[],
            &json!({"code": "MIX", "legal_name": "Mix", "siren": "552081317",
                    "siret": "73282932000074", "vat_number": "FR40303265045"}),
        )
        .await;
    assert_eq!(
        fields(&mismatch),
        [
            ("siret", "siret_siren_mismatch"),
            ("vat_number", "vat_siren_mismatch")
        ]
        .map(|(f, c)| (f.to_owned(), c.to_owned()))
    );
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_vat_number_with_a_wrong_check_digit_is_refused_naming_the_field(pool: PgPool) {
    let app = TestApp::new(pool).await;
    // Germany's format, but not its check digit (python-stdnum's example).
    let customer = |vat: &str| {
        json!({"code": "MUSTER", "legal_name": "Muster GmbH", "vat_number": vat,
               "billing_address": {"line1": "Hauptstraße 1", "postal_code": "10115",
                                   "city": "Berlin", "country": "DE"}})
    };
    let refused = app
        .json(Method::POST, "/customers", &[], &customer("DE 136 695 978"))
        .await;
    assert_eq!(refused.code(), "validation_failed");
    assert_eq!(
        fields(&refused),
        [(
            "vat_number".to_owned(),
            "invalid_vat_check_digit".to_owned()
        )]
    );
    let created = app
        .json(Method::POST, "/customers", &[], &customer("DE 136 695 976"))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn twenty_concurrent_creates_of_one_code_make_exactly_one_customer(pool: PgPool) {
    let app = Arc::new(TestApp::new(pool.clone()).await);
    let creates = (0..20).map(|i| {
        let app = Arc::clone(&app);
        let code = if i % 2 == 0 { "SAME" } else { "same" };
        tokio::spawn(async move {
            app.json(
                Method::POST,
                "/customers",
                &[],
                &json!({"code": code, "legal_name": format!("Racer {i}")}),
            )
            .await
        })
    });
    let mut created = 0;
    for response in futures::future::join_all(creates).await {
        let response = response.unwrap();
        match response.status {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => assert_eq!(response.code(), "customer_code_taken"),
            other => panic!("{other}: {:?}", response.body),
        }
    }
    assert_eq!(created, 1);
    let streams: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT aggregate_id) FROM events WHERE aggregate_type = 'Customer'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(streams, 1, "refused creates leave no event");
}

async fn import(app: &TestApp, what: &str, query: &str, csv: impl Into<Body>) -> TestResponse {
    import_as(app, what, query, "text/csv; charset=utf-8", csv).await
}

async fn import_as(
    app: &TestApp,
    what: &str,
    query: &str,
    content_type: &str,
    csv: impl Into<Body>,
) -> TestResponse {
    app.send(
        Request::builder()
            .method(Method::POST)
            .uri(format!("/{what}/import{query}"))
            .header("content-type", content_type)
            .body(csv.into())
            .unwrap(),
    )
    .await
}

async fn event_count(pool: &PgPool) -> i64 {
    sqlx::query_scalar(
        // Not the test's own admin account.
        "SELECT count(*) FROM events WHERE aggregate_type <> 'User'",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

const HEADER: &str = "sku,name,price,vat_rate,unit,category,barcode,low_stock_threshold,status\n";

fn product_rows(n: usize) -> String {
    let mut csv = String::from(HEADER);
    for i in 0..n {
        csv.push_str(&format!(
            "IMP-{i:05},Produit {i},{}.{:02},20,piece,Catégorie {},,{},active\n",
            i % 500,
            i % 100,
            i % 7,
            i % 5
        ));
    }
    csv
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn ten_thousand_rows_import_in_one_go_and_again_as_unchanged(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let csv = product_rows(10_000);
    let dry = import(&app, "products", "?dry_run=true", csv.clone()).await;
    assert_eq!(dry.status, StatusCode::OK, "{:?}", dry.body);
    assert_eq!(dry.body["counts"]["created"], 10_000);
    assert_eq!(dry.body["applied"], false);
    assert_eq!(event_count(&pool).await, 0, "a dry run stores nothing");

    let done = import(&app, "products", "", csv.clone()).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body["counts"]);
    assert_eq!(done.body["applied"], true);
    assert_eq!(done.body["counts"]["created"], 10_000);
    assert_eq!(event_count(&pool).await, 10_000);
    let outbox: i64 =
        sqlx::query_scalar("SELECT count(*) FROM outbox WHERE aggregate_type <> 'User'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        outbox, 10_000,
        "every imported event goes out through the outbox"
    );

    let again = import(
        &app,
        "products",
        "",
        csv.replace("IMP-00007,Produit 7,7.07", "IMP-00007,Produit 7,7.10"),
    )
    .await;
    assert_eq!(
        again.body["counts"]["unchanged"], 9_999,
        "{:?}",
        again.body["counts"]
    );
    assert_eq!(again.body["counts"]["updated"], 1);
    assert_eq!(event_count(&pool).await, 10_001);
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn one_bad_row_in_ten_thousand_applies_nothing_and_is_named(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let csv = product_rows(10_000).replace(
        "IMP-04321,Produit 4321,321.21,20,",
        "IMP-04321,Produit 4321,321.21,19.6,",
    );
    let refused = import(&app, "products", "", csv).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.code(), "import_invalid");
    let report = &refused.body["report"];
    assert_eq!(report["applied"], false);
    assert_eq!(report["counts"]["error"], 1);
    let bad: Vec<&Value> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "error")
        .collect();
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0]["key"], "IMP-04321");
    assert_eq!(bad[0]["line"], 4323, "the header is line 1");
    assert_eq!(bad[0]["errors"][0]["field"], "vat_rate");
    assert_eq!(bad[0]["errors"][0]["code"], "unknown_vat_rate");
    assert_eq!(event_count(&pool).await, 0);
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn french_excel_files_are_read(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    // BOM, `;`, decimal commas, a quoted field holding the separator, CRLF.
    let csv = "\u{feff}code;legal_name;siret;vat_number;billing_line1;billing_postal_code;billing_city;billing_country;payment_terms;credit_limit\r\n\
               DUP;\"Dupont; Fils et Cie\";73282932000074;FR44732829320;\"12, rue \"\"Haute\"\"\";69001;Lyon;FR;net_30;1 500,50\r\n";
    let done = import(&app, "customers", "", csv.to_owned()).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    assert_eq!(done.body["counts"]["created"], 1);
    let payload: Value = sqlx::query_scalar(
        "SELECT payload::jsonb FROM events WHERE event_type = 'CustomerCreated'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let created = &payload["CustomerCreated"];
    assert_eq!(created["legal_name"], "Dupont; Fils et Cie");
    assert_eq!(created["credit_limit"], "1500.50");
    assert_eq!(created["billing_address"]["line1"], "12, rue \"Haute\"");

    let products = "sku;name;price;vat_rate;unit;category\nVIS-1;Vis;0,35;5,5;box;Quincaillerie\n";
    let done = import(&app, "products", "", products.to_owned()).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);

    let unknown = import(
        &app,
        "products",
        "",
        "sku;name;colour\nA;B;red\n".to_owned(),
    )
    .await;
    assert_eq!(unknown.code(), "invalid_csv");
    let json = app
        .send(
            Request::builder()
                .method(Method::POST)
                .uri("/products/import")
                .header("content-type", "application/json")
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await;
    assert_eq!(json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge = import(&app, "products", "", vec![b'a'; 9 * 1024 * 1024]).await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn windows_1252_from_french_excel_is_read_and_the_report_says_how(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    // "CSV (séparateur: point-virgule)" from French Excel: Windows-1252, `;`, CRLF, no
    // BOM. 0xE9 is é, 0xE8 è, 0x9C œ, 0x80 €.
    let body: &[u8] = b"sku;name;price;vat_rate;unit;category\r\n\
                        CAF-1;Caf\xE9 cr\xE8me;12,50;5,5;piece;\x80picerie fine\r\n\
                        OEU-1;\x9Cufs frais;3,10;5,5;box;Cr\xE8merie\r\n";
    let done = import_as(&app, "products", "", "text/csv", body.to_vec()).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    assert_eq!(
        done.body["file"],
        json!({"encoding": "windows-1252", "encoding_from": "detected",
               "separator": ";", "line_endings": "CRLF"})
    );
    let names: Vec<(String, String)> = sqlx::query_as(
        "SELECT payload::jsonb #>> '{ProductCreated,name}',
                payload::jsonb #>> '{ProductCreated,category}'
           FROM events WHERE event_type = 'ProductCreated' ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        names,
        [("Café crème", "€picerie fine"), ("œufs frais", "Crèmerie")]
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );

    // The same bytes declared UTF-8 are refused, saying where and what to do.
    let declared = import_as(
        &app,
        "products",
        "",
        "text/csv; charset=UTF-8",
        body.to_vec(),
    )
    .await;
    assert_eq!(declared.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(declared.code(), "invalid_csv");
    assert_eq!(declared.body["reason"], "encoding");
    let detail = declared.body["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("line 2") && detail.contains("CSV UTF-8"),
        "{detail}"
    );

    // A charset the client names is honoured: ISO-8859-15 has € at 0xA4.
    let named = import_as(
        &app,
        "products",
        "?dry_run=true",
        "text/csv; charset=\"iso-8859-15\"",
        b"sku,name,price,vat_rate,unit,category\nEUR-1,\xA4 et \xE9t\xE9,1,20,piece,Divers\n"
            .to_vec(),
    )
    .await;
    assert_eq!(named.status, StatusCode::OK, "{:?}", named.body);
    assert_eq!(named.body["file"]["encoding"], "ISO-8859-15");
    assert_eq!(named.body["file"]["separator"], ",");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn rows_are_named_by_their_physical_line_and_multi_line_cells_go_where_they_make_sense(
    pool: PgPool,
) {
    let app = TestApp::new(pool.clone()).await;
    let header = "code;legal_name;billing_line1;billing_line2;billing_postal_code;billing_city;billing_country";
    // Line 2–3: a street cell with Alt+Enter. Line 4: a name with one. Line 6: a value
    // holding `;` unquoted, one value too many. Line 7: fine.
    let rows = [
        "C-1;Dupont SARL;\"12 rue Haute\nB\u{e2}timent B\";;69001;Lyon;FR",
        "C-2;\"Durand\net Fils\";1 place Bellecour;;69002;Lyon;FR",
        "",
        "C-3;Martin SA;3 quai; Saint-Vincent;;69001;Lyon;FR",
        "C-4;Petit SAS;4 rue Neuve;;69001;Lyon;FR",
    ];
    for ending in ["\n", "\r\n"] {
        for bom in ["", "\u{feff}"] {
            let csv = format!("{bom}{header}{ending}{}{ending}", rows.join(ending))
                .replace('\n', ending)
                .replace("\r\r\n", "\r\n");
            let refused = import(&app, "customers", "", csv).await;
            assert_eq!(refused.code(), "import_invalid", "{ending:?} {bom:?}");
            let report = &refused.body["report"];
            let lines: Vec<(u64, &str, &str, &str)> = report["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r["line"].as_u64().unwrap_or_default(),
                        r["key"].as_str().unwrap_or_default(),
                        r["errors"][0]["field"].as_str().unwrap_or_default(),
                        r["errors"][0]["code"].as_str().unwrap_or_default(),
                    )
                })
                .collect();
            assert_eq!(
                lines,
                [
                    (2, "C-1", "", ""),
                    (4, "C-2", "legal_name", "line_break"),
                    (7, "C-3", "row", "too_many_values"),
                    (8, "C-4", "", ""),
                ],
                "{ending:?} {bom:?}"
            );
        }
    }
    assert_eq!(event_count(&pool).await, 0, "nothing is half-applied");

    let fixed = format!("{header}\r\n{}\r\n", rows[0]);
    let done = import(&app, "customers", "", fixed).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    let address: Value = sqlx::query_scalar(
        "SELECT payload::jsonb #> '{CustomerCreated,billing_address}' FROM events
          WHERE event_type = 'CustomerCreated'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(address["line1"], "12 rue Haute");
    assert_eq!(address["line2"], "Bâtiment B");
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn a_neutralised_cell_loses_exactly_the_quote_an_export_added(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    // What read-api's exports write for `=SUM(A1:A9)`, `'+quoted` and `@Cat`; a quote
    // before anything else is part of the value, and so is a formula nobody neutralised.
    let csv = "sku,name,price,vat_rate,unit,category\n\
               Q-1,'=SUM(A1:A9),1.00,20,piece,'@Cat\n\
               Q-2,''+quoted,1.00,20,piece,Divers\n\
               Q-3,'plain,1.00,20,piece,Divers\n\
               Q-4,=raw,1.00,20,piece,'-Divers\n";
    let done = import(&app, "products", "", csv.to_owned()).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    let stored: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT payload::jsonb #>> '{ProductCreated,sku}',
                payload::jsonb #>> '{ProductCreated,name}',
                payload::jsonb #>> '{ProductCreated,category}'
           FROM events WHERE event_type = 'ProductCreated' ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let expected = [
        ("Q-1", "=SUM(A1:A9)", "@Cat"),
        ("Q-2", "'+quoted", "Divers"),
        ("Q-3", "'plain", "Divers"),
        ("Q-4", "=raw", "-Divers"),
    ]
    .map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned()));
    assert_eq!(stored, expected);
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn racing_imports_of_the_same_new_skus_create_each_product_once(pool: PgPool) {
    let app = Arc::new(TestApp::new(pool.clone()).await);
    let csv = product_rows(2_000);
    let imports: Vec<_> = (0..3)
        .map(|_| {
            let (app, csv) = (Arc::clone(&app), csv.clone());
            tokio::spawn(async move { import(&app, "products", "", csv).await })
        })
        .collect();
    let mut created = 0;
    for answer in imports {
        let answer = answer.await.unwrap();
        match answer.status {
            // Planned after another import committed: every row exists and is unchanged.
            StatusCode::OK => created += answer.body["counts"]["created"].as_u64().unwrap(),
            // Planned as creates, stored after another: the statement-level key trigger
            // refuses the whole file.
            StatusCode::CONFLICT => assert_eq!(answer.code(), "sku_taken", "{:?}", answer.body),
            other => panic!("{other}: {:?}", answer.body),
        }
    }
    assert_eq!(created, 2_000, "one import created every product");
    let (events, keys, outbox): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM events WHERE aggregate_type = 'Product'),
                (SELECT count(*) FROM product_sku_keys),
                (SELECT count(*) FROM outbox WHERE aggregate_type = 'Product')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((events, keys, outbox), (2_000, 2_000, 2_000));
}
