import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import express, { type RequestHandler } from 'express';

/** A hash of everything under public/, computed once at start-up: part of every asset URL, so assets can be cached forever. */
export function assetVersion(publicDir: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const file = join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else hash.update(name).update(readFileSync(file));
    }
  };
  walk(publicDir);
  return hash.digest('hex').slice(0, 12);
}

export function staticAssets(publicDir: string): RequestHandler {
  return express.static(publicDir, { immutable: true, maxAge: '365d', index: false, fallthrough: false });
}
