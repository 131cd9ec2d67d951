export * from './types/engine/index.js'
