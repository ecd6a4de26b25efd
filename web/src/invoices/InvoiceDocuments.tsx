// The invoice's documents: the place for the "Download PDF (Factur-X)" button.
//
// Not wired yet: the invoice PDF / Factur-X routes are being added to read-api in
// parallel, and no route is assumed here before it is in docs/openapi/read-api.json.
// To wire it once it is (after `npm run gen:api`):
//   - a loader in ./api.ts, as orders' `useProforma` (blobOf(api.read.GET(<route>,
//     { params: { path: { id }, query: { lang, min_version } }, parseAs: "blob" })));
//   - here, a button that fetches the blob and `saveBlob`s it as `${invoice.number}.pdf`
//     (the language choice as on the order's proforma, if the route takes one), with its
//     error in an ErrorAlert;
//   - its label in ./messages.ts, French and English.
// The invoice page renders this component beside its title, for everyone who may read
// the invoice; it shows nothing until then.
import type { InvoiceDetail } from "./model";

export function InvoiceDocuments(_props: { invoice: InvoiceDetail }) {
  return null;
}
