import { Alert, Button, Group, Text } from "@mantine/core";
import { useI18n } from "../i18n/useI18n";

/** 412: someone else changed the item since it was read; reloading shows their version. */
export function ConflictAlert({ onReload, reloading }: { onReload: () => void; reloading: boolean }) {
  const i18n = useI18n();
  return (
    <Alert color="orange" role="alert" variant="light" data-testid="conflict">
      <Text size="sm" fw={600}>
        {i18n.t("product.conflict")}
      </Text>
      <Text size="sm">{i18n.t("product.conflictHelp")}</Text>
      <Group mt="sm">
        <Button size="xs" onClick={onReload} loading={reloading}>
          {i18n.t("product.reload")}
        </Button>
      </Group>
    </Alert>
  );
}
