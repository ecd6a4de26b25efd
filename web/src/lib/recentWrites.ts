// Read-your-writes: the version each command returned, so that the next read of that
// aggregate (or of its list) waits for the projection to reach it (`min_version`).

export type AggregateKind = "product" | "user" | "customer" | "order" | "stock" | "invoice";

export class RecentWrites {
  private readonly versions = new Map<string, number>();
  private readonly latest = new Map<AggregateKind, { id: string; version: number }>();

  record(kind: AggregateKind, id: string, version: number): void {
    const known = this.versions.get(id) ?? 0;
    if (version < known) return;
    this.versions.set(id, version);
    this.latest.set(kind, { id, version });
  }

  /** The `min_version` for one aggregate's detail: the version last written, if any. */
  versionOf(id: string): number | undefined {
    return this.versions.get(id);
  }

  /** The `min_version` for a list, `<id>:<version>` of the last write of that kind. */
  listMinVersion(kind: AggregateKind): string | undefined {
    const last = this.latest.get(kind);
    return last ? `${last.id}:${last.version}` : undefined;
  }

  /** At sign-out: the next person starts with nothing of this one's session. */
  clear(): void {
    this.versions.clear();
    this.latest.clear();
  }
}
