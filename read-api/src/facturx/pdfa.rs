//! Makes a rendered PDF a PDF/A-3b (ISO 19005-3, conformance level B) that carries a
//! Factur-X XML: post-processing with lopdf, since printpdf 0.3 (genpdf's writer) knows
//! neither embedded files nor associated files, and writes no XMP or output intent in
//! the minimal conformance gescom renders with.
//!
//! What is added or changed:
//! - the XML as an embedded file (`/Type /EmbeddedFile`, `/Subtype /text#2Fxml`,
//!   `/Params` with its size and date), its file specification (`/F` and `/UF`, a
//!   description, `/AFRelationship /Data`) named in the catalog's `/Names
//!   /EmbeddedFiles` tree and listed in its `/AF` array;
//! - XMP metadata (`/Metadata`, unfiltered): `pdfaid:part` 3 and `pdfaid:conformance` B,
//!   title, author, subject, producer and dates (the same as in `/Info`), and the
//!   Factur-X extension schema with `fx:DocumentType`, `fx:DocumentFileName`,
//!   `fx:Version` and `fx:ConformanceLevel`;
//! - an sRGB output intent (`/S /GTS_PDFA1`; `read-api/icc/sRGB.icc`);
//! - `/Info` rewritten to match the XMP, a trailer `/ID` derived from the document's
//!   id (the same bytes for the same document), PDF version 1.7, `/Lang`;
//! - from what printpdf writes: a name for the optional content configuration (PDF/A
//!   wants one), `/CIDToGIDMap /Identity` on each CID font (printpdf's CIDs are glyph
//!   ids), and the built-in, non-embedded fonts genpdf registers for italics (never
//!   used) dropped from the resources, so that every font is embedded.

use chrono::{DateTime, Utc};
use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat};
use uuid::Uuid;

use super::xml::Xml;

static SRGB: &[u8] = include_bytes!("../../icc/sRGB.icc");

/// The Factur-X XMP extension schema's namespace (Factur-X 1.0x, "invoice" documents).
pub const FX_NAMESPACE: &str = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#";
pub const FX_FILE_NAME: &str = "factur-x.xml";

