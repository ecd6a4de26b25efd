import { QueryClient } from "@tanstack/react-query";
import { ApiError, isApiError } from "../api/problem";

/** How many times a read is retried while the projection catches up (504 projection_lagging). */
export const LAGGING_RETRIES = 8;

/**
 * Retries: a lagging projection is waited for (the server already waited ~2 s each time);
 * a network failure or a 502/503 twice; anything else is an answer, not retried.
 */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (isApiError(error, "projection_lagging")) return failureCount < LAGGING_RETRIES;
  if (error instanceof ApiError && [0, 502, 503].includes(error.status)) return failureCount < 2;
  return false;
}

export function retryDelay(failureCount: number, error: unknown): number {
  if (isApiError(error, "projection_lagging")) return 250;
  return Math.min(1000 * 2 ** failureCount, 8000);
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: shouldRetry,
        retryDelay,
        staleTime: 15_000,
        refetchOnWindowFocus: false,
      },
      mutations: { retry: false },
    },
  });
}
