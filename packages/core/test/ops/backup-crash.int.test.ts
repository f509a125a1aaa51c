/**
 * A backup killed with SIGKILL at different moments: the source is untouched (same content, `check` healthy),
 * no folder under the backup's name appears, and the unfinished temporary folder it leaves is refused by
 * `restore` with `BACKUP_INVALID` without writing anything.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { check, PersistentClient, restore } from "@cairndb/core";
import { afterAll, describe, expect, it } from "vitest";
import { spawnChild, TempDirs, vector, waitFor } from "../reliability/helpers";
import { dumpFolder } from "./helpers";

const temp = new TempDirs();
afterAll(() => temp.cleanup());
const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

/** A database large enough that a backup takes a while (20,000 records × 128 dimensions). */
async function populateLarge(path: string): Promise<void> {
  const client = new PersistentClient({ path });
  try {
    const col = await client.createCollection({ name: "big", embeddingFunction: null });
    for (let first = 0; first < 20_000; first += 2_000) {
      const ids = Array.from({ length: 2_000 }, (_, k) => `r${first + k}`);
      await col.add({
        ids,
        embeddings: ids.map((_, k) => vector(first + k, 128)),
        documents: ids.map((id) => `document ${id}`),
        metadatas: ids.map((_, k) => ({ n: first + k })),
      });
    }
  } finally {
    await client.close();
  }
}

describe("crash during backup", () => {
  it("SIGKILL at any moment leaves the source untouched and no backup that restores", {
    timeout: 240_000,
  }, async () => {
    const dir = temp.make("cairn-ops-");
    const source = join(dir, "db");
    await populateLarge(source);
    const before = await dumpFolder(source);
    // Kill as soon as the temporary folder appears, then later and later into the copy and the checksums.
    let killed = 0;
    for (const [round, delayMs] of [0, 10, 40, 120].entries()) {
      const name = `crash-${round}.cairn`;
      const child = spawnChild(fixture("backup-child.mjs"), [source, join(dir, name)]);
      const partial = () => readdirSync(dir).find((n) => n.startsWith(`.${name}.partial-`));
      await waitFor(
        () => partial() !== undefined || child.lines.some((l) => l.startsWith("finished")),
        60_000,
        1,
      );
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      child.proc.kill("SIGKILL");
      const exit = await child.exited;
      if (child.lines.some((l) => l.startsWith("finished"))) continue; // too fast to be killed: not a crash
      expect(exit.signal, child.stderr()).toBe("SIGKILL");
      killed++;
      expect(existsSync(join(dir, name))).toBe(false);
      const leftover = partial();
      expect(leftover).toBeDefined();
      await expect(
        restore({ from: join(dir, leftover!), path: join(dir, `r-${round}`) }),
      ).rejects.toMatchObject({
        code: "BACKUP_INVALID",
      });
      await expect(restore({ from: join(dir, name), path: join(dir, `r-${round}`) })).rejects.toMatchObject({
        code: "BACKUP_INVALID",
      });
      expect(existsSync(join(dir, `r-${round}`))).toBe(false);
    }
    expect(killed, "at least the early kills land before the backup finishes").toBeGreaterThanOrEqual(2);
    expect(await check({ path: source })).toMatchObject({ healthy: true, problems: [], records: 20_000 });
    expect(await dumpFolder(source)).toEqual(before);
  });
});
