import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router";
import { useSession } from "./hooks";

/**
 * Pages behind sign-in: a signed-out visitor goes to /login (and comes back after); a
 * person who must change their password goes to /password first.
 */
export function RequireSession({ children }: { children: ReactNode }) {
  const state = useSession();
  const location = useLocation();
  if (state.status === "signed_out") {
    return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  }
  if (state.user.must_change_password && location.pathname !== "/password") {
    return <Navigate to="/password" replace />;
  }
  return <>{children}</>;
}
