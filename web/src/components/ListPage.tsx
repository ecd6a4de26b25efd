import type { ReactNode } from "react";
import { Group, Stack, Table, Text, Title, VisuallyHidden } from "@mantine/core";
import type { UseQueryResult } from "@tanstack/react-query";
import { QueryStatus } from "./QueryStatus";
import { Pager, type PagerProps } from "./Pager";

export interface Column<T> {
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** Figures line up on the right. */
  align?: "right";
  /** Codes (SKU, SIRET) in a fixed-width font. */
  mono?: boolean;
  /** A data-testid on the cell. */
  testId?: string;
}

export interface ListPageProps<T, P extends { items: T[]; total: number }> {
  title: string;
  /** Buttons beside the title (export, new). */
  actions?: ReactNode;
  /** The filter fields, in a search landmark. */
  filters?: ReactNode;
  /** Shown between the filters and the list (an export's error). */
  notice?: ReactNode;
  query: UseQueryResult<P>;
  /** "{count} produit(s)". */
  count: (total: number) => string;
  /** The table's caption, for screen readers. */
  caption: string;
  columns: readonly Column<T>[];
  rowKey: (row: T) => string;
  rowTestId?: (row: T) => string;
  /** Said when the page has no row. */
  empty: string;
  pager: (page: P) => PagerProps;
  /** A row under the list, in its own footer (the totals of every page), cell by column. */
  footer?: (page: P) => ReactNode;
  minWidth?: number;
  /** After the list: a dialog the page opens. */
  children?: ReactNode;
}

/**
 * The frame every list shares: title and actions, filters, the read's state (loading,
 * "still updating", error with retry), the count, the table, "nothing matches" and the pager.
 */
export function ListPage<T, P extends { items: T[]; total: number }>({
  title,
  actions,
  filters,
  notice,
  query,
  count,
  caption,
  columns,
  rowKey,
  rowTestId,
  empty,
  pager,
  footer,
  minWidth = 720,
  children,
}: ListPageProps<T, P>) {
  const page = query.data;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>{title}</Title>
        {actions && <Group>{actions}</Group>}
      </Group>
      {filters && (
        <Group align="flex-end" role="search">
          {filters}
        </Group>
      )}
      {notice}
      <QueryStatus query={query} />
      {page && (
        <>
          <Text size="sm" aria-live="polite">
            {count(page.total)}
          </Text>
          <Table.ScrollContainer minWidth={minWidth}>
            <Table striped highlightOnHover>
              <VisuallyHidden component="caption">{caption}</VisuallyHidden>
              <Table.Thead>
                <Table.Tr>
                  {columns.map((column, i) => (
                    <Table.Th key={i} scope="col" ta={column.align}>
                      {column.header}
                    </Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {page.items.map((row) => (
                  <Table.Tr key={rowKey(row)} data-testid={rowTestId?.(row)}>
                    {columns.map((column, i) => (
                      <Table.Td
                        key={i}
                        ta={column.align}
                        ff={column.mono ? "monospace" : undefined}
                        data-testid={column.testId}
                      >
                        {column.cell(row)}
                      </Table.Td>
                    ))}
                  </Table.Tr>
                ))}
              </Table.Tbody>
              {footer && page.items.length > 0 && <Table.Tfoot>{footer(page)}</Table.Tfoot>}
            </Table>
          </Table.ScrollContainer>
          {page.items.length === 0 && <Text c="dimmed">{empty}</Text>}
          <Pager {...pager(page)} />
        </>
      )}
      {children}
    </Stack>
  );
}
