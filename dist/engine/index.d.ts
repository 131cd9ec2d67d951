export * from './types/src/engine/index.js'
