import { WireError, ed25519KeyOf } from './wire.js'
import { matchPatternList, someMatch } from './patterns.js'
import { parseSignerOptions, type SignerOptions } from './signer-options.js'

/**
 * An OpenSSH `allowed_signers` file (ssh-keygen(1), ALLOWED SIGNERS), read and matched as OpenSSH 9's
 * sshsig.c does (ADR 0180): one key a line, `principals [options] keytype base64-key [comment]`, `#`
 * comments and blank lines ignored. A line ssh-keygen cannot read is skipped, as ssh-keygen skips it (it
 * prints an error and goes on): `skipped` says which and why. Only Ed25519 lines are kept: a signature
 * here is always by an Ed25519 key, which no line of another key type can match.
 *
 * Text is the file's bytes as latin1 (one character a byte), as the C code compares bytes.
 */
export interface AllowedSigner extends SignerOptions {
  line: number
  /** The principals pattern list, as written (quotes removed). */
  principals: string
  /** The key blob (`ssh-ed25519` and its 32 bytes). */
  publicBlob: Buffer
}

export interface AllowedSigners {
  signers: AllowedSigner[]
  skipped: Array<{ line: number; problem: string }>
}

const WHITESPACE = ' \t\r\n'

/** The file's lines; never throws: an unreadable line is in `skipped`. */
export function parseAllowedSigners(text: string): AllowedSigners {
  const result: AllowedSigners = { signers: [], skipped: [] }
  for (const [index, raw] of text.split('\n').entries()) {
    // getline keeps a NUL; every C string function after it stops there.
    const nul = raw.indexOf('\0')
    const read = parseLine(nul < 0 ? raw : raw.slice(0, nul))
    if (read === undefined) continue
    if ('problem' in read) result.skipped.push({ line: index + 1, problem: read.problem })
    else result.signers.push({ line: index + 1, ...read })
  }
  return result
}

type Line = Omit<AllowedSigner, 'line'> | { problem: string } | undefined

/** parse_principals_key_and_options: undefined for a blank, comment or other key type's line. */
function parseLine(raw: string): Line {
  const line = raw.replace(/^[ \t]+/, '')
  if (line === '' || line.startsWith('#')) return undefined
  const first = firstToken(line)
  if (first === undefined) return { problem: 'it has no key' }
  if ('problem' in first) return first
  const { token: principals, rest } = first
  const key = readKey(rest)
  if (key !== undefined)
    return key === 'other' ? undefined : { principals, publicBlob: key, certAuthority: false }
  const end = endOfOptions(rest)
  if (end === undefined) return { problem: 'a quote in its options is not closed' }
  const afterOptions = rest.slice(end).replace(/^[ \t]+/, '')
  if (afterOptions === '') return { problem: 'it has no key' }
  const keyAfter = readKey(afterOptions)
  if (keyAfter === undefined) return { problem: 'its key is not valid' }
  const options = parseSignerOptions(rest.slice(0, end))
  if ('problem' in options) return options
  return keyAfter === 'other' ? undefined : { principals, publicBlob: keyAfter, ...options }
}

/**
 * misc.c's strdelimw: the first word, ended by whitespace or a double quote; a quote starts a quoted part
 * that runs to the next quote (without escapes). Undefined when nothing follows it.
 */
function firstToken(line: string): { token: string; rest: string } | { problem: string } | undefined {
  const at = [...line].findIndex(c => WHITESPACE.includes(c) || c === '"')
  if (at < 0) return undefined
  if (line[at] !== '"') return { token: line.slice(0, at), rest: skipWhitespace(line.slice(at + 1)) }
  const close = line.indexOf('"', at + 1)
  if (close < 0) return { problem: 'a quote in its principals is not closed' }
  return { token: line.slice(0, at) + line.slice(at + 1, close), rest: skipWhitespace(line.slice(close + 1)) }
}

function skipWhitespace(text: string): string {
  let at = 0
  while (at < text.length && WHITESPACE.includes(text[at]!)) at++
  return text.slice(at)
}

/** sshkey_advance_past_options: the first blank outside double quotes (`\"` skipped); undefined if unclosed. */
function endOfOptions(text: string): number | undefined {
  let quoted = false
  let at = 0
  for (; at < text.length && (quoted || (text[at] !== ' ' && text[at] !== '\t')); at++) {
    if (text[at] === '\\' && text[at + 1] === '"') at++
    else if (text[at] === '"') quoted = !quoted
  }
  return at >= text.length && quoted ? undefined : at
}

/**
 * sshkey_read for the keys that matter here: an Ed25519 key's blob, 'other' for a key of another type (it
 * never matches an Ed25519 signature, whatever it holds), undefined when `text` does not start with a key.
 */
function readKey(text: string): Buffer | 'other' | undefined {
  const [type, blob] = text.split(/[ \t]+/)
  if (type === undefined || blob === undefined || !/[ \t]/.test(text)) return undefined
  // peek_type_nid compares full names exactly: `ED25519` or `SSH-ED25519` is no key type.
  if (type !== 'ssh-ed25519') return looksLikeKeyType(type) ? 'other' : undefined
  // b64_pton skips white space (a CRLF line's \r) and refuses any other character outside the alphabet.
  const base64 = blob.replace(/[\r\n\v\f]/g, '')
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 === 1) return undefined
  const decoded = Buffer.from(base64, 'base64')
  try {
    ed25519KeyOf(decoded)
  } catch (error) {
    if (error instanceof WireError) return undefined
    throw error
  }
  return decoded
}

/** OpenSSH's other key type names (RSA, DSA, ECDSA, security keys, certificates, XMSS). */
function looksLikeKeyType(text: string): boolean {
  return /^(ssh-|ecdsa-|sk-|rsa-)/.test(text)
}

/** A line that allows `publicBlob` to sign in `namespace` at `now` (ms), and an identity it admits. */
export type SignerMatch = { signer: AllowedSigner; identity: string } | { problem: string }

/**
 * sshsig.c's check_allowed_keys_line over every line, in order: a line allows the signature when its key
 * is the signer's (a `cert-authority` line only allows certificates, which these signatures never are),
 * the namespace matches its `namespaces` list, the time is within valid-after and valid-before (inclusive,
 * in whole seconds), and its principals list admits some identity: `ssh-keygen -Y verify -I <identity>`
 * then accepts the signature. A restore has no identity to give, so any admitted one will do.
 */
export function findSigner(
  signers: AllowedSigner[],
  publicBlob: Buffer,
  namespace: string,
  now: number
): SignerMatch {
  const seconds = Math.floor(now / 1000)
  let first: string | undefined
  for (const signer of signers) {
    if (signer.certAuthority || !signer.publicBlob.equals(publicBlob)) continue
    const problem = lineProblem(signer, namespace, seconds)
    if (problem === undefined) {
      const identity = someMatch(signer.principals)
      if (identity !== undefined) return { signer, identity }
    }
    first ??= `${problem ?? 'its principals refuse every identity'} (line ${signer.line})`
  }
  return { problem: first ?? 'its key is not in the file' }
}

function lineProblem(signer: AllowedSigner, namespace: string, seconds: number): string | undefined {
  if (signer.namespaces !== undefined && matchPatternList(namespace, signer.namespaces) !== 1)
    return `its namespaces do not allow ${namespace}`
  if (signer.validAfter !== undefined && seconds < signer.validAfter)
    return 'it is not valid yet (valid-after)'
  if (signer.validBefore !== undefined && seconds > signer.validBefore)
    return 'it is no longer valid (valid-before)'
  return undefined
}
