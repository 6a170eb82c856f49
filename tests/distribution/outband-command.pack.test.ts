import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

// The `outband` command ships inside the container image, on its PATH, not as a package: it runs
// the services' own migrations and needs their code. What the image runs, run here.
const root = resolve(__dirname, '../..');
const run = promisify(execFile);

describe('the outband command of the container image', () => {
  it("is installed on the final stage's PATH from the wrapper in infra/docker", async () => {
    const dockerfile = await readFile(join(root, 'Dockerfile'), 'utf8');
    const final = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(final).toMatch(/^COPY --chmod=755 infra\/docker\/outband \/usr\/local\/bin\/outband$/m);
    expect(final).toContain('COPY --from=build /app /app');
  });

  it('answers --help through that wrapper', async () => {
    const { stdout } = await run(join(root, 'infra/docker/outband'), ['--help'], { env: { ...process.env, OUTBAND_HOME: root } });
    expect(stdout).toMatch(/^usage: outband <command>/);
    expect(stdout).toContain('migrate --unlock');
  });
});
