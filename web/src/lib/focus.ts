import { useEffect, useState, type RefObject } from "react";

/**
 * Moves the focus to the first field marked invalid inside `container` after the render
 * that marks it: call the returned function when errors are set.
 */
export function useFocusFirstInvalid(container: RefObject<HTMLElement | null>): () => void {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (tick > 0) container.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [tick, container]);
  return () => setTick((n) => n + 1);
}
