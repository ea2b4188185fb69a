import type { StopStage } from '@kas/core';

/** A stage id longer than this is shortened in the text of a plan (JSON keeps it whole). */
const LONGEST_ID = 80;

/**
 * How a plan's text and lint messages name a stop stage: its id (its members joined with `+`), or for a stage whose
 * id would fill lines (3,000 modules in one stage) its first two members and its last, `…` between, and
 * how many members it has. Still one stage only: a module is a member of one stage, and the first is named.
 */
export function stageLabel(stage: StopStage): string {
  const { id, members } = stage;
  if (id.length <= LONGEST_ID || members.length <= 3) return id;
  return `${members[0]}+${members[1]}+…+${members[members.length - 1]} (${members.length.toLocaleString('en-US')} modules)`;
}
