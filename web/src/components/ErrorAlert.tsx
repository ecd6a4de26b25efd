import { Alert, Button, Group, List, Text } from "@mantine/core";
import { useI18n } from "../i18n/useI18n";
import type { FieldError } from "../api/types";

/** A translated API error, announced to screen readers, with an optional retry. */
export function ErrorAlert({
  error,
  onRetry,
  extra = [],
}: {
  error: unknown;
  onRetry?: () => void;
  extra?: readonly FieldError[];
}) {
  const i18n = useI18n();
  return (
    <Alert color="red" role="alert" variant="light">
      <Text size="sm">{i18n.error(error)}</Text>
      {extra.length > 0 && (
        <List size="sm" mt="xs">
          {extra.map((e) => (
            <List.Item key={`${e.field}-${e.code}`}>
              {i18n.t("app.labelled", { label: e.field })} {i18n.field(e.code, e.message)}
            </List.Item>
          ))}
        </List>
      )}
      {onRetry && (
        <Group mt="sm">
          <Button size="xs" variant="default" onClick={onRetry}>
            {i18n.t("app.retry")}
          </Button>
        </Group>
      )}
    </Alert>
  );
}
