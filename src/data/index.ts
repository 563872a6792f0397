/** The data layer: `loadData` for splits, `batches` for an epoch of mini-batches, and the pieces behind them. */
export * from './dataset';
export * from './idx';
export * from './cifar10';
export * from './fashion-mnist';
export * from './synthetic';
export * from './transforms';
export * from './subset';
export { batches, batchCount, epochOrder, type Batch, type BatchOptions } from './batches';
export * from './load';
