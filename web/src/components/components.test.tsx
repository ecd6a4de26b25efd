// @vitest-environment jsdom
import { describe, expect, it, vi } from "vitest";
import { act, renderHook, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useQuery } from "@tanstack/react-query";
import { ApiError } from "../api/problem";
import { fakeNetwork, renderApp } from "../test/render";
import { CommandError, ConflictAlert, conflictBanner, isConflict } from "./ConflictAlert";
import { ListPage } from "./ListPage";
import { Pager, offsetPager, pageCount } from "./Pager";
import { FormActions, FormErrorAlert, useServerForm } from "./ServerForm";
import { useDebouncedFields } from "./useDebouncedFields";
import { useKeysetPaging } from "./useKeysetPaging";

const network = fakeNetwork({});
const conflict = () =>
  new ApiError(412, { type: "t", title: "version_mismatch", status: 412, code: "version_mismatch", current_version: 7 });
const other = () => new ApiError(422, { type: "t", title: "x", status: 422, code: "validation_failed" });

describe("pager", () => {
  it("counts pages, at least one", () => {
    expect(pageCount(0, 25)).toBe(1);
    expect(pageCount(25, 25)).toBe(1);
    expect(pageCount(26, 25)).toBe(2);
  });

  it("offset paging: previous from page 2, next until the last page and not while placeholders show", () => {
    const onPage = vi.fn();
    const first = offsetPager({ label: "p", page: 1, total: 60, pageSize: 25, onPage });
    expect([first.pages, first.hasPrevious, first.hasNext]).toEqual([3, false, true]);
    first.onNext();
    expect(onPage).toHaveBeenLastCalledWith(2);
    const last = offsetPager({ label: "p", page: 3, total: 60, pageSize: 25, onPage });
    expect([last.hasPrevious, last.hasNext]).toEqual([true, false]);
    last.onPrevious();
    expect(onPage).toHaveBeenLastCalledWith(2);
    expect(offsetPager({ label: "p", page: 1, total: 60, pageSize: 25, busy: true, onPage }).hasNext).toBe(false);
  });

  it("says 'Page N' for keyset paging and 'Page N sur M' when the count is known, in a named nav", async () => {
    const onNext = vi.fn();
    const common = { label: "Pages des clients", hasPrevious: false, hasNext: true, onPrevious: () => {}, onNext };
    const { unmount } = renderApp(<Pager {...common} page={2} />, { network });
    expect(screen.getByText("Page 2")).toBeTruthy();
    expect(screen.getByRole("navigation", { name: "Pages des clients" })).toBeTruthy();
    expect((screen.getByRole("button", { name: "Page précédente" }) as HTMLButtonElement).disabled).toBe(true);
    await userEvent.click(screen.getByRole("button", { name: "Page suivante" }));
    expect(onNext).toHaveBeenCalledOnce();
    unmount();
    renderApp(<Pager {...common} page={2} pages={3} />, { network });
    expect(screen.getByText("Page 2 sur 3")).toBeTruthy();
  });
});

describe("useKeysetPaging", () => {
  it("goes forward with the server's cursor, back without one, and starts over when the filters change", () => {
    const { result, rerender } = renderHook(({ key }) => useKeysetPaging(key), { initialProps: { key: "q=a" } });
    expect([result.current.after, result.current.page]).toEqual([null, 1]);
    expect(result.current.pager("p", null, false).hasNext).toBe(false);
    expect(result.current.pager("p", "c1", true).hasNext).toBe(false);
    act(() => result.current.pager("p", "c1", false).onNext());
    expect([result.current.after, result.current.page]).toEqual(["c1", 2]);
    act(() => result.current.pager("p", "c2", false).onNext());
    expect([result.current.after, result.current.page]).toEqual(["c2", 3]);
    expect(result.current.pager("p", null, false).hasPrevious).toBe(true);
    act(() => result.current.pager("p", null, false).onPrevious());
    expect(result.current.after).toBe("c1");
    rerender({ key: "q=b" });
    expect([result.current.after, result.current.page]).toEqual([null, 1]);
  });
});

