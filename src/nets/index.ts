export * from './types';
export { buildResNet, resnetBlocksPerStage, type ResNetConfig } from './resnet';
export { buildMlp, type MlpConfig } from './mlp';
export { initStd, BN_EPS, BN_MOMENTUM } from './layers';
