import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedLoop } from './load';
import { machineCost, machineUsage, type MachineCost } from './machine-meter';
import { freePort, stop, waitOk } from './processes';

export type KannelResult =
  { available: false; reason: string } | { available: true; perSecond: number; httpPerSecond: number; p99Ms: number; cost: MachineCost };

/** Installs Debian's `kannel` if it is missing and we may (root); answers why not otherwise. */
function ensureKannel(): string | undefined {
  if (existsSync('/usr/sbin/bearerbox') && existsSync('/usr/sbin/smsbox')) {
    return undefined;
  }
  if (process.getuid?.() !== 0) {
    return 'kannel is not installed (apt-get install kannel) and the bench does not run as root';
  }
  const apt = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'kannel'], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    encoding: 'utf8',
  });
  return apt.status === 0 ? undefined : `apt-get install kannel failed: ${apt.stderr.slice(-300)}`;
}

/**
 * The peer: Kannel's bearerbox + smsbox, one SMPP transceiver bind into the same simulator
 * with the same window as Outband's, driven through its HTTP `sendsms`. Its rate is what reached
 * the SMSC (Kannel queues what it accepted over HTTP), over `durationMs` of closed-loop load.
 */
export async function kannelRate(o: {
  smppPort: number;
  simUrl: string;
  window: number;
  concurrency: number;
  durationMs: number;
}): Promise<KannelResult> {
  const missing = ensureKannel();
  if (missing) {
    return { available: false, reason: missing };
  }
  const dir = mkdtempSync(join(tmpdir(), 'outband-kannel-'));
  const [adminPort, boxPort, sendsmsPort] = [await freePort(), await freePort(), await freePort()];
  const conf = join(dir, 'kannel.conf');
  writeFileSync(
    conf,
    [
      'group = core',
      `admin-port = ${adminPort}`,
      'admin-password = bench',
      `smsbox-port = ${boxPort}`,
      'box-allow-ip = 127.0.0.1',
      'log-level = 4',
      `log-file = "${join(dir, 'bearerbox.log')}"`,
      '',
      'group = smsc',
      'smsc = smpp',
      'smsc-id = sim',
      'host = 127.0.0.1',
      `port = ${o.smppPort}`,
      'transceiver-mode = true',
      'smsc-username = kannel',
      'smsc-password = secret',
      'system-type = ""',
      `max-pending-submits = ${o.window}`,
      '',
      'group = smsbox',
      'bearerbox-host = 127.0.0.1',
      `sendsms-port = ${sendsmsPort}`,
      'log-level = 4',
      `log-file = "${join(dir, 'smsbox.log')}"`,
      '',
      'group = sendsms-user',
      'username = bench',
      'password = bench',
      '',
    ].join('\n'),
  );
  const boxes: ChildProcess[] = [];
  try {
    boxes.push(spawn('/usr/sbin/bearerbox', [conf], { stdio: 'ignore' }));
    await new Promise((r) => setTimeout(r, 1000));
    boxes.push(spawn('/usr/sbin/smsbox', [conf], { stdio: 'ignore' }));
    await waitOk(`http://127.0.0.1:${adminPort}/status?password=bench`, 30_000);
    // Ready once the SMSC link is bound: a first message must reach the simulator.
    const accepted = async () => ((await (await fetch(`${o.simUrl}/stats`)).json()) as { accepted: number }).accepted;
    const send = async (i: number) => {
      const to = `+3369${String(i % 1_000_000).padStart(7, '0')}`;
      const url = `http://127.0.0.1:${sendsmsPort}/cgi-bin/sendsms?username=bench&password=bench&from=Outband&to=${encodeURIComponent(to)}&text=${encodeURIComponent(`Your login code is ${String(i).padStart(6, '0')}. It expires in 5 min. Never share it.`)}`;
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status !== 202 && res.status !== 200) {
        throw new Error(`sendsms answered ${res.status}`);
      }
    };
    const warm = await accepted();
    const readyBy = Date.now() + 30_000;
    for (let i = 0; (await accepted()) === warm; i++) {
      if (Date.now() > readyBy) {
        return { available: false, reason: 'Kannel started but its SMPP link never delivered a message' };
      }
      await send(i).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 500));
    const before = await accepted();
    const started = performance.now();
    const usage0 = machineUsage();
    const http = await closedLoop(o.concurrency, o.durationMs, send);
    // What Kannel accepted reaches the SMSC after the load stops: wait for it (bounded).
    const target = before + http.done;
    const deadline = Date.now() + 120_000;
    let now = await accepted();
    while (now < target && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      now = await accepted();
    }
    const seconds = (performance.now() - started) / 1000;
    const cost = machineCost(usage0, machineUsage(), now - before);
    return { available: true, perSecond: (now - before) / seconds, httpPerSecond: http.perSecond, p99Ms: http.p99Ms, cost };
  } finally {
    for (const b of boxes.reverse()) {
      await stop(b);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
