// Orders: list and detail (read-api), the draft's commands (command-api), the proforma PDF.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useServices } from "../ServicesContext";
import { unwrap } from "../api/problem";
import type { components as R } from "../api/generated/read-api";
import type { components as C } from "../api/generated/command-api";
import { ifMatch } from "../products/model";
import { blobOf } from "../lib/download";

export type OrderRow = R["schemas"]["OrderRow"];
export type OrderDetail = R["schemas"]["OrderDetail"];
export type OrderLine = R["schemas"]["OrderLineRow"];
export type OrderStatus = R["schemas"]["OrderStatus"];
export type OrderPage = R["schemas"]["Page_OrderRow"];
export type Shortage = R["schemas"]["Shortage"];
export type AddLine = C["schemas"]["AddLine"];
export type ChangeLine = C["schemas"]["ChangeLine"];
export type SetTerms = C["schemas"]["SetTerms"];
export type OrderInvoice = R["schemas"]["InvoiceRow"];

export const ORDER_STATUSES: readonly OrderStatus[] = ["draft", "submitting", "submitted", "fulfilled", "cancelled"];
export const ORDER_PAGE = 25;

export interface OrderFilters {
  status: OrderStatus | null;
  customer: string | null;
  from: string;
  to: string;
  q: string;
  page: number;
}

export function useOrderList(f: OrderFilters) {
  const { api } = useServices();
  return useQuery({
    queryKey: ["orders", "list", f],
    queryFn: async ({ signal }): Promise<OrderPage> => {
      const query = {
        page: f.page,
        limit: ORDER_PAGE,
        ...(f.status ? { status: f.status } : {}),
        ...(f.customer ? { customer: f.customer } : {}),
        ...(f.from ? { from: f.from } : {}),
        ...(f.to ? { to: f.to } : {}),
        ...(f.q ? { q: f.q } : {}),
      };
      return (await unwrap(api.read.GET("/orders", { params: { query }, signal }))).data;
    },
    placeholderData: keepPreviousData,
  });
}

export function useOrder(id: string) {
  const { api, writes } = useServices();
  return useQuery({
    queryKey: ["orders", "detail", id],
    queryFn: async ({ signal }): Promise<OrderDetail> => {
      const min = writes.versionOf(id);
      const query = min === undefined ? {} : { min_version: String(min) };
      return (await unwrap(api.read.GET("/orders/{id}", { params: { path: { id }, query }, signal }))).data;
    },
    // While stock is being reserved, look again until the order settles.
    refetchInterval: (q) => (q.state.data?.status === "submitting" ? 500 : false),
  });
}

function useAfterWrite() {
  const { writes } = useServices();
  const queryClient = useQueryClient();
  return (result: { id: string; version: number }) => {
    writes.record("order", result.id, result.version);
    void queryClient.invalidateQueries({ queryKey: ["orders"] });
    void queryClient.invalidateQueries({ queryKey: ["stock"] });
  };
}

export function useCreateOrder() {
  const { api } = useServices();
  const afterWrite = useAfterWrite();
  return useMutation({
    mutationFn: async (customerId: string | null) =>
      (await unwrap(api.command.POST("/orders", { body: { customer_id: customerId } }))).data,
    onSuccess: afterWrite,
  });
}

export type OrderCommand =
  | { kind: "addLine"; body: AddLine }
  | { kind: "changeLine"; lineNo: number; body: ChangeLine }
  | { kind: "deleteLine"; lineNo: number }
  | { kind: "setCustomer"; customerId: string }
  | { kind: "setTerms"; body: { notes: string | null; valid_until: string | null } }
  | { kind: "submit" | "cancel" | "fulfil" };

/** Commands sent at the version shown (`If-Match`): a 412 if the order changed meanwhile. */
function guarded(kind: OrderCommand["kind"]): boolean {
  return kind === "submit" || kind === "cancel" || kind === "fulfil" || kind === "setTerms";
}

