import { describe, expect, it } from 'vitest';
import { suiteRunId } from '../config';
import { DEFAULT_SUITE_RUN, parseTrainArgs } from './train-args';
import { TRAINING_CLAIM_IDS } from './sweep';

describe('npm run train: its options', () => {
  it('default to both stages, the whole of each, every training claim, the shared suite run', () => {
    expect(parseTrainArgs([])).toEqual({
      stages: ['sweep', 'runs'],
      claims: [...TRAINING_CLAIM_IDS],
      suiteRun: suiteRunId() ?? DEFAULT_SUITE_RUN,
      check: false,
    });
    expect(parseTrainArgs(['--stage', 'runs', '--shard', '2/3', '--claims', 'high-lr-benefit', '--suite-run=ci', '--check'])).toEqual({
      stages: ['runs'],
      shard: { index: 2, count: 3 },
      claims: ['high-lr-benefit'],
      suiteRun: 'ci',
      check: true,
    });
    expect(parseTrainArgs(['--shard', '1/1'])).not.toHaveProperty('shard'); // one machine: all of it
  });

  it('a bad option is exit 2 with one line saying what is wrong, then the usage', () => {
    const cases: [string[], RegExp][] = [
      [['--stage', 'both'], /^train: --stage "both" is not valid: expected sweep \| runs \| all\nusage: /],
      [['--shard', '3/2'], /^train: --shard "3\/2" is not valid: expected i\/n with 1 <= i <= n/],
      [['--shard', '1/2'], /^train: --shard 1\/2 needs --stage sweep or --stage runs: the claim runs are picked by the whole sweep/],
      [['--claims', 'high-lr-benefit,heavy-tailed-gradients'], /^train: --claims: not a training claim: heavy-tailed-gradients/],
      [['--bogus'], /^train: Unknown option '--bogus'/],
      [['--stage'], /^train: Option '--stage <value>' argument missing/],
      [['extra'], /^train: Unexpected argument 'extra'/],
    ];
    for (const [args, re] of cases)
      expect(parseTrainArgs(args), args.join(' ')).toMatchObject({ code: 2, message: expect.stringMatching(re) });
    expect(parseTrainArgs(['--help'])).toMatchObject({ code: 0, message: expect.stringMatching(/^usage: npm run train/) });
  });
});
