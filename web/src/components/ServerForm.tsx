// What every form that sends a command shares: the busy state, the server's field errors
// put under their fields (the others listed above the form), the focus moved to the first
// invalid field, and the buttons.
import { useRef, useState, type FormEvent, type ReactNode, type RefObject } from "react";
import { Button, Group } from "@mantine/core";
import type { UseFormReturnType } from "@mantine/form";
import { useI18n } from "../i18n/useI18n";
import { formProblem, type FormProblem } from "../lib/formErrors";
import { useFocusFirstInvalid } from "../lib/focus";
import type { FieldError } from "../api/types";
import { ErrorAlert } from "./ErrorAlert";

/** What a record's create/edit form takes. */
export interface RecordFormProps<V> {
  initialValues: V;
  mode: "create" | "edit";
  readOnly?: boolean;
  /** Sends the values; a rejection's problem+json field errors are shown on the fields. */
  onSubmit: (values: V) => Promise<void>;
  onCancel: () => void;
  /** Shown instead of the generic error alert (the edit page's conflict banner). */
  renderError?: (error: unknown) => ReactNode | undefined;
}

export interface ServerFormOptions {
  /** The API's field names that differ from the form's: `{ new_password: "next" }`. */
  fieldNames?: Record<string, string>;
  /** Adjusts the field errors of a rejection before they are shown. */
  adjust?: (error: unknown, problem: FormProblem) => void;
}

export interface ServerForm<V> {
  ref: RefObject<HTMLFormElement | null>;
  busy: boolean;
  /** The last rejection, null after a success or `clear()`. */
  error: unknown;
  /** Field errors that name no field of the form. */
  unmatched: FieldError[];
  /** The form's onSubmit: validates, sends, shows what the server refused. */
  onSubmit: (send: (values: V) => Promise<void>) => (event?: FormEvent<HTMLFormElement>) => void;
  clear: () => void;
}

export function useServerForm<V>(
  form: UseFormReturnType<V>,
  fields: readonly string[],
  { fieldNames, adjust }: ServerFormOptions = {},
): ServerForm<V> {
  const i18n = useI18n();
  const ref = useRef<HTMLFormElement>(null);
  const focusFirstInvalid = useFocusFirstInvalid(ref);
  const [error, setError] = useState<unknown>(null);
  const [unmatched, setUnmatched] = useState<FieldError[]>([]);
  const [busy, setBusy] = useState(false);
  const clear = () => {
    setError(null);
    setUnmatched([]);
  };
  const onSubmit = (send: (values: V) => Promise<void>) =>
    form.onSubmit(async (values) => {
      setBusy(true);
      clear();
      try {
        await send(values);
      } catch (e) {
        const problem = formProblem(e, fields, i18n.field, fieldNames, i18n.error);
        adjust?.(e, problem);
        form.setErrors(problem.fields);
        setUnmatched(problem.unmatched);
        setError(problem.onField ? null : e);
        focusFirstInvalid();
      } finally {
        setBusy(false);
      }
    }, () => focusFirstInvalid());
  return { ref, busy, error, unmatched, onSubmit, clear };
}

/** The form's rejection: what `render` makes of it (a conflict banner), else the translated error. */
export function FormErrorAlert({
  form,
  render,
}: {
  form: Pick<ServerForm<unknown>, "error" | "unmatched">;
  render?: ((error: unknown) => ReactNode | undefined) | undefined;
}) {
  if (form.error === null) return null;
  return render?.(form.error) ?? <ErrorAlert error={form.error} extra={form.unmatched} />;
}

/**
 * Submit and cancel. `readOnly`: no submit, and the cancel button becomes `backLabel`
 * (or disappears without one). `end`: right-aligned, cancel first (a dialog's order).
 */
export function FormActions({
  submitLabel,
  busy,
  onCancel,
  readOnly = false,
  backLabel,
  end = false,
}: {
  submitLabel: string;
  busy: boolean;
  onCancel: () => void;
  readOnly?: boolean;
  backLabel?: string;
  end?: boolean;
}) {
  const i18n = useI18n();
  const submit = !readOnly && (
    <Button type="submit" loading={busy}>
      {submitLabel}
    </Button>
  );
  const cancel = (!readOnly || backLabel) && (
    <Button variant="default" onClick={onCancel}>
      {readOnly ? backLabel : i18n.t("form.cancel")}
    </Button>
  );
  if (!submit && !cancel) return null;
  return end ? (
    <Group justify="flex-end">
      {cancel}
      {submit}
    </Group>
  ) : (
    <Group>
      {submit}
      {cancel}
    </Group>
  );
}
