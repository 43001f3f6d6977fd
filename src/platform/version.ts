import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The product version from package.json, found upwards (src/ and dist/src/ alike; PM2 runs without npm's env). */
export function productVersion(): string {
  let dir = import.meta.dirname;
  for (let i = 0; i < 5; i++) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'arena-server' && pkg.version) return pkg.version;
    }
    dir = path.dirname(dir);
  }
  return process.env.npm_package_version ?? '0.0.0';
}
