export * from './loss';
export * from './plateau';
export * from './recipe';
export * from './schedule';
export * from './sgd';
export * from './tensors';
export * from './train';
