import { readFileSync } from 'node:fs';

/** One instruction of a Dockerfile: `RUN npm ci` is `{ keyword: 'RUN', value: 'npm ci' }`. */
export interface Instruction {
  readonly keyword: string;
  readonly value: string;
}

/** A stage of a multi-stage Dockerfile, from its FROM to the next. */
export interface Stage {
  readonly from: string;
  readonly instructions: readonly Instruction[];
}

/** Reads a Dockerfile's stages (comments dropped, `\` continuations joined). Enough for the files here. */
export function readDockerfile(path: string): Stage[] {
  const lines = readFileSync(path, 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: { from: string; instructions: Instruction[] }[] = [];
  for (const line of lines) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const value = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') stages.push({ from: value, instructions: [] });
    else stages.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), value });
  }
  return stages;
}

/** The value of the one instruction of a stage with this keyword whose value starts with `prefix`. */
export function instruction(stage: Stage, keyword: string, prefix = ''): string {
  const found = stage.instructions.filter(
    (candidate) => candidate.keyword === keyword && candidate.value.startsWith(prefix),
  );
  if (found.length !== 1)
    throw new Error(`expected one ${keyword} ${prefix}... in the stage, found ${found.length}`);
  return (found[0] as Instruction).value;
}
