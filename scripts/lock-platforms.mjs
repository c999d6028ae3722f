#!/usr/bin/env node
// Run after `npm install` changes package-lock.json. workerd ships one optional package per platform;
// when the registry this lock was made against serves only some of them (as our build machines' mirror
// does), npm leaves the others out of the lock and `npm ci` then refuses it as "out of sync". This adds
// an entry for every platform package a workerd entry names but the lock lacks. npm skips them on other
// platforms, and fetches them by name and version on their own.
import { readFileSync, writeFileSync } from 'node:fs';

const PLATFORMS = {
  'darwin-64': { os: ['darwin'], cpu: ['x64'] },
  'darwin-arm64': { os: ['darwin'], cpu: ['arm64'] },
  'linux-64': { os: ['linux'], cpu: ['x64'] },
  'linux-arm64': { os: ['linux'], cpu: ['arm64'] },
  'windows-64': { os: ['win32'], cpu: ['x64'] },
};

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
let added = 0;
for (const [key, entry] of Object.entries(lock.packages)) {
  if (!key.endsWith('node_modules/workerd')) continue;
  const prefix = key.slice(0, -'workerd'.length);
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    // Resolution walks up from the workerd entry's folder, as Node's does.
    const candidates = [];
    for (let p = prefix; ; p = p.slice(0, p.lastIndexOf('node_modules/', p.length - 14) + 13)) {
      candidates.push(`${p}${name}`);
      if (p === 'node_modules/' || !p.includes('node_modules/')) break;
    }
    if (candidates.some((c) => lock.packages[c]?.version === version)) continue;
    const platform = PLATFORMS[name.replace('@cloudflare/workerd-', '')];
    if (!platform) continue;
    // Keys in the order npm itself writes them (version, cpu, dev, license, optional, os, engines), so the
    // next `npm install` leaves the file as it is.
    lock.packages[`${prefix}${name}`] = {
      version,
      cpu: platform.cpu,
      ...(entry.dev ? { dev: true } : {}),
      license: 'Apache-2.0',
      optional: true,
      os: platform.os,
      engines: { node: '>=16' },
    };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b, 'en'))),
);
writeFileSync(path, JSON.stringify(lock, null, 2) + '\n');
console.log(`package-lock.json: added ${added} platform entr${added === 1 ? 'y' : 'ies'} for workerd`);
