import type { ReactNode } from "react";
import { Group, Stack, Text, Title } from "@mantine/core";
import { useI18n } from "../i18n/useI18n";

/** The top of a record's page: its title, status, version and date, and its actions. */
export function RecordHeader({
  title,
  status,
  version,
  updatedAt,
  actions,
}: {
  title: string;
  status: ReactNode;
  version: number;
  updatedAt: string;
  actions?: ReactNode;
}) {
  const i18n = useI18n();
  return (
    <Group justify="space-between" align="flex-start">
      <Stack gap={4}>
        <Title order={1}>{title}</Title>
        <Group gap="xs">
          {status}
          <Text size="sm" c="dimmed" data-testid="version">
            {i18n.t("record.version", { version, date: i18n.dateTime(updatedAt) })}
          </Text>
        </Group>
      </Stack>
      {actions && <Group>{actions}</Group>}
    </Group>
  );
}
