import { useState } from "react";
import { Anchor, Button, Group, Pagination, Select, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { Link } from "react-router";
import { useI18n } from "../i18n/useI18n";
import { UserStatusBadge } from "./UserStatusBadge";
import { formatDateTime } from "../i18n/format";
import { QueryStatus } from "../components/QueryStatus";
import { useDocumentTitle } from "../lib/useDocumentTitle";
import type { UserStatus } from "../api/types";
import { PAGE_SIZE, useUserList, type UserFilters } from "./api";
import { UserCreateDialog } from "./UserCreateDialog";

export function UsersPage() {
  const i18n = useI18n();
  useDocumentTitle(i18n.t("users.title"));
  const [filters, setFilters] = useState<UserFilters>({ q: "", status: "", page: 1 });
  const [creating, { open, close }] = useDisclosure(false);
  const list = useUserList(filters);
  const pages = list.data ? Math.max(1, Math.ceil(list.data.total / PAGE_SIZE)) : 1;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>{i18n.t("users.title")}</Title>
        <Button onClick={open}>{i18n.t("users.new")}</Button>
      </Group>
      <Group align="flex-end">
        <TextInput
          label={i18n.t("users.search")}
          value={filters.q}
          onChange={(e) => setFilters({ ...filters, q: e.currentTarget.value, page: 1 })}
        />
        <Select
          label={i18n.t("users.status")}
          value={filters.status}
          allowDeselect={false}
          data={[
            { value: "", label: i18n.t("users.status.any") },
            { value: "active", label: i18n.t("users.status.active") },
            { value: "disabled", label: i18n.t("users.status.disabled") },
          ]}
          onChange={(v) => setFilters({ ...filters, status: (v ?? "") as UserStatus | "", page: 1 })}
        />
      </Group>
      <QueryStatus query={list} />
      {list.data && (
        <>
          <Text size="sm" role="status">
            {i18n.t("users.count", { count: list.data.total })}
          </Text>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{i18n.t("users.col.name")}</Table.Th>
                <Table.Th>{i18n.t("users.col.email")}</Table.Th>
                <Table.Th>{i18n.t("users.col.roles")}</Table.Th>
                <Table.Th>{i18n.t("users.col.status")}</Table.Th>
                <Table.Th>{i18n.t("users.col.lastLogin")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.items.map((user) => (
                <Table.Tr key={user.id} data-testid={`user-${user.email}`}>
                  <Table.Td>
                    <Anchor component={Link} to={`/admin/users/${user.id}`}>
                      {user.display_name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{user.email}</Table.Td>
                  <Table.Td>{user.roles.map((r) => i18n.t(`role.${r}`)).join(", ")}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      <UserStatusBadge status={user.status} />
                      {user.must_change_password && (
                        <Text size="xs">{i18n.t("users.mustChange")}</Text>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>{user.last_login_at ? formatDateTime(user.last_login_at, i18n.lang) : "—"}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {pages > 1 && (
            <nav aria-label={i18n.t("users.paging")}>
              <Pagination
                total={pages}
                value={filters.page}
                onChange={(page) => setFilters({ ...filters, page })}
                getControlProps={(control) => ({
                  "aria-label": control === "previous" ? i18n.t("users.prev") : i18n.t("users.next"),
                })}
                getItemProps={(page) => ({ "aria-label": i18n.t("users.page", { page, pages }) })}
              />
            </nav>
          )}
        </>
      )}
      <UserCreateDialog opened={creating} onClose={close} />
    </Stack>
  );
}
