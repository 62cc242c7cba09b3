import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';

// The synth path's TypeScript loader (scripts/register.js): SWC with the options ts-node would
// derive from tsconfig.json, and a content-addressed cache of the JavaScript.
const register = require('../scripts/register.js') as { SWC_OPTIONS: object; transpile: (source: string, filename: string) => string; cacheDir: string };

describe('the synth path loader', () => {
  test('uses the SWC options ts-node derives from tsconfig.json', () => {
    const service = require('ts-node').create({ transpileOnly: true, swc: true, project: path.join(__dirname, '..', 'tsconfig.json') });
    const { createSwcOptions } = require('ts-node/transpilers/swc');
    const derived = JSON.parse(JSON.stringify(createSwcOptions(service.config.options, undefined, require('@swc/core'), '@swc/core').nonTsxOptions));
    delete derived.sourceMaps; // ts-node maps sources itself; the loader inlines the map
    expect(isDeepStrictEqual(JSON.parse(JSON.stringify(register.SWC_OPTIONS)), derived)).toBe(true);
  });

  test('transpiles a source once and reads it from the cache afterwards', () => {
    const source = `export const stamp: number = ${process.hrtime.bigint()};\n`;
    const before = new Set(fs.existsSync(register.cacheDir) ? fs.readdirSync(register.cacheDir) : []);
    const code = register.transpile(source, 'stamp.ts');
    expect(code).toMatch(/^const stamp = \d+;$/m); // the type annotation is gone
    expect(code).toContain('Object.defineProperty(exports, "stamp"');
    const added = fs.readdirSync(register.cacheDir).filter((f) => !before.has(f));
    expect(added).toHaveLength(1);
    // The next load of the same source is the cached file, whatever it holds.
    const cached = path.join(register.cacheDir, added[0]);
    fs.writeFileSync(cached, '// from the cache\n');
    expect(register.transpile(source, 'stamp.ts')).toBe('// from the cache\n');
    // Another source is another entry.
    expect(register.transpile(`${source}export const other = 1;\n`, 'stamp.ts')).toMatch(/^const other = 1;$/m);
    for (const f of fs.readdirSync(register.cacheDir).filter((x) => !before.has(x))) fs.rmSync(path.join(register.cacheDir, f));
  });

  // Node 22.18+ and 24 strip types natively but refuse what has no erasable form (enums, parameter
  // properties), which lib/ uses; the loader, not Node's stripping, must load every .ts file.
  test('loads TypeScript that native type stripping refuses (enums, parameter properties) on every Node', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'register-'));
    const app = path.join(dir, 'syntax.ts');
    fs.writeFileSync(app, [
      'enum Color { Red = 1 }',
      'class Box { constructor(private readonly size: number) {} area(): number { return this.size * this.size; } }',
      'console.log(Color.Red, new Box(3).area());',
    ].join('\n'));
    const r = spawnSync(process.execPath, ['-r', path.join(__dirname, '..', 'scripts', 'register.js'), app], { encoding: 'utf8' });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('1 9\n');
  });
});
