import { useEffect, useRef, useState } from "react";
import { useDebouncedValue } from "@mantine/hooks";

/**
 * Text filters typed into a list's fields and committed (to the URL) once typing pauses,
 * all in one `commit`, trimmed. When `current` changes from elsewhere (back, forward, a
 * link), the fields show it; what this hook committed itself is left alone, as the person
 * may have typed on meanwhile.
 */
export function useDebouncedFields<K extends string>(
  current: Record<K, string>,
  commit: (values: Record<K, string>) => void,
  delay = 300,
): [Record<K, string>, (key: K, value: string) => void] {
  const [draft, setDraft] = useState(current);
  const [debounced] = useDebouncedValue(draft, delay);
  const pushed = useRef(current);
  const keys = Object.keys(current) as K[];

  useEffect(() => {
    const trimmed = Object.fromEntries(keys.map((k) => [k, debounced[k].trim()])) as Record<K, string>;
    if (keys.some((k) => trimmed[k] !== current[k])) {
      pushed.current = trimmed;
      commit(trimmed);
    }
  }, [debounced]);

  const currentKey = JSON.stringify(current);
  useEffect(() => {
    const changed = keys.filter((k) => current[k] !== pushed.current[k]);
    if (changed.length > 0) {
      setDraft((d) => ({ ...d, ...Object.fromEntries(changed.map((k) => [k, current[k]])) }));
    }
    pushed.current = current;
  }, [currentKey]);

  return [draft, (key, value) => setDraft((d) => ({ ...d, [key]: value }))];
}
