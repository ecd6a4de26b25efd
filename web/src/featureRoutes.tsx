// The routes of customers, stock, orders, invoices and the dashboard, each page loaded on first use
// (React.lazy): the initial JavaScript holds only the shell, sign-in and products.
import { lazy, Suspense, type ComponentType, type ReactNode } from "react";
import { Group, Loader, Text } from "@mantine/core";
import { Route } from "react-router";
import { RequirePermission } from "./auth/RequirePermission";
import { RequireRole } from "./auth/RequireRole";
import { DASHBOARD_READERS, INVOICE_READERS, type Permission } from "./auth/permissions";
import type { Role } from "./api/types";
import { useI18n } from "./i18n/useI18n";

function Loading() {
  const i18n = useI18n();
  return (
    <Group gap="xs" role="status">
      <Loader size="sm" aria-hidden />
      <Text size="sm">{i18n.t("app.loading")}</Text>
    </Group>
  );
}

function page<M, P extends object = {}>(load: () => Promise<M>, pick: (m: M) => ComponentType<P>) {
  return lazy(async () => ({ default: pick(await load()) }));
}

const CustomersPage = page(() => import("./customers/CustomersPage"), (m) => m.CustomersPage);
const CustomerCreatePage = page(() => import("./customers/CustomerPages"), (m) => m.CustomerCreatePage);
const CustomerEditPage = page(() => import("./customers/CustomerPages"), (m) => m.CustomerEditPage);
const ImportPage = page(() => import("./csv/ImportPage"), (m) => m.ImportPage);
const StockPage = page(() => import("./stock/StockPage"), (m) => m.StockPage);
const StockDetailPage = page(() => import("./stock/StockDetailPage"), (m) => m.StockDetailPage);
const OrdersPage = page(() => import("./orders/OrdersPage"), (m) => m.OrdersPage);
const OrderNewPage = page(() => import("./orders/OrderNewPage"), (m) => m.OrderNewPage);
const OrderPage = page(() => import("./orders/OrderPage"), (m) => m.OrderPage);
const InvoicesPage = page(() => import("./invoices/InvoicesPage"), (m) => m.InvoicesPage);
const InvoicePage = page(() => import("./invoices/InvoicePage"), (m) => m.InvoicePage);
const ReceivablesPage = page(() => import("./invoices/ReceivablesPage"), (m) => m.ReceivablesPage);
const DashboardPage = lazy(() => import("./dashboard/DashboardPage"));

function guarded(permission: Permission, node: ReactNode) {
  return (
    <RequirePermission permission={permission}>
      <Suspense fallback={<Loading />}>{node}</Suspense>
    </RequirePermission>
  );
}

/** A page some roles open (invoicing, the dashboard): the API grants them by role, not by permission. */
function forRoles(roles: readonly Role[], node: ReactNode) {
  return (
    <RequireRole roles={roles}>
      <Suspense fallback={<Loading />}>{node}</Suspense>
    </RequireRole>
  );
}

export function featureRoutes() {
  return [
    <Route key="customers" path="customers" element={guarded("catalogue:read", <CustomersPage />)} />,
    <Route key="customers-new" path="customers/new" element={guarded("catalogue:write", <CustomerCreatePage />)} />,
    <Route key="customers-import" path="customers/import" element={guarded("catalogue:write", <ImportPage kind="customers" />)} />,
    <Route key="customer" path="customers/:id" element={guarded("catalogue:read", <CustomerEditPage />)} />,
    <Route key="products-import" path="products/import" element={guarded("catalogue:write", <ImportPage kind="products" />)} />,
    <Route key="stock" path="stock" element={guarded("catalogue:read", <StockPage />)} />,
    <Route key="stock-detail" path="stock/:id" element={guarded("catalogue:read", <StockDetailPage />)} />,
    <Route key="orders" path="orders" element={guarded("catalogue:read", <OrdersPage />)} />,
    <Route key="orders-new" path="orders/new" element={guarded("orders:write", <OrderNewPage />)} />,
    <Route key="order" path="orders/:id" element={guarded("catalogue:read", <OrderPage />)} />,
    <Route key="invoices" path="invoices" element={forRoles(INVOICE_READERS, <InvoicesPage />)} />,
    <Route key="invoice" path="invoices/:id" element={forRoles(INVOICE_READERS, <InvoicePage />)} />,
    <Route key="receivables" path="receivables" element={forRoles(INVOICE_READERS, <ReceivablesPage />)} />,
    <Route key="dashboard" path="dashboard" element={forRoles(DASHBOARD_READERS, <DashboardPage />)} />,
  ];
}
