// `node scripts/run.mjs src/<file>.ts [args…]`: runs the TypeScript source through tsx where the development
// dependencies are installed, and the compiled dist/src/<file>.js where they are not (`npm ci --omit=dev`, the image).
// In-process, without a child: signals and the exit code are the program's own.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [source] = process.argv.splice(2, 1);
let tsx;
try {
  tsx = await import('tsx/esm/api');
} catch {
  tsx = undefined; // production dependencies only
}
if (tsx) {
  tsx.register();
  await import(pathToFileURL(join(root, source)).href);
} else {
  const compiled = join(root, 'dist', source.replace(/\.ts$/, '.js'));
  if (!existsSync(compiled)) {
    console.error(
      `${compiled} is missing: run \`npm run build\` first (or \`npm install\` to run the TypeScript source).`,
    );
    process.exit(1);
  }
  await import(pathToFileURL(compiled).href);
}
