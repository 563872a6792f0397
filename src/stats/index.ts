/** The statistics the claims assert with: estimators, intervals and tests (see each module's notes). */
export * from './types';
export * from './moments';
export * from './distributions';
export * from './ranks';
export * from './t-test';
export * from './mann-whitney';
export * from './correlation';
export * from './ols';
export * from './ratio';
export * from './power';
export * from './ks';
export * from './binomial';
