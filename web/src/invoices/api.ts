// Invoices: list, detail and aged receivables (read-api), payments and credit notes
// (command-api), with read-your-writes: after a command, the detail is read at least at
// the version it returned (`min_version`).
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useServices } from "../ServicesContext";
import { unwrap } from "../api/problem";
import { blobOf } from "../lib/download";
import type { components as R } from "../api/generated/read-api";
import { ifMatch } from "../products/model";
import type { InvoiceDetail, InvoiceStatus, IssueCreditNote, RecordPayment } from "./model";

export type InvoicePage = R["schemas"]["Page_InvoiceRow"];
export type AgedReceivables = R["schemas"]["AgedReceivables"];
export type CustomerAging = AgedReceivables["items"][number];

export const INVOICE_PAGE = 25;
export const RECEIVABLES_PAGE = 50;

/** The list's orders (`sort`): newest first by default. */
export const INVOICE_SORTS = ["-issued", "issued", "due", "-due", "number", "-number", "-total", "total"] as const;
export type InvoiceSort = (typeof INVOICE_SORTS)[number];

export interface InvoiceFilters {
  status: InvoiceStatus | null;
  customer: string | null;
  from: string;
  to: string;
  q: string;
  sort: InvoiceSort;
}

export const invoiceKeys = {
  all: ["invoices"] as const,
  list: (f: InvoiceFilters, after: string | null) => ["invoices", "list", f, after] as const,
  detail: (id: string) => ["invoices", "detail", id] as const,
  receivables: ["receivables"] as const,
};

/** One page of invoices, keyset-paged (`after`: the previous page's `next_after`). */
export function useInvoiceList(f: InvoiceFilters, after: string | null) {
  const { api } = useServices();
  return useQuery({
    queryKey: invoiceKeys.list(f, after),
    queryFn: async ({ signal }): Promise<InvoicePage> => {
      const query = {
        limit: INVOICE_PAGE,
        sort: f.sort,
        ...(after ? { after } : {}),
        ...(f.status ? { status: f.status } : {}),
        ...(f.customer ? { customer: f.customer } : {}),
        ...(f.from ? { from: f.from } : {}),
        ...(f.to ? { to: f.to } : {}),
        ...(f.q ? { q: f.q } : {}),
      };
      return (await unwrap(api.read.GET("/invoices", { params: { query }, signal }))).data;
    },
    placeholderData: keepPreviousData,
  });
}

export function useInvoice(id: string) {
  const { api, writes } = useServices();
  return useQuery({
    queryKey: invoiceKeys.detail(id),
    queryFn: async ({ signal }): Promise<InvoiceDetail> => {
      const min = writes.versionOf(id);
      const query = min === undefined ? {} : { min_version: String(min) };
      return (await unwrap(api.read.GET("/invoices/{id}", { params: { path: { id }, query }, signal }))).data;
    },
  });
}

function useAfterWrite() {
  const { writes } = useServices();
  const queryClient = useQueryClient();
  return (result: { id: string; version: number }) => {
    writes.record("invoice", result.id, result.version);
    void queryClient.invalidateQueries({ queryKey: invoiceKeys.all });
    void queryClient.invalidateQueries({ queryKey: invoiceKeys.receivables });
    void queryClient.invalidateQueries({ queryKey: ["dashboard", "receivables"] });
  };
}

/** A payment, at the version shown (`If-Match`), under the id the client chose for it. */
export function useRecordPayment(id: string) {
  const { api } = useServices();
  const afterWrite = useAfterWrite();
  return useMutation({
    mutationFn: async ({ body, version }: { body: RecordPayment; version: number }) =>
      (
        await unwrap(
          api.command.POST("/invoices/{id}/payments", {
            params: { path: { id }, header: { "If-Match": ifMatch(version) } },
            body,
          }),
        )
      ).data,
    onSuccess: afterWrite,
  });
}

/** A credit note (admin), at the version shown (`If-Match`), under the id the client chose for it. */
export function useIssueCreditNote(id: string) {
  const { api } = useServices();
  const afterWrite = useAfterWrite();
  return useMutation({
    mutationFn: async ({ body, version }: { body: IssueCreditNote; version: number }) =>
      (
        await unwrap(
          api.command.POST("/invoices/{id}/credit-notes", {
            params: { path: { id }, header: { "If-Match": ifMatch(version) } },
            body,
          }),
        )
      ).data,
    onSuccess: afterWrite,
  });
}

export interface ReceivablesFilters {
  /** YYYY-MM-DD; "" for today (the server's default). */
  asOf: string;
  customer: string | null;
  page: number;
}

/** What each customer owes as of a day, aged, most owed first (offset-paged), and the totals. */
export function useReceivables(f: ReceivablesFilters) {
  const { api } = useServices();
  return useQuery({
    queryKey: [...invoiceKeys.receivables, f],
    queryFn: async ({ signal }): Promise<AgedReceivables> => {
      const query = {
        page: f.page,
        limit: RECEIVABLES_PAGE,
        ...(f.asOf ? { as_of: f.asOf } : {}),
        ...(f.customer ? { customer: f.customer } : {}),
      };
      return (await unwrap(api.read.GET("/receivables", { params: { query }, signal }))).data;
    },
    placeholderData: keepPreviousData,
  });
}

/** The invoice's Factur-X PDF in `lang`, at least at `version`. */
export function useInvoicePdf() {
  const { api } = useServices();
  return (id: string, version: number, lang: "fr" | "en") =>
    blobOf(
      api.read.GET("/invoices/{id}/pdf", {
        params: { path: { id }, query: { lang, min_version: String(version) } },
        parseAs: "blob",
      }),
    );
}
