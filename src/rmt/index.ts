/** Random-matrix experiments (products of Gaussian matrices) and the Fuss–Catalan law they follow. */
export * from './gaussian-product';
export * from './fuss-catalan';
export * from './spectrum-summary';
