import { defineModule, type LifecycleEvent } from '@kas/core';
import { startTestApp } from '@kas/core/testing';

/** What `recordLargeStop` ran and recorded. */
export interface LargeStop {
  /** Every lifecycle event of the run, progress records included, from `app.starting` to `app.stopped`. */
  readonly events: readonly LifecycleEvent[];
  readonly moduleCount: number;
  readonly stopStageCount: number;
}

const COLUMNS = 10;
const STAGES_PER_COLUMN = 20;
const MEMBERS_PER_STAGE = 10;

/**
 * Starts and stops, for real, an app of 2,000 modules in 200 stop stages of 10: 10 columns of 20 stages,
 * each stage of a column beginning after one of the column before, so the plan is 10 cards wide; each
 * module reports its progress once as it stops.
 */
export async function recordLargeStop(): Promise<LargeStop> {
  const name = (column: number, stage: number, member: number) => `c${column}-s${stage}-m${member}`;
  const modules = [];
  for (let column = 0; column < COLUMNS; column++) {
    for (let stage = 0; stage < STAGES_PER_COLUMN; stage++) {
      for (let member = 0; member < MEMBERS_PER_STAGE; member++) {
        const leader = name(column, stage, 0);
        modules.push(
          defineModule({
            name: name(column, stage, member),
            stop: {
              ...(member === 0 ? {} : { with: [leader] }),
              ...(column === 0 || member !== 0 ? {} : { after: [name(column - 1, stage, 0)] }),
            },
            create: () => ({
              start: async () => {},
              stop: async (ctx) => {
                ctx.progress({ inFlight: member, watches: stage });
              },
              provides: {},
            }),
          }),
        );
      }
    }
  }
  const { trace, stop } = await startTestApp({ modules });
  await stop();
  return { events: trace, moduleCount: modules.length, stopStageCount: COLUMNS * STAGES_PER_COLUMN };
}
