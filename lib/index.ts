export * from './errors';
export * from './gpu';
export * from './image';
export * from './inference-service';
export * from './invariants';
export * from './model-server';
export * from './names';
export * from './scaling';
