import { setup } from './skip-notes.mjs'
export default setup
