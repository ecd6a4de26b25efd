// Receivables and DSO on the dashboard (admin, analyst): what customers owe as of the
// period's last day, how much is past due, by age, and the days sales outstanding over
// the period; the list per customer is on the receivables page.
import { Anchor, Group, Paper, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { Link } from "react-router";
import { useI18n } from "../i18n/useI18n";
import { QueryStatus } from "../components/QueryStatus";
import { BarList } from "./Bars";
import { useReceivablesSummary, type Period } from "./api";

const BUCKETS = ["current", "days_1_30", "days_31_60", "days_61_90", "over_90"] as const;

export function ReceivablesCard({ period }: { period: Period }) {
  const i18n = useI18n();
  const summary = useReceivablesSummary(period);
  const s = summary.data;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="dash-receivables" data-testid="dash-receivables">
      <Stack>
        <Group justify="space-between" align="flex-start">
          <Stack gap={2}>
            <Title order={2} size="h4" id="dash-receivables">
              {i18n.t("dashboard.receivables")}
            </Title>
            {s && (
              <Text size="sm" c="dimmed" data-testid="section-note">
                {i18n.t("dashboard.receivablesNote", { date: i18n.date(s.as_of) })}
              </Text>
            )}
          </Stack>
          <Anchor component={Link} to={period.to ? `/receivables?as_of=${period.to}` : "/receivables"} size="sm">
            {i18n.t("dashboard.receivablesLink")}
          </Anchor>
        </Group>
        {!s ? (
          <QueryStatus query={summary} />
        ) : (
          <>
            <SimpleGrid cols={{ base: 2, sm: 4 }}>
              {[
                [i18n.t("dashboard.receivablesTotal"), i18n.money(s.aging.total), "kpi-receivables"],
                [i18n.t("dashboard.overdue"), i18n.money(s.overdue), "kpi-overdue"],
                [i18n.t("dashboard.openInvoices"), i18n.number(s.aging.invoices), "kpi-open-invoices"],
                [
                  i18n.t("dashboard.dso"),
                  s.dso.value ? i18n.t("dashboard.dsoValue", { value: i18n.number(s.dso.value) }) : i18n.t("dashboard.dsoNone"),
                  "kpi-dso",
                ],
              ].map(([label, value, id]) => (
                <Paper key={id} withBorder p="sm">
                  <Text size="sm">{label}</Text>
                  <Text size="lg" fw={700} data-testid={id}>
                    {value}
                  </Text>
                </Paper>
              ))}
            </SimpleGrid>
            <Text size="sm" c="dimmed" data-testid="dso-note">
              {i18n.t("dashboard.dsoNote", { days: i18n.number(s.dso.days), invoiced: i18n.money(s.dso.invoiced) })}
            </Text>
            <Stack gap={4}>
              <Text size="sm" fw={600}>
                {i18n.t("dashboard.aging")}
              </Text>
              <BarList
                color="var(--mantine-color-orange-8)"
                bars={BUCKETS.map((b) => ({
                  key: b,
                  label: i18n.t(`receivables.col.${b}`),
                  value: Number(s.aging[b]),
                  text: i18n.money(s.aging[b]),
                }))}
              />
            </Stack>
          </>
        )}
      </Stack>
    </Paper>
  );
}
