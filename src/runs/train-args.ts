/** The options of `npm run train` (scripts/train.ts), parsed with node:util's parseArgs. */
import { parseArgs } from 'node:util';
import { suiteRunId } from '../config';
import { parseShard, STAGES, type Shard, type Stage } from './phase';
import { TRAINING_CLAIM_IDS } from './sweep';

export const DEFAULT_SUITE_RUN = 'shards';

const USAGE = `usage: npm run train -- [--stage sweep|runs|all] [--shard i/n] [--claims ID,...] [--suite-run NAME] [--check]
  --stage      sweep | runs (the claim runs the whole sweep selects) | all (default)
  --shard i/n  only machine i's share of each stage (default 1/1); n > 1 needs --stage sweep or runs
  --claims     training claims to train for (default: ${TRAINING_CLAIM_IDS.join(',')})
  --suite-run  cache folder under <reports>/.runs/ (default: BN_SUITE_RUN_ID, else ${DEFAULT_SUITE_RUN})
  --check      train nothing: list the runs still missing, exit 1 if any`;

export interface TrainArgs {
  stages: readonly Stage[];
  shard?: Shard;
  claims: string[];
  suiteRun: string;
  check: boolean;
}

/** The options, or the message to print (usage: exit 0; anything else: exit 2). */
export function parseTrainArgs(args: readonly string[]): TrainArgs | { message: string; code: 0 | 2 } {
  let v;
  try {
    v = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        stage: { type: 'string' },
        shard: { type: 'string' },
        claims: { type: 'string' },
        'suite-run': { type: 'string' },
        check: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (e) {
    return { message: `train: ${(e as Error).message}\n${USAGE}`, code: 2 };
  }
  if (v.help) return { message: USAGE, code: 0 };
  const bad = (m: string) => ({ message: `train: ${m}\n${USAGE}`, code: 2 as const });
  const stage = v.stage ?? 'all';
  if (stage !== 'all' && !(STAGES as readonly string[]).includes(stage))
    return bad(`--stage ${JSON.stringify(stage)} is not valid: expected sweep | runs | all`);
  let shard: Shard | undefined;
  if (v.shard !== undefined) {
    try {
      shard = parseShard(v.shard);
    } catch (e) {
      return bad((e as Error).message);
    }
    if (shard.count > 1 && stage === 'all')
      return bad(
        `--shard ${v.shard} needs --stage sweep or --stage runs: the claim runs are picked by the whole sweep, merged from every shard first`,
      );
  }
  const claims = v.claims === undefined ? [...TRAINING_CLAIM_IDS] : v.claims.split(',').map((c) => c.trim());
  const unknown = claims.filter((c) => !(TRAINING_CLAIM_IDS as readonly string[]).includes(c));
  if (unknown.length || !claims.length)
    return bad(
      `--claims: not a training claim: ${unknown.join(', ') || '(none given)'} (expected some of ${TRAINING_CLAIM_IDS.join(', ')})`,
    );
  const suiteRun = v['suite-run'] ?? suiteRunId() ?? DEFAULT_SUITE_RUN;
  return {
    stages: stage === 'all' ? STAGES : [stage as Stage],
    ...(shard && shard.count > 1 ? { shard } : {}),
    claims,
    suiteRun,
    check: v.check ?? false,
  };
}
