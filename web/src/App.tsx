import { lazy, Suspense, useEffect } from "react";
import { MantineProvider, Stack, Text, Anchor, Title, createTheme } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { BrowserRouter, Link, Navigate, Route, Routes } from "react-router";
import { I18nProvider } from "./i18n/I18nProvider";
import { useI18n } from "./i18n/useI18n";
import { ServicesProvider, useServices } from "./ServicesContext";
import type { Services } from "./services";
import { LoginPage } from "./auth/LoginPage";
import { ChangePasswordPage } from "./auth/ChangePasswordPage";
import { RequireSession } from "./auth/RequireSession";
import { RequirePermission } from "./auth/RequirePermission";
import { useMe } from "./auth/hooks";
import { homePath } from "./auth/permissions";
import { Shell } from "./layout/Shell";
import { QueryStatus } from "./components/QueryStatus";
import { ProductsPage } from "./products/ProductsPage";
import { ProductCreatePage } from "./products/ProductCreatePage";
import { ProductEditPage } from "./products/ProductEditPage";
import { useDocumentTitle } from "./lib/useDocumentTitle";
import { featureRoutes } from "./featureRoutes";

// The admin pages load on demand (route-level code splitting): most people never open them.
const UsersPage = lazy(() => import("./admin/UsersPage").then((m) => ({ default: m.UsersPage })));
const UserPage = lazy(() => import("./admin/UserPage").then((m) => ({ default: m.UserPage })));
const AuditPage = lazy(() => import("./admin/AuditPage").then((m) => ({ default: m.AuditPage })));

const theme = createTheme({
  primaryColor: "indigo",
  // Darker shades keep text on filled buttons above 4.5:1 contrast.
  primaryShade: 8,
});

/** Forgets every cached answer and write when the session ends: the next person sees nothing of it. */
function ClearCacheOnSignOut({ queryClient }: { queryClient: QueryClient }) {
  const { session, writes } = useServices();
  useEffect(
    () =>
      session.subscribe(() => {
        if (session.getState().status === "signed_out") {
          queryClient.clear();
          writes.clear();
        }
      }),
    [session, writes, queryClient],
  );
  return null;
}

function Home() {
  const me = useMe();
  if (!me.data) return <QueryStatus query={me} />;
  return <Navigate to={homePath(me.data.permissions)} replace />;
}

function NotFound() {
  const i18n = useI18n();
  useDocumentTitle(i18n.t("app.notFound"));
  return (
    <Stack>
      <Title order={1}>{i18n.t("app.notFound")}</Title>
      <Text>
        <Anchor component={Link} to="/">
          {i18n.t("app.backHome")}
        </Anchor>
      </Text>
    </Stack>
  );
}

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route
        element={
          <RequireSession>
            <Shell />
          </RequireSession>
        }
      >
        <Route index element={<Home />} />
        <Route path="password" element={<ChangePasswordPage />} />
        <Route
          path="products"
          element={
            <RequirePermission permission="catalogue:read">
              <ProductsPage />
            </RequirePermission>
          }
        />
        <Route
          path="products/new"
          element={
            <RequirePermission permission="catalogue:write">
              <ProductCreatePage />
            </RequirePermission>
          }
        />
        <Route
          path="products/:id"
          element={
            <RequirePermission permission="catalogue:read">
              <ProductEditPage />
            </RequirePermission>
          }
        />
        <Route
          path="admin/users"
          element={
            <RequirePermission permission="users:manage">
              <Suspense fallback={null}>
                <UsersPage />
              </Suspense>
            </RequirePermission>
          }
        />
        <Route
          path="admin/users/:id"
          element={
            <RequirePermission permission="users:manage">
              <Suspense fallback={null}>
                <UserPage />
              </Suspense>
            </RequirePermission>
          }
        />
        <Route
          path="admin/audit"
          element={
            <RequirePermission permission="audit:read">
              <Suspense fallback={null}>
                <AuditPage />
              </Suspense>
            </RequirePermission>
          }
        />
        {featureRoutes()}
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

export function App({ services, queryClient }: { services: Services; queryClient: QueryClient }) {
  return (
    <MantineProvider theme={theme}>
      <I18nProvider>
        <Notifications position="bottom-center" limit={3} autoClose={3500} containerWidth={420} />
        <ServicesProvider services={services}>
          <QueryClientProvider client={queryClient}>
            <ClearCacheOnSignOut queryClient={queryClient} />
            <BrowserRouter>
              <AppRoutes />
            </BrowserRouter>
          </QueryClientProvider>
        </ServicesProvider>
      </I18nProvider>
    </MantineProvider>
  );
}
