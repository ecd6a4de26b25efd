import { useEffect, useRef } from "react";
import { AppShell, Burger, Button, Group, NavLink, Text, Anchor } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useQueryClient } from "@tanstack/react-query";
import {
  Link,
  NavLink as RouterNavLink,
  Outlet,
  useLocation,
  useNavigate,
  useNavigationType,
} from "react-router";
import { useServices } from "../ServicesContext";
import { useI18n } from "../i18n/useI18n";
import { useMe, useSession } from "../auth/hooks";
import { visibleMenu } from "../auth/permissions";
import { LanguageSwitch } from "./LanguageSwitch";

/** The frame of every signed-in page: header, the menu the roles allow, the page. */
export function Shell() {
  const { session } = useServices();
  const state = useSession();
  const me = useMe();
  const i18n = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [opened, { toggle, close }] = useDisclosure();
  const forced = state.status === "signed_in" && state.user.must_change_password;
  const menu = forced ? [] : visibleMenu(me.data?.permissions, me.data?.roles);

  // After a move to another page, the focus goes to its content, as a page load would
  // put a screen reader at the top of the new page. Not on the first page, nor after a
  // redirect (sign-in, "/" to the home section): there the skip link comes first.
  const { pathname } = useLocation();
  const type = useNavigationType();
  const navigationType = useRef(type);
  navigationType.current = type;
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (navigationType.current !== "REPLACE") document.getElementById("main")?.focus();
  }, [pathname]);

  const logout = async () => {
    await session.logout();
    queryClient.clear();
    navigate("/login", { replace: true });
  };

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding="md"
    >
      <Anchor href="#main" className="skip-link">
        {i18n.t("app.skip")}
      </Anchor>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={i18n.t("nav.toggle")}
            />
            <Anchor component={Link} to="/" fw={700} size="lg" underline="never">
              {i18n.t("app.name")}
            </Anchor>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <LanguageSwitch />
            {me.data && (
              <Text size="sm" visibleFrom="sm">
                {i18n.t("nav.signedInAs", { name: me.data.display_name || me.data.email })}
              </Text>
            )}
            <Button variant="default" size="xs" onClick={() => void logout()}>
              {i18n.t("nav.logout")}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label={i18n.t("nav.main")}>
        {menu.map((item) => (
          <NavLink
            key={item.to}
            component={RouterNavLink}
            to={item.to}
            label={i18n.t(item.label)}
            onClick={close}
          />
        ))}
        <NavLink
          component={RouterNavLink}
          to="/password"
          label={i18n.t("nav.changePassword")}
          onClick={close}
        />
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
