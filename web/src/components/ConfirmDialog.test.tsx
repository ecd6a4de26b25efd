// @vitest-environment jsdom
import { describe, expect, it, vi } from "vitest";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MantineProvider } from "@mantine/core";
import { ConfirmDialog, type ConfirmDialogProps } from "./ConfirmDialog";

function show(props: Partial<ConfirmDialogProps> = {}) {
  const onConfirm = vi.fn();
  const onDismiss = vi.fn();
  render(
    <MantineProvider>
      <ConfirmDialog
        opened
        title="Livrer la commande ?"
        confirmLabel="Confirmer la livraison"
        dismissLabel="Retour"
        closeLabel="Fermer"
        onConfirm={onConfirm}
        onDismiss={onDismiss}
        {...props}
      >
        <p>Le stock quittera l'entrepôt.</p>
      </ConfirmDialog>
    </MantineProvider>,
  );
  return { onConfirm, onDismiss };
}

describe("confirmation dialog", () => {
  it("is a labelled dialog that says what will happen, focused on its confirm button", async () => {
    const { onConfirm } = show();
    const dialog = await screen.findByRole("dialog", { name: "Livrer la commande ?" });
    expect(dialog.textContent).toContain("Le stock quittera l'entrepôt.");
    const confirm = screen.getByRole("button", { name: "Confirmer la livraison" });
    await waitFor(() => expect(document.activeElement).toBe(confirm));
    await userEvent.keyboard("{Enter}");
    expect(onConfirm).toHaveBeenCalledOnce();
  });

  it("starts on the dismiss button when the action destroys, and Escape dismisses", async () => {
    const { onConfirm, onDismiss } = show({ destructive: true });
    const back = await screen.findByRole("button", { name: "Retour" });
    await waitFor(() => expect(document.activeElement).toBe(back));
    await userEvent.keyboard("{Escape}");
    expect(onDismiss).toHaveBeenCalledOnce();
    expect(onConfirm).not.toHaveBeenCalled();
  });

  it("cannot be dismissed while the action runs", async () => {
    const { onDismiss } = show({ busy: true });
    await screen.findByRole("dialog");
    await userEvent.keyboard("{Escape}");
    expect(onDismiss).not.toHaveBeenCalled();
  });
});
