// A modal that asks before an action that cannot be undone, and says what it will do.
// Focus moves into it (on the confirm button, or on the dismiss button for a destructive
// action), stays there while it is open and goes back to what opened it; Escape, the
// close button, a click outside and the dismiss button all leave without acting.
import type { ReactNode } from "react";
import { Button, Group, Modal, Stack } from "@mantine/core";

export interface ConfirmDialogProps {
  opened: boolean;
  title: string;
  /** What will happen, in full: quantities, stock, what can no longer be done. */
  children: ReactNode;
  confirmLabel: string;
  dismissLabel: string;
  /** The close button's accessible name. */
  closeLabel: string;
  onConfirm: () => void;
  onDismiss: () => void;
  /** The action is running: the confirm button spins, the dialog cannot be dismissed. */
  busy?: boolean;
  /** Red confirm button, and the focus starts on the dismiss button. */
  destructive?: boolean;
  testId?: string;
}

export function ConfirmDialog({
  opened,
  title,
  children,
  confirmLabel,
  dismissLabel,
  closeLabel,
  onConfirm,
  onDismiss,
  busy = false,
  destructive = false,
  testId,
}: ConfirmDialogProps) {
  return (
    <Modal
      opened={opened}
      onClose={() => {
        if (!busy) onDismiss();
      }}
      title={title}
      centered
      size="lg"
      closeButtonProps={{ "aria-label": closeLabel }}
      closeOnClickOutside={!busy}
      closeOnEscape={!busy}
      data-testid={testId}
      styles={{ title: { fontWeight: 700, fontSize: "var(--mantine-font-size-lg)" } }}
    >
      <Stack>
        {children}
        <Group justify="flex-end" mt="sm">
          <Button variant="default" onClick={onDismiss} disabled={busy} data-autofocus={destructive ? true : undefined}>
            {dismissLabel}
          </Button>
          <Button color={destructive ? "red.8" : undefined} onClick={onConfirm} loading={busy} data-autofocus={destructive ? undefined : true}>
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
