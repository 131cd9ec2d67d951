import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findSigner, parseAllowedSigners } from '../../src/engine/format/ssh/allowed-signers.js'
import { parseSignature } from '../../src/engine/format/ssh/sshsig.js'
import { exec } from '../support/engine.js'
import { sshKey, type SshKey } from './support.js'

// Issue 23 item 1: the engine reads allowed_signers as OpenSSH does (ADR 0180). Every row runs through the
// engine and the real `ssh-keygen -Y verify` at the same verify time, and both must give the row's answer:
// when the engine accepts, ssh-keygen accepts with the identity the engine found; when it refuses,
// ssh-keygen refuses for every identity the row probes.
interface Row {
  name: string
  /** The file's lines; `{A}` / `{B}` stand for `ssh-ed25519 <blob>` of key A / B, `{Ablob}` for A's blob. */
  lines: string[]
  accept: boolean
  /** Which key signed (default A). */
  signer?: 'A' | 'B'
  /** The verify time, ssh-keygen's `verify-time` form (default 20260601000000Z). */
  at?: string
  /** Identities ssh-keygen tries when the engine refuses (default ops@acme). */
  probes?: string[]
}

const rows: Row[] = [
  { name: 'a plain line', lines: ['ops@acme {A}'], accept: true },
  // The defect: "this key may sign anything but backups".
  {
    name: 'namespaces="!license-backup,*" refuses',
    lines: ['ops@acme namespaces="!license-backup,*" {A}'],
    accept: false
  },
  {
    name: 'a negation after the positive',
    lines: ['ops@acme namespaces="*,!license-backup" {A}'],
    accept: false
  },
  { name: 'another negation', lines: ['ops@acme namespaces="!git,*" {A}'], accept: true },
  { name: 'a * wildcard', lines: ['ops@acme namespaces="license-*" {A}'], accept: true },
  { name: 'a ? wildcard', lines: ['ops@acme namespaces="license-backu?" {A}'], accept: true },
  { name: 'a ? needs a character', lines: ['ops@acme namespaces="license-backup?" {A}'], accept: false },
  {
    name: 'namespaces are case-sensitive',
    lines: ['ops@acme namespaces="License-Backup" {A}'],
    accept: false
  },
  { name: 'a comma list', lines: ['ops@acme namespaces="git,file,license-backup" {A}'], accept: true },
  { name: 'other namespaces only', lines: ['ops@acme namespaces="git,file" {A}'], accept: false },
  { name: 'an empty namespaces list', lines: ['ops@acme namespaces="" {A}'], accept: false },
  { name: 'option names in any case', lines: ['ops@acme NameSpaces="license-backup" {A}'], accept: true },
  { name: 'an unquoted value', lines: ['ops@acme namespaces=license-backup {A}'], accept: false },
  {
    name: 'a quote escaped inside a value',
    lines: ['ops@acme namespaces="x\\"y,license-backup" {A}'],
    accept: true
  },
  { name: 'a value left open', lines: ['ops@acme namespaces="license-backup {A}'], accept: false },
  {
    name: 'principals: only a negation',
    lines: ['"!ops@acme" {A}'],
    accept: false,
    probes: ['ops@acme', 'x']
  },
  { name: 'principals: everyone but mallory', lines: ['"*,!mallory@acme" {A}'], accept: true },
  {
    name: 'principals: a name and its negation',
    lines: ['"ops@acme,!ops@acme" {A}'],
    accept: false,
    probes: ['ops@acme', 'x']
  },
  {
    name: 'principals: all negated',
    lines: ['"!*,ops@acme" {A}'],
    accept: false,
    probes: ['ops@acme', '', 'x']
  },
  { name: 'principals: wildcards', lines: ['*@acme {A}'], accept: true },
  { name: 'principals: ? and negated wildcards', lines: ['"?@acme,!x@*,!?@acme.com" {A}'], accept: true },
  {
    name: 'principals are case-sensitive',
    lines: ['"ops@acme,!OPS@ACME,!ops@acme" {A}'],
    accept: false,
    probes: ['ops@acme', 'OPS@ACME', 'Ops@acme']
  },
  { name: 'principals quoted with a space', lines: ['"ops@acme backup" {A}'], accept: true },
  { name: 'a quote inside the principals word', lines: ['ops"@acme x" {A}'], accept: true },
  { name: 'principals in UTF-8', lines: ['"zoë@acme" {A}'], accept: true },
  {
    name: 'cert-authority first',
    lines: ['ops@acme cert-authority,namespaces="license-backup" {A}'],
    accept: false
  },
  {
    name: 'cert-authority last',
    lines: ['ops@acme namespaces="license-backup",cert-authority {A}'],
    accept: false
  },
  { name: 'a flag with letters after it', lines: ['ops@acme cert-authorityX {A}'], accept: false },
  {
    name: 'namespaces before valid-after',
    lines: ['ops@acme namespaces="license-backup",valid-after="20200101" {A}'],
    accept: true
  },
  {
    name: 'valid-after before namespaces',
    lines: ['ops@acme valid-after="20200101",namespaces="git" {A}'],
    accept: false
  },
  { name: 'a leading comma', lines: ['ops@acme ,namespaces="license-backup" {A}'], accept: true },
  { name: 'a trailing comma', lines: ['ops@acme namespaces="license-backup", {A}'], accept: false },
  { name: 'an unknown option', lines: ['ops@acme no-touch-required {A}'], accept: false },
  {
    name: 'namespaces twice',
    lines: ['ops@acme namespaces="git",namespaces="license-backup" {A}'],
    accept: false
  },
  { name: 'expired (valid-before)', lines: ['ops@acme valid-before="20260531Z" {A}'], accept: false },
  { name: 'not yet valid (valid-after)', lines: ['ops@acme valid-after="20260602Z" {A}'], accept: false },
  {
    name: 'valid-before at the verify time',
    lines: ['ops@acme valid-before="20260601000000Z" {A}'],
    accept: true
  },
  {
    name: 'valid-after at the verify time',
    lines: ['ops@acme valid-after="20260601000000Z" {A}'],
    accept: true
  },
  {
    name: 'valid-before a second before',
    lines: ['ops@acme valid-before="20260531235959Z" {A}'],
    accept: false
  },
  { name: 'times ending in UTC', lines: ['ops@acme valid-before="202606010000utc" {A}'], accept: true },
  {
    name: 'local times, a day apart',
    lines: ['ops@acme valid-after="20260531",valid-before="20260602" {A}'],
    accept: true
  },
  {
    name: 'valid-before not after valid-after',
    lines: ['ops@acme valid-after="20270101",valid-before="20200101" {A}'],
    accept: false
  },
  { name: 'a time too short', lines: ['ops@acme valid-before="2027010" {A}'], accept: false },
  { name: 'a month 13', lines: ['ops@acme valid-before="20271301" {A}'], accept: false },
  {
    name: 'comments and blank lines only',
    lines: ['# ops@acme {A}', '', '   # indented', '\t'],
    accept: false
  },
  { name: 'indented, with a trailing comment', lines: [' \tops@acme {A} "a comment" here'], accept: true },
  { name: 'a CRLF line', lines: ['ops@acme {A}\r'], accept: true },
  { name: 'a malformed line before a good one', lines: ['ops@acme bogus {A}', 'ci@acme {A}'], accept: true },
  { name: 'a line with principals only', lines: ['ops@acme', 'ci@acme {A}'], accept: true },
  {
    name: 'the key refused on one line, allowed on the next',
    lines: ['ops@acme namespaces="git" {A}', 'ci@acme namespaces="license-*" {A}'],
    accept: true
  },
  { name: 'another key only', lines: ['ops@acme {B}'], accept: false },
  { name: 'the second of two keys', lines: ['ops@acme {A}', 'ci@acme {B}'], signer: 'B', accept: true },
  { name: 'the key type by its short name (not read)', lines: ['ops@acme ED25519 {Ablob}'], accept: false },
  { name: 'the key type in capitals (not read)', lines: ['ops@acme SSH-ED25519 {Ablob}'], accept: false },
  { name: 'a blob with bytes after the key', lines: ['ops@acme ssh-ed25519 {Ablob}AAAA'], accept: false },
  { name: 'principals only the empty name admits', lines: ['"*,!?*" {A}'], accept: true },
  { name: 'a blob under another type', lines: ['ops@acme ssh-rsa {Ablob}'], accept: false },
  {
    name: 'a line of another key type',
    lines: ['ops@acme ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQ', 'ci@acme {A}'],
    accept: true
  },
  { name: 'a principals quote left open', lines: ['"ops@acme {A}', 'ci@acme {A}'], accept: true }
]

