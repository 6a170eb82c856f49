import { Writable } from 'node:stream';
import { createLogger } from './logger';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, logger: createLogger({ service: 'test', destination }) };
}

describe('logger redaction', () => {
  it('redacts codes, secrets and keys at the top level and one level down', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        code: '482913',
        submittedCode: '111222',
        req: { headers: { authorization: 'Bearer abc.def.ghi' } },
        merchant: { secret: 's3cr3t', key: 'k3y' },
        source: { kind: 'terminal', pan: '4000000000000002' },
      },
      'x',
    );
    const text = lines.join('');
    for (const secret of ['482913', '111222', 'abc.def.ghi', 's3cr3t', 'k3y', '4000000000000002']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
  });

  it('keeps the stable code of a logged error', () => {
    const { lines, logger } = capture();
    const err = Object.assign(new Error('no submit_sm response'), { code: 'SMPP_TIMEOUT' });
    logger.warn({ err }, 'retry');
    expect(lines.join('')).toContain('SMPP_TIMEOUT');
  });
});
