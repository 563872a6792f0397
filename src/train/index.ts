export * from './loss';
export * from './plateau';
export * from './schedule';
export * from './sgd';
export * from './tensors';
export * from './train';
