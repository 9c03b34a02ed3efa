#!/usr/bin/env node
// Copies the browser client's third-party files from their npm packages into client/vendor/
// and records where each came from in client/vendor/VERSIONS.json. The versions are the ones
// pinned in the root package.json; run `npm ci` first, then `node scripts/vendor-client.mjs`.
// With `--check`, changes nothing and fails when client/vendor/ differs from the packages.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const vendor = join(root, 'client', 'vendor');

/** What the client loads, by package: [file in the package, name under client/vendor/]. */
const FILES = {
  vue: [
    ['dist/vue.esm-browser.prod.js', 'vue.esm-browser.prod.js'],
    ['LICENSE', 'vue.LICENSE.txt'],
  ],
  bulma: [
    ['css/versions/bulma-no-dark-mode.min.css', 'bulma.min.css'],
    ['LICENSE', 'bulma.LICENSE.txt'],
  ],
};

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

function main() {
  const check = process.argv.includes('--check');
  const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies;
  const record = {
    note: 'Written by scripts/vendor-client.mjs from the npm packages pinned in package.json; do not edit.',
    packages: {},
  };
  const stale = [];
  mkdirSync(vendor, { recursive: true });
  for (const [name, files] of Object.entries(FILES)) {
    const dir = join(root, 'node_modules', name);
    const version = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
    if (pinned[name] !== version) {
      throw new Error(`${name}: package.json pins ${pinned[name]} but node_modules has ${version}; run npm ci`);
    }
    record.packages[name] = { version, files: {} };
    for (const [from, to] of files) {
      const bytes = readFileSync(join(dir, from));
      record.packages[name].files[to] = { from: `${name}@${version}/${from}`, sha256: sha256(bytes) };
      const target = join(vendor, to);
      if (check) {
        if (!existsSync(target) || sha256(readFileSync(target)) !== sha256(bytes)) stale.push(to);
      } else {
        writeFileSync(target, bytes);
      }
    }
  }
  const recordText = `${JSON.stringify(record, null, 2)}\n`;
  const recordPath = join(vendor, 'VERSIONS.json');
  if (check) {
    if (!existsSync(recordPath) || readFileSync(recordPath, 'utf8') !== recordText) stale.push('VERSIONS.json');
    if (stale.length > 0) {
      throw new Error(`client/vendor/ is stale (${stale.join(', ')}); run node scripts/vendor-client.mjs`);
    }
    console.log('client/vendor/ matches the pinned packages');
  } else {
    writeFileSync(recordPath, recordText);
    for (const [name, { version }] of Object.entries(record.packages)) console.log(`vendored ${name}@${version}`);
  }
}

try {
  main();
} catch (e) {
  console.error(`vendor-client: ${e.message}`);
  process.exit(1);
}