let dir: string
const keys: Record<'A' | 'B', { key: SshKey; sig: string; blob: Buffer }> = {} as never

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lb-allowed-signers-'))
  await writeFile(join(dir, 'message'), '{"format":"license-backup/v2"}\n')
  for (const name of ['A', 'B'] as const) {
    const key = await sshKey(dir, `key-${name}`)
    const file = join(dir, `message-${name}`)
    await copyFile(join(dir, 'message'), file)
    await exec('ssh-keygen', ['-q', '-Y', 'sign', '-f', key.file, '-n', 'license-backup', file])
    const sig = `${file}.sig`
    keys[name] = { key, sig, blob: parseSignature(await readFile(sig, 'utf8')).publicBlob }
  }
})
afterAll(async () => rm(dir, { recursive: true, force: true }))

/** ssh-keygen's verify-time as milliseconds: UTC when it says so, else the local time zone. */
function timeOf(at: string): number {
  const [y, mo, d, h, mi, s] = at.match(/^(\d{4})|\d{2}/g)!.map(Number)
  return /z$/i.test(at) ? Date.UTC(y!, mo! - 1, d!, h, mi, s) : new Date(y!, mo! - 1, d!, h, mi, s).getTime()
}

function sshKeygenAccepts(file: string, row: Row, identity: string): boolean {
  const signer = keys[row.signer ?? 'A']
  const run = spawnSync(
    'ssh-keygen',
    [
      '-Y',
      'verify',
      '-f',
      file,
      '-I',
      identity,
      '-n',
      'license-backup',
      '-s',
      signer.sig,
      '-O',
      `verify-time=${row.at ?? '20260601000000Z'}`
    ],
    { input: '{"format":"license-backup/v2"}\n', encoding: 'utf8' }
  )
  return run.status === 0
}

