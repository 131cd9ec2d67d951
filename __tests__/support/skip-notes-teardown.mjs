import { teardown } from './skip-notes.mjs'
export default teardown
