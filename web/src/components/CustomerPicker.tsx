// A customer chosen by searching the server as the person types (orders, invoices,
// receivables), by code or name.
import { useState } from "react";
import { Select } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { useServices } from "../ServicesContext";
import { unwrap } from "../api/problem";
import { useI18n } from "../i18n/useI18n";

export interface PickerProps {
  label: string;
  value: string | null;
  onChange: (id: string | null) => void;
  required?: boolean;
  error?: string;
  w?: number;
}

export interface CustomerPickerProps extends PickerProps {
  /** Archived customers too (a filter over past documents); active ones only by default. */
  anyStatus?: boolean;
}

export function CustomerPicker({ label, value, onChange, required, error, w = 360, anyStatus = false }: CustomerPickerProps) {
  const { api } = useServices();
  const i18n = useI18n();
  const [search, setSearch] = useState("");
  const [debounced] = useDebouncedValue(search, 250);
  const q = debounced.includes(" — ") ? "" : debounced;
  const list = useQuery({
    queryKey: ["customers", "picker", anyStatus, q],
    queryFn: async ({ signal }) =>
      (
        await unwrap(
          api.read.GET("/customers", {
            params: { query: { ...(anyStatus ? {} : { status: "active" as const }), limit: 20, sort: "code", ...(q ? { q } : {}) } },
            signal,
          }),
        )
      ).data,
  });
  const selected = useQuery({
    queryKey: ["customers", "detail", value],
    enabled: !!value,
    queryFn: async ({ signal }) =>
      (await unwrap(api.read.GET("/customers/{id}", { params: { path: { id: value ?? "" } }, signal }))).data,
  });
  const options = (list.data?.items ?? []).map((c) => ({ value: c.id, label: `${c.code} — ${c.legal_name}` }));
  if (selected.data && !options.some((o) => o.value === selected.data.id))
    options.unshift({ value: selected.data.id, label: `${selected.data.code} — ${selected.data.legal_name}` });
  return (
    <Select
      label={label}
      placeholder={i18n.t("orders.typeToSearch")}
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options: o }) => o}
      data={options}
      value={value}
      onChange={onChange}
      required={required}
      error={error}
      nothingFoundMessage={i18n.t("orders.nothingFound")}
      w={w}
      clearable={!required}
    />
  );
}