/**
 * Every command on one order. Submit, cancel, fulfil and the terms are sent at the version
 * shown (`If-Match`: the person acts on what they see, and terms typed over someone else's
 * are not silently lost); line and customer edits of a draft are not, as a refused
 * submission (shortages) itself moves the version on.
 */
export function useOrderCommand(id: string) {
  const { api } = useServices();
  const queryClient = useQueryClient();
  const afterWrite = useAfterWrite();
  return useMutation({
    mutationFn: async ({ command, version }: { command: OrderCommand; version: number }) => {
      const header = guarded(command.kind) ? { "If-Match": ifMatch(version) } : {};
      const path = { id };
      switch (command.kind) {
        case "addLine":
          return (await unwrap(api.command.POST("/orders/{id}/lines", { params: { path, header }, body: command.body }))).data;
        case "changeLine":
          return (
            await unwrap(
              api.command.PATCH("/orders/{id}/lines/{line_no}", {
                params: { path: { id, line_no: command.lineNo }, header },
                body: command.body,
              }),
            )
          ).data;
        case "deleteLine":
          return (
            await unwrap(
              api.command.DELETE("/orders/{id}/lines/{line_no}", { params: { path: { id, line_no: command.lineNo }, header } }),
            )
          ).data;
        case "setCustomer":
          return (
            await unwrap(
              api.command.PUT("/orders/{id}/customer", { params: { path, header }, body: { customer_id: command.customerId } }),
            )
          ).data;
        case "setTerms": {
          // Both fields always: the command replaces the terms, an absent one is cleared.
          const body: SetTerms = { notes: command.body.notes, valid_until: command.body.valid_until };
          return (await unwrap(api.command.PUT("/orders/{id}/terms", { params: { path, header }, body }))).data;
        }
        case "submit":
          return (await unwrap(api.command.POST("/orders/{id}/submit", { params: { path, header } }))).data;
        case "cancel":
          return (await unwrap(api.command.POST("/orders/{id}/cancel", { params: { path, header } }))).data;
        case "fulfil":
          return (await unwrap(api.command.POST("/orders/{id}/fulfil", { params: { path, header } }))).data;
      }
    },
    onSuccess: afterWrite,
    // A refusal may still have changed the order (a submission refused for shortages).
    onError: () => void queryClient.invalidateQueries({ queryKey: ["orders", "detail", id] }),
  });
}

/** The proforma PDF at the version shown, in French or English. */
export function useProforma() {
  const { api } = useServices();
  return (id: string, version: number, lang: "fr" | "en") =>
    blobOf(
      api.read.GET("/orders/{id}/proforma.pdf", {
        params: { path: { id }, query: { lang, min_version: String(version) } },
        parseAs: "blob",
      }),
    );
}

/**
 * The invoice of an order, if it has one (null otherwise): the order's read model does not
 * name it, so it is looked up in the invoice list by the order's number.
 */
export function useOrderInvoice(order: Pick<OrderDetail, "id" | "number">, enabled: boolean) {
  const { api } = useServices();
  return useQuery({
    queryKey: ["invoices", "of-order", order.id],
    enabled,
    queryFn: async ({ signal }): Promise<OrderInvoice | null> => {
      const page = (await unwrap(api.read.GET("/invoices", { params: { query: { q: order.number, limit: 10 } }, signal }))).data;
      return page.items.find((i) => i.order_id === order.id) ?? null;
    },
  });
}

/** Invoices a fulfilled order, whole (admin, sales); the invoice is then read at least at its version. */
export function useIssueInvoice() {
  const { api, writes } = useServices();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (orderId: string) => (await unwrap(api.command.POST("/invoices", { body: { order_id: orderId } }))).data,
    onSuccess: (result) => {
      writes.record("invoice", result.id, result.version);
      void queryClient.invalidateQueries({ queryKey: ["invoices"] });
      void queryClient.invalidateQueries({ queryKey: ["receivables"] });
      void queryClient.invalidateQueries({ queryKey: ["dashboard", "receivables"] });
    },
  });
}
