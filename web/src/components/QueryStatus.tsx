import { Alert, Loader, Group, Text } from "@mantine/core";
import type { UseQueryResult } from "@tanstack/react-query";
import { isApiError } from "../api/problem";
import { useI18n } from "../i18n/useI18n";
import { ErrorAlert } from "./ErrorAlert";

/**
 * The state of a read around its content: "still updating" while the projection lags
 * (the query retries on its own), the error with a retry, a loader the first time.
 */
export function QueryStatus<T>({ query }: { query: UseQueryResult<T> }) {
  const i18n = useI18n();
  if (isApiError(query.failureReason, "projection_lagging") && query.fetchStatus === "fetching") {
    return (
      <Alert color="blue" variant="light" role="status" data-testid="still-updating">
        <Group gap="xs">
          <Loader size="xs" aria-hidden />
          <Text size="sm">{i18n.t("app.stillUpdating")}</Text>
        </Group>
      </Alert>
    );
  }
  if (query.isError) {
    return <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />;
  }
  if (query.isPending) {
    return (
      <Group gap="xs" role="status">
        <Loader size="sm" aria-hidden />
        <Text size="sm">{i18n.t("app.loading")}</Text>
      </Group>
    );
  }
  return null;
}
