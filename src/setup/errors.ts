/**
 * A setup file that cannot be applied, with every problem found. Apart from apply.ts so the CLI can recognise it
 * without loading apply.ts and the YAML parser on every command, `stepgate start` included (docs/benchmarks.md).
 */
export class SetupError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'SetupError';
  }
}
