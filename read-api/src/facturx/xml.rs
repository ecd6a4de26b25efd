//! A thin layer over quick-xml's writer for the CII and UBL documents: elements with
//! text (escaped by quick-xml), with attributes, and parents.

use std::io;

use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

pub struct Xml {
    writer: Writer<Vec<u8>>,
}

impl Xml {
    /// An indented document with its XML declaration (UTF-8).
    pub fn new() -> io::Result<Self> {
        let mut writer = Writer::new_with_indent(Vec::with_capacity(16 * 1024), b' ', 2);
        writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        Ok(Self { writer })
    }

    /// An indented fragment without declaration (XMP packets begin with their own
    /// processing instruction).
    pub fn fragment() -> Self {
        Self {
            writer: Writer::new_with_indent(Vec::with_capacity(4 * 1024), b' ', 1),
        }
    }

    /// `<?content?>`.
    pub fn processing_instruction(&mut self, content: &str) -> io::Result<()> {
        self.writer
            .write_event(Event::PI(quick_xml::events::BytesPI::new(content)))
    }

    /// `<name attrs…>` … `</name>`, its content written by `inner`.
    pub fn parent(
        &mut self,
        name: &str,
        attributes: &[(&str, &str)],
        inner: impl FnOnce(&mut Self) -> io::Result<()>,
    ) -> io::Result<()> {
        use quick_xml::events::{BytesEnd, BytesStart};
        let mut start = BytesStart::new(name);
        for attribute in attributes {
            start.push_attribute(*attribute);
        }
        self.writer.write_event(Event::Start(start))?;
        inner(self)?;
        self.writer.write_event(Event::End(BytesEnd::new(name)))
    }

    /// `<name attrs…>text</name>`.
    pub fn text_with(
        &mut self,
        name: &str,
        attributes: &[(&str, &str)],
        text: &str,
    ) -> io::Result<()> {
        let mut element = self.writer.create_element(name);
        for attribute in attributes {
            element = element.with_attribute(*attribute);
        }
        element.write_text_content(BytesText::new(text))?;
        Ok(())
    }

    /// `<name>text</name>`.
    pub fn text(&mut self, name: &str, text: &str) -> io::Result<()> {
        self.text_with(name, &[], text)
    }

    /// `<name>text</name>` when there is a text.
    pub fn optional(&mut self, name: &str, text: Option<&str>) -> io::Result<()> {
        match text {
            Some(text) => self.text(name, text),
            None => Ok(()),
        }
    }

    pub fn finish(self) -> Vec<u8> {
        let mut bytes = self.writer.into_inner();
        bytes.push(b'\n');
        bytes
    }
}