#[derive(Debug, thiserror::Error)]
pub enum PdfaError {
    #[error("pdf: {0}")]
    Pdf(#[from] lopdf::Error),
    #[error("write: {0}")]
    Io(#[from] std::io::Error),
}

/// What the archive says about itself.
#[derive(Debug, Clone)]
pub struct Description<'a> {
    /// Derives the trailer's `/ID`.
    pub id: Uuid,
    pub title: &'a str,
    pub author: &'a str,
    pub subject: &'a str,
    /// `fr` or `en`.
    pub lang: &'a str,
    /// Creation and modification date of the document and of the XML.
    pub date: DateTime<Utc>,
    /// `fx:ConformanceLevel`: `EN 16931`.
    pub conformance_level: &'a str,
}

/// `pdf` as a PDF/A-3b with `xml` embedded as `factur-x.xml`.
pub fn archive(pdf: &[u8], xml: &[u8], about: &Description<'_>) -> Result<Vec<u8>, PdfaError> {
    let mut doc = Document::load_mem(pdf)?;
    doc.version = "1.7".to_owned();
    embed_all_fonts(&mut doc);
    name_optional_content(&mut doc)?;

    let intent = output_intent(&mut doc)?;
    let file_spec = embedded_xml(&mut doc, xml, about.date)?;
    let metadata = {
        let xmp = xmp(about)?;
        let mut dict = Dictionary::new();
        dict.set("Type", Object::Name(b"Metadata".to_vec()));
        dict.set("Subtype", Object::Name(b"XML".to_vec()));
        // Never compressed: a PDF/A reader must find it as it is.
        doc.add_object(Stream::new(dict, xmp).with_compression(false))
    };
    let info = info(&mut doc, about);

    let catalog = doc.catalog_mut()?;
    catalog.set("Metadata", Object::Reference(metadata));
    catalog.set(
        "OutputIntents",
        Object::Array(vec![Object::Reference(intent)]),
    );
    catalog.set("AF", Object::Array(vec![Object::Reference(file_spec)]));
    let mut tree = Dictionary::new();
    tree.set(
        "Names",
        Object::Array(vec![
            Object::string_literal(FX_FILE_NAME),
            Object::Reference(file_spec),
        ]),
    );
    let mut names = Dictionary::new();
    names.set("EmbeddedFiles", Object::Dictionary(tree));
    catalog.set("Names", Object::Dictionary(names));
    catalog.set("Lang", Object::string_literal(about.lang));

    doc.trailer.set("Info", Object::Reference(info));
    let id = Object::String(about.id.as_bytes().to_vec(), StringFormat::Hexadecimal);
    doc.trailer.set("ID", Object::Array(vec![id.clone(), id]));
    doc.trailer.remove(b"Encrypt");
    doc.prune_objects();

    let mut out = Vec::with_capacity(pdf.len() + 16 * 1024);
    doc.save_to(&mut out)?;
    Ok(out)
}

/// Drops from every resource dictionary the fonts whose program is not embedded (the
/// standard Type 1 fonts genpdf registers for italics, which no document sets), and
/// names each CID font's glyph ids as its CIDs.
fn embed_all_fonts(doc: &mut Document) {
    let is_bare = |object: &Object| {
        object.as_dict().is_ok_and(|font| {
            font.has_type(b"Font")
                && font
                    .get(b"Subtype")
                    .and_then(Object::as_name)
                    .is_ok_and(|s| s == b"Type1")
                && !font.has(b"FontDescriptor")
        })
    };
    let bare: Vec<ObjectId> = doc
        .objects
        .iter()
        .filter(|(_, object)| is_bare(object))
        .map(|(id, _)| *id)
        .collect();
    let drop_bare = |fonts: &mut Dictionary| {
        let keys: Vec<Vec<u8>> = fonts
            .iter()
            .filter(|(_, value)| match value {
                Object::Reference(id) => bare.contains(id),
                direct => is_bare(direct),
            })
            .map(|(key, _)| key.clone())
            .collect();
        for key in keys {
            fonts.remove(&key);
        }
    };
    // Font dictionaries held by reference (printpdf shares one between its pages).
    let mut shared = Vec::new();
    for object in doc.objects.values_mut() {
        let Some(dict) = dict_of(object) else {
            continue;
        };
        match dict.get_mut(b"Font") {
            Ok(Object::Dictionary(fonts)) => drop_bare(fonts),
            Ok(Object::Reference(id)) => shared.push(*id),
            _ => {}
        }
        if let Ok(Object::Dictionary(resources)) = dict.get_mut(b"Resources") {
            match resources.get_mut(b"Font") {
                Ok(Object::Dictionary(fonts)) => drop_bare(fonts),
                Ok(Object::Reference(id)) => shared.push(*id),
                _ => {}
            }
        }
        if dict
            .get(b"Subtype")
            .and_then(Object::as_name)
            .is_ok_and(|s| s == b"CIDFontType2")
            && !dict.has(b"CIDToGIDMap")
        {
            dict.set("CIDToGIDMap", Object::Name(b"Identity".to_vec()));
        }
        // printpdf writes its CID fonts inside the Type 0 font's DescendantFonts.
        if let Ok(Object::Array(descendants)) = dict.get_mut(b"DescendantFonts") {
            for descendant in descendants {
                if let Object::Dictionary(cid_font) = descendant {
                    if !cid_font.has(b"CIDToGIDMap") {
                        cid_font.set("CIDToGIDMap", Object::Name(b"Identity".to_vec()));
                    }
                }
            }
        }
    }
    for id in shared {
        if let Some(fonts) = doc.objects.get_mut(&id).and_then(dict_of) {
            drop_bare(fonts);
        }
    }
}

fn dict_of(object: &mut Object) -> Option<&mut Dictionary> {
    match object {
        Object::Dictionary(dict) => Some(dict),
        Object::Stream(stream) => Some(&mut stream.dict),
        _ => None,
    }
}

/// PDF/A wants every optional content configuration named; printpdf names none.
fn name_optional_content(doc: &mut Document) -> Result<(), PdfaError> {
    let catalog = doc.catalog_mut()?;
    if let Ok(Object::Dictionary(properties)) = catalog.get_mut(b"OCProperties") {
        if let Ok(Object::Dictionary(default)) = properties.get_mut(b"D") {
            if !default.has(b"Name") {
                default.set("Name", Object::string_literal("gescom"));
            }
        }
    }
    Ok(())
}

/// The sRGB output intent.
fn output_intent(doc: &mut Document) -> Result<ObjectId, PdfaError> {
    let mut dict = Dictionary::new();
    dict.set("N", Object::Integer(3));
    let mut profile = Stream::new(dict, SRGB.to_vec());
    profile.compress()?;
    let profile = doc.add_object(profile);
    let mut intent = Dictionary::new();
    intent.set("Type", Object::Name(b"OutputIntent".to_vec()));
    intent.set("S", Object::Name(b"GTS_PDFA1".to_vec()));
    intent.set(
        "OutputConditionIdentifier",
        Object::string_literal("sRGB IEC61966-2.1"),
    );
    intent.set(
        "RegistryName",
        Object::string_literal("http://www.color.org"),
    );
    intent.set("Info", Object::string_literal("sRGB IEC61966-2.1"));
    intent.set("DestOutputProfile", Object::Reference(profile));
    Ok(doc.add_object(intent))
}

/// The XML as an embedded file, and its file specification (returned).
fn embedded_xml(
    doc: &mut Document,
    xml: &[u8],
    date: DateTime<Utc>,
) -> Result<ObjectId, PdfaError> {
    let mut params = Dictionary::new();
    params.set("Size", Object::Integer(xml.len() as i64));
    params.set("ModDate", Object::string_literal(pdf_date(date)));
    let mut dict = Dictionary::new();
    dict.set("Type", Object::Name(b"EmbeddedFile".to_vec()));
    dict.set("Subtype", Object::Name(b"text/xml".to_vec()));
    dict.set("Params", Object::Dictionary(params));
    let mut file = Stream::new(dict, xml.to_vec());
    file.compress()?;
    let file = doc.add_object(file);
    let mut streams = Dictionary::new();
    streams.set("F", Object::Reference(file));
    streams.set("UF", Object::Reference(file));
    let mut spec = Dictionary::new();
    spec.set("Type", Object::Name(b"Filespec".to_vec()));
    spec.set("F", Object::string_literal(FX_FILE_NAME));
    spec.set("UF", Object::string_literal(FX_FILE_NAME));
    spec.set(
        "Desc",
        Object::string_literal("Factur-X invoice (CII, EN 16931)"),
    );
    spec.set("AFRelationship", Object::Name(b"Data".to_vec()));
    spec.set("EF", Object::Dictionary(streams));
    Ok(doc.add_object(spec))
}

/// `/Info`, saying what the XMP says.
fn info(doc: &mut Document, about: &Description<'_>) -> ObjectId {
    let mut info = Dictionary::new();
    info.set("Title", text_string(about.title));
    info.set("Author", text_string(about.author));
    info.set("Subject", text_string(about.subject));
    info.set("Creator", text_string(CREATOR));
    info.set("Producer", text_string(PRODUCER));
    info.set("CreationDate", Object::string_literal(pdf_date(about.date)));
    info.set("ModDate", Object::string_literal(pdf_date(about.date)));
    doc.add_object(info)
}

const CREATOR: &str = "gescom";
const PRODUCER: &str = concat!("gescom ", env!("CARGO_PKG_VERSION"), " (genpdf, lopdf)");

/// A PDF text string: ASCII as it is, anything else in UTF-16BE after its byte order
/// mark.
fn text_string(text: &str) -> Object {
    if text.is_ascii() {
        Object::string_literal(text)
    } else {
        let mut bytes = vec![0xFE, 0xFF];
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&unit.to_be_bytes());
        }
        Object::String(bytes, StringFormat::Hexadecimal)
    }
}

