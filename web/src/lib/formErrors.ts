// Field errors of a problem+json answer (`errors[]`: field, code, message), as form errors.
import { ApiError } from "../api/problem";
import type { FieldError } from "../api/types";

export interface FormProblem {
  /** Translated message per form field. */
  fields: Record<string, string>;
  /** Field errors that name no field of the form: shown above it. */
  unmatched: FieldError[];
  /** The whole refusal is said on a field (a taken SKU under the SKU): no banner needed. */
  onField: boolean;
}

/**
 * Refusals that are about one field though they come as a conflict, not a field error:
 * a value that must be unique and is taken. Said under that field.
 */
const UNIQUE_FIELD: Partial<Record<ApiError["code"], string>> = {
  sku_taken: "sku",
  customer_code_taken: "code",
  email_taken: "email",
};

/**
 * `fieldNames` maps the API's field names to the form's (identity for those absent);
 * `known` lists the form's fields, so that an error on another field is not lost.
 */
export function formProblem(
  error: unknown,
  known: readonly string[],
  translate: (code: string, message: string) => string,
  fieldNames: Record<string, string> = {},
  problemMessage?: (error: unknown) => string,
): FormProblem {
  const result: FormProblem = { fields: {}, unmatched: [], onField: false };
  if (!(error instanceof ApiError)) return result;
  const unique = UNIQUE_FIELD[error.code];
  if (unique && known.includes(unique) && problemMessage) {
    result.fields[unique] = problemMessage(error);
    result.onField = true;
    return result;
  }
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
