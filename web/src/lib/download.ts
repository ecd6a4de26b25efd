// Files the read-api serves (CSV exports, the proforma PDF) fetched with the access token,
// then saved or shown from a blob URL: a plain link could not carry the bearer token.
import { unwrap } from "../api/problem";

/** Saves a blob under `name` through a temporary link. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A call made with `parseAs: "blob"`: its blob, or the ApiError of its problem. */
export async function blobOf(
  call: Promise<{ data?: unknown; error?: unknown; response: Response }>,
): Promise<Blob> {
  const { data } = await unwrap(call);
  return data as Blob;
}

/** A file name with today's date: `customers-2026-12-03.csv`. */
export function datedName(stem: string, ext: string): string {
  return `${stem}-${new Date().toISOString().slice(0, 10)}.${ext}`;
}
