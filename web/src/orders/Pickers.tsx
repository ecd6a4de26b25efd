// Searchable choices read from the server as the person types: products (customers:
// components/CustomerPicker).
import { useState } from "react";
import { Select } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { useServices } from "../ServicesContext";
import { unwrap } from "../api/problem";
import { useI18n } from "../i18n/useI18n";
import type { ProductRow } from "../api/types";
import type { PickerProps } from "../components/CustomerPicker";

export function ProductPicker({
  label,
  value,
  onChange,
  error,
  w = 420,
}: PickerProps & { onChange: (id: string | null, product?: ProductRow) => void }) {
  const { api } = useServices();
  const i18n = useI18n();
  const [search, setSearch] = useState("");
  const [debounced] = useDebouncedValue(search, 250);
  // Once a product is chosen the field shows its label: that is no search.
  const q = debounced.includes(" — ") ? "" : debounced;
  const list = useQuery({
    queryKey: ["products", "picker", q],
    queryFn: async ({ signal }) =>
      (
        await unwrap(
          api.read.GET("/products", {
            params: { query: { status: "active", limit: 20, sort: "sku", ...(q ? { q } : {}) } },
            signal,
          }),
        )
      ).data,
  });
  const [chosen, setChosen] = useState<ProductRow | undefined>();
  const items = [...(list.data?.items ?? [])];
  if (chosen && value === chosen.id && !items.some((p) => p.id === chosen.id)) items.unshift(chosen);
  return (
    <Select
      label={label}
      placeholder={i18n.t("orders.typeToSearch")}
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options: o }) => o}
      data={items.map((p) => ({ value: p.id, label: `${p.sku} — ${p.name} (${i18n.money(p.price)})` }))}
      value={value}
      onChange={(id) => {
        const product = items.find((p) => p.id === id);
        setChosen(product);
        onChange(id, product);
      }}
      error={error}
      required
      nothingFoundMessage={i18n.t("orders.nothingFound")}
      w={w}
    />
  );
}
