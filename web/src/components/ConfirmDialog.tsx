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
  const dismiss = () => {
    if (!busy) onDismiss();
  };
  // The composable Modal, so that its header is a plain block: a <header> at the top of the
  // page would count as a second banner landmark.
  return (
    <Modal.Root opened={opened} onClose={dismiss} centered size="lg" closeOnClickOutside={!busy} closeOnEscape={!busy} data-testid={testId}>
      <Modal.Overlay />
      <Modal.Content>
        <Modal.Header component="div">
          <Modal.Title fw={700} fz="lg">
            {title}
          </Modal.Title>
          <Modal.CloseButton aria-label={closeLabel} disabled={busy} />
        </Modal.Header>
        <Modal.Body>
          <Stack>
            {children}
            <Group justify="flex-end" mt="sm">
              <Button variant="default" onClick={onDismiss} disabled={busy} data-autofocus={destructive ? true : undefined}>
                {dismissLabel}
              </Button>
              <Button color={destructive ? "red.9" : undefined} onClick={onConfirm} loading={busy} data-autofocus={destructive ? undefined : true}>
                {confirmLabel}
              </Button>
            </Group>
          </Stack>
        </Modal.Body>
      </Modal.Content>
    </Modal.Root>
  );
}
