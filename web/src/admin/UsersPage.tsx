import { useState } from "react";
import { Anchor, Button, Group, Select, Text, TextInput } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { Link } from "react-router";
import { useI18n } from "../i18n/useI18n";
import { UserStatusBadge } from "./UserStatusBadge";
import { ListPage, type Column } from "../components/ListPage";
import { offsetPager } from "../components/Pager";
import { useDebouncedFields } from "../components/useDebouncedFields";
import { useDocumentTitle } from "../lib/useDocumentTitle";
import type { UserRow, UserStatus } from "../api/types";
import { PAGE_SIZE, useUserList, type UserFilters } from "./api";
import { UserCreateDialog } from "./UserCreateDialog";

export function UsersPage() {
  const i18n = useI18n();
  useDocumentTitle(i18n.t("users.title"));
  const [filters, setFilters] = useState<UserFilters>({ q: "", status: "", page: 1 });
  const [creating, { open, close }] = useDisclosure(false);
  const list = useUserList(filters);
  const [text, setText] = useDebouncedFields({ q: filters.q }, ({ q }) =>
    setFilters((f) => ({ ...f, q, page: 1 })),
  );
  const columns: Column<UserRow>[] = [
    {
      header: i18n.t("users.col.name"),
      cell: (user) => (
        <Anchor component={Link} to={`/admin/users/${user.id}`}>
          {user.display_name}
        </Anchor>
      ),
    },
    { header: i18n.t("users.col.email"), cell: (user) => user.email },
    { header: i18n.t("users.col.roles"), cell: (user) => user.roles.map((r) => i18n.t(`role.${r}`)).join(", ") },
    {
      header: i18n.t("users.col.status"),
      cell: (user) => (
        <Group gap={4}>
          <UserStatusBadge status={user.status} />
          {user.must_change_password && <Text size="xs">{i18n.t("users.mustChange")}</Text>}
        </Group>
      ),
    },
    {
      header: i18n.t("users.col.lastLogin"),
      cell: (user) => (user.last_login_at ? i18n.dateTime(user.last_login_at) : "—"),
    },
  ];
  return (
    <ListPage
      title={i18n.t("users.title")}
      actions={<Button onClick={open}>{i18n.t("users.new")}</Button>}
      filters={
        <>
          <TextInput
            label={i18n.t("users.search")}
            type="search"
            value={text.q}
            onChange={(e) => setText("q", e.currentTarget.value)}
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
        </>
      }
      query={list}
      count={(total) => i18n.t("users.count", { count: i18n.number(total) })}
      caption={i18n.t("users.title")}
      columns={columns}
      rowKey={(user) => user.id}
      rowTestId={(user) => `user-${user.email}`}
      empty={i18n.t("users.empty")}
      pager={(page) =>
        offsetPager({
          label: i18n.t("users.paging"),
          page: filters.page,
          total: page.total,
          pageSize: PAGE_SIZE,
          busy: list.isPlaceholderData,
          onPage: (p) => setFilters({ ...filters, page: p }),
        })
      }
    >
      <UserCreateDialog opened={creating} onClose={close} />
    </ListPage>
  );
}
