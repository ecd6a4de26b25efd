import type { ReactNode } from "react";
import { Alert, Button, Group, Text } from "@mantine/core";
import { useServices } from "../ServicesContext";
import { ApiError } from "../api/problem";
import { useI18n } from "../i18n/useI18n";
import type { AggregateKind } from "../lib/recentWrites";
import { ErrorAlert } from "./ErrorAlert";

/** A 412 on a command: the If-Match version is no longer the current one. */
export function isConflict(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 412;
}

/**
 * Someone else changed the item since it was read: says so (`message`), and offers to
 * reload it, which shows their version.
 */
export function ConflictAlert({
  message,
  help,
  onReload,
  reloading,
}: {
  message: string;
  /** What to do; by default "reload to see its current version, then make your changes again". */
  help?: string;
  onReload: () => void;
  reloading: boolean;
}) {
  const i18n = useI18n();
  return (
    <Alert color="orange" role="alert" variant="light" data-testid="conflict">
      <Text size="sm" fw={600}>
        {message}
      </Text>
      <Text size="sm">{help ?? i18n.t("conflict.help")}</Text>
      <Group mt="sm">
        <Button size="xs" onClick={onReload} loading={reloading}>
          {i18n.t("conflict.reload")}
        </Button>
      </Group>
    </Alert>
  );
}

/** A command's error: the conflict banner for a 412, the translated error otherwise. */
export function CommandError({
  error,
  conflict,
  onReload,
  reloading,
}: {
  error: unknown;
  /** What the conflict banner says ("Quelqu'un d'autre a modifié ce produit…"). */
  conflict: string;
  onReload: (error: ApiError) => void;
  reloading: boolean;
}) {
  return isConflict(error) ? (
    <ConflictAlert message={conflict} onReload={() => onReload(error)} reloading={reloading} />
  ) : (
    <ErrorAlert error={error} />
  );
}

/**
 * The reload a conflict banner offers: at least at the version the server said is current
 * (`current_version`), so that a lagging projection is waited for rather than shown.
 */
export function useReloadLatest(kind: AggregateKind, id: string, reload: () => Promise<unknown>) {
  const { writes } = useServices();
  return (error: ApiError) => {
    const current = Number(error.extra("current_version"));
    if (Number.isInteger(current) && current > 0) writes.record(kind, id, current);
    void reload();
  };
}

/** A form's `renderError`: the conflict banner for a 412, nothing else (the form shows the rest). */
export function conflictBanner(
  conflict: string,
  onReload: (error: ApiError) => void,
  reloading: boolean,
): (error: unknown) => ReactNode | undefined {
  return (error) =>
    isConflict(error) ? (
      <ConflictAlert message={conflict} onReload={() => onReload(error)} reloading={reloading} />
    ) : undefined;
}
