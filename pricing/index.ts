export * from './group-price.ts';
