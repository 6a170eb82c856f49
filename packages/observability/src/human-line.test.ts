import { Writable } from 'node:stream';
import { createLogger } from './logger';
import { humanLine } from './human-line';

function lineOf(log: (logger: ReturnType<typeof createLogger>) => void): string {
  let json = '';
  const destination = new Writable({
    write(chunk: Buffer, _e, cb) {
      json += chunk.toString();
      cb();
    },
  });
  log(createLogger({ service: 'data-server', destination }));
  return humanLine(json);
}

describe('humanLine', () => {
  it('shows time, level, service, message and fields on one line, secrets still redacted', () => {
    const line = lineOf((l) =>
      l.info({ opsPort: 9102, url: 'smpp://127.0.0.1:2775', secret: 's3cr3t', note: 'two words' }, 'data server started'),
    );
    expect(line).toMatch(/^\d\d:\d\d:\d\d INFO {2}data-server {8}data server started {2}opsPort=9102 {2}url=smpp:\/\/127\.0\.0\.1:2775/);
    expect(line).toContain('note="two words"');
    expect(line).not.toContain('s3cr3t');
    expect(line.endsWith('\n')).toBe(true);
    expect(line.split('\n')).toHaveLength(2);
  });

  it("gives an error's message and code, and its stack for an error", () => {
    const err = Object.assign(new Error('no submit_sm response'), { code: 'SMPP_TIMEOUT' });
    const line = lineOf((l) => l.error({ err }, 'send failed'));
    expect(line).toMatch(/ERROR .*send failed {2}err="no submit_sm response" {2}code=SMPP_TIMEOUT\n {4}at /);
  });

  it('passes a line that is not JSON through', () => {
    expect(humanLine('plain text')).toBe('plain text\n');
  });
});
