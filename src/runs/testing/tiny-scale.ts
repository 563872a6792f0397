/**
 * The scale the tests' real runs train at: the smoke profile's protocol on a ResNet-8 of width 4,
 * 128 images, batches of 32 (four steps an epoch), with the schedule a test gives. Seconds on one
 * core, so a unit test can train the protocol for real (src/runs/runs.test.ts, replay.test.ts).
 */
import { TRAINING_SCALES, type TrainingScale } from '../../profile';

export function tinyScale(schedule: TrainingScale['schedule']): TrainingScale {
  return {
    ...TRAINING_SCALES.smoke,
    depth: 8,
    width: 4,
    batch: 32,
    trainImages: 128,
    validationImages: 64,
    curveTestImages: 64,
    schedule,
  };
}
