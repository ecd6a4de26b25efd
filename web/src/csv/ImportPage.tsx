import { useState } from "react";
import { Alert, Anchor, Button, FileInput, Group, Stack, Text, Title } from "@mantine/core";
import { Link } from "react-router";
import { useI18n } from "../i18n/useI18n";
import { ErrorAlert } from "../components/ErrorAlert";
import { isApiError } from "../api/problem";
import { useDocumentTitle } from "../lib/useDocumentTitle";
import { notify } from "../lib/notify";
import { useCsvImport, type ImportKind, type ImportReport } from "./api";
import { ImportReportTable } from "./ImportReportTable";

/** The file's text (FileReader: jsdom's File has no text()). */
function readText(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result ?? ""));
    reader.onerror = () => reject(reader.error);
    reader.readAsText(file);
  });
}

/**
 * Import a CSV file in two steps: a dry run whose report (line, key, status, field,
 * message) is shown first, then, when it has no error, the real import of the same file.
 */
export function ImportPage({ kind }: { kind: ImportKind }) {
  const i18n = useI18n();
  const title = i18n.t(kind === "products" ? "csv.importProducts" : "csv.importCustomers");
  useDocumentTitle(title);
  const [file, setFile] = useState<File | null>(null);
  const [csv, setCsv] = useState<string | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const importer = useCsvImport(kind);

  const choose = async (chosen: File | null) => {
    setFile(chosen);
    setReport(null);
    importer.reset();
    setCsv(chosen ? await readText(chosen) : null);
  };
  const run = (dryRun: boolean) =>
    csv !== null &&
    importer.mutate(
      { csv, dryRun },
      {
        onSuccess: (result) => {
          setReport(result);
          if (!result.dry_run && result.counts.error === 0) notify(i18n, i18n.t("csv.applied"));
        },
        // 422 import_invalid carries the same report, its rows in error included.
        onError: (error) => {
          const inner = isApiError(error, "import_invalid") ? error.extra("report") : undefined;
          setReport(inner && typeof inner === "object" && "rows" in inner ? (inner as ImportReport) : null);
        },
      },
    );

  const counts = report?.counts;
  const back = kind === "products" ? "/products" : "/customers";
  return (
    <Stack maw={960}>
      <Title order={1}>{title}</Title>
      <Text size="sm">{i18n.t("csv.help")}</Text>
      <FileInput
        label={i18n.t("csv.file")}
        accept=".csv,text/csv"
        value={file}
        onChange={(f) => void choose(f)}
        clearable
        clearButtonProps={{ "aria-label": i18n.t("csv.clear") }}
        w={360}
      />
      <Group>
        <Button onClick={() => run(true)} disabled={csv === null} loading={importer.isPending && importer.variables?.dryRun}>
          {i18n.t("csv.check")}
        </Button>
        <Button
          onClick={() => run(false)}
          disabled={!report || !report.dry_run || report.counts.error > 0}
          loading={importer.isPending && importer.variables?.dryRun === false}
        >
          {i18n.t("csv.confirm")}
        </Button>
        <Anchor component={Link} to={back}>
          {i18n.t("csv.back")}
        </Anchor>
      </Group>
      {importer.error && !report && <ErrorAlert error={importer.error} />}
      {report && counts && (
        <>
          <Alert
            color={counts.error > 0 ? "red" : !report.dry_run ? "green" : "blue"}
            variant="light"
            role="status"
            data-testid="import-summary"
          >
            <Text size="sm" fw={600}>
              {i18n.t(counts.error > 0 ? "csv.hasErrors" : report.dry_run ? "csv.dryRunOk" : "csv.done")}
            </Text>
            <Text size="sm">
              {i18n.t("csv.counts", {
                created: counts.created,
                updated: counts.updated,
                unchanged: counts.unchanged,
                error: counts.error,
              })}
            </Text>
            <Text size="xs">
              {i18n.t("csv.dialect", {
                encoding: report.file.encoding,
                separator: report.file.separator,
              })}
            </Text>
          </Alert>
          <ImportReportTable report={report} />
        </>
      )}
    </Stack>
  );
}