describe('allowed_signers: the engine and `ssh-keygen -Y verify` give the same answer', () => {
  it('has at least 30 rows', () => {
    expect(rows.length).toBeGreaterThanOrEqual(30)
  })

  it.each(rows.map(row => [row.name, row] as const))('%s', async (_name, row) => {
    const [type, blob] = keys.A.key.publicLine.split(' ')
    const text = row.lines
      .map(line =>
        line
          .replace('{A}', `${type} ${blob}`)
          .replace('{B}', keys.B.key.publicLine.split(' ').slice(0, 2).join(' '))
          .replace('{Ablob}', blob!)
      )
      .join('\n')
    expect(type).toBe('ssh-ed25519')
    const file = join(dir, `allowed-${rows.indexOf(row)}`)
    await writeFile(file, `${text}\n`)
    const bytes = (await readFile(file)).toString('latin1')
    const found = findSigner(
      parseAllowedSigners(bytes).signers,
      keys[row.signer ?? 'A'].blob,
      'license-backup',
      timeOf(row.at ?? '20260601000000Z')
    )
    expect('identity' in found).toBe(row.accept)
    if ('identity' in found) {
      // The identity is bytes; ssh-keygen takes it as the UTF-8 it spells.
      expect(sshKeygenAccepts(file, row, Buffer.from(found.identity, 'latin1').toString('utf8'))).toBe(true)
      return
    }
    for (const probe of row.probes ?? ['ops@acme']) expect(sshKeygenAccepts(file, row, probe)).toBe(false)
  })
})