describe("useDebouncedFields", () => {
  it("commits every field at once, trimmed, when typing pauses; shows a value changed from elsewhere", async () => {
    vi.useFakeTimers();
    try {
      const commit = vi.fn();
      const { result, rerender } = renderHook(({ current }) => useDebouncedFields(current, commit, 300), {
        initialProps: { current: { q: "", category: "" } },
      });
      act(() => {
        result.current[1]("q", "vis ");
        result.current[1]("category", "Quinc");
      });
      expect(result.current[0]).toEqual({ q: "vis ", category: "Quinc" });
      expect(commit).not.toHaveBeenCalled();
      act(() => void vi.advanceTimersByTime(300));
      expect(commit).toHaveBeenCalledExactlyOnceWith({ q: "vis", category: "Quinc" });
      // The URL now says what was committed: nothing changes in the fields.
      rerender({ current: { q: "vis", category: "Quinc" } });
      expect(result.current[0].q).toBe("vis ");
      // Back in the history: the fields show the URL's values, and nothing is committed.
      rerender({ current: { q: "", category: "" } });
      expect(result.current[0]).toEqual({ q: "", category: "" });
      act(() => void vi.advanceTimersByTime(300));
      expect(commit).toHaveBeenCalledOnce();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("conflict banner", () => {
  it("a 412 is a conflict, anything else is not", () => {
    expect(isConflict(conflict())).toBe(true);
    expect(isConflict(other())).toBe(false);
    expect(isConflict(new Error("x"))).toBe(false);
  });

  it("says what happened and reloads", async () => {
    const onReload = vi.fn();
    renderApp(<ConflictAlert message="Quelqu'un d'autre a modifié ce produit." onReload={onReload} reloading={false} />, {
      network,
    });
    const alert = screen.getByRole("alert");
    expect(alert.textContent).toContain("Quelqu'un d'autre a modifié ce produit.");
    expect(alert.textContent).toContain("Rechargez pour voir sa version actuelle");
    await userEvent.click(screen.getByRole("button", { name: "Recharger" }));
    expect(onReload).toHaveBeenCalledOnce();
  });

  it("a command's error: the banner for a 412 (reloading with that error), the translated error otherwise", async () => {
    const onReload = vi.fn();
    const error = conflict();
    const { unmount } = renderApp(<CommandError error={error} conflict="Conflit." onReload={onReload} reloading={false} />, {
      network,
    });
    expect(screen.getByTestId("conflict").textContent).toContain("Conflit.");
    await userEvent.click(screen.getByRole("button", { name: "Recharger" }));
    expect(onReload).toHaveBeenCalledWith(error);
    unmount();
    renderApp(<CommandError error={other()} conflict="Conflit." onReload={onReload} reloading={false} />, { network });
    expect(screen.queryByTestId("conflict")).toBeNull();
    expect(screen.getByRole("alert")).toBeTruthy();
    expect(conflictBanner("Conflit.", onReload, false)(other())).toBeUndefined();
  });
});

function NameForm({ send, readOnly = false }: { send: (v: { name: string }) => Promise<void>; readOnly?: boolean }) {
  const form = useForm({ initialValues: { name: "" } });
  const server = useServerForm(form, ["name"], { fieldNames: { label: "name" } });
  return (
    <form ref={server.ref} noValidate onSubmit={server.onSubmit(send)}>
      <FormErrorAlert form={server} />
      <TextInput label="Nom" {...form.getInputProps("name")} />
      <FormActions submitLabel="Créer" busy={server.busy} onCancel={() => {}} readOnly={readOnly} backLabel="Retour" />
    </form>
  );
}

describe("server form", () => {
  it("puts the server's field errors under their fields (renamed), lists the others, focuses the first", async () => {
    const send = vi.fn(async () => {
      throw new ApiError(422, {
        type: "t",
        title: "validation_failed",
        status: 422,
        code: "validation_failed",
        errors: [
          { field: "label", code: "too_long", message: "name too long" },
          { field: "elsewhere", code: "invalid_format", message: "something odd" },
        ],
      });
    });
    renderApp(<NameForm send={send} />, { network });
    await userEvent.click(screen.getByRole("button", { name: "Créer" }));
    const name = screen.getByLabelText("Nom");
    await waitFor(() => expect(name.getAttribute("aria-invalid")).toBe("true"));
    await waitFor(() => expect(document.activeElement).toBe(name));
    expect(screen.getByRole("alert").textContent).toContain("elsewhere\u00a0: Format invalide.");
    expect(send).toHaveBeenCalledWith({ name: "" });
  });

  it("read-only: no submit, a way back instead of cancel", () => {
    renderApp(<NameForm send={async () => {}} readOnly />, { network });
    expect(screen.queryByRole("button", { name: "Créer" })).toBeNull();
    expect(screen.getByRole("button", { name: "Retour" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Annuler" })).toBeNull();
  });
});

interface Row {
  id: string;
  name: string;
}

function Rows({ status }: { status: number }) {
  const query = useQuery({
    queryKey: ["rows", status],
    retry: false,
    queryFn: async () => {
      if (status !== 200) throw new ApiError(status, { type: "t", title: "x", status, code: "internal" });
      return { items: [{ id: "1", name: "Vis" }] as Row[], total: 1 };
    },
  });
  return (
    <ListPage
      title="Produits"
      filters={<TextInput label="Rechercher" />}
      query={query}
      count={(total) => `${total} produit(s)`}
      caption="Liste"
      columns={[
        { header: "Nom", cell: (row: Row) => row.name },
        { header: "Prix", cell: () => "1,00 €", align: "right", testId: "price" },
      ]}
      rowKey={(row) => row.id}
      rowTestId={(row) => `row-${row.name}`}
      empty="Aucun produit."
      pager={(page) => offsetPager({ label: "Pages", page: 1, total: page.total, pageSize: 25, onPage: () => {} })}
    />
  );
}

describe("ListPage", () => {
  it("shows the title, the filters in a search landmark, the count, the rows and the pager", async () => {
    renderApp(<Rows status={200} />, { network });
    expect(screen.getByRole("heading", { name: "Produits", level: 1 })).toBeTruthy();
    expect(screen.getByRole("search")).toBeTruthy();
    expect(await screen.findByText("1 produit(s)")).toBeTruthy();
    expect(screen.getByTestId("row-Vis").textContent).toContain("Vis");
    expect(screen.getByTestId("price").textContent).toBe("1,00 €");
    expect(screen.getByText("Page 1 sur 1")).toBeTruthy();
    expect(screen.queryByText("Aucun produit.")).toBeNull();
  });

  it("shows a failed read with a retry, and no table", async () => {
    renderApp(<Rows status={500} />, { network });
    expect(await screen.findByRole("button", { name: "Réessayer" })).toBeTruthy();
    expect(screen.queryByRole("table")).toBeNull();
  });
});

