import { useSyncExternalStore } from "react";
import { useQuery } from "@tanstack/react-query";
import { useServices } from "../ServicesContext";
import { unwrap } from "../api/problem";
import type { Me } from "../api/types";
import type { SessionState } from "./session";

export function useSession(): SessionState {
  const { session } = useServices();
  return useSyncExternalStore(session.subscribe, session.getState, session.getState);
}

export const meKey = ["auth", "me"] as const;

/** The signed-in account with its roles and permissions (GET /auth/me). */
export function useMe() {
  const { api } = useServices();
  const session = useSession();
  return useQuery({
    queryKey: meKey,
    queryFn: async (): Promise<Me> => (await unwrap(api.command.GET("/auth/me"))).data,
    enabled: session.status === "signed_in",
    staleTime: 60_000,
  });
}
