import { useState } from "react";
import type { PagerProps } from "./Pager";

export interface KeysetPaging {
  /** The cursor to read the current page from (`after`), none on the first page. */
  after: string | null;
  /** From 1. */
  page: number;
  /** The pager for a page whose answer gave `nextAfter`; `busy` while the rows are placeholders. */
  pager: (label: string, nextAfter: string | null | undefined, busy: boolean) => PagerProps;
}

/**
 * Keyset paging: the cursors of the pages before this one, so that "previous" needs no
 * cursor from the server. They are forgotten when `resetKey` (the filters) changes.
 */
export function useKeysetPaging(resetKey: string): KeysetPaging {
  const [state, setState] = useState<{ key: string; cursors: string[] }>({ key: resetKey, cursors: [] });
  if (state.key !== resetKey) setState({ key: resetKey, cursors: [] });
  const cursors = state.key === resetKey ? state.cursors : [];
  return {
    after: cursors.at(-1) ?? null,
    page: cursors.length + 1,
    pager: (label, nextAfter, busy) => ({
      label,
      page: cursors.length + 1,
      hasPrevious: cursors.length > 0,
      hasNext: Boolean(nextAfter) && !busy,
      onPrevious: () => setState({ key: resetKey, cursors: cursors.slice(0, -1) }),
      onNext: () => {
        if (nextAfter) setState({ key: resetKey, cursors: [...cursors, nextAfter] });
      },
    }),
  };
}
