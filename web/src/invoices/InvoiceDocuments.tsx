// The invoice's document: its Factur-X PDF (PDF/A-3 with the EN 16931 CII XML inside), in
// the interface's language, read at the version shown (read-your-writes).
import { useState } from "react";
import { Button, Stack } from "@mantine/core";
import { ErrorAlert } from "../components/ErrorAlert";
import { useI18n } from "../i18n/useI18n";
import { saveBlob } from "../lib/download";
import { useInvoicePdf } from "./api";
import type { InvoiceDetail } from "./model";

export function InvoiceDocuments({ invoice }: { invoice: InvoiceDetail }) {
  const i18n = useI18n();
  const load = useInvoicePdf();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const download = async () => {
    setBusy(true);
    setError(null);
    try {
      saveBlob(await load(invoice.id, invoice.version, i18n.lang), `${invoice.number}-${i18n.lang}.pdf`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack gap="xs" align="flex-end">
      <Button variant="default" loading={busy} onClick={() => void download()}>
        {i18n.t("invoice.downloadPdf")}
      </Button>
      {error !== null && <ErrorAlert error={error} />}
    </Stack>
  );
}
