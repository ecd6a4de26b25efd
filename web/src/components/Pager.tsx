import { Button, Group, Text } from "@mantine/core";
import { useI18n } from "../i18n/useI18n";

export interface PagerProps {
  /** The navigation landmark's name ("Pages des comptes"). */
  label: string;
  /** From 1. */
  page: number;
  /** How many pages there are, when known (offset paging); keyset paging shows "Page N". */
  pages?: number;
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
}

/** Previous / "Page N (of M)" / next, in a labelled navigation landmark. */
export function Pager({ label, page, pages, hasPrevious, hasNext, onPrevious, onNext }: PagerProps) {
  const i18n = useI18n();
  return (
    <Group justify="space-between" component="nav" aria-label={label}>
      <Button variant="default" disabled={!hasPrevious} onClick={onPrevious}>
        {i18n.t("list.previous")}
      </Button>
      <Text size="sm">
        {pages === undefined ? i18n.t("list.pageN", { page }) : i18n.t("list.pageOf", { page, pages })}
      </Text>
      <Button variant="default" disabled={!hasNext} onClick={onNext}>
        {i18n.t("list.next")}
      </Button>
    </Group>
  );
}

/** How many pages `total` rows fill, at least one. */
export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

/**
 * The pager of an offset-paged list (`page`, `limit`, `total`). `busy`: the rows shown are
 * the previous answer's (placeholder data), so "next" waits for the real one.
 */
export function offsetPager({
  label,
  page,
  total,
  pageSize,
  busy = false,
  onPage,
}: {
  label: string;
  page: number;
  total: number;
  pageSize: number;
  busy?: boolean;
  onPage: (page: number) => void;
}): PagerProps {
  const pages = pageCount(total, pageSize);
  return {
    label,
    page,
    pages,
    hasPrevious: page > 1,
    hasNext: page < pages && !busy,
    onPrevious: () => onPage(page - 1),
    onNext: () => onPage(page + 1),
  };
}
