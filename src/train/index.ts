export * from './loss';
export * from './schedule';
export * from './sgd';
export * from './tensors';
export * from './train';
