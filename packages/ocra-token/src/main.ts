#!/usr/bin/env node
import { respond } from './token';

try {
  process.stdout.write(`${respond(process.argv.slice(2))}\n`);
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exitCode = 2;
}
