import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFakeArtifactService } from '../../src/local/artifact-service.js'
import type { FakeArtifactService } from '../../src/local/artifact-service.js'

// The real @actions/artifact client against the loopback fake: the fake must speak what the client speaks.
describe('fake artifact service with the real @actions/artifact client', () => {
  let service: FakeArtifactService
  const saved = { ...process.env }
  let stdout: ReturnType<typeof jest.spyOn>

  beforeAll(async () => {
    service = await startFakeArtifactService()
    Object.assign(process.env, service.env)
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
  })
  afterAll(async () => {
    stdout.mockRestore()
    process.env = saved
    await service.close()
  })

  it('uploads a folder, lists it, downloads it with the same bytes, and refuses a second upload of the name', async () => {
    const { DefaultArtifactClient } = await import('@actions/artifact')
    const client = new DefaultArtifactClient()
    const root = await mkdtemp(join(tmpdir(), 'lb-fake-up-'))
    await mkdir(join(root, 'sub'))
    const files = {
      'manifest.json': Buffer.from('{"format":"license-backup/v1"}\n'),
      'licenses.tar': randomBytes(300_000),
      'sub/note.txt': Buffer.from('nested\n')
    }
    for (const [name, bytes] of Object.entries(files)) await writeFile(join(root, name), bytes)

    const uploaded = await client.uploadArtifact(
      'round-trip',
      Object.keys(files).map(f => join(root, f)),
      root,
      { retentionDays: 3, compressionLevel: 1 }
    )
    expect(uploaded.id).toBe(1)
    expect(uploaded.digest).toMatch(/^[0-9a-f]{64}$/)
    expect(service.calls).toEqual(
      expect.arrayContaining([
        'POST CreateArtifact',
        'PUT blob?comp=block',
        'PUT blob?comp=blocklist',
        'POST FinalizeArtifact'
      ])
    )

    const listed = await client.listArtifacts()
    expect(listed.artifacts.map(a => [a.name, a.id])).toEqual([['round-trip', 1]])
    const { artifact } = await client.getArtifact('round-trip')
    expect(artifact.digest).toBe(`sha256:${uploaded.digest}`)

    const into = await mkdtemp(join(tmpdir(), 'lb-fake-down-'))
    const downloaded = await client.downloadArtifact(artifact.id, {
      path: into,
      expectedHash: artifact.digest
    })
    expect(downloaded.digestMismatch).toBe(false)
    for (const [name, bytes] of Object.entries(files)) {
      expect((await readFile(join(into, name))).equals(bytes)).toBe(true)
    }

    await expect(client.uploadArtifact('round-trip', [join(root, 'manifest.json')], root)).rejects.toThrow(
      /\(409\)/
    )
    await client.deleteArtifact('round-trip')
    await expect(client.getArtifact('round-trip')).rejects.toThrow(/not found/i)
  })
})
