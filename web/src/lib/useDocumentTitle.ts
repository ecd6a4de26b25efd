import { useEffect } from "react";

/** "Produits · gescom": each page names itself in the tab and for screen readers. */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · gescom` : "gescom";
  }, [title]);
}
