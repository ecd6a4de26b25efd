// Field errors of a problem+json answer (`errors[]`: field, code, message), as form errors.
import { ApiError } from "../api/problem";
import type { FieldError } from "../api/types";

export interface FormProblem {
  /** Translated message per form field. */
  fields: Record<string, string>;
  /** Field errors that name no field of the form: shown above it. */
  unmatched: FieldError[];
}

/**
 * `fieldNames` maps the API's field names to the form's (identity for those absent);
 * `known` lists the form's fields, so that an error on another field is not lost.
 */
export function formProblem(
  error: unknown,
  known: readonly string[],
  translate: (code: string, message: string) => string,
  fieldNames: Record<string, string> = {},
): FormProblem {
  const result: FormProblem = { fields: {}, unmatched: [] };
  if (!(error instanceof ApiError)) return result;
  for (const fieldError of error.fieldErrors) {
    const name = fieldNames[fieldError.field] ?? fieldError.field;
    if (known.includes(name)) {
      // The first error of a field is the one shown.
      result.fields[name] ??= translate(fieldError.code, fieldError.message);
    } else {
      result.unmatched.push(fieldError);
    }
  }
  return result;
}
