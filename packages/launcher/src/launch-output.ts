import { humanLine, type LoggerOptions } from '@outband/observability';

type Destination = NonNullable<LoggerOptions['destination']>;

/** How the launcher's log lines are written. */
export type LogFormat = 'pretty' | 'json';

/**
 * Where the log lines of every service of the launcher go. While the suite starts they are held,
 * so the banner comes first; then they are written as they come. `pretty`: one line a person
 * reads (a terminal); `json`: pino's lines, as the services write them when deployed.
 */
export class LaunchOutput implements Destination {
  private held: string[] | undefined = [];

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly format: LogFormat,
    private readonly colour = false,
  ) {}

  write(line: string): void {
    if (this.held) {
      this.held.push(line);
    } else {
      this.out.write(this.shown(line));
    }
  }

  /**
   * The banner, then the lines held while starting: all of them as JSON; pretty, the warnings and
   * errors only (the banner says what the others said: who listens where).
   */
  release(banner: string): void {
    const held = this.held ?? [];
    this.held = undefined;
    this.out.write(banner);
    for (const line of held) {
      if (this.format === 'json' || levelOf(line) >= 40) {
        this.out.write(this.shown(line));
      }
    }
  }

  /** A start that failed: every line held, so the reason's context is there. */
  flush(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const line of held) {
      this.out.write(this.shown(line));
    }
  }

  private shown(line: string): string {
    return this.format === 'pretty' ? humanLine(line, { colour: this.colour }) : line;
  }
}

function levelOf(line: string): number {
  try {
    const { level } = JSON.parse(line) as { level?: unknown };
    return typeof level === 'number' ? level : 30;
  } catch {
    return 30;
  }
}
