import { describe, expect, it, jest } from '@jest/globals'

describe('run()', () => {
  it('fails once, naming the steps file, when the file is missing', async () => {
    process.env['INPUT_CONFIG'] = '/nonexistent/license-backup.yml'
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
    const { run } = await import('../src/main.js')
    await run()
    const written = stdout.mock.calls.map(c => String(c[0])).join('')
    stdout.mockRestore()
    expect(written).toMatch(/::error::Steps file \/nonexistent\/license-backup.yml does not exist: create it/)
    expect(process.exitCode).toBe(1)
    process.exitCode = 0
  })
})