/// `D:20261203143000+00'00'`.
fn pdf_date(date: DateTime<Utc>) -> String {
    date.format("D:%Y%m%d%H%M%S+00'00'").to_string()
}

/// `2026-12-03T14:30:00+00:00`: the same instant as [`pdf_date`], to the second.
fn xmp_date(date: DateTime<Utc>) -> String {
    date.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
}

/// The XMP packet: PDF/A identification, Dublin Core, PDF and XMP basics, and the
/// Factur-X extension schema with its four properties.
fn xmp(about: &Description<'_>) -> Result<Vec<u8>, std::io::Error> {
    const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    let date = xmp_date(about.date);
    let mut x = Xml::fragment();
    x.processing_instruction("xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"")?;
    x.parent("x:xmpmeta", &[("xmlns:x", "adobe:ns:meta/")], |x| {
        x.parent("rdf:RDF", &[("xmlns:rdf", RDF)], |x| {
            let about_attr = ("rdf:about", "");
            x.parent(
                "rdf:Description",
                &[
                    about_attr,
                    ("xmlns:pdfaid", "http://www.aiim.org/pdfa/ns/id/"),
                ],
                |x| {
                    x.text("pdfaid:part", "3")?;
                    x.text("pdfaid:conformance", "B")
                },
            )?;
            x.parent(
                "rdf:Description",
                &[about_attr, ("xmlns:dc", "http://purl.org/dc/elements/1.1/")],
                |x| {
                    x.text("dc:format", "application/pdf")?;
                    x.parent("dc:title", &[], |x| {
                        x.parent("rdf:Alt", &[], |x| {
                            x.text_with("rdf:li", &[("xml:lang", "x-default")], about.title)
                        })
                    })?;
                    x.parent("dc:creator", &[], |x| {
                        x.parent("rdf:Seq", &[], |x| x.text("rdf:li", about.author))
                    })?;
                    x.parent("dc:description", &[], |x| {
                        x.parent("rdf:Alt", &[], |x| {
                            x.text_with("rdf:li", &[("xml:lang", "x-default")], about.subject)
                        })
                    })
                },
            )?;
            x.parent(
                "rdf:Description",
                &[about_attr, ("xmlns:pdf", "http://ns.adobe.com/pdf/1.3/")],
                |x| x.text("pdf:Producer", PRODUCER),
            )?;
            x.parent(
                "rdf:Description",
                &[about_attr, ("xmlns:xmp", "http://ns.adobe.com/xap/1.0/")],
                |x| {
                    x.text("xmp:CreatorTool", CREATOR)?;
                    x.text("xmp:CreateDate", &date)?;
                    x.text("xmp:ModifyDate", &date)?;
                    x.text("xmp:MetadataDate", &date)
                },
            )?;
            x.parent(
                "rdf:Description",
                &[
                    about_attr,
                    (
                        "xmlns:pdfaExtension",
                        "http://www.aiim.org/pdfa/ns/extension/",
                    ),
                    ("xmlns:pdfaSchema", "http://www.aiim.org/pdfa/ns/schema#"),
                    (
                        "xmlns:pdfaProperty",
                        "http://www.aiim.org/pdfa/ns/property#",
                    ),
                ],
                |x| {
                    x.parent("pdfaExtension:schemas", &[], |x| {
                        x.parent("rdf:Bag", &[], |x| {
                            x.parent("rdf:li", &[("rdf:parseType", "Resource")], |x| {
                                x.text("pdfaSchema:schema", "Factur-X PDFA Extension Schema")?;
                                x.text("pdfaSchema:namespaceURI", FX_NAMESPACE)?;
                                x.text("pdfaSchema:prefix", "fx")?;
                                x.parent("pdfaSchema:property", &[], |x| {
                                    x.parent("rdf:Seq", &[], |x| {
                                        for (name, description) in FX_PROPERTIES {
                                            x.parent(
                                                "rdf:li",
                                                &[("rdf:parseType", "Resource")],
                                                |x| {
                                                    x.text("pdfaProperty:name", name)?;
                                                    x.text("pdfaProperty:valueType", "Text")?;
                                                    x.text("pdfaProperty:category", "external")?;
                                                    x.text("pdfaProperty:description", description)
                                                },
                                            )?;
                                        }
                                        Ok(())
                                    })
                                })
                            })
                        })
                    })
                },
            )?;
            x.parent(
                "rdf:Description",
                &[about_attr, ("xmlns:fx", FX_NAMESPACE)],
                |x| {
                    x.text("fx:DocumentType", "INVOICE")?;
                    x.text("fx:DocumentFileName", FX_FILE_NAME)?;
                    x.text("fx:Version", "1.0")?;
                    x.text("fx:ConformanceLevel", about.conformance_level)
                },
            )
        })
    })?;
    x.processing_instruction("xpacket end=\"w\"")?;
    Ok(x.finish())
}

/// The Factur-X extension schema's properties, as its specification describes them.
const FX_PROPERTIES: [(&str, &str); 4] = [
    ("DocumentFileName", "The name of the embedded XML document"),
    (
        "DocumentType",
        "The type of the hybrid document in capital letters, e.g. INVOICE or ORDER",
    ),
    (
        "Version",
        "The actual version of the standard applying to the embedded XML document",
    ),
    (
        "ConformanceLevel",
        "The conformance level of the embedded XML document",
    ),
];
